// zc-client's option parsing and client timeline.
#include <gtest/gtest.h>

#include <vector>

#include "interconnect_client/client_options.hpp"
#include "interconnect_client/client_timeline.hpp"

namespace {

zcd::ParseOutcome parse(std::vector<const char*> args, zcd::ClientOptions* o, std::string* err) {
    args.insert(args.begin(), "zc-client");
    return zcd::parse_client_options(int(args.size()), args.data(), o, err);
}

TEST(ClientOptions, Defaults) {
    zcd::ClientOptions o;
    std::string err;
    ASSERT_EQ(parse({}, &o, &err), zcd::ParseOutcome::Run);
    EXPECT_EQ(o.width, 640u);
    EXPECT_EQ(o.height, 480u);
    EXPECT_EQ(o.fps, 0u);
    EXPECT_EQ(o.frames, 0u);
    EXPECT_EQ(o.source, "auto");
    EXPECT_EQ(zcd::to_string(o.pattern), "smpte");
}

TEST(ClientOptions, EveryFlag) {
    zcd::ClientOptions o;
    std::string err;
    ASSERT_EQ(parse({"--pattern", "solid:ff0000", "--size", "320x200", "--fps", "30", "--frames",
                     "9", "--source", "udmabuf", "--device", "/dev/dri/renderD129", "--dev-root",
                     "/tmp/d", "--trace", "t.json", "--title", "left"},
                    &o, &err),
              zcd::ParseOutcome::Run)
        << err;
    EXPECT_EQ(o.pattern.solid_xrgb, 0xff0000u);
    EXPECT_EQ(o.width, 320u);
    EXPECT_EQ(o.height, 200u);
    EXPECT_EQ(o.fps, 30u);
    EXPECT_EQ(o.frames, 9u);
    EXPECT_EQ(o.source, "udmabuf");
    EXPECT_EQ(o.device, "/dev/dri/renderD129");
    EXPECT_EQ(o.dev_root, "/tmp/d");
    EXPECT_EQ(o.trace, "t.json");
    EXPECT_EQ(o.title, "left");
}

TEST(ClientOptions, BadInputIsOneLine) {
    const std::vector<std::vector<const char*>> bad = {
        {"--size", "640"}, {"--size", "0x10"}, {"--size", "10x99999"}, {"--fps", "0"},
        {"--fps", "abc"},  {"--frames", "-1"}, {"--source", "dri"},    {"--pattern", "foo"},
        {"--frames"},      {"--bogus"},        {"--size", "12x12x"},   {"--fps", "1001"},
    };
    for (const auto& args : bad) {
        zcd::ClientOptions o;
        std::string err;
        EXPECT_EQ(parse(args, &o, &err), zcd::ParseOutcome::Error) << args[0];
        EXPECT_FALSE(err.empty());
        EXPECT_EQ(err.find('\n'), std::string::npos);
    }
    zcd::ClientOptions o;
    std::string err;
    EXPECT_EQ(parse({"--help"}, &o, &err), zcd::ParseOutcome::Help);
}

TEST(ClientTimeline, FeedbackCompletesRecords) {
    zcd::ClientTimeline t("c");
    size_t a = t.on_commit(0, 100, 64, 32, 1, 0, true);
    size_t b = t.on_commit(1, 200, 64, 32, 1, 0, true);
    size_t c = t.on_commit(2, 300, 64, 32, 1, 0, false);
    size_t d = t.on_commit(3, 400, 64, 32, 1, 0, false);
    EXPECT_EQ(t.pending(), 4u);
    t.on_presented(a, 1000, 16666666, 7, zcd::kPresentVsync | zcd::kPresentZeroCopy);
    t.on_discarded(b);
    t.on_presented(c, 2000, 16666666, 8, zcd::kPresentVsync);
    EXPECT_EQ(t.presented(), 2u);
    EXPECT_EQ(t.zero_copy(), 1u);
    EXPECT_EQ(t.discarded(), 1u);
    EXPECT_EQ(t.pending(), 1u);
    const auto& r = t.timeline().commits;
    EXPECT_EQ(t.timeline().producer, "zc-client");
    EXPECT_EQ(r[a].commit_id, 1u);
    EXPECT_EQ(r[a].path, zcd::ImportPath::DmabufZeroCopy);
    EXPECT_EQ(r[a].present_ns, 1000);
    EXPECT_EQ(r[a].msc, 7u);
    EXPECT_FALSE(r[b].presented);
    EXPECT_TRUE(r[b].discarded);
    EXPECT_FALSE(r[a].discarded);
    EXPECT_FALSE(r[d].discarded); // no feedback yet
    t.on_discarded(b);
    EXPECT_EQ(t.discarded(), 1u);
    EXPECT_EQ(r[b].path, zcd::ImportPath::DmabufCopy);
    EXPECT_EQ(r[c].path, zcd::ImportPath::ShmCopy);
    EXPECT_EQ(r[d].commit_ns, 400);
    // Late or repeated feedback does not count twice.
    t.on_presented(a, 5000, 0, 9, 0);
    t.on_discarded(a);
    EXPECT_EQ(t.presented(), 2u);
    EXPECT_EQ(t.discarded(), 1u);
    EXPECT_EQ(r[a].present_ns, 1000);
}

} // namespace
