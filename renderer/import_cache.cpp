// Reuse of zero-copy imports across commits of the same client buffer.
//
// A client cycles through a few wl_buffers; wlroots hands us the same
// wlr_buffer on every commit of one of them, and each commit must become a
// fresh texture (a new ImportRecord: zero-copy textures refuse write_pixels
// so every commit is counted).  The Vulkan side of the import -- the
// VkBuffer over the client's memory, its memory object and descriptor set --
// does not change while the buffer lives, so it is kept on the wlr_buffer
// (wlr_addon) and borrowed by each new texture: after the first commit of
// each buffer, a commit costs no Vulkan allocation.
#include "renderer/vulkan_renderer.hpp"

namespace zcd::render {

namespace {

void entry_addon_destroy(wlr_addon* addon) {
    ImportCacheEntry* e = wl_container_of(addon, e, addon);
    destroy_import_cache_entry(e);
}

const wlr_addon_interface kImportCacheAddon = {"zcd_vulkan_import_cache", entry_addon_destroy};

} // namespace

bool borrow_cached_import(VulkanRenderer& r, wlr_buffer* buffer, const ImportKey& key,
                          VulkanTexture& t) {
    wlr_addon* a = wlr_addon_find(&buffer->addons, &r, &kImportCacheAddon);
    if (!a)
        return false;
    ImportCacheEntry* e = wl_container_of(a, e, addon);
    if (!(e->key == key))
        return false;
    t.kind = TextureKind::Buffer;
    t.buffer = e->buffer;
    t.memory = e->memory;
    t.pool = e->pool;
    t.set = e->set;
    t.word_offset = e->word_offset;
    t.stride_words = e->stride_words;
    t.borrowed = true;
    return true;
}

void cache_import(VulkanRenderer& r, wlr_buffer* buffer, const ImportKey& key, VulkanTexture& t) {
    if (t.kind != TextureKind::Buffer || t.borrowed)
        return;
    // Same buffer, different layout (unusual): a live texture may still
    // borrow the cached import, so this one stays owned by its texture.
    if (wlr_addon_find(&buffer->addons, &r, &kImportCacheAddon))
        return;
    auto* e = new ImportCacheEntry{};
    e->renderer = &r;
    e->key = key;
    e->buffer = t.buffer;
    e->memory = t.memory;
    e->pool = t.pool;
    e->set = t.set;
    e->word_offset = t.word_offset;
    e->stride_words = t.stride_words;
    e->shm_pool_id = t.shm_pool_id;
    wlr_addon_init(&e->addon, &buffer->addons, &r, &kImportCacheAddon);
    r.import_cache.push_back(e);
    t.borrowed = true;
}

void destroy_import_cache_entry(ImportCacheEntry* e) {
    VulkanRenderer& r = *e->renderer;
    free_descriptor_set(r, e->pool, e->set);
    if (e->buffer)
        vkDestroyBuffer(r.vk.device, e->buffer, nullptr);
    if (e->memory)
        vkFreeMemory(r.vk.device, e->memory, nullptr);
    wlr_addon_finish(&e->addon);
    std::erase(r.import_cache, e);
    delete e;
}

} // namespace zcd::render
