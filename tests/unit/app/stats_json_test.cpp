#include <gtest/gtest.h>

#include "app/stats_json.hpp"
#include "common/trace_json.hpp"

using zcd::app::Accounting;
using zcd::app::RunFacts;

TEST(StatsJson, IsValidJsonWithTheDocumentedKeys) {
    Accounting a;
    uint32_t c = a.add_client("weird \"name\"\n");
    size_t o = a.add_output("HEADLESS-1", 320, 200, 60000);
    zcd::ImportRecord r;
    r.path = zcd::ImportPath::DmabufCopy;
    r.reason = zcd::FallbackReason::ModifierUnsupported;
    r.bytes_copied = 256000;
    r.generation = 1;
    uint64_t g = 0;
    a.on_buffer_committed(c, &r, &g);
    zcd::OutputHop hop{zcd::ScanoutPath::ComposedZeroCopy, zcd::ScanoutCopyReason::None,
                       zcd::DirectScanoutMiss::SeveralSurfaces, 0};
    a.on_output_present(o, true, &hop);
    a.on_buffer_presented(c, o, &r);
    RunFacts f;
    f.backend = "headless";
    f.renderer = "vulkan";
    f.validation_errors = 0;
    f.captures = {"HEADLESS-1-000001.png"};

    auto parsed = zcd::json::parse(zcd::app::stats_json(a, f));
    ASSERT_TRUE(parsed.value) << parsed.error;
    const auto& v = *parsed.value;
    for (const char* key : {"frames_presented", "paths", "fallback_reasons", "bytes_copied",
                            "bytes_zero_copy", "clients", "outputs", "validation_errors"})
        EXPECT_NE(v.get(key), nullptr) << key;
    EXPECT_EQ(v.get("frames_presented")->integer, 1);
    EXPECT_EQ(v.get("paths")->get("dmabuf_copy")->integer, 1);
    EXPECT_EQ(v.get("paths")->get("dmabuf_zero_copy")->integer, 0);
    EXPECT_EQ(v.get("fallback_reasons")->get("modifier_unsupported")->integer, 1);
    EXPECT_EQ(v.get("fallback_reasons")->get("none"), nullptr);
    EXPECT_EQ(v.get("bytes_copied")->integer, 256000);
    const auto& clients = *v.get("clients")->array;
    ASSERT_EQ(clients.size(), 1u);
    EXPECT_EQ(clients[0].get("name")->string, "weird \"name\"\n");
    EXPECT_EQ(clients[0].get("frames")->integer, 1);
    const auto& outputs = *v.get("outputs")->array;
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(outputs[0].get("buffers_shown")->integer, 1);
    EXPECT_EQ((*v.get("captures")->array)[0].string, "HEADLESS-1-000001.png");
    EXPECT_FALSE(v.get("overlay")->get("shown")->boolean);
    // The output hop, top level and per output; frames add up.
    EXPECT_EQ(v.get("scanout_paths")->get("composed_zero_copy")->integer, 1);
    EXPECT_EQ(v.get("scanout_paths")->get("direct_scanout")->integer, 0);
    EXPECT_EQ(v.get("direct_scanout_misses")->get("several_surfaces")->integer, 1);
    EXPECT_EQ(v.get("direct_scanout_misses")->get("none"), nullptr);
    EXPECT_EQ(v.get("scanout_copy_reasons")->get("readback")->integer, 0);
    EXPECT_EQ(outputs[0].get("scanout_paths")->get("composed_zero_copy")->integer, 1);
    EXPECT_EQ(outputs[0].get("scanout_bytes_copied")->integer, 0);
    EXPECT_EQ(v.get("buffers_committed")->integer, clients[0].get("buffers_committed")->integer);
    EXPECT_EQ(clients[0].get("reattached_buffers")->integer, 0);
    // Headless: wlroots' buffers, and not a fallback from guest dma-bufs.
    EXPECT_EQ(v.get("output_buffers")->string, "wlroots");
    EXPECT_EQ(v.get("output_buffers_fallback")->string, "not_kms");
    f.output_buffers = "guest_dmabuf";
    f.output_buffers_fallback = "none";
    auto kms = zcd::json::parse(zcd::app::stats_json(a, f));
    ASSERT_TRUE(kms.value) << kms.error;
    EXPECT_EQ(kms.value->get("output_buffers")->string, "guest_dmabuf");
    EXPECT_EQ(kms.value->get("output_buffers_fallback")->string, "none");
}

TEST(StatsJson, EmptyRunIsStillValid) {
    auto parsed = zcd::json::parse(zcd::app::stats_json(Accounting{}, RunFacts{}));
    ASSERT_TRUE(parsed.value) << parsed.error;
    EXPECT_EQ(parsed.value->get("frames_presented")->integer, 0);
    EXPECT_TRUE(parsed.value->get("clients")->array->empty());
}
