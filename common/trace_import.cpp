#include "common/trace_import.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>

#include "common/trace_export.hpp"
#include "common/trace_fields.hpp"
#include "common/trace_json.hpp"

namespace zcd {

namespace {

// Reads one field from args into the record; returns "" or what is wrong.
template <typename Rec>
std::string read_field(const json::Value& args, const RecordField<Rec>& f, Rec& rec) {
    const json::Value* v = args.get(f.arg_name);
    if (!v && !f.required)
        return {};
    if (!v)
        return "missing args." + std::string(f.arg_name);
    return std::visit(
        [&](auto member) -> std::string {
            auto& out = rec.*member;
            using T = std::decay_t<decltype(out)>;
            std::string where = "args." + std::string(f.arg_name);
            if constexpr (std::is_same_v<T, std::string>) {
                if (!v->is_string())
                    return where + " must be a string";
                out = v->string;
            } else if constexpr (std::is_same_v<T, bool>) {
                if (!v->is_bool())
                    return where + " must be true or false";
                out = v->boolean;
            } else if constexpr (std::is_same_v<T, ImportPath>) {
                auto p = v->is_string() ? import_path_from_string(v->string) : std::nullopt;
                if (!p)
                    return where + " is not a known import path";
                out = *p;
            } else if constexpr (std::is_same_v<T, ScanoutPath>) {
                auto p = v->is_string() ? scanout_path_from_string(v->string) : std::nullopt;
                if (!p)
                    return where + " is not a known scanout path";
                out = *p;
            } else if constexpr (std::is_same_v<T, ScanoutCopyReason>) {
                auto p = v->is_string() ? scanout_copy_reason_from_string(v->string) : std::nullopt;
                if (!p)
                    return where + " is not a known scanout copy reason";
                out = *p;
            } else if constexpr (std::is_same_v<T, DirectScanoutMiss>) {
                auto p = v->is_string() ? direct_scanout_miss_from_string(v->string) : std::nullopt;
                if (!p)
                    return where + " is not a known direct-scanout miss";
                out = *p;
            } else if constexpr (std::is_same_v<T, FallbackReason>) {
                auto r = v->is_string() ? fallback_reason_from_string(v->string) : std::nullopt;
                if (!r)
                    return where + " is not a known fallback reason";
                out = *r;
            } else {
                if (!v->is_number() || !v->integer)
                    return where + " must be an integer";
                int64_t i = *v->integer;
                if constexpr (std::is_unsigned_v<T>) {
                    if (i < 0 || static_cast<uint64_t>(i) > std::numeric_limits<T>::max())
                        return where + " is out of range";
                }
                out = static_cast<T>(i);
            }
            return {};
        },
        f.member);
}

template <typename Rec>
std::string read_record(const json::Value& ev, std::span<const RecordField<Rec>> fields, Rec& rec) {
    const json::Value* args = ev.get("args");
    if (!args || !args->is_object())
        return "has no args object";
    for (const auto& f : fields)
        if (auto err = read_field(*args, f, rec); !err.empty())
            return err;
    return {};
}

} // namespace

TraceImportResult import_chrome_trace(std::string_view text) {
    auto parsed = json::parse(text);
    if (!parsed.value) {
        TraceImportResult r;
        r.error = "invalid JSON at " + parsed.error;
        return r;
    }
    return import_chrome_trace(*parsed.value);
}

TraceImportResult import_chrome_trace(const json::Value& root) {
    TraceImportResult r;
    if (!root.is_object()) {
        r.error = "not a trace: the top level is not a JSON object";
        return r;
    }
    const json::Value* meta = root.get("metadata");
    const json::Value* format = meta ? meta->get("format") : nullptr;
    if (!format || !format->is_string() || format->string != kTraceFormat) {
        r.error =
            "not a zcdisplay trace: metadata.format is not \"" + std::string(kTraceFormat) + "\"";
        return r;
    }
    const json::Value* version = meta->get("version");
    if (!version || !version->integer || *version->integer != kTraceFormatVersion) {
        r.error = "unsupported trace version (this reader knows version " +
                  std::to_string(kTraceFormatVersion) + ")";
        return r;
    }
    const json::Value* clock = meta->get("clock");
    if (!clock || !clock->is_string() || clock->string != "CLOCK_MONOTONIC") {
        r.error = "metadata.clock must be \"CLOCK_MONOTONIC\"";
        return r;
    }
    Timeline t;
    if (const json::Value* p = meta->get("producer"); p && p->is_string())
        t.producer = p->string;
    const json::Value* events = root.get("traceEvents");
    if (!events || !events->is_array()) {
        r.error = "traceEvents is missing or not an array";
        return r;
    }
    for (size_t i = 0; i < events->array->size(); ++i) {
        const json::Value& ev = (*events->array)[i];
        if (!ev.is_object()) {
            r.error = "traceEvents[" + std::to_string(i) + "] is not an object";
            return r;
        }
        const json::Value* cat = ev.get("cat");
        if (!cat || !cat->is_string())
            continue; // metadata and foreign events
        std::string err;
        if (cat->string == "zcd.frame") {
            OutputFrameRecord f;
            err = read_record(ev, frame_fields(), f);
            if (err.empty())
                t.frames.push_back(std::move(f));
        } else if (cat->string == "zcd.commit") {
            CommitRecord c;
            err = read_record(ev, commit_fields(), c);
            if (err.empty())
                t.commits.push_back(std::move(c));
        }
        if (!err.empty()) {
            r.error = "traceEvents[" + std::to_string(i) + "] (" + cat->string + "): " + err;
            return r;
        }
    }
    r.timeline = std::move(t);
    return r;
}

bool read_text_file(const std::string& path, std::string* content, std::string* error) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (error)
            *error = "cannot read " + path + ": " + std::strerror(EISDIR);
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error)
            *error = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        if (error)
            *error = "cannot read " + path + ": read error";
        return false;
    }
    *content = ss.str();
    return true;
}

} // namespace zcd
