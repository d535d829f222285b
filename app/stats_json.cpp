#include "app/stats_json.hpp"

#include <cstdio>

#include "common/trace_json.hpp"

namespace zcd::app {

// One JSON writer for the project: the trace exporters' quoting.
std::string json_quote(const std::string& s) {
    return json::quote(s);
}

namespace {

std::string num(uint64_t v) {
    return std::to_string(v);
}

// "paths", "fallback_reasons", bytes and unclassified of one tally, as
// members of an enclosing object (no braces).
std::string tally_members(const PathTally& t, const std::string& indent) {
    std::string s = indent + "\"paths\": {";
    for (int i = 0; i < kImportPathCount; ++i) {
        s += i ? ", " : "";
        s += json_quote(std::string(to_string(static_cast<ImportPath>(i)))) + ": " +
             num(t.paths[static_cast<size_t>(i)]);
    }
    s += "},\n" + indent + "\"fallback_reasons\": {";
    // Every reason but "none": a reason absent from a run reads as 0, not missing.
    for (int i = 1; i < kFallbackReasonCount; ++i) {
        s += i > 1 ? ", " : "";
        s += json_quote(std::string(to_string(static_cast<FallbackReason>(i)))) + ": " +
             num(t.reasons[static_cast<size_t>(i)]);
    }
    s += "},\n";
    s += indent + "\"unclassified_buffers\": " + num(t.unclassified) + ",\n";
    s += indent + "\"bytes_copied\": " + num(t.bytes_copied) + ",\n";
    s += indent + "\"bytes_zero_copy\": " + num(t.bytes_zero_copy);
    return s;
}

// The output hop of presented frames, as members (no braces).
std::string scanout_members(const ScanoutTally& t, const std::string& indent) {
    std::string s = indent + "\"scanout_paths\": {";
    for (int i = 0; i < kScanoutPathCount; ++i) {
        s += i ? ", " : "";
        s += json_quote(std::string(to_string(static_cast<ScanoutPath>(i)))) + ": " +
             num(t.paths[static_cast<size_t>(i)]);
    }
    s += "},\n" + indent + "\"scanout_copy_reasons\": {";
    for (int i = 1; i < kScanoutCopyReasonCount; ++i) {
        s += i > 1 ? ", " : "";
        s += json_quote(std::string(to_string(static_cast<ScanoutCopyReason>(i)))) + ": " +
             num(t.copy_reasons[static_cast<size_t>(i)]);
    }
    s += "},\n" + indent + "\"direct_scanout_misses\": {";
    for (int i = 1; i < kDirectScanoutMissCount; ++i) {
        s += i > 1 ? ", " : "";
        s += json_quote(std::string(to_string(static_cast<DirectScanoutMiss>(i)))) + ": " +
             num(t.misses[static_cast<size_t>(i)]);
    }
    s += "},\n" + indent + "\"scanout_bytes_copied\": " + num(t.bytes_copied);
    return s;
}

} // namespace

std::string stats_json(const Accounting& a, const RunFacts& f) {
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.3f", f.duration_s);
    PathTally total = a.total();
    std::string s = "{\n";
    s += "  \"producer\": \"zc-compositor\",\n";
    s += "  \"backend\": " + json_quote(f.backend) + ",\n";
    s += "  \"renderer\": " + json_quote(f.renderer) + ",\n";
    s += "  \"device\": " + json_quote(f.device) + ",\n";
    s += "  \"force_path\": " + json_quote(f.force_path) + ",\n";
    s += "  \"output_buffers\": " + json_quote(f.output_buffers) + ",\n";
    s += "  \"output_buffers_fallback\": " + json_quote(f.output_buffers_fallback) + ",\n";
    s += "  \"duration_s\": " + std::string(dur) + ",\n";
    s += "  \"frames_presented\": " + num(a.frames_presented()) + ",\n";
    s += "  \"frames_discarded\": " + num(a.frames_discarded()) + ",\n";
    s += "  \"buffers_committed\": " + num(a.buffers_committed()) + ",\n";
    s += "  \"reattached_buffers\": " + num(a.reattached_buffers()) + ",\n";
    s += tally_members(total, "  ") + ",\n";
    s += scanout_members(a.scanout_total(), "  ") + ",\n";
    s += "  \"import_failures\": " + num(f.import_failures) + ",\n";
    s += "  \"last_import_failure\": " + json_quote(f.last_import_failure) + ",\n";
    s +=
        "  \"validation_enabled\": " + std::string(f.validation_enabled ? "true" : "false") + ",\n";
    s += "  \"validation_errors\": " + num(f.validation_errors) + ",\n";
    s += "  \"clients\": [";
    for (size_t i = 0; i < a.clients().size(); ++i) {
        const ClientAccount& c = a.clients()[i];
        s += i ? ",\n    {\n" : "\n    {\n";
        s += "      \"id\": " + num(c.id) + ",\n";
        s += "      \"name\": " + json_quote(c.name) + ",\n";
        s += "      \"connected_at_exit\": " + std::string(c.connected ? "true" : "false") + ",\n";
        s += "      \"buffers_committed\": " + num(c.buffers_committed) + ",\n";
        s += "      \"frames\": " + num(c.frames) + ",\n";
        s += "      \"reattached_buffers\": " + num(c.reattached_buffers) + ",\n";
        s += tally_members(c.tally, "      ") + "\n    }";
    }
    s += a.clients().empty() ? "],\n" : "\n  ],\n";
    s += "  \"outputs\": [";
    for (size_t i = 0; i < a.outputs().size(); ++i) {
        const OutputAccount& o = a.outputs()[i];
        s += i ? ",\n    {\n" : "\n    {\n";
        s += "      \"name\": " + json_quote(o.name) + ",\n";
        s += "      \"width\": " + std::to_string(o.width) + ",\n";
        s += "      \"height\": " + std::to_string(o.height) + ",\n";
        s += "      \"refresh_mhz\": " + std::to_string(o.refresh_mhz) + ",\n";
        s += "      \"frames_presented\": " + num(o.frames_presented) + ",\n";
        s += "      \"frames_discarded\": " + num(o.frames_discarded) + ",\n";
        s += "      \"buffers_shown\": " + num(o.buffers_shown) + ",\n";
        s += scanout_members(o.scanout, "      ") + ",\n";
        s += tally_members(o.tally, "      ") + "\n    }";
    }
    s += a.outputs().empty() ? "],\n" : "\n  ],\n";
    s += "  \"overlay\": {\"shown\": " + std::string(f.overlay_shown ? "true" : "false") +
         ", \"x\": " + std::to_string(f.overlay_x) + ", \"y\": " + std::to_string(f.overlay_y) +
         ", \"width\": " + std::to_string(f.overlay_w) +
         ", \"height\": " + std::to_string(f.overlay_h) +
         ", \"frames_covering_windows\": " + num(f.overlay_frames_covering) + "},\n";
    auto kernel = [](const KernelCounters& k) {
        if (!k.available)
            return std::string("null");
        return "{\"interconnect_maps\": " + num(k.maps) + ", \"fallbacks\": " + num(k.fallbacks) +
               ", \"rejected_ranges\": " + num(k.rejected_ranges) + "}";
    };
    s += "  \"kernel\": {\"guest\": " + kernel(f.guest_kernel) +
         ", \"host\": " + kernel(f.host_kernel) + "},\n";
    s += "  \"capture_overlays\": [";
    for (size_t i = 0; i < f.capture_overlays.size(); ++i) {
        const CaptureOverlay& c = f.capture_overlays[i];
        s += (i ? ", " : "") + std::string("{\"capture\": ") + json_quote(c.capture) +
             ", \"x\": " + std::to_string(c.x) + ", \"y\": " + std::to_string(c.y) +
             ", \"width\": " + std::to_string(c.width) +
             ", \"height\": " + std::to_string(c.height) + "}";
    }
    s += "],\n";
    s += "  \"captures\": [";
    for (size_t i = 0; i < f.captures.size(); ++i)
        s += (i ? ", " : "") + json_quote(f.captures[i]);
    s += "]\n}\n";
    return s;
}

} // namespace zcd::app
