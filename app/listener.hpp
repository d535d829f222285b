// RAII wl_listener: connects a member function or lambda to a wl_signal and
// disconnects on destruction, so no listener outlives the object it calls.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <utility>

#include "zcd/wlroots.hpp"

namespace zcd::app {

class Listener {
  public:
    using Handler = std::function<void(void* data)>;

    Listener() {
        node_.owner = this;
        node_.listener.notify = &Listener::thunk;
        wl_list_init(&node_.listener.link);
    }
    ~Listener() { disconnect(); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    void connect(wl_signal* signal, Handler handler) {
        disconnect();
        handler_ = std::move(handler);
        wl_signal_add(signal, &node_.listener);
    }
    // For wl_client / wl_resource destroy listeners.
    wl_listener* raw(Handler handler) {
        disconnect();
        handler_ = std::move(handler);
        return &node_.listener;
    }
    void disconnect() {
        wl_list_remove(&node_.listener.link);
        wl_list_init(&node_.listener.link);
    }

  private:
    struct Node {
        wl_listener listener;
        Listener* owner;
    };
    // wlroots calls in from C: nothing may unwind through it.
    static void thunk(wl_listener* l, void* data) noexcept {
        Node* node = reinterpret_cast<Node*>(reinterpret_cast<char*>(l) - offsetof(Node, listener));
        try {
            // A copy, because the handler may destroy its own Listener (a
            // destroy handler deleting the view that owns it).
            Handler handler = node->owner->handler_;
            handler(data);
        } catch (const std::exception& e) {
            wlr_log(WLR_ERROR, "zc-compositor: handler failed: %s", e.what());
        } catch (...) {
            wlr_log(WLR_ERROR, "zc-compositor: handler failed");
        }
    }
    Node node_;
    Handler handler_;
};

} // namespace zcd::app
