#include "common/import_path.hpp"

namespace zcd {

std::optional<ImportPath> import_path_from_string(std::string_view s) {
    for (int i = 0; i < kImportPathCount; ++i) {
        auto p = static_cast<ImportPath>(i);
        if (to_string(p) == s)
            return p;
    }
    return std::nullopt;
}

std::optional<FallbackReason> fallback_reason_from_string(std::string_view s) {
    for (int i = 0; i < kFallbackReasonCount; ++i) {
        auto r = static_cast<FallbackReason>(i);
        if (to_string(r) == s)
            return r;
    }
    return std::nullopt;
}

} // namespace zcd
