#include <gtest/gtest.h>

#include "app/options.hpp"

using zcd::app::BackendChoice;
using zcd::app::OutputBuffersChoice;
using zcd::app::parse_options;

TEST(Options, DefaultsAreHeadlessSizedAndUnlimited) {
    auto r = parse_options({});
    ASSERT_TRUE(r.error.empty());
    EXPECT_EQ(r.options.backend, BackendChoice::Auto);
    EXPECT_EQ(r.options.width, 1280);
    EXPECT_EQ(r.options.height, 720);
    EXPECT_EQ(r.options.frames, 0u);
    EXPECT_TRUE(r.options.command.empty());
}

TEST(Options, ParsesEveryValuedFlag) {
    auto r = parse_options(
        {"--backend",    "headless", "--size",          "640x480", "--refresh", "30",
         "--capture",    "out",      "--capture-every", "5",       "--frames",  "12",
         "--duration",   "1.5",      "--stats-json",    "s.json",  "--socket",  "zc-1",
         "--force-path", "copy",     "--renderer",      "pixman"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    const auto& o = r.options;
    EXPECT_EQ(o.backend, BackendChoice::Headless);
    EXPECT_EQ(o.width, 640);
    EXPECT_EQ(o.height, 480);
    EXPECT_EQ(o.refresh_hz, 30);
    EXPECT_EQ(o.capture_dir, "out");
    EXPECT_EQ(o.capture_every, 5u);
    EXPECT_EQ(o.frames, 12u);
    EXPECT_DOUBLE_EQ(o.duration_s, 1.5);
    EXPECT_EQ(o.stats_json, "s.json");
    EXPECT_EQ(o.socket, "zc-1");
    EXPECT_EQ(o.force_path, zcd::app::ForcePathChoice::Copy);
    EXPECT_EQ(o.renderer, zcd::app::RendererChoice::Pixman);
}

TEST(Options, ParsesTimelineOverlayAndKernelFlags) {
    auto r = parse_options({"--trace", "t.json", "--csv", "t.csv", "--summary", "s.json",
                            "--stats-socket", "/tmp/s.sock", "--overlay", "--overlay-in-capture",
                            "on", "--kstat", "k.txt", "--host-kstat", "/dev/virtio-ports/x"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    const auto& o = r.options;
    EXPECT_EQ(o.trace, "t.json");
    EXPECT_EQ(o.csv, "t.csv");
    EXPECT_EQ(o.summary, "s.json");
    EXPECT_EQ(o.stats_socket, "/tmp/s.sock");
    EXPECT_TRUE(o.overlay);
    EXPECT_TRUE(o.overlay_in_capture);
    EXPECT_EQ(o.kstat, "k.txt");
    EXPECT_EQ(o.host_kstat, "/dev/virtio-ports/x");
    EXPECT_FALSE(parse_options({}).options.overlay_in_capture); // off unless asked
    EXPECT_FALSE(parse_options({"--overlay-in-capture", "yes"}).error.empty());
}

TEST(Options, DirectScanoutIsOnUnlessTurnedOff) {
    EXPECT_TRUE(parse_options({}).options.direct_scanout);
    auto r = parse_options({"--direct-scanout", "off"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_FALSE(r.options.direct_scanout);
    EXPECT_TRUE(parse_options({"--direct-scanout", "on"}).options.direct_scanout);
    EXPECT_FALSE(parse_options({"--direct-scanout", "maybe"}).error.empty());
}

TEST(Options, OutputBuffers) {
    EXPECT_EQ(parse_options({}).options.output_buffers, OutputBuffersChoice::Auto);
    EXPECT_EQ(parse_options({"--output-buffers", "wlroots"}).options.output_buffers,
              OutputBuffersChoice::Wlroots);
    EXPECT_EQ(parse_options({"--output-buffers", "auto"}).options.output_buffers,
              OutputBuffersChoice::Auto);
    EXPECT_FALSE(parse_options({"--output-buffers", "dumb"}).error.empty());
    EXPECT_FALSE(parse_options({"--output-buffers"}).error.empty());
}

TEST(Options, CommandAfterDoubleDashIsKeptVerbatim) {
    auto r = parse_options({"--exit-with-client", "--", "client", "--size", "x"});
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.options.exit_with_client);
    EXPECT_EQ(r.options.command, (std::vector<std::string>{"client", "--size", "x"}));
    EXPECT_EQ(r.options.width, 1280); // the client's --size is not ours
}

TEST(Options, BadInputGivesOneLineErrors) {
    const std::vector<std::vector<std::string>> bad = {
        {"--size", "640"},
        {"--size", "0x480"},
        {"--size", "axb"},
        {"--refresh", "0"},
        {"--frames", "-1"},
        {"--frames", "ten"},
        {"--duration", "0"},
        {"--duration", "nan"},
        {"--backend", "vnc"},
        {"--force-path", "fast"},
        {"--capture-every", "0"},
        {"--socket", "a/b"},
        {"--bogus"},
        {"--frames"},
        {"--"},
        {"--exit-with-client"},
    };
    for (const auto& args : bad) {
        auto r = parse_options(args);
        EXPECT_FALSE(r.error.empty()) << args[0];
        EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
    }
}

TEST(Options, HelpListsEveryFlag) {
    std::string help = zcd::app::usage_text();
    for (const char* flag : {"--backend",      "--size",          "--refresh",
                             "--capture",      "--capture-every", "--frames",
                             "--duration",     "--stats-json",    "--exit-with-client",
                             "--socket",       "--force-path",    "--renderer",
                             "--trace",        "--csv",           "--summary",
                             "--stats-socket", "--overlay",       "--overlay-in-capture",
                             "--kstat",        "--host-kstat"})
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
}
