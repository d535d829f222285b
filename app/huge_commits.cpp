// Commits of huge wl_shm buffers wait for their copy, off the main loop.
//
// wlroots imports a committed buffer inside the commit request, on the main
// thread: for a 16384x16384 buffer that copy froze every output for
// seconds.  So we look at each wl_surface.commit just before libwayland
// dispatches it (request_hooks.cpp: the one place libwayland 1.21 and
// wlroots 0.15 leave before the commit is applied): when its buffer's
// import would copy render::kHugeCopyBytes or more, the pending state is locked
// (wlr_surface_lock_pending: wlroots caches it, the surface keeps showing
// its previous content, later commits queue behind it in order) and the
// renderer copies on its upload thread.  When the copy is done, the lock is
// released, wlroots applies the commit and the import adopts the finished
// texture; the commit's frame callbacks and wl_buffer.release follow.
//
// Memory: one upload in flight per client, so at most one texture being
// filled per client (at most maxImageDimension2D squared pixels: 1 GiB of
// XRGB on lavapipe); a client's next huge commit starts its copy when the
// previous one is reported.
//
// A client that shrinks its pool under the copy gets what libwayland's
// SIGBUS guard gives it on the main thread: wl_shm.invalid_fd on the
// wl_buffer.  A surface (or client) destroyed in flight cancels its copy.
#include <list>
#include <memory>
#include <string_view>

#include "app/server.hpp"
#include "renderer/renderer.hpp"

namespace zcd::app {

struct HugeCommits;

namespace {

// One commit held back for its copy.
struct HeldCommit {
    HugeCommits* owner = nullptr;
    wlr_surface* surface = nullptr;
    wl_client* client = nullptr;
    uint32_t seq = 0;               // of the locked (cached) surface state
    wlr_buffer* buffer = nullptr;   // the cached state holds it
    const void* pixels = nullptr;   // for finding its wl_buffer if the copy faults
    render::ShmUpload* upload = nullptr; // null: not started (or over)
    bool started = false;
    // libwayland defers wl_shm_pool.resize (which may mremap the pool
    // elsewhere) while a pool has external references; wlroots takes one
    // only once the wl_buffer is destroyed, so the copy takes its own.
    wl_shm_pool* pool = nullptr; // may be null (the wl_buffer is gone: wlroots holds it)
    Listener surface_destroy;
    ~HeldCommit() {
        if (pool)
            wl_shm_pool_unref(pool); // a deferred resize happens now, on the main loop
    }
};

} // namespace

struct HugeCommits {
    Server* server = nullptr;
    std::list<std::unique_ptr<HeldCommit>> held; // in commit order
};

namespace {

void start_next(HugeCommits& hc, wl_client* client);

void forget(HeldCommit* c) {
    HugeCommits& hc = *c->owner;
    wl_client* client = c->client;
    hc.held.remove_if([c](const std::unique_ptr<HeldCommit>& p) { return p.get() == c; });
    start_next(hc, client);
}

struct FindBuffer {
    const void* pixels;
    wl_resource* found;
};

wl_iterator_result find_buffer(wl_resource* res, void* data) {
    auto* f = static_cast<FindBuffer*>(data);
    if (std::string_view(wl_resource_get_class(res)) != "wl_buffer")
        return WL_ITERATOR_CONTINUE;
    wl_shm_buffer* shm = wl_shm_buffer_get(res);
    if (!shm || wl_shm_buffer_get_data(shm) != f->pixels)
        return WL_ITERATOR_CONTINUE;
    f->found = res;
    return WL_ITERATOR_STOP;
}

void upload_done(void* user, bool ok) {
    auto* c = static_cast<HeldCommit*>(user);
    c->upload = nullptr;
    if (ok) {
        // Applied now (unless another lock holds it), adopting the texture.
        // The pool reference goes after that: a deferred resize moves the
        // pool only once the commit no longer needs its pixels.
        c->surface_destroy.disconnect();
        wlr_surface_unlock_cached(c->surface, c->seq);
        forget(c);
        return;
    }
    // The pool was shrunk under the copy.  The state stays locked (its
    // import would copy in place) until the client is gone.
    FindBuffer f{c->pixels, nullptr};
    wl_client* client = c->client;
    wl_client_for_each_resource(client, find_buffer, &f);
    if (f.found)
        wl_resource_post_error(f.found, WL_SHM_ERROR_INVALID_FD, "error accessing SHM buffer");
    else
        wlr_log(WLR_ERROR, "zc-compositor: a client shrank a destroyed wl_buffer's pool under "
                           "its copy, ending it");
    // Outside its own dispatch libwayland would keep the connection until
    // the client's next request: end it now (the error is flushed first).
    wl_client_destroy(client); // destroys c with its surface: nothing after
}

void start(HeldCommit* c) {
    c->started = true;
    c->upload = render::start_shm_upload(c->owner->server->renderer, c->buffer, upload_done, c);
    if (!c->upload) { // imported in place when applied, as before
        wlr_surface* surface = c->surface;
        const uint32_t seq = c->seq;
        forget(c);
        wlr_surface_unlock_cached(surface, seq);
    }
}

// The client's oldest held commit that has not started, if none is in flight.
void start_next(HugeCommits& hc, wl_client* client) {
    for (auto& p : hc.held) {
        if (p->client != client)
            continue;
        if (p->started)
            return; // in flight (or failed: the client is ending)
        start(p.get());
        return;
    }
}

} // namespace

void huge_commits_surface_commit(Server& server, wl_resource* surface_resource) {
    if (!server.huge_commits)
        return; // stopped: the clients are gone
    auto& hc = *server.huge_commits;
    wlr_surface* surface = wlr_surface_from_resource(surface_resource);
    wlr_buffer* buffer = surface->pending.buffer; // may be null
    if (!(surface->pending.committed & WLR_SURFACE_STATE_BUFFER) || !buffer ||
        !render::wants_shm_upload(hc.server->renderer, buffer))
        return;
    auto c = std::make_unique<HeldCommit>();
    HeldCommit* raw = c.get();
    raw->owner = &hc;
    raw->surface = surface;
    raw->client = wl_resource_get_client(surface_resource);
    raw->buffer = buffer;
    void* data = nullptr;
    uint32_t format = 0;
    size_t stride = 0;
    if (wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format,
                                         &stride))
        wlr_buffer_end_data_ptr_access(buffer);
    raw->pixels = data;
    FindBuffer f{data, nullptr};
    wl_client_for_each_resource(raw->client, find_buffer, &f);
    if (f.found)
        raw->pool = wl_shm_buffer_ref_pool(wl_shm_buffer_get(f.found));
    raw->seq = wlr_surface_lock_pending(surface); // the request caches the state
    raw->surface_destroy.connect(&surface->events.destroy, [raw](void*) {
        render::cancel_shm_upload(raw->upload);
        forget(raw); // destroys raw with this listener: nothing after
    });
    hc.held.push_back(std::move(c));
    start_next(hc, raw->client);
}

void huge_commits_init(Server& server) {
    auto* hc = new HugeCommits{};
    hc->server = &server;
    server.huge_commits = hc;
}

void huge_commits_stop(Server& server) {
    HugeCommits* hc = server.huge_commits;
    if (!hc)
        return;
    for (auto& c : hc->held)
        render::cancel_shm_upload(c->upload);
    hc->held.clear();
    delete hc;
    server.huge_commits = nullptr;
}

} // namespace zcd::app
