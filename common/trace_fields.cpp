#include "common/trace_fields.hpp"

namespace zcd {

namespace {
using F = OutputFrameRecord;
const RecordField<F> kFrameFields[] = {
    {"output_name", "OutputName", &F::output_name},
    {"output_seq", "OutputSeq", &F::output_seq},
    {"composite_cpu_begin_ns", "CompositeCpuBeginNs", &F::composite_cpu_begin_ns},
    {"composite_cpu_end_ns", "CompositeCpuEndNs", &F::composite_cpu_end_ns},
    {"gpu_begin_ns", "GpuBeginNs", &F::gpu_begin_ns},
    {"gpu_end_ns", "GpuEndNs", &F::gpu_end_ns},
    {"gpu_on_monotonic", "GpuOnMonotonic", &F::gpu_on_monotonic},
    {"overlay_cpu_ns", "OverlayCpuNs", &F::overlay_cpu_ns},
    {"overlay_gpu_ns", "OverlayGpuNs", &F::overlay_gpu_ns},
    {"presented", "Presented", &F::presented},
    {"present_ns", "PresentNs", &F::present_ns},
    {"present_flags", "PresentFlags", &F::present_flags},
    {"refresh_ns", "RefreshNs", &F::refresh_ns},
    {"msc", "Msc", &F::msc},
    {"commits_shown", "CommitsShown", &F::commits_shown},
    {"scanout_path", "ScanoutPath", &F::scanout_path, false},
    {"scanout_reason", "ScanoutReason", &F::scanout_reason, false},
    {"direct_scanout_miss", "DirectScanoutMiss", &F::direct_scanout_miss, false},
    {"scanout_bytes_copied", "ScanoutBytesCopied", &F::scanout_bytes_copied, false},
};

using C = CommitRecord;
const RecordField<C> kCommitFields[] = {
    {"client_id", "ClientId", &C::client_id},
    {"client_name", "ClientName", &C::client_name},
    {"commit_id", "CommitId", &C::commit_id},
    {"commit_ns", "CommitNs", &C::commit_ns},
    {"import_begin_ns", "ImportBeginNs", &C::import_begin_ns},
    {"import_end_ns", "ImportEndNs", &C::import_end_ns},
    {"path", "Path", &C::path},
    {"reason", "FallbackReason", &C::reason},
    {"bytes_copied", "BytesCopied", &C::bytes_copied},
    {"bytes_zero_copy", "BytesZeroCopy", &C::bytes_zero_copy},
    {"width", "Width", &C::width},
    {"height", "Height", &C::height},
    {"drm_format", "DrmFormat", &C::drm_format},
    {"modifier", "Modifier", &C::modifier},
    {"presented", "Presented", &C::presented},
    {"discarded", "Discarded", &C::discarded, false},
    {"output_seq", "OutputSeq", &C::output_seq},
    {"present_ns", "PresentNs", &C::present_ns},
    {"present_flags", "PresentFlags", &C::present_flags},
    {"refresh_ns", "RefreshNs", &C::refresh_ns},
    {"msc", "Msc", &C::msc},
};
} // namespace

std::span<const RecordField<OutputFrameRecord>> frame_fields() {
    return kFrameFields;
}
std::span<const RecordField<CommitRecord>> commit_fields() {
    return kCommitFields;
}

} // namespace zcd
