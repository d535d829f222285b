// Which wl_shm pools may be imported without a copy.
//
// A host import lets lavapipe's worker threads read the client's pages long
// after libwayland's SIGBUS guard (wl_shm_buffer_begin/end_access, which
// covers only the calling thread) has closed.  That is safe only when the
// pages cannot disappear: the pool's file is a memfd sealed with
// F_SEAL_SHRINK (a seal can never be removed) and is at least as large as
// the pool (a pool larger than its file is legal, reading past the end is a
// SIGBUS).
//
// libwayland 1.21 closes the pool's fd right after mmap and neither it nor
// wlroots 0.15.1 exposes the fd or the file behind a wl_shm_buffer.  The one
// public place that sees the fd is a protocol logger: it is called with each
// request's decoded arguments just before libwayland dispatches it, while
// wl_shm.create_pool's fd is still open.  So we read the seals and the file
// size there, and follow the pool and its buffers by their resources:
//   wl_shm.create_pool     -> facts of the new pool (seals, file size, size)
//   wl_shm_pool.create_buffer -> the new wl_buffer shares its pool's facts
//   wl_shm_pool.resize     -> new size; live imports of the pool are
//                             detached now, before libwayland may move the
//                             mapping (mremap MAYMOVE)
//   wl_surface.attach      -> the buffer's pixel pointer, the key the
//                             renderer looks facts up by at import time
// A pool or buffer we never saw (or whose facts are unsafe) is copied.
#include <fcntl.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include <wayland-server-core.h>

#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

namespace {

struct PoolFacts {
    uint64_t id = 0;
    bool sealed_against_shrink = false;
    int64_t file_size = 0;
    int64_t pool_size = 0;
    bool host_importable() const { return sealed_against_shrink && file_size >= pool_size; }
};

struct ResourceWatch;

} // namespace

struct ShmPoolWatch {
    VulkanRenderer* renderer = nullptr;
    wl_protocol_logger* logger = nullptr;
    // wl_shm.create_pool and wl_shm_pool.create_buffer are logged before the
    // object exists; it exists from the next request on, when it is adopted.
    struct Pending {
        wl_client* client = nullptr; // null: nothing pending
        uint32_t id = 0;
        const char* cls = nullptr; // the interface the new object must have
        std::shared_ptr<PoolFacts> facts;
        wl_listener client_destroy{}; // the client may die before its next request
    } pending;
    std::vector<ResourceWatch*> watches;                // every live watch, for teardown
    using ByData = std::multimap<const void*, ResourceWatch*>;
    ByData by_data; // attached buffers by pixel pointer
    uint64_t next_pool_id = 1;
};

namespace {

// Facts kept on a wl_shm_pool or wl_buffer resource for as long as it lives.
struct ResourceWatch {
    ShmPoolWatch* owner = nullptr;
    wl_listener destroy{};
    std::shared_ptr<PoolFacts> facts;
    const void* data = nullptr; // wl_buffer: pixels as last attached (in by_data); may be null
    // Its by_data node while it is not in the map: a client attaches the
    // same buffers again every frame, and a map insert would otherwise
    // allocate a node per attach on the frame's hot path.
    ShmPoolWatch::ByData::node_type spare;
};

void forget_data(ResourceWatch* w) {
    if (!w->data)
        return;
    auto [b, e] = w->owner->by_data.equal_range(w->data);
    for (auto it = b; it != e; ++it)
        if (it->second == w) {
            w->spare = w->owner->by_data.extract(it);
            break;
        }
    w->data = nullptr;
}

void remember_data(ResourceWatch* w, const void* data) {
    w->data = data;
    if (w->spare) {
        w->spare.key() = data;
        w->owner->by_data.insert(std::move(w->spare)); // leaves spare empty
    } else {
        w->owner->by_data.emplace(data, w);
    }
}

void drop_watch(ResourceWatch* w) {
    forget_data(w);
    wl_list_remove(&w->destroy.link);
    std::erase(w->owner->watches, w);
    delete w;
}

void resource_destroyed(wl_listener* l, void*) {
    ResourceWatch* w = wl_container_of(l, w, destroy);
    drop_watch(w);
}

ResourceWatch* watch_of(wl_resource* res) { // may return null
    wl_listener* l = res ? wl_resource_get_destroy_listener(res, resource_destroyed) : nullptr;
    if (!l)
        return nullptr;
    ResourceWatch* w = wl_container_of(l, w, destroy);
    return w;
}

void clear_pending(ShmPoolWatch& s) {
    if (!s.pending.client)
        return;
    wl_list_remove(&s.pending.client_destroy.link);
    s.pending.client = nullptr;
    s.pending.facts.reset();
}

void pending_client_destroyed(wl_listener* l, void*) {
    ShmPoolWatch::Pending* p = wl_container_of(l, p, client_destroy);
    wl_list_remove(&p->client_destroy.link);
    p->client = nullptr;
    p->facts.reset();
}

// The object announced by the previous request exists now (or its creation
// failed with a protocol error): give it its facts.
void adopt_pending(ShmPoolWatch& s) {
    if (!s.pending.client)
        return;
    // Only an object of the announced interface that has no facts yet: if the
    // creation failed, the id may name something else.
    wl_resource* res = wl_client_get_object(s.pending.client, s.pending.id);
    if (res && std::string_view(wl_resource_get_class(res)) == s.pending.cls && !watch_of(res)) {
        auto* w = new ResourceWatch{};
        w->owner = &s;
        w->facts = s.pending.facts;
        w->destroy.notify = resource_destroyed;
        wl_resource_add_destroy_listener(res, &w->destroy);
        s.watches.push_back(w);
    }
    clear_pending(s);
}

void expect_object(ShmPoolWatch& s, wl_client* client, uint32_t id, const char* cls,
                   std::shared_ptr<PoolFacts> facts) {
    s.pending.client = client;
    s.pending.id = id;
    s.pending.cls = cls;
    s.pending.facts = std::move(facts);
    s.pending.client_destroy.notify = pending_client_destroyed;
    wl_client_add_destroy_listener(client, &s.pending.client_destroy);
}

std::shared_ptr<PoolFacts> facts_of_fd(ShmPoolWatch& s, int fd, int32_t pool_size) {
    auto f = std::make_shared<PoolFacts>();
    f->id = s.next_pool_id++;
    f->pool_size = pool_size;
    const int seals = fcntl(fd, F_GET_SEALS); // -1 (EINVAL) on anything but a memfd
    f->sealed_against_shrink = seals >= 0 && (seals & F_SEAL_SHRINK);
    struct stat st {};
    f->file_size = fstat(fd, &st) == 0 ? int64_t(st.st_size) : -1;
    return f;
}

bool is(wl_resource* res, const char* cls) {
    return std::string_view(wl_resource_get_class(res)) == cls;
}

void on_request(void* user_data, wl_protocol_logger_type type,
                const wl_protocol_logger_message* m) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST)
        return;
    auto& s = *static_cast<ShmPoolWatch*>(user_data);
    adopt_pending(s);
    wl_resource* res = m->resource;
    const wl_argument* a = m->arguments;
    // Opcodes and argument order from wayland.xml (wl_shm v1, wl_shm_pool v1, wl_surface).
    if (is(res, "wl_shm") && m->message_opcode == 0 && m->arguments_count == 3) {
        // create_pool(new_id, fd, size)
        expect_object(s, wl_resource_get_client(res), a[0].n, "wl_shm_pool",
                      facts_of_fd(s, a[1].h, a[2].i));
    } else if (is(res, "wl_shm_pool") && m->message_opcode == 0 && m->arguments_count == 6) {
        // create_buffer(new_id, offset, width, height, stride, format)
        if (ResourceWatch* pool = watch_of(res))
            expect_object(s, wl_resource_get_client(res), a[0].n, "wl_buffer", pool->facts);
    } else if (is(res, "wl_shm_pool") && m->message_opcode == 2 && m->arguments_count == 1) {
        // resize(size): only growth is legal, and libwayland may then mremap
        // the pool elsewhere.  Its buffers' pointers are stale from now on.
        ResourceWatch* pool = watch_of(res);
        if (!pool || a[0].i <= pool->facts->pool_size)
            return;
        pool->facts->pool_size = a[0].i;
        for (ResourceWatch* w : s.watches)
            if (w->facts == pool->facts)
                forget_data(w);
        detach_shm_pool_imports(*s.renderer, pool->facts->id);
    } else if (is(res, "wl_surface") && m->message_opcode == 1 && m->arguments_count == 3) {
        // attach(buffer, x, y): the object argument is the wl_resource (its
        // wl_object is the resource's first member); may be null.
        auto* buffer = reinterpret_cast<wl_resource*>(a[0].o);
        ResourceWatch* w = watch_of(buffer);
        wl_shm_buffer* shm = buffer ? wl_shm_buffer_get(buffer) : nullptr;
        if (!w || !shm)
            return;
        forget_data(w);
        remember_data(w, wl_shm_buffer_get_data(shm));
    }
}

} // namespace

uint64_t host_importable_shm_pool(const VulkanRenderer& r, const void* data) {
    if (!r.shm_watch)
        return 0;
    // Buffers sharing a pointer share a live mapping, hence one pool.
    auto it = r.shm_watch->by_data.find(data);
    if (it == r.shm_watch->by_data.end() || !it->second->facts->host_importable())
        return 0;
    return it->second->facts->id;
}

void destroy_shm_pool_watch(VulkanRenderer& r) {
    ShmPoolWatch* s = r.shm_watch;
    if (!s)
        return;
    wl_protocol_logger_destroy(s->logger);
    clear_pending(*s);
    while (!s->watches.empty())
        drop_watch(s->watches.back());
    delete s;
    r.shm_watch = nullptr;
}

void watch_shm_pools(wlr_renderer* renderer, wl_display* display) {
    VulkanRenderer* r = vulkan_renderer_from(renderer);
    if (!r || r->shm_watch)
        return;
    r->loop = wl_display_get_event_loop(display); // for the upload thread's completions
    r->shm_watch = new ShmPoolWatch{};
    r->shm_watch->renderer = r;
    r->shm_watch->logger = wl_display_add_protocol_logger(display, on_request, r->shm_watch);
    start_shm_uploader(*r);
}

} // namespace zcd::render
