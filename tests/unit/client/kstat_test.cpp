// Kernel debugfs reader on the sample texts of tests/data/kstat/ (good,
// newer-kernel additions, and malformed ones), plus every truncation of the
// good samples: an error or a result, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/kstat.hpp"

namespace {

std::string sample(const std::string& name) {
    std::ifstream f(std::string(ZCD_KSTAT_DATA_DIR) + "/" + name, std::ios::binary);
    EXPECT_TRUE(f.good()) << name;
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(Kstat, ParsesTheDocumentedExample) {
    zcd::InterconnectStats s;
    std::string err;
    ASSERT_TRUE(zcd::parse_interconnect_stats(sample("stats-good.txt"), &s, &err)) << err;
    EXPECT_EQ(s.version, 1u);
    ASSERT_EQ(s.interconnects.size(), 1u);
    const auto* iov = s.find("iov");
    ASSERT_NE(iov, nullptr);
    EXPECT_EQ(iov->matches, 3u);
    EXPECT_EQ(iov->match_failures, 1u);
    EXPECT_EQ(iov->maps, 2u);
    EXPECT_EQ(iov->unmaps, 2u);
    EXPECT_EQ(iov->map_failures, 0u);
    EXPECT_EQ(iov->fallbacks, 1u);
    EXPECT_EQ(iov->rejected_ranges, 1u);
    EXPECT_TRUE(iov->unknown.empty());
    EXPECT_EQ(s.find("cxl"), nullptr);
}

TEST(Kstat, KeepsUnknownKeysAndInterconnectsAside) {
    zcd::InterconnectStats s;
    std::string err;
    ASSERT_TRUE(zcd::parse_interconnect_stats(sample("stats-unknown-keys.txt"), &s, &err)) << err;
    ASSERT_EQ(s.interconnects.size(), 2u);
    EXPECT_EQ(s.find("iov")->matches, UINT64_MAX);
    EXPECT_EQ(s.find("iov")->maps, 4u);
    EXPECT_EQ(s.find("iov")->unknown.at("future_counter"), 7u);
    EXPECT_EQ(s.find("cxl")->maps, 9u);
}

struct Malformed {
    const char* file;
    const char* says; // part of the one-line error
};

TEST(Kstat, MalformedStatsGiveOneLineErrors) {
    const Malformed cases[] = {
        {"stats-bad-version.txt", "unsupported format version 2"},
        {"stats-no-version.txt", "line 1: first line must be 'version: N'"},
        {"stats-negative.txt", "line 3: counter 'maps' is not an unsigned decimal"},
        {"stats-overflow.txt", "line 3: counter 'maps' is not an unsigned decimal"},
        {"stats-counter-outside-block.txt", "line 2: counter 'maps' outside"},
        {"stats-no-colon.txt", "line 3: expected 'key: value'"},
        {"stats-duplicate-block.txt", "line 4: interconnect 'iov' listed twice"},
    };
    for (const auto& c : cases) {
        zcd::InterconnectStats s;
        std::string err;
        EXPECT_FALSE(zcd::parse_interconnect_stats(sample(c.file), &s, &err)) << c.file;
        EXPECT_NE(err.find(c.says), std::string::npos) << c.file << ": " << err;
        EXPECT_EQ(err.find('\n'), std::string::npos);
    }
    zcd::InterconnectStats s;
    std::string err;
    EXPECT_FALSE(zcd::parse_interconnect_stats("", &s, &err));
    EXPECT_NE(err.find("empty input"), std::string::npos);
}

TEST(Kstat, ParsesBufinfoAttachments) {
    zcd::Bufinfo b;
    std::string err;
    ASSERT_TRUE(zcd::parse_bufinfo(sample("bufinfo-good.txt"), &b, &err)) << err;
    ASSERT_EQ(b.buffers.size(), 2u);
    EXPECT_EQ(b.buffers[0].size, 4096u);
    EXPECT_EQ(b.buffers[0].exporter, "vfio-pci");
    EXPECT_EQ(b.buffers[0].inode, 12u);
    EXPECT_EQ(b.buffers[0].name, "<none>");
    ASSERT_EQ(b.buffers[0].attachments.size(), 2u);
    EXPECT_EQ(b.buffers[0].attachments[0].device, "0000:00:04.0");
    EXPECT_EQ(b.buffers[0].attachments[0].interconnect, "iov");
    EXPECT_EQ(b.buffers[0].attachments[1].interconnect, "none");
    EXPECT_EQ(b.buffers[1].name, "frame 7");
    EXPECT_TRUE(b.buffers[1].attachments.empty());
    EXPECT_NE(zcd::to_json(b).find("\"interconnect\":\"iov\""), std::string::npos);
}

TEST(Kstat, MalformedBufinfoGivesOneLineErrors) {
    const Malformed cases[] = {
        {"bufinfo-count-mismatch.txt", "line 4: says 2 devices attached but lists 1"},
        {"bufinfo-unpatched-kernel.txt", "line 3: attachment without 'interconnect='"},
        {"bufinfo-truncated.txt", "truncated"},
        {"bufinfo-garbage.txt", "line 1: unexpected line"},
    };
    for (const auto& c : cases) {
        zcd::Bufinfo b;
        std::string err;
        EXPECT_FALSE(zcd::parse_bufinfo(sample(c.file), &b, &err)) << c.file;
        EXPECT_NE(err.find(c.says), std::string::npos) << c.file << ": " << err;
    }
}

TEST(Kstat, EveryTruncationIsAResultOrAnError) {
    for (const char* f : {"stats-good.txt", "stats-unknown-keys.txt", "bufinfo-good.txt"}) {
        std::string text = sample(f);
        int errors = 0;
        for (size_t n = 0; n <= text.size(); ++n) {
            std::string part = text.substr(0, n), err;
            bool ok;
            if (std::string(f).starts_with("stats")) {
                zcd::InterconnectStats s;
                ok = zcd::parse_interconnect_stats(part, &s, &err);
            } else {
                zcd::Bufinfo b;
                ok = zcd::parse_bufinfo(part, &b, &err);
            }
            EXPECT_EQ(ok, err.empty()) << f << " cut at " << n;
            errors += !ok;
        }
        EXPECT_GT(errors, 0) << f; // some cuts must be refused
    }
}

TEST(Kstat, JsonCarriesEveryCounter) {
    zcd::InterconnectStats s;
    std::string err;
    ASSERT_TRUE(zcd::parse_interconnect_stats(sample("stats-unknown-keys.txt"), &s, &err));
    std::string j = zcd::to_json(s);
    EXPECT_NE(j.find("\"name\":\"iov\",\"matches\":18446744073709551615"), std::string::npos) << j;
    EXPECT_NE(j.find("\"unknown\":{\"future_counter\":7}"), std::string::npos) << j;
}

} // namespace

namespace {

TEST(KstatFramer, SplitsSnapshotsAcrossArbitraryChunks) {
    const std::string one = sample("stats-good.txt");
    const std::string stream = one + "\n" + one + "\n" + "version: 1\n";
    for (size_t chunk = 1; chunk <= stream.size(); chunk += 7) {
        zcd::KstatSnapshotFramer f;
        std::vector<std::string> got;
        for (size_t pos = 0; pos < stream.size(); pos += chunk)
            for (auto& s : f.feed(std::string_view(stream).substr(pos, chunk)))
                got.push_back(s);
        ASSERT_EQ(got.size(), 2u) << "chunk " << chunk;
        for (const auto& text : got) {
            EXPECT_EQ(text, one);
            zcd::InterconnectStats s;
            std::string err;
            EXPECT_TRUE(zcd::parse_interconnect_stats(text, &s, &err)) << err;
        }
    }
}

TEST(KstatFramer, LeadingEmptyLinesAreNoSnapshot) {
    zcd::KstatSnapshotFramer f;
    EXPECT_TRUE(f.feed("\n\n\n").empty());
    auto got = f.feed("version: 1\n\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "version: 1\n");
}

TEST(KstatFramer, OversizedSnapshotIsDroppedAndStreamRecovers) {
    zcd::KstatSnapshotFramer f;
    std::string junk(zcd::KstatSnapshotFramer::kMaxSnapshotBytes + 10, 'x');
    EXPECT_TRUE(f.feed(junk).empty());
    EXPECT_EQ(f.dropped(), 1u);
    EXPECT_TRUE(f.feed("more junk\n\n").empty());
    auto got = f.feed("version: 1\n\n");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "version: 1\n");
}

} // namespace
