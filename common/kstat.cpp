#include "common/kstat.hpp"

#include <charconv>

namespace zcd {

namespace {

// Splits text into lines without copying; a final line without '\n' counts.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

bool parse_u64(std::string_view s, uint64_t* v) {
    if (s.empty())
        return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v, 10);
    return ec == std::errc() && end == s.data() + s.size();
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool fail(std::string* error, size_t line_no, const std::string& what) {
    if (error)
        *error = "line " + std::to_string(line_no) + ": " + what;
    return false;
}

bool valid_name(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s)
        if (c <= ' ' || c == '"' || c == '\\' || c > '~')
            return false;
    return true;
}

// "key: value" with exactly one ": " separator.
bool split_key_value(std::string_view line, std::string_view* key, std::string_view* value) {
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0)
        return false;
    *key = line.substr(0, colon);
    *value = line.substr(colon + 2);
    return valid_name(*key);
}

uint64_t* known_counter(InterconnectCounters& c, std::string_view key) {
    if (key == "matches")
        return &c.matches;
    if (key == "match_failures")
        return &c.match_failures;
    if (key == "maps")
        return &c.maps;
    if (key == "unmaps")
        return &c.unmaps;
    if (key == "map_failures")
        return &c.map_failures;
    if (key == "fallbacks")
        return &c.fallbacks;
    if (key == "rejected_ranges")
        return &c.rejected_ranges;
    return nullptr;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[(c >> 4) & 0xf];
            out += kHex[c & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

} // namespace

const InterconnectCounters* InterconnectStats::find(std::string_view name) const {
    for (const auto& ic : interconnects)
        if (ic.name == name)
            return &ic;
    return nullptr;
}

bool parse_interconnect_stats(std::string_view text, InterconnectStats* out, std::string* error) {
    InterconnectStats stats;
    bool have_version = false;
    InterconnectCounters* block = nullptr; // may be null: before the first block
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        const size_t no = i + 1;
        std::string_view line = trim_right(lines[i]);
        if (line.empty())
            continue;
        const bool indented = line.front() == '\t' || line.front() == ' ';
        while (!line.empty() && (line.front() == '\t' || line.front() == ' '))
            line.remove_prefix(1);
        std::string_view key, value;
        if (!split_key_value(line, &key, &value))
            return fail(error, no, "expected 'key: value', got '" + std::string(line) + "'");
        if (!have_version) {
            uint64_t v = 0;
            if (indented || key != "version" || !parse_u64(value, &v))
                return fail(error, no, "first line must be 'version: N'");
            if (v != kKstatVersion)
                return fail(error, no,
                            "unsupported format version " + std::to_string(v) +
                                " (this reader knows " + std::to_string(kKstatVersion) + ")");
            stats.version = uint32_t(v);
            have_version = true;
            continue;
        }
        if (!indented) {
            if (key == "interconnect") {
                if (!valid_name(value))
                    return fail(error, no, "bad interconnect name '" + std::string(value) + "'");
                for (const auto& ic : stats.interconnects)
                    if (ic.name == value)
                        return fail(error, no,
                                    "interconnect '" + std::string(value) + "' listed twice");
                stats.interconnects.push_back({});
                block = &stats.interconnects.back();
                block->name = std::string(value);
            } else if (key == "version") {
                return fail(error, no, "second 'version' line");
            }
            // Other top-level keys: a newer kernel's additions, ignored.
            continue;
        }
        if (!block)
            return fail(error, no,
                        "counter '" + std::string(key) + "' outside an interconnect block");
        uint64_t v = 0;
        if (!parse_u64(value, &v))
            return fail(error, no,
                        "counter '" + std::string(key) + "' is not an unsigned decimal: '" +
                            std::string(value) + "'");
        if (uint64_t* field = known_counter(*block, key))
            *field = v;
        else
            block->unknown[std::string(key)] = v;
    }
    if (!have_version)
        return fail(error, lines.size() + (lines.empty() ? 1 : 0),
                    "empty input (no 'version:' line)");
    *out = std::move(stats);
    return true;
}

bool parse_bufinfo(std::string_view text, Bufinfo* out, std::string* error) {
    Bufinfo info;
    BufinfoBuffer* buf = nullptr; // may be null: before the first buffer
    bool in_attachments = false;
    bool saw_total_objects = false;
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        const size_t no = i + 1;
        std::string_view line = trim_right(lines[i]);
        if (line.empty() || line == "Dma-buf Objects:" || line.starts_with("size\t") ||
            line.starts_with("size "))
            continue;
        if (line.starts_with("Total ")) {
            uint64_t n = 0;
            std::string_view rest = line.substr(6);
            size_t sp = rest.find(' ');
            if (sp == std::string_view::npos || !parse_u64(rest.substr(0, sp), &n))
                return fail(error, no, "bad 'Total' line");
            std::string_view tail = rest.substr(sp + 1);
            if (tail == "devices attached") {
                if (!buf || !in_attachments)
                    return fail(error, no, "'devices attached' without 'Attached Devices:'");
                if (n != buf->attachments.size())
                    return fail(error, no,
                                "says " + std::to_string(n) + " devices attached but lists " +
                                    std::to_string(buf->attachments.size()));
                in_attachments = false;
            } else if (tail.starts_with("objects")) {
                if (n != info.buffers.size())
                    return fail(error, no,
                                "says " + std::to_string(n) + " objects but lists " +
                                    std::to_string(info.buffers.size()));
                saw_total_objects = true;
            } else {
                return fail(error, no, "unknown 'Total' line");
            }
            continue;
        }
        if (line.front() == '\t') {
            std::string_view body = line.substr(1);
            if (body == "Attached Devices:") {
                if (!buf)
                    return fail(error, no, "'Attached Devices:' before any buffer");
                in_attachments = true;
                continue;
            }
            if (!in_attachments)
                continue; // fence descriptions and other per-buffer detail
            size_t eq = body.find(" interconnect=");
            if (eq == std::string_view::npos)
                return fail(error, no,
                            "attachment without 'interconnect=' (kernel without the "
                            "interconnect series?)");
            BufinfoAttachment a;
            a.device = std::string(body.substr(0, eq));
            std::string_view ic = body.substr(eq + 14);
            if (!valid_name(a.device) || !valid_name(ic))
                return fail(error, no, "bad attachment line '" + std::string(body) + "'");
            a.interconnect = std::string(ic);
            buf->attachments.push_back(std::move(a));
            continue;
        }
        // A buffer line: size flags mode count exp_name ino name, tab separated.
        std::vector<std::string_view> cols;
        size_t pos = 0;
        while (cols.size() < 6) {
            size_t tab = line.find('\t', pos);
            if (tab == std::string_view::npos)
                break;
            cols.push_back(line.substr(pos, tab - pos));
            pos = tab + 1;
        }
        cols.push_back(line.substr(pos));
        BufinfoBuffer b;
        if (cols.size() != 7 || !parse_u64(cols[0], &b.size) || !parse_u64(cols[5], &b.inode))
            return fail(error, no, "unexpected line '" + std::string(line) + "'");
        if (in_attachments)
            return fail(error, no, "buffer line before the previous 'Total N devices attached'");
        b.exporter = std::string(cols[4]);
        b.name = std::string(cols[6]);
        info.buffers.push_back(std::move(b));
        buf = &info.buffers.back();
    }
    if (in_attachments)
        return fail(error, lines.size(), "truncated: attachment list not closed by 'Total'");
    (void)saw_total_objects; // optional: a partial read may end before it
    *out = std::move(info);
    return true;
}

std::vector<std::string> KstatSnapshotFramer::feed(std::string_view bytes) {
    std::vector<std::string> out;
    for (char c : bytes) {
        if (skipping_) {
            // Resynchronise on the next empty line.
            skipping_ = !(c == '\n' && !pending_.empty() && pending_.back() == '\n');
            pending_ = c == '\n' ? "\n" : "";
            if (!skipping_)
                pending_.clear();
            continue;
        }
        if (c == '\n' && (pending_.empty() || pending_.back() == '\n')) {
            // An empty line: the end of a snapshot (leading empty lines are
            // no snapshot at all).
            if (!pending_.empty())
                out.push_back(std::move(pending_));
            pending_.clear();
            continue;
        }
        pending_ += c;
        if (pending_.size() > kMaxSnapshotBytes) {
            ++dropped_;
            skipping_ = true;
            pending_ = c == '\n' ? "\n" : "";
        }
    }
    return out;
}

std::string to_json(const InterconnectStats& s) {
    std::string j = "{\"version\":" + std::to_string(s.version) + ",\"interconnects\":[";
    for (size_t i = 0; i < s.interconnects.size(); ++i) {
        const auto& c = s.interconnects[i];
        j += i ? ",{" : "{";
        j += "\"name\":" + json_string(c.name);
        auto field = [&](const char* k, uint64_t v) {
            j += ",\"";
            j += k;
            j += "\":" + std::to_string(v);
        };
        field("matches", c.matches);
        field("match_failures", c.match_failures);
        field("maps", c.maps);
        field("unmaps", c.unmaps);
        field("map_failures", c.map_failures);
        field("fallbacks", c.fallbacks);
        field("rejected_ranges", c.rejected_ranges);
        j += ",\"unknown\":{";
        bool first = true;
        for (const auto& [k, v] : c.unknown) {
            j += first ? "" : ",";
            j += json_string(k) + ":" + std::to_string(v);
            first = false;
        }
        j += "}}";
    }
    return j + "]}";
}

std::string to_json(const Bufinfo& b) {
    std::string j = "{\"buffers\":[";
    for (size_t i = 0; i < b.buffers.size(); ++i) {
        const auto& buf = b.buffers[i];
        j += i ? ",{" : "{";
        j += "\"size\":" + std::to_string(buf.size) + ",\"exporter\":" + json_string(buf.exporter) +
             ",\"inode\":" + std::to_string(buf.inode) + ",\"name\":" + json_string(buf.name) +
             ",\"attachments\":[";
        for (size_t k = 0; k < buf.attachments.size(); ++k) {
            j += k ? "," : "";
            j += "{\"device\":" + json_string(buf.attachments[k].device) +
                 ",\"interconnect\":" + json_string(buf.attachments[k].interconnect) + "}";
        }
        j += "]}";
    }
    return j + "]}";
}

} // namespace zcd
