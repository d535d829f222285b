// The seat: keyboards from the backend (nested windows, libinput on DRM)
// forwarded to the focused view.  Headless runs have no input devices.
#include "app/server.hpp"

namespace zcd::app {

namespace {

void add_keyboard(Server& server, wlr_input_device* device) {
    xkb_context* context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
    xkb_keymap* keymap = xkb_keymap_new_from_names(context, nullptr, XKB_KEYMAP_COMPILE_NO_FLAGS);
    if (keymap)
        wlr_keyboard_set_keymap(device->keyboard, keymap);
    xkb_keymap_unref(keymap);
    xkb_context_unref(context);
    wlr_keyboard_set_repeat_info(device->keyboard, 25, 600);

    auto kb = std::make_unique<Keyboard>();
    Keyboard* k = kb.get();
    k->server = &server;
    k->device = device;
    k->modifiers.connect(&device->keyboard->events.modifiers, [k](void*) {
        wlr_seat_set_keyboard(k->server->seat, k->device);
        wlr_seat_keyboard_notify_modifiers(k->server->seat, &k->device->keyboard->modifiers);
    });
    k->key.connect(&device->keyboard->events.key, [k](void* data) {
        auto* event = static_cast<wlr_event_keyboard_key*>(data);
        // F12 toggles the overlay and is not passed on.  libinput keycodes
        // are evdev codes; xkb's are those + 8.
        xkb_keysym_t sym =
            xkb_state_key_get_one_sym(k->device->keyboard->xkb_state, event->keycode + 8);
        if (sym == XKB_KEY_F12) {
            if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED)
                renderer_set_overlay(*k->server, !k->server->overlay_visible);
            return;
        }
        wlr_seat_set_keyboard(k->server->seat, k->device);
        wlr_seat_keyboard_notify_key(k->server->seat, event->time_msec, event->keycode,
                                     event->state);
    });
    k->destroy.connect(&device->events.destroy, [k](void*) {
        Server& s = *k->server;
        s.keyboards.remove_if([k](const std::unique_ptr<Keyboard>& p) { return p.get() == k; });
    });
    wlr_seat_set_keyboard(server.seat, device);
    server.keyboards.push_back(std::move(kb));
}

} // namespace

void seat_init(Server& server) {
    server.seat = wlr_seat_create(server.display, "seat0");
    server.new_input.connect(&server.backend->events.new_input, [&server](void* data) {
        auto* device = static_cast<wlr_input_device*>(data);
        if (device->type == WLR_INPUT_DEVICE_KEYBOARD)
            add_keyboard(server, device);
        uint32_t caps = server.keyboards.empty() ? 0 : WL_SEAT_CAPABILITY_KEYBOARD;
        wlr_seat_set_capabilities(server.seat, caps);
    });
}

} // namespace zcd::app
