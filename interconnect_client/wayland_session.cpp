#include "interconnect_client/wayland_session.hpp"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"

namespace zcd {

namespace {

// C listeners: forward to the session, nothing here may throw.
void dmabuf_format(void*, zwp_linux_dmabuf_v1*, uint32_t) {}
void dmabuf_modifier(void* data, zwp_linux_dmabuf_v1*, uint32_t format, uint32_t hi, uint32_t lo) {
    static_cast<WaylandSession*>(data)->on_modifier(format, uint64_t(hi) << 32 | lo);
}
const zwp_linux_dmabuf_v1_listener kDmabufListener = {dmabuf_format, dmabuf_modifier};

void fb_done(void* data, zwp_linux_dmabuf_feedback_v1*) {
    static_cast<WaylandSession*>(data)->on_feedback_done();
}
void fb_format_table(void* data, zwp_linux_dmabuf_feedback_v1*, int32_t fd, uint32_t size) {
    static_cast<WaylandSession*>(data)->on_format_table(fd, size);
}
void fb_main_device(void* data, zwp_linux_dmabuf_feedback_v1*, wl_array* dev) {
    static_cast<WaylandSession*>(data)->on_main_device(dev->data, dev->size);
}
void fb_tranche_done(void*, zwp_linux_dmabuf_feedback_v1*) {}
void fb_tranche_target_device(void*, zwp_linux_dmabuf_feedback_v1*, wl_array*) {}
void fb_tranche_formats(void* data, zwp_linux_dmabuf_feedback_v1*, wl_array* indices) {
    static_cast<WaylandSession*>(data)->on_tranche_formats(
        static_cast<const uint16_t*>(indices->data), indices->size / sizeof(uint16_t));
}
void fb_tranche_flags(void*, zwp_linux_dmabuf_feedback_v1*, uint32_t) {}
const zwp_linux_dmabuf_feedback_v1_listener kFeedbackListener = {
    fb_done,         fb_format_table,          fb_main_device,
    fb_tranche_done, fb_tranche_target_device, fb_tranche_formats,
    fb_tranche_flags};

} // namespace

WaylandSession::~WaylandSession() {
    on_feedback_done();
    window_.finish(); // before conn_ disconnects
}

void WaylandSession::on_modifier(uint32_t format, uint64_t modifier) {
    offer_.dmabuf_formats.emplace_back(format, modifier);
}

void WaylandSession::on_format_table(int fd, uint32_t size) {
    on_feedback_done(); // a new table replaces the old one
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map != MAP_FAILED) {
        format_table_ = map;
        format_table_size_ = size;
    }
}

void WaylandSession::on_main_device(const void* data, size_t size) {
    dev_t dev = 0;
    if (size == sizeof dev) {
        std::memcpy(&dev, data, sizeof dev);
        offer_.main_device = dev;
    }
}

void WaylandSession::on_tranche_formats(const uint16_t* indices, size_t count) {
    // Table entries: u32 format, u32 padding, u64 modifier.
    struct Entry {
        uint32_t format, pad;
        uint64_t modifier;
    };
    if (!format_table_)
        return;
    const auto* table = static_cast<const Entry*>(format_table_);
    const size_t entries = format_table_size_ / sizeof(Entry);
    for (size_t i = 0; i < count; ++i)
        if (indices[i] < entries &&
            !offer_.dmabuf_supports(table[indices[i]].format, table[indices[i]].modifier))
            offer_.dmabuf_formats.emplace_back(table[indices[i]].format,
                                               table[indices[i]].modifier);
}

void WaylandSession::on_feedback_done() {
    if (format_table_)
        munmap(const_cast<void*>(format_table_), format_table_size_);
    format_table_ = nullptr;
    format_table_size_ = 0;
}

bool WaylandSession::connect(std::string* error) {
    // v4: default feedback (format table + main device), asked for below;
    // v3: every format/modifier pair as an event, heard from the bind on.
    wlc::ConnectOptions opt;
    opt.dmabuf_min_version = 3;
    opt.dmabuf_max_version = 4;
    opt.on_bound = [this](const char* iface, void* proxy, uint32_t) {
        if (std::strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0)
            zwp_linux_dmabuf_v1_add_listener(static_cast<zwp_linux_dmabuf_v1*>(proxy),
                                             &kDmabufListener, this);
    };
    // First roundtrip: globals; second: the events of what we bound.
    if (!conn_.connect(opt, error))
        return false;
    const wlc::Globals& g = conn_.globals();
    offer_.shm = g.shm;
    offer_.dmabuf = g.dmabuf;
    zwp_linux_dmabuf_feedback_v1* feedback = nullptr; // may be null: v3 or no linux-dmabuf
    if (g.dmabuf && g.dmabuf_version >= 4) {
        feedback = zwp_linux_dmabuf_v1_get_default_feedback(g.dmabuf);
        zwp_linux_dmabuf_feedback_v1_add_listener(feedback, &kFeedbackListener, this);
    }
    const bool ok = conn_.roundtrip(error);
    if (feedback)
        zwp_linux_dmabuf_feedback_v1_destroy(feedback);
    on_feedback_done();
    if (!ok)
        return false;
    if (!g.compositor || !g.wm_base) {
        *error =
            std::string("compositor lacks ") + (!g.compositor ? "wl_compositor" : "xdg_wm_base");
        return false;
    }
    return true;
}

bool WaylandSession::create_window(const std::string& title, std::string* error) {
    window_.init(conn_.globals(), title, title);
    if (window_.wait_configured(conn_.display(), -1, error))
        return true;
    if (!window_.closed() && wl_display_get_error(conn_.display()))
        *error = conn_.error_line();
    return false;
}

} // namespace zcd
