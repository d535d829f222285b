#include <gtest/gtest.h>

#include "app/accounting.hpp"

using zcd::FallbackReason;
using zcd::ImportPath;
using zcd::ImportRecord;
using zcd::app::Accounting;
using zcd::app::CommitClass;

namespace {
ImportRecord record(ImportPath p, FallbackReason r, uint64_t copied, uint64_t zero, uint64_t gen) {
    ImportRecord rec;
    rec.path = p;
    rec.reason = r;
    rec.bytes_copied = copied;
    rec.bytes_zero_copy = zero;
    rec.generation = gen;
    return rec;
}
} // namespace

TEST(Accounting, CountsFreshRecordsPerClientWithBytes) {
    Accounting a;
    uint32_t c1 = a.add_client("one"), c2 = a.add_client("two");
    EXPECT_EQ(c1, 1u);
    EXPECT_EQ(c2, 2u);
    uint64_t g1 = 0, g2 = 0;
    auto zc = record(ImportPath::DmabufZeroCopy, FallbackReason::None, 0, 4096, 1);
    auto cp = record(ImportPath::ShmCopy, FallbackReason::HostPointerUnaligned, 1000, 0, 7);
    EXPECT_EQ(a.on_buffer_committed(c1, &zc, &g1), CommitClass::Fresh);
    EXPECT_EQ(a.on_buffer_committed(c2, &cp, &g2), CommitClass::Fresh);
    auto cp2 = cp;
    cp2.generation = 8;
    EXPECT_EQ(a.on_buffer_committed(c2, &cp2, &g2), CommitClass::Fresh);

    const auto& one = a.clients()[0];
    const auto& two = a.clients()[1];
    EXPECT_EQ(one.tally.paths[static_cast<size_t>(ImportPath::DmabufZeroCopy)], 1u);
    EXPECT_EQ(one.tally.bytes_zero_copy, 4096u);
    EXPECT_EQ(two.tally.paths[static_cast<size_t>(ImportPath::ShmCopy)], 2u);
    EXPECT_EQ(two.tally.reasons[static_cast<size_t>(FallbackReason::HostPointerUnaligned)], 2u);
    EXPECT_EQ(two.tally.bytes_copied, 2000u);
    auto total = a.total();
    EXPECT_EQ(total.buffers(), 3u);
    EXPECT_EQ(total.bytes_copied, 2000u);
    EXPECT_EQ(total.bytes_zero_copy, 4096u);
}

TEST(Accounting, ReattachedBufferIsACommitWithoutNewBytes) {
    Accounting a;
    uint32_t c = a.add_client("c");
    uint64_t g = 0;
    auto r = record(ImportPath::ShmCopy, FallbackReason::None, 10, 0, 3);
    EXPECT_EQ(a.on_buffer_committed(c, &r, &g), CommitClass::Fresh);
    EXPECT_EQ(a.on_buffer_committed(c, &r, &g), CommitClass::Reattached);
    const auto& client = a.clients()[0];
    EXPECT_EQ(client.buffers_committed, 2u);
    EXPECT_EQ(client.tally.buffers(), 2u); // both commits under their path
    EXPECT_EQ(client.tally.paths[static_cast<size_t>(ImportPath::ShmCopy)], 2u);
    EXPECT_EQ(client.reattached_buffers, 1u);
    EXPECT_EQ(a.total().bytes_copied, 10u); // copied once
}

TEST(Accounting, TotalsAreTheSumOfTheClientRows) {
    Accounting a;
    uint32_t c1 = a.add_client("toplevel-and-subsurface"), c2 = a.add_client("other");
    // Two surfaces of one client, each with its own generation memory.
    uint64_t main_gen = 0, sub_gen = 0, other_gen = 0;
    auto zc = record(ImportPath::ShmHostImport, FallbackReason::None, 0, 400, 1);
    auto sub = record(ImportPath::ShmCopy, FallbackReason::ForcedCopy, 50, 0, 2);
    a.on_buffer_committed(c1, &zc, &main_gen);
    a.on_buffer_committed(c1, &sub, &sub_gen);
    a.on_buffer_committed(c1, &sub, &sub_gen); // re-attached
    a.on_buffer_committed(c2, nullptr, &other_gen);
    uint64_t sum = 0;
    for (const auto& c : a.clients()) {
        EXPECT_EQ(c.buffers_committed, c.tally.buffers()) << c.name;
        sum += c.buffers_committed;
    }
    EXPECT_EQ(a.buffers_committed(), sum);
    EXPECT_EQ(a.buffers_committed(), 4u);
    EXPECT_EQ(a.total().buffers(), a.buffers_committed());
    EXPECT_EQ(a.reattached_buffers(), 1u);
    EXPECT_EQ(a.clients()[0].tally.paths[static_cast<size_t>(ImportPath::ShmCopy)], 2u);
}

TEST(Accounting, PresentedFramesAreCountedByOutputHop) {
    Accounting a;
    size_t o = a.add_output("HEADLESS-1", 64, 64, 60000);
    zcd::OutputHop direct{zcd::ScanoutPath::DirectScanout, zcd::ScanoutCopyReason::None,
                          zcd::DirectScanoutMiss::None, 0};
    zcd::OutputHop readback{zcd::ScanoutPath::ComposedCopy, zcd::ScanoutCopyReason::Readback,
                            zcd::DirectScanoutMiss::Overlay, 2 * 64 * 64 * 4};
    a.on_output_present(o, true, &direct);
    a.on_output_present(o, true, &readback);
    a.on_output_present(o, false, &readback); // discarded: not counted
    const auto& s = a.outputs()[o].scanout;
    EXPECT_EQ(s.frames(), a.outputs()[o].frames_presented);
    EXPECT_EQ(s.paths[static_cast<size_t>(zcd::ScanoutPath::DirectScanout)], 1u);
    EXPECT_EQ(s.copy_reasons[static_cast<size_t>(zcd::ScanoutCopyReason::Readback)], 1u);
    EXPECT_EQ(s.misses[static_cast<size_t>(zcd::DirectScanoutMiss::Overlay)], 1u);
    EXPECT_EQ(s.misses[static_cast<size_t>(zcd::DirectScanoutMiss::None)], 0u);
    EXPECT_EQ(s.bytes_copied, 2u * 64 * 64 * 4);
    EXPECT_EQ(a.scanout_total().bytes_copied, s.bytes_copied);
}

TEST(Accounting, MissingRecordIsUnclassifiedNotGuessed) {
    Accounting a;
    uint32_t c = a.add_client("pixman-client");
    uint64_t g = 0;
    EXPECT_EQ(a.on_buffer_committed(c, nullptr, &g), CommitClass::Unclassified);
    auto t = a.total();
    EXPECT_EQ(t.unclassified, 1u);
    for (uint64_t p : t.paths)
        EXPECT_EQ(p, 0u);
}

TEST(Accounting, OutputsCountPresentedFramesAndShownBuffers) {
    Accounting a;
    uint32_t c = a.add_client("c");
    size_t o0 = a.add_output("HEADLESS-1", 640, 480, 60000);
    size_t o1 = a.add_output("HEADLESS-2", 640, 480, 60000);
    auto r = record(ImportPath::ShmHostImport, FallbackReason::None, 0, 100, 1);
    a.on_output_present(o0, true);
    a.on_buffer_presented(c, o0, &r);
    a.on_output_present(o0, true);
    a.on_output_present(o1, false);
    EXPECT_EQ(a.outputs()[o0].frames_presented, 2u);
    EXPECT_EQ(a.outputs()[o1].frames_discarded, 1u);
    EXPECT_EQ(a.outputs()[o0].buffers_shown, 1u);
    EXPECT_EQ(a.outputs()[o0].tally.bytes_zero_copy, 100u);
    EXPECT_EQ(a.frames_presented(), 2u);
    EXPECT_EQ(a.frames_discarded(), 1u);
    EXPECT_EQ(a.clients()[0].frames, 1u);
}

TEST(Accounting, UnknownClientIdsAreIgnored) {
    Accounting a;
    uint64_t g = 0;
    auto r = record(ImportPath::ShmCopy, FallbackReason::None, 1, 0, 1);
    a.on_buffer_committed(42, &r, &g);
    a.set_client_disconnected(0);
    EXPECT_EQ(a.total().buffers(), 0u);
}
