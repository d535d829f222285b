// The record fields of common/timeline.hpp as data: their names in trace
// args (snake_case, as in the struct) and CSV columns (CamelCase).  The
// writers (trace_export) and the reader (trace_import) both walk these
// tables, so a field added here is written and read back everywhere.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/timeline.hpp"

namespace zcd {

template <typename Rec> struct RecordField {
    std::string_view arg_name; // key in the trace event's args
    std::string_view csv_name; // CSV column
    std::variant<int64_t Rec::*, uint64_t Rec::*, uint32_t Rec::*, bool Rec::*, std::string Rec::*,
                 ImportPath Rec::*, FallbackReason Rec::*, ScanoutPath Rec::*,
                 ScanoutCopyReason Rec::*, DirectScanoutMiss Rec::*>
        member;
    bool required = true; // false: fields added later; a trace without them reads as default
};

std::span<const RecordField<OutputFrameRecord>> frame_fields();
std::span<const RecordField<CommitRecord>> commit_fields();

} // namespace zcd
