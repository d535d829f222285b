// --source auto|NAME: try the sources in order, keep the first usable one,
// remember why each other one was not.
#include <cinttypes>
#include <drm_fourcc.h>

#include "interconnect_client/sources/buffer_source.hpp"
#include "linux-dmabuf-unstable-v1-client-protocol.h"

namespace zcd {

bool CompositorOffer::dmabuf_supports(uint32_t fourcc, uint64_t modifier) const {
    for (const auto& [f, m] : dmabuf_formats)
        if (f == fourcc && m == modifier)
            return true;
    return false;
}

std::string dmabuf_offer_problem(const CompositorOffer& offer, uint32_t fourcc, uint64_t modifier) {
    if (!offer.dmabuf)
        return "compositor does not offer zwp_linux_dmabuf_v1";
    if (offer.dmabuf_supports(fourcc, modifier))
        return "";
    char name[5] = {char(fourcc), char(fourcc >> 8), char(fourcc >> 16), char(fourcc >> 24), 0};
    char buf[160];
    snprintf(buf, sizeof buf,
             "compositor does not advertise %s with modifier 0x%" PRIx64
             " via linux-dmabuf (%zu format/modifier pairs offered)",
             name, modifier, offer.dmabuf_formats.size());
    return buf;
}

bool is_source_name(const std::string& s) {
    for (const char* n : kSourceNames)
        if (s == n)
            return true;
    return false;
}

namespace {

std::unique_ptr<BufferSource> make(const std::string& name, const SourceConfig& cfg,
                                   const CompositorOffer& offer, std::string* why_not) {
    if (name == "gbm")
        return make_gbm_source(cfg, offer, why_not);
    if (name == "vulkan")
        return make_vulkan_source(cfg, offer, why_not);
    if (name == "udmabuf")
        return make_udmabuf_source(cfg, offer, why_not);
    if (name == "shm")
        return make_shm_source(cfg, offer, why_not);
    *why_not = name + ": unknown source";
    return nullptr;
}

} // namespace

SourceChoice choose_source(const std::string& wanted, const SourceConfig& cfg,
                           const CompositorOffer& offer) {
    SourceChoice choice;
    for (const char* n : kSourceNames) {
        if (wanted != "auto" && wanted != n)
            continue;
        std::string why;
        choice.source = make(n, cfg, offer, &why);
        if (choice.source)
            break;
        choice.rejected.push_back(why);
    }
    if (!choice.source && choice.rejected.empty())
        choice.rejected.push_back(wanted + ": unknown source (gbm|vulkan|udmabuf|shm|auto)");
    return choice;
}

wl_buffer* create_dmabuf_wl_buffer(zwp_linux_dmabuf_v1* dmabuf, int fd, uint32_t width,
                                   uint32_t height, uint32_t stride, uint32_t offset,
                                   uint32_t fourcc, uint64_t modifier) {
    zwp_linux_buffer_params_v1* params = zwp_linux_dmabuf_v1_create_params(dmabuf);
    if (!params)
        return nullptr;
    zwp_linux_buffer_params_v1_add(params, fd, 0, offset, stride, uint32_t(modifier >> 32),
                                   uint32_t(modifier & 0xffffffff));
    // create_immed: a rejected buffer is a protocol error the compositor
    // reports on the connection, which the main loop turns into one line.
    wl_buffer* buf =
        zwp_linux_buffer_params_v1_create_immed(params, int32_t(width), int32_t(height), fourcc, 0);
    zwp_linux_buffer_params_v1_destroy(params);
    return buf;
}

} // namespace zcd
