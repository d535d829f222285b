// zc-verify: visual regression of zero-copy display.  Compares captures with
// reference PNGs or with images computed from common/pattern, writes diff
// PNGs, an HTML report and a JSON result, and analyses the frame-identity
// stripes of a capture sequence.  Exit 0 pass, 1 mismatch, 2 bad input.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/pattern.hpp"
#include "common/stripe.hpp"
#include "common/trace_export.hpp"
#include "common/trace_import.hpp"
#include "tools/lib/identity_analysis.hpp"
#include "tools/lib/report_images.hpp"
#include "tools/lib/image_compare.hpp"
#include "tools/lib/png_image.hpp"
#include "tools/lib/verify_report.hpp"

namespace fs = std::filesystem;
using namespace zcd::tools;

namespace {

void usage(FILE* to) {
    std::fputs(
        "usage: zc-verify [options] SHOT.png...\n"
        "\n"
        "Compares each SHOT with a reference (--ref / --ref-dir) or with the frame of a\n"
        "zc-client pattern computed independently (--expect-pattern); with --identity,\n"
        "also decodes the frame-identity stripes of the SHOTs, in order.\n"
        "\n"
        "  --ref FILE             reference for the one SHOT\n"
        "  --ref-dir DIR          references: DIR/<file name of SHOT>\n"
        "  --update               write the SHOTs as references instead of comparing\n"
        "  --expect-pattern NAME  expected image = common/pattern NAME (smpte, gradient,\n"
        "                         checker, motion, solid:RRGGBB)\n"
        "  --frame N|auto         pattern frame number (default auto: read from the stripe)\n"
        "  --expect-size WxH      the client buffer size (default: the SHOT's size)\n"
        "  --expect-scale N       integer scale the compositor applied (default 1)\n"
        "  --expect-at X,Y        where the scaled buffer is in the SHOT (default 0,0);\n"
        "                         only that rectangle is compared\n"
        "  --locate               find the buffer's position (and, without --expect-scale,\n"
        "                         its scale) from its frame-identity stripe\n"
        "  --fuzz SPEC            allowed shot - expected per channel: N, LO:HI or\n"
        "                         r=LO:HI,g=..,b=..,a=.. (default 0)\n"
        "  --clip X,Y,W,H         compare only this rectangle\n"
        "  --max-diff-pixels N    pass with up to N differing pixels (default 0)\n"
        "  --identity             analyse the stripes: dropped, repeated, out-of-order, torn\n"
        "  --seq-step N           identity: expected frame step between SHOTs (default 1)\n"
        "  --max-dropped N        identity: fail when more than N frames were dropped\n"
        "                         (default: report only)\n"
        "  --max-repeated N       identity: fail when more than N captures repeat a frame\n"
        "                         (default: report only)\n"
        "  --stats FILE           a run's stats JSON (or trace) to show in the report\n"
        "  --out DIR              report directory (default zc-verify-out): report.html,\n"
        "                         result.json, shots and diff PNGs of failures\n"
        "  --help                 this text\n"
        "\n"
        "Exit: 0 pass, 1 mismatch (or missing reference), 2 bad input.\n",
        to);
}

[[noreturn]] void bad(const std::string& msg) {
    std::fprintf(stderr, "zc-verify: %s\n", msg.c_str());
    std::exit(2);
}

uint64_t parse_count(const std::string& flag, const std::string& s) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || *end || s[0] == '-')
        bad(flag + " needs a non-negative integer, got '" + s + "'");
    return v;
}

std::pair<uint32_t, uint32_t> parse_pair(const std::string& flag, const std::string& s, char sep) {
    auto at = s.find(sep);
    if (at == std::string::npos)
        bad(flag + ": expected two numbers separated by '" + std::string(1, sep) + "', got '" + s +
            "'");
    return {static_cast<uint32_t>(parse_count(flag, s.substr(0, at))),
            static_cast<uint32_t>(parse_count(flag, s.substr(at + 1)))};
}

// "007-shot-name.png": the name a shot (ROLE "shot") or its reference (ROLE
// "ref") gets in the report's images/ folder; the index keeps two shots of
// the same file name from different folders apart.
std::string report_copy_name(size_t index, const char* role, const std::string& name) {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%03zu-%s-", index, role);
    return prefix + name;
}

std::string report_relative(const fs::path& file, const fs::path& out_dir) {
    std::error_code ec;
    auto rel = fs::relative(fs::absolute(file), fs::absolute(out_dir), ec);
    return ec || rel.empty() ? fs::absolute(file).string() : rel.string();
}

zcd::ImageView view_of(const std::vector<uint32_t>& xrgb, const RgbaImage& img) {
    return zcd::ImageView{xrgb.data(), img.width, img.height, img.width};
}

struct Options {
    std::vector<std::string> shots;
    std::string ref, ref_dir, pattern, frame = "auto", stats, out = "zc-verify-out";
    bool update = false, identity = false, locate = false;
    bool scale_given = false;
    std::optional<std::pair<uint32_t, uint32_t>> expect_size, expect_at;
    uint32_t expect_scale = 1, seq_step = 1;
    std::optional<uint64_t> max_dropped, max_repeated;
    CompareOptions compare;
};

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                bad(a + " needs a value (see --help)");
            return argv[++i];
        };
        std::string err;
        if (a == "--help" || a == "-h") {
            usage(stdout);
            std::exit(0);
        } else if (a == "--ref") {
            o.ref = value();
        } else if (a == "--ref-dir") {
            o.ref_dir = value();
        } else if (a == "--update") {
            o.update = true;
        } else if (a == "--expect-pattern") {
            o.pattern = value();
        } else if (a == "--frame") {
            o.frame = value();
        } else if (a == "--expect-size") {
            o.expect_size = parse_pair(a, value(), 'x');
        } else if (a == "--expect-scale") {
            o.expect_scale = static_cast<uint32_t>(parse_count(a, value()));
            o.scale_given = true;
            if (o.expect_scale == 0 || o.expect_scale > 16)
                bad("--expect-scale must be 1..16");
        } else if (a == "--expect-at") {
            o.expect_at = parse_pair(a, value(), ',');
        } else if (a == "--locate") {
            o.locate = true;
        } else if (a == "--fuzz") {
            auto f = parse_fuzz(value(), &err);
            if (!f)
                bad(err);
            o.compare.fuzz = *f;
        } else if (a == "--clip") {
            auto r = parse_rect(value(), &err);
            if (!r)
                bad("--clip: " + err);
            o.compare.clip = *r;
        } else if (a == "--max-diff-pixels") {
            o.compare.max_diff_pixels = parse_count(a, value());
        } else if (a == "--identity") {
            o.identity = true;
        } else if (a == "--seq-step") {
            o.seq_step = static_cast<uint32_t>(parse_count(a, value()));
            if (o.seq_step == 0)
                bad("--seq-step must be at least 1");
        } else if (a == "--max-dropped") {
            o.max_dropped = parse_count(a, value());
        } else if (a == "--max-repeated") {
            o.max_repeated = parse_count(a, value());
        } else if (a == "--stats") {
            o.stats = value();
        } else if (a == "--out") {
            o.out = value();
        } else if (a.size() > 1 && a[0] == '-') {
            bad("unknown option '" + a + "' (see --help)");
        } else {
            o.shots.push_back(a);
        }
    }
    if (o.shots.empty())
        bad("no SHOT given (see --help)");
    int sources = !o.ref.empty() + !o.ref_dir.empty() + !o.pattern.empty();
    if (sources > 1)
        bad("give only one of --ref, --ref-dir and --expect-pattern");
    if (sources == 0 && !o.identity)
        bad("nothing to check: give --ref, --ref-dir, --expect-pattern or --identity");
    if (!o.ref.empty() && o.shots.size() != 1)
        bad("--ref compares exactly one SHOT; use --ref-dir for several");
    if (o.locate && (o.pattern.empty() || !o.expect_size))
        bad("--locate needs --expect-pattern and --expect-size (the client buffer size)");
    if (o.locate && o.expect_at)
        bad("give either --locate or --expect-at");
    if (o.update && o.ref.empty() && o.ref_dir.empty())
        bad("--update needs --ref or --ref-dir to write to");
    return o;
}

// The expected image of a pattern frame as the compositor should have shown
// it: the client buffer, scaled by an integer factor, placed at `at`.  Also
// returns the rectangle it covers (the only part that is compared).
RgbaImage expected_pattern(const zcd::Pattern& p, uint64_t frame, const RgbaImage& shot,
                           uint32_t cw, uint32_t ch, uint32_t scale, uint32_t ax, uint32_t ay,
                           Rect* covered) {
    auto client = zcd::render_pattern(p, frame, cw, ch);
    RgbaImage exp = make_image(shot.width, shot.height, 0x000000ff);
    uint32_t x1 = std::min<uint64_t>(shot.width, ax + uint64_t{cw} * scale);
    uint32_t y1 = std::min<uint64_t>(shot.height, ay + uint64_t{ch} * scale);
    for (uint32_t y = ay; y < y1; ++y)
        for (uint32_t x = ax; x < x1; ++x) {
            uint32_t v = client[size_t{(y - ay) / scale} * cw + (x - ax) / scale];
            uint8_t* d = exp.px(x, y);
            d[0] = static_cast<uint8_t>(v >> 16), d[1] = static_cast<uint8_t>(v >> 8);
            d[2] = static_cast<uint8_t>(v), d[3] = 255;
        }
    *covered = {ax, ay, x1 > ax ? x1 - ax : 0, y1 > ay ? y1 - ay : 0};
    return exp;
}

std::optional<Rect> intersect(const Rect& a, const std::optional<Rect>& b) {
    if (!b)
        return a;
    uint64_t x0 = std::max(a.x, b->x), y0 = std::max(a.y, b->y);
    uint64_t x1 = std::min(uint64_t{a.x} + a.width, uint64_t{b->x} + b->width);
    uint64_t y1 = std::min(uint64_t{a.y} + a.height, uint64_t{b->y} + b->height);
    if (x1 <= x0 || y1 <= y0)
        return std::nullopt;
    return Rect{static_cast<uint32_t>(x0), static_cast<uint32_t>(y0),
                static_cast<uint32_t>(x1 - x0), static_cast<uint32_t>(y1 - y0)};
}

void write_or_die(const std::string& path, const RgbaImage& img) {
    std::string err;
    if (!write_png(path, img, &err))
        bad(err);
}

} // namespace

int main(int argc, char** argv) {
    Options o = parse_args(argc, argv);
    std::optional<zcd::Pattern> pattern;
    if (!o.pattern.empty()) {
        std::string err;
        pattern = zcd::parse_pattern(o.pattern, &err);
        if (!pattern)
            bad("--expect-pattern: " + err);
    }
    std::error_code ec;
    fs::create_directories(o.out, ec);
    if (ec)
        bad("cannot create --out " + o.out + ": " + ec.message());

    VerifyRun run;
    run.options = o.compare;
    if (!o.stats.empty()) {
        std::string text, err;
        if (!zcd::read_text_file(o.stats, &text, &err))
            bad(err);
        auto parsed = zcd::json::parse(text);
        if (!parsed.value)
            bad(o.stats + ": invalid JSON at " + parsed.error);
        // A trace is shown as its summary.
        if (auto t = zcd::import_chrome_trace(text); t.timeline)
            parsed = zcd::json::parse(zcd::to_summary_json(*t.timeline));
        run.stats = std::move(parsed.value);
        run.stats_path = report_relative(o.stats, o.out);
    }

    std::vector<FrameObservation> observations;
    bool compare = !o.ref.empty() || !o.ref_dir.empty() || pattern;
    for (const auto& shot_path : o.shots) {
        RgbaImage shot;
        std::string err;
        if (!read_png(shot_path, &shot, &err))
            bad(err);
        std::string name = fs::path(shot_path).filename().string();
        std::string stem = fs::path(shot_path).stem().string();
        auto xrgb = to_xrgb(shot);
        zcd::FrameIdentity id = zcd::decode_frame_identity(view_of(xrgb, shot));
        observations.push_back({name, id.status, id.seq, id.seq_other});
        if (!compare)
            continue;

        ShotResult r;
        r.name = name;
        const size_t index = run.shots.size();
        // The report links only files in its own folder (report_images.hpp).
        auto link = [&](const fs::path& file, const char* role) {
            std::string why;
            std::string rel = link_into_report(file, o.out, report_copy_name(index, role, name), &why);
            if (rel.empty())
                bad(why);
            return rel;
        };
        r.shot = link(shot_path, "shot");
        r.width = shot.width;
        r.height = shot.height;
        RgbaImage expected;
        CompareOptions opts = o.compare;
        if (o.compare.clip && !clip_inside(*o.compare.clip, shot.width, shot.height))
            bad("--clip lies outside " + shot_path + " (" + std::to_string(shot.width) + "x" +
                std::to_string(shot.height) + ")");
        if (pattern) {
            uint64_t frame = 0;
            if (o.frame == "auto") {
                if (id.status != zcd::StripeStatus::Valid) {
                    r.outcome = ShotOutcome::Mismatch;
                    r.expected_kind = "pattern " + o.pattern + " frame ?";
                    r.message = "stripe is " + std::string(zcd::to_string(id.status)) +
                                ", so the frame number is unknown (give --frame N)";
                    fs::copy_file(shot_path, fs::path(o.out) / name,
                                  fs::copy_options::overwrite_existing, ec);
                    run.shots.push_back(r);
                    continue;
                }
                frame = id.seq;
            } else {
                frame = parse_count("--frame", o.frame);
            }
            auto [cw, ch] = o.expect_size.value_or(std::pair{shot.width, shot.height});
            auto [ax, ay] = o.expect_at.value_or(std::pair{0u, 0u});
            if (cw == 0 || ch == 0)
                bad("--expect-size must be at least 1x1");
            uint32_t scale = o.expect_scale;
            if (o.locate) {
                // The stripe starts at the buffer's top-left corner; its
                // measured cell size over the encoder's gives the scale.
                uint32_t cell = zcd::stripe_cell_px(cw);
                auto measured = cell ? static_cast<uint32_t>(id.cell_px / cell + 0.5) : 0;
                if (id.status != zcd::StripeStatus::Valid || measured == 0) {
                    r.outcome = ShotOutcome::Mismatch;
                    r.expected_kind = "pattern " + o.pattern + " (not located)";
                    r.message = "--locate: no valid stripe of a " + std::to_string(cw) + "x" +
                                std::to_string(ch) + " buffer in the shot (stripe " +
                                std::string(zcd::to_string(id.status)) + ")";
                    fs::copy_file(shot_path, fs::path(o.out) / name,
                                  fs::copy_options::overwrite_existing, ec);
                    run.shots.push_back(r);
                    continue;
                }
                ax = id.x, ay = id.y;
                if (!o.scale_given)
                    scale = measured;
            }
            Rect covered;
            expected = expected_pattern(*pattern, frame, shot, cw, ch, scale, ax, ay, &covered);
            auto region = intersect(covered, o.compare.clip);
            if (!region || covered.width == 0)
                bad("the expected client rectangle lies outside " + shot_path);
            opts.clip = region;
            r.expected_kind = "pattern " + o.pattern + " frame " + std::to_string(frame) + " at " +
                              std::to_string(ax) + "," + std::to_string(ay) + " x" +
                              std::to_string(scale);
            r.expected = stem + "-expected.png";
            write_or_die((fs::path(o.out) / r.expected).string(), expected);
        } else {
            fs::path ref = !o.ref.empty() ? fs::path(o.ref) : fs::path(o.ref_dir) / name;
            r.expected_kind = "reference " + ref.string();
            if (o.update) {
                fs::create_directories(
                    ref.parent_path().empty() ? fs::path(".") : ref.parent_path(), ec);
                if (!fs::copy_file(shot_path, ref, fs::copy_options::overwrite_existing, ec))
                    bad("cannot write reference " + ref.string() + ": " + ec.message());
                r.outcome = ShotOutcome::Updated;
                r.expected = link(ref, "ref");
                r.message = "reference written: " + ref.string();
                run.shots.push_back(r);
                continue;
            }
            if (!fs::exists(ref)) {
                r.outcome = ShotOutcome::MissingReference;
                fs::copy_file(shot_path, fs::path(o.out) / name,
                              fs::copy_options::overwrite_existing, ec);
                r.message = "no reference " + ref.string() + "; shot kept as " +
                            (fs::path(o.out) / name).string() +
                            " for review (accept with --update)";
                run.shots.push_back(r);
                continue;
            }
            if (!read_png(ref.string(), &expected, &err))
                bad(err);
            if (expected.width != shot.width || expected.height != shot.height)
                bad(shot_path + " is " + std::to_string(shot.width) + "x" +
                    std::to_string(shot.height) + " but reference " + ref.string() + " is " +
                    std::to_string(expected.width) + "x" + std::to_string(expected.height));
            r.expected = link(ref, "ref");
        }
        CompareResult c = compare_images(shot, expected, opts);
        r.compared_pixels = c.compared_pixels;
        r.diff_pixels = c.diff_pixels;
        r.min_delta = c.min_delta;
        r.max_delta = c.max_delta;
        r.diff_bounds = c.diff_bounds;
        r.outcome = c.pass ? ShotOutcome::Pass : ShotOutcome::Mismatch;
        if (!c.pass || c.diff_pixels) {
            // Evidence for review: the shot and where it differs.
            r.diff = stem + "-diff.png";
            write_or_die((fs::path(o.out) / r.diff).string(), c.diff);
        }
        if (!c.pass) {
            fs::path kept = fs::path(o.out) / name;
            if (fs::absolute(kept) != fs::absolute(shot_path))
                fs::copy_file(shot_path, kept, fs::copy_options::overwrite_existing, ec);
            r.message = std::to_string(c.diff_pixels) + " pixels differ beyond fuzz " +
                        to_string(opts.fuzz) + " (allowed " + std::to_string(opts.max_diff_pixels) +
                        "), in " + std::to_string(c.diff_bounds.width) + "x" +
                        std::to_string(c.diff_bounds.height) + " at " +
                        std::to_string(c.diff_bounds.x) + "," + std::to_string(c.diff_bounds.y);
        }
        run.shots.push_back(r);
    }

    for (const auto& s : run.shots)
        if (s.outcome == ShotOutcome::Mismatch || s.outcome == ShotOutcome::MissingReference)
            run.pass = false;
    if (o.identity) {
        run.identity = analyse_identity(observations, o.seq_step);
        const auto& id = *run.identity;
        auto fail = [&](bool cond, const std::string& why) {
            if (cond)
                run.identity_failures.push_back(why);
        };
        // Leading and trailing stripeless captures (before the client's
        // first frame, after its last) are skipped; a sequence in which no
        // capture shows a client frame has nothing to analyse and fails.
        fail(id.valid + id.torn + id.corrupt == 0,
             "no capture shows a client frame (no frame-identity stripe in any)");
        fail(id.torn > 0, std::to_string(id.torn) + " torn captures");
        fail(id.out_of_order > 0, std::to_string(id.out_of_order) + " out-of-order captures");
        fail(id.no_stripe > 0, std::to_string(id.no_stripe) + " captures without a stripe");
        fail(id.corrupt > 0, std::to_string(id.corrupt) + " captures with a corrupt stripe");
        fail(o.max_dropped && id.dropped > *o.max_dropped,
             std::to_string(id.dropped) + " dropped frames (allowed " +
                 std::to_string(o.max_dropped.value_or(0)) + ")");
        fail(o.max_repeated && id.repeated > *o.max_repeated,
             std::to_string(id.repeated) + " repeated captures (allowed " +
                 std::to_string(o.max_repeated.value_or(0)) + ")");
        if (!run.identity_failures.empty())
            run.pass = false;
    }

    std::string err;
    fs::path html = fs::path(o.out) / "report.html";
    if (!zcd::write_text_file((fs::path(o.out) / "result.json").string(), verify_json(run), &err) ||
        !zcd::write_text_file(html.string(), verify_html(run), &err))
        bad(err);

    size_t passed = 0;
    for (const auto& s : run.shots) {
        bool ok = s.outcome == ShotOutcome::Pass || s.outcome == ShotOutcome::Updated;
        passed += ok;
        std::printf("%s %s (%s)%s%s\n", ok ? "PASS" : "FAIL", s.name.c_str(),
                    s.expected_kind.c_str(), s.message.empty() ? "" : ": ", s.message.c_str());
    }
    if (run.identity) {
        const auto& id = *run.identity;
        std::printf("identity: %zu captures (skipped, no client frame yet: %llu, none any "
                    "more: %llu), frames %u..%u, dropped %llu, repeated %llu, "
                    "out-of-order %llu, torn %llu, no stripe %llu, corrupt %llu%s\n",
                    id.frames.size(), static_cast<unsigned long long>(id.before_first_frame),
                    static_cast<unsigned long long>(id.after_last_frame), id.first_seq,
                    id.last_seq,
                    static_cast<unsigned long long>(id.dropped),
                    static_cast<unsigned long long>(id.repeated),
                    static_cast<unsigned long long>(id.out_of_order),
                    static_cast<unsigned long long>(id.torn),
                    static_cast<unsigned long long>(id.no_stripe),
                    static_cast<unsigned long long>(id.corrupt),
                    run.identity_failures.empty() ? "" : " -> FAIL");
    }
    std::printf("zc-verify: %s: %zu of %zu images passed; report %s\n", run.pass ? "PASS" : "FAIL",
                passed, run.shots.size(), html.string().c_str());
    return run.pass ? 0 : 1;
}
