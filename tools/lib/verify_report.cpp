#include "tools/lib/verify_report.hpp"

#include <cstdio>

namespace zcd::tools {

std::string_view to_string(ShotOutcome o) {
    switch (o) {
    case ShotOutcome::Pass:
        return "pass";
    case ShotOutcome::Mismatch:
        return "mismatch";
    case ShotOutcome::MissingReference:
        return "missing_reference";
    case ShotOutcome::Updated:
        return "updated";
    }
    return "unknown";
}

namespace {

std::string html_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '<':
            o += "&lt;";
            break;
        case '>':
            o += "&gt;";
            break;
        case '&':
            o += "&amp;";
            break;
        case '"':
            o += "&quot;";
            break;
        default:
            o += c;
        }
    }
    return o;
}

std::string rect_text(const Rect& r) {
    return std::to_string(r.width) + "x" + std::to_string(r.height) + "+" + std::to_string(r.x) +
           "+" + std::to_string(r.y);
}

// Numeric leaves of any JSON object as "a.b.c" = value (stats of a run).
void leaves(const json::Value& v, const std::string& prefix,
            std::vector<std::pair<std::string, std::string>>& out) {
    if (v.is_object()) {
        for (const auto& [k, child] : *v.object)
            leaves(child, prefix.empty() ? k : prefix + "." + k, out);
    } else if (v.is_array()) {
        for (size_t i = 0; i < v.array->size(); ++i)
            leaves((*v.array)[i], prefix + "[" + std::to_string(i) + "]", out);
    } else if (v.is_number()) {
        out.emplace_back(prefix, json::number(v.number));
    } else if (v.is_string()) {
        out.emplace_back(prefix, v.string);
    } else if (v.is_bool()) {
        out.emplace_back(prefix, v.boolean ? "true" : "false");
    }
}

std::string img(const std::string& src) {
    if (src.empty())
        return "<td>-</td>";
    return "<td><a href=\"" + html_escape(src) + "\"><img src=\"" + html_escape(src) +
           "\" loading=\"lazy\"></a></td>";
}

} // namespace

std::string verify_json(const VerifyRun& run) {
    json::Builder b;
    b.begin_object();
    b.key("pass").value(run.pass);
    b.key("fuzz").value(to_string(run.options.fuzz));
    b.key("clip");
    run.options.clip ? b.value(rect_text(*run.options.clip)) : b.null();
    b.key("max_diff_pixels").value(run.options.max_diff_pixels);
    b.key("shots").begin_array();
    for (const auto& s : run.shots) {
        b.begin_object();
        b.key("name").value(s.name).key("outcome").value(to_string(s.outcome));
        b.key("shot").value(s.shot).key("expected").value(s.expected);
        b.key("expected_kind").value(s.expected_kind).key("diff").value(s.diff);
        b.key("width").value(s.width).key("height").value(s.height);
        b.key("compared_pixels").value(s.compared_pixels).key("diff_pixels").value(s.diff_pixels);
        b.key("min_delta").begin_array();
        for (int d : s.min_delta)
            b.value(d);
        b.end_array().key("max_delta").begin_array();
        for (int d : s.max_delta)
            b.value(d);
        b.end_array();
        b.key("diff_bounds").value(s.diff_pixels ? rect_text(s.diff_bounds) : std::string());
        b.key("message").value(s.message);
        b.end_object();
    }
    b.end_array();
    b.key("identity");
    if (run.identity) {
        const auto& id = *run.identity;
        b.begin_object();
        b.key("captures").value(static_cast<uint64_t>(id.frames.size()));
        b.key("valid").value(id.valid).key("dropped").value(id.dropped);
        b.key("repeated").value(id.repeated).key("out_of_order").value(id.out_of_order);
        b.key("torn").value(id.torn).key("no_stripe").value(id.no_stripe);
        b.key("corrupt").value(id.corrupt);
        b.key("before_first_frame").value(id.before_first_frame);
        b.key("after_last_frame").value(id.after_last_frame);
        b.key("first_seq").value(id.first_seq).key("last_seq").value(id.last_seq);
        b.key("failures").begin_array();
        for (const auto& f : run.identity_failures)
            b.value(f);
        b.end_array();
        b.key("frames").begin_array();
        for (const auto& f : id.frames) {
            b.begin_object().key("name").value(f.observation.name);
            b.key("stripe").value(zcd::to_string(f.observation.status));
            b.key("seq").value(f.observation.seq);
            if (f.observation.status == StripeStatus::Torn)
                b.key("seq_other").value(f.observation.seq_other);
            b.key("verdict").value(to_string(f.verdict));
            b.key("dropped_before").value(f.dropped_before).end_object();
        }
        b.end_array().end_object();
    } else {
        b.null();
    }
    b.key("stats_file").value(run.stats_path);
    b.end_object();
    return b.take() + "\n";
}

std::string verify_html(const VerifyRun& run) {
    std::string h;
    h += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>zc-verify report</title>\n"
         "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:4px;vertical-align:top;font-size:13px}"
         "img{max-width:240px;max-height:180px;image-rendering:pixelated}"
         ".pass{color:#080}.fail{color:#c00;font-weight:bold}</style></head><body>\n";
    h += std::string("<h1>zc-verify: <span class=\"") + (run.pass ? "pass\">PASS" : "fail\">FAIL") +
         "</span></h1>\n";
    h += "<p>fuzz " + html_escape(to_string(run.options.fuzz)) + " (shot - expected, per channel)" +
         ", clip " + (run.options.clip ? rect_text(*run.options.clip) : std::string("none")) +
         ", max differing pixels " + std::to_string(run.options.max_diff_pixels) +
         ". Diff images: green match, red mismatch, black outside the clip.</p>\n";
    if (!run.shots.empty()) {
        h += "<h2>Images</h2>\n<table><tr><th>shot</th><th>result</th><th>capture</th>"
             "<th>expected</th><th>diff</th></tr>\n";
        for (const auto& s : run.shots) {
            bool ok = s.outcome == ShotOutcome::Pass || s.outcome == ShotOutcome::Updated;
            h += "<tr><td>" + html_escape(s.name) + "<br>" + std::to_string(s.width) + "x" +
                 std::to_string(s.height) + "<br>" + html_escape(s.expected_kind) + "</td>";
            h += std::string("<td class=\"") + (ok ? "pass" : "fail") + "\">" +
                 std::string(to_string(s.outcome)) + "<br>" + std::to_string(s.diff_pixels) +
                 " of " + std::to_string(s.compared_pixels) + " pixels differ";
            if (s.diff_pixels) {
                h += "<br>in " + rect_text(s.diff_bounds) + "<br>delta R " +
                     std::to_string(s.min_delta[0]) + ".." + std::to_string(s.max_delta[0]) +
                     " G " + std::to_string(s.min_delta[1]) + ".." +
                     std::to_string(s.max_delta[1]) + " B " + std::to_string(s.min_delta[2]) +
                     ".." + std::to_string(s.max_delta[2]);
            }
            h += "<br>" + html_escape(s.message) + "</td>";
            h += img(s.shot) + img(s.expected) + img(s.diff) + "</tr>\n";
        }
        h += "</table>\n";
    }
    if (run.identity) {
        const auto& id = *run.identity;
        h += "<h2>Frame identity</h2>\n<p>" + std::to_string(id.frames.size()) + " captures, " +
             std::to_string(id.valid) + " with a valid stripe (frames " +
             std::to_string(id.first_seq) + ".." + std::to_string(id.last_seq) + "): dropped " +
             std::to_string(id.dropped) + ", repeated " + std::to_string(id.repeated) +
             ", out of order " + std::to_string(id.out_of_order) + ", torn " +
             std::to_string(id.torn) + ", no stripe " + std::to_string(id.no_stripe) +
             ", corrupt " + std::to_string(id.corrupt) + ". Skipped, having no client frame: " +
             std::to_string(id.before_first_frame) + " before the first, " +
             std::to_string(id.after_last_frame) + " after the last.</p>\n";
        for (const auto& f : run.identity_failures)
            h += "<p class=\"fail\">" + html_escape(f) + "</p>\n";
        h += "<table><tr><th>capture</th><th>stripe</th><th>frame</th><th>verdict</th></tr>\n";
        for (const auto& f : id.frames) {
            bool ok = f.verdict == FrameVerdict::Ok || f.verdict == FrameVerdict::BeforeFirstFrame ||
                      f.verdict == FrameVerdict::AfterLastFrame;
            std::string seq = f.observation.status == StripeStatus::Valid ||
                                      f.observation.status == StripeStatus::Torn
                                  ? std::to_string(f.observation.seq)
                                  : "-";
            if (f.observation.status == StripeStatus::Torn)
                seq += " / " + std::to_string(f.observation.seq_other);
            std::string verdict(to_string(f.verdict));
            if (f.verdict == FrameVerdict::AfterDrop)
                verdict += " (" + std::to_string(f.dropped_before) + " missing before)";
            h += "<tr><td>" + html_escape(f.observation.name) + "</td><td>" +
                 std::string(zcd::to_string(f.observation.status)) + "</td><td>" + seq +
                 "</td><td class=\"" + (ok ? "pass" : "fail") + "\">" + verdict + "</td></tr>\n";
        }
        h += "</table>\n";
    }
    if (run.stats) {
        h += "<h2>Run stats</h2>\n<p>from " + html_escape(run.stats_path) + "</p>\n<table>\n";
        std::vector<std::pair<std::string, std::string>> rows;
        leaves(*run.stats, "", rows);
        for (const auto& [k, v] : rows)
            h += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>\n";
        h += "</table>\n";
    }
    h += "</body></html>\n";
    return h;
}

} // namespace zcd::tools
