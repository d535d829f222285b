#!/usr/bin/env python3
"""Unit tests of the bench harness's pure logic (no compositor, no renderer):
percentiles, the client-log reader, target verdicts, path scrubbing, the
demo's summary reader and the soak's report (stats lines, phases,
percentiles, verdict).
These are tests of the harness, not benchmarks: they can and should fail."""
import json
import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))

import chain_rows  # noqa: E402
import compositors  # noqa: E402
import demo_rows  # noqa: E402
import kernel_row  # noqa: E402
import soak  # noqa: E402
import targets  # noqa: E402
import zcbench  # noqa: E402


class PercentileTest(unittest.TestCase):
    def test_nearest_rank(self):
        values = list(range(1, 101))  # 1..100
        self.assertEqual(compositors.percentile(values, 50), 50)
        self.assertEqual(compositors.percentile(values, 99), 99)
        self.assertEqual(compositors.percentile(values, 100), 100)
        self.assertEqual(compositors.percentile([7.0], 99), 7.0)
        self.assertIsNone(compositors.percentile([], 50))

    def test_small_sample_p99_is_the_maximum(self):
        self.assertEqual(compositors.percentile([1, 2, 3, 40], 99), 40)


class ClientLogTest(unittest.TestCase):
    def test_times_move_to_monotonic_and_zero_stays_zero(self):
        log = {"clock_id": 4, "width": 8, "height": 8, "monotonic_minus_clock_ns": 1000,
               "compositor_hint": "x",
               "columns": ["frame", "commit_ns", "state", "present_ns", "refresh_ns", "msc",
                           "flags", "done_ns"],
               "frames": [[1, 5000, "presented", 9000, 16666666, 3, 8, 7000],
                          [2, 6000, "pending", 0, 0, 0, 0, 0]]}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(log, f)
        try:
            _, frames = compositors.load_log(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(frames[0]["commit"], 6000)
        self.assertEqual(frames[0]["present"], 10000)
        self.assertEqual(frames[0]["done"], 8000)
        self.assertEqual(frames[0]["flags"], 8)
        self.assertEqual(frames[1]["present"], 0)
        self.assertEqual(frames[1]["done"], 0)


def row(id, value, **details):
    r = {"id": id, "value": value, "unit": "x", "details": details}
    if value is None:
        r["missing"] = "because"
    return r


class TargetsTest(unittest.TestCase):
    def test_met_missed_and_not_measured(self):
        verdicts, report = targets.judge([
            row("import.shm_host_import.ratio_4k_720p", 1.1),
            row("import.shm_copy.ratio_4k_720p", 9.0),  # copy path: no flatness target
            row("bytes_copied.dmabuf_zero_copy", 0),
            row("bytes_copied.shm_copy", 8294400),
            row("copy.throughput_over_memcpy", 0.5),
            row("cpu.zc_over_weston", None),
            row("latency.zc-compositor.p99", 18.0, refresh_ms=16.667),
            row("overlay.cost_share", 0.06),
        ])
        self.assertIn("met", verdicts["import.shm_host_import.ratio_4k_720p"])
        self.assertNotIn("import.shm_copy.ratio_4k_720p", verdicts)
        self.assertNotIn("bytes_copied.shm_copy", verdicts)
        self.assertIn("met", verdicts["bytes_copied.dmabuf_zero_copy"])
        self.assertIn("MISSED", verdicts["copy.throughput_over_memcpy"])
        self.assertEqual(verdicts["cpu.zc_over_weston"], "not measured")
        self.assertIn("met", verdicts["latency.zc-compositor.p99"])
        self.assertIn("MISSED", verdicts["overlay.cost_share"])
        self.assertEqual(sum(1 for ln in report if ln.startswith("MISSED")), 2)

    def test_hot_path_targets(self):
        v, _ = targets.judge([row("hotpath.own_mallocs_per_frame", 1.3),
                              row("hotpath.gpu_waits_per_submit", 1.0)])
        self.assertIn("MISSED", v["hotpath.own_mallocs_per_frame"])
        self.assertIn("met", v["hotpath.gpu_waits_per_submit"])
        # one wait more than submits: the window cut a frame in half
        v, _ = targets.judge([row("hotpath.gpu_waits_per_submit", 175 / 174, submits=174)])
        self.assertIn("met", v["hotpath.gpu_waits_per_submit"])
        v, _ = targets.judge([row("hotpath.gpu_waits_per_submit", 2.0, submits=174)])
        self.assertIn("MISSED", v["hotpath.gpu_waits_per_submit"])

    def test_issue_15_targets(self):
        v, _ = targets.judge([row("cpu.zc_over_sway", 0.6),
                              row("cpu.composed.zc_over_weston", 0.8),
                              row("scanout.zc-compositor.direct_scanout_share", 0.97),
                              row("scanout.composed.zc-compositor.composed_zero_copy_share", 0.5)])
        self.assertIn("MISSED", v["cpu.zc_over_sway"])
        self.assertIn("met", v["cpu.composed.zc_over_weston"])
        self.assertIn("met", v["scanout.zc-compositor.direct_scanout_share"])
        self.assertIn("MISSED", v["scanout.composed.zc-compositor.composed_zero_copy_share"])
        v, _ = targets.judge([row("instructions.shm.ratio_4k_720p", 1.0),
                              row("instructions.dmabuf_memfd.ratio_4k_720p", 2.0)])
        self.assertIn("met", v["instructions.shm.ratio_4k_720p"])
        self.assertIn("MISSED", v["instructions.dmabuf_memfd.ratio_4k_720p"])

    def test_demo_targets(self):
        # 60 Hz: holding the rate means >= 0.99 x 60 = 59.4 fps
        v, _ = targets.judge([row("demo.fps_output", 59.5, refresh_ms=16.666666),
                              row("demo.missed_vblank_share", 0.01)])
        self.assertIn("met", v["demo.fps_output"])
        self.assertIn(">= 59.40 fps", v["demo.fps_output"])
        self.assertIn("met", v["demo.missed_vblank_share"])
        v, _ = targets.judge([row("demo.fps_output", 59.3, refresh_ms=16.666666),
                              row("demo.missed_vblank_share", 30 / 861)])
        self.assertIn("MISSED", v["demo.fps_output"])
        self.assertIn("MISSED", v["demo.missed_vblank_share"])
        # the threshold follows the output's refresh: 59.5 fps does not hold 120 Hz
        v, _ = targets.judge([row("demo.fps_output", 59.5, refresh_ms=8.333333)])
        self.assertIn("MISSED", v["demo.fps_output"])
        self.assertIn(">= 118.80 fps", v["demo.fps_output"])
        # a demo that did not run is not measured, not met
        v, report = targets.judge([row("demo.fps_output", None)])
        self.assertEqual(v["demo.fps_output"], "not measured")
        self.assertTrue(any(ln.startswith("NOT MEASURED") and "demo.missed_vblank_share" in ln
                            for ln in report))

    def test_latency_threshold_follows_the_refresh(self):
        v, _ = targets.judge([row("latency.zc-compositor.p99", 18.0, refresh_ms=8.333)])
        self.assertIn("MISSED", v["latency.zc-compositor.p99"])

    def test_a_target_without_rows_is_reported(self):
        _, report = targets.judge([])
        self.assertEqual(len(report), len(targets.TARGETS))
        self.assertTrue(all(ln.startswith("NOT MEASURED") for ln in report))


class KernelRowTest(unittest.TestCase):
    def _row(self, bench):
        with tempfile.TemporaryDirectory() as root:
            kdir = os.path.join(root, "out", "vm-emulated", "share", "kernel")
            os.makedirs(kdir)
            os.makedirs(os.path.join(root, "vm"))
            vm = os.path.join(root, "vm", "zcd-vm.sh")
            with open(vm, "w") as f:
                f.write("#!/bin/sh\necho 'usage: ./zcd vm <step>'\n")
            os.chmod(vm, 0o755)
            with open(os.path.join(kdir, "kernel-bench.json"), "w") as f:
                json.dump(bench, f)
            args = type("Args", (), {"root": root})()
            return kernel_row.run(args, root)[0]

    def test_ratio_of_the_vm_medians_with_its_note(self):
        row = self._row({"size_bytes": 16384, "interconnect_map_ns": 20000,
                         "legacy_map_ns": 40000, "repeats": 15, "note": "emulated VF BAR"})
        self.assertIsNone(row.missing)
        self.assertAlmostEqual(row.value, 0.5)
        self.assertEqual(row.details["vm_note"], "emulated VF BAR")
        self.assertEqual(row.details["repeats"], 15)

    def test_a_zero_time_is_reported_not_divided(self):
        row = self._row({"size_bytes": 16384, "interconnect_map_ns": 0, "legacy_map_ns": 40000})
        self.assertIn("zero time", row.missing)

    def _bench_step_row(self, bench, fail=False):
        """A zcd-vm.sh that offers kernel-bench, which writes BENCH."""
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "vm"))
            vm = os.path.join(root, "vm", "zcd-vm.sh")
            out = os.path.join(root, "out", "vm-kernel-bench")
            with open(vm, "w") as f:
                f.write("#!/bin/sh\n"
                        "[ \"$1\" = kernel-bench ] || { echo '  kernel-bench  bench'; exit 0; }\n"
                        f"mkdir -p '{out}'\n"
                        f"cat > '{out}/kernel-bench.json' <<'EOF'\n{json.dumps(bench)}\nEOF\n"
                        f"exit {1 if fail else 0}\n")
            os.chmod(vm, 0o755)
            args = type("Args", (), {"root": root})()
            return kernel_row.run(args, root)[0]

    def test_the_bench_step_row_says_counts_and_the_iommu(self):
        row = self._bench_step_row({
            "size_bytes": 64 << 20, "interconnect_map_ns": 30000, "legacy_map_ns": 120000,
            "repeats": 31, "interconnect_samples": 31, "legacy_samples": 31,
            "legacy_through_iommu": True, "iommu_evidence": "IOVA 0xfc000000", "note": "x"})
        self.assertIsNone(row.missing)
        self.assertAlmostEqual(row.value, 0.25)
        self.assertNotIn("smaller", row.label)
        self.assertIn("31 / 31 maps", row.note)
        self.assertIn("through the emulated IOMMU", row.note)
        self.assertTrue(row.details["legacy_through_iommu"])
        self.assertEqual(row.details["source"], "./zcd vm kernel-bench in this run")

    def test_a_failed_bench_step_is_missing(self):
        row = self._bench_step_row({"size_bytes": 1, "interconnect_map_ns": 1,
                                    "legacy_map_ns": 1}, fail=True)
        self.assertIn("kernel-bench failed", row.missing)

    def test_an_emulated_test_file_says_no_iommu(self):
        row = self._row({"size_bytes": 16384, "interconnect_map_ns": 20000,
                         "legacy_map_ns": 40000, "repeats": 15})
        self.assertIn("without an IOMMU", row.note)
        self.assertIn("16384 bytes", row.label)


class ChainRowsTest(unittest.TestCase):
    """The chain's timings.json (vm/chain/chain_report_check.py) as rows."""

    def write(self, root, parts, doc):
        path = os.path.join(root, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def test_newest_run_becomes_rows(self):
        stages = {k: {"label": k.replace("_", " "), "value": 1.5} for k, _, _ in chain_rows.STAGES}
        with tempfile.TemporaryDirectory() as root:
            args = argparse_ns(root)
            old = self.write(root, ("out", "vm-emulated", "chain", "share", "chain", "timings.json"),
                             {"inner": "qtest", "stages": {}})
            os.utime(old, (1000, 1000))
            self.write(root, ("out", "vm-chain", "share", "chain", "timings.json"),
                       {"inner": "guest", "stages": dict(stages, flush_ms={"label": "f", "value": None})})
            rows = {r.id: r for r in chain_rows.run(args, root)}
            self.assertEqual(len(rows), len(chain_rows.STAGES))
            self.assertEqual(rows["chain.blob_create_ms"].value, 1.5)
            self.assertEqual(rows["chain.inner_boot_to_scanout_s"].unit, "s")
            self.assertIn("inner: guest", rows["chain.set_scanout_ms"].label)
            self.assertIn("./zcd vm chain-test", rows["chain.set_scanout_ms"].note)
            self.assertEqual(rows["chain.blob_create_ms"].details["timed"], "blob create ms")
            self.assertIsNotNone(rows["chain.flush_ms"].missing)

    def test_qtest_run_has_no_boot_row_and_no_run_says_so(self):
        with tempfile.TemporaryDirectory() as root:
            args = argparse_ns(root)
            rows = chain_rows.run(args, root)
            self.assertEqual([r.id for r in rows], ["chain.stages"])
            self.assertIn("emulated-test", rows[0].missing)
            self.write(root, ("out", "vm-chain", "share", "chain", "timings.json"),
                       {"inner": "qtest", "stages": {"blob_create_ms": {"label": "b", "value": 2}}})
            ids = [r.id for r in chain_rows.run(args, root)]
            self.assertNotIn("chain.inner_boot_to_scanout_s", ids)
            self.assertEqual(len(ids), len(chain_rows.STAGES) - 1)


def argparse_ns(root):
    import argparse
    return argparse.Namespace(root=root)


def demo_summary(frames=900, missed=0, fps=59.93, refresh_ms=16.666666, **output):
    """A summary.json as zc-compositor --summary writes it (docs/metrics.md)."""
    o = {"name": "HEADLESS-1", "refresh_ms": refresh_ms, "FramesPresented": frames,
         "FpsOutput": fps, "FpsLow1Pct": 50.0, "MissedVblanks": missed,
         "MsBetweenPresents": {"count": frames - 1, "min": 16.6, "mean": 16.7, "p50": 16.7,
                               "p95": 17.0, "p99": 20.0, "max": 34.0}}
    o.update(output)
    return {"format": "zcdisplay-summary", "version": 1, "producer": "zc-compositor",
            "clock": "CLOCK_MONOTONIC", "begin_ns": 1_000_000_000, "end_ns": 16_000_000_000,
            "outputs": [o], "clients": [{"id": 1, "name": "zc-client-motion"}]}


class DemoRowsTest(unittest.TestCase):
    """The demo group: summary.json of scripts/demo.sh to rows."""

    def test_summary_becomes_fps_and_missed_vblank_share(self):
        fig = demo_rows.parse_summary(demo_summary(frames=831, missed=30, fps=55.67))
        rows = {r.id: r for r in demo_rows.rows_from(fig, 15)}
        fps, share = rows["demo.fps_output"], rows["demo.missed_vblank_share"]
        self.assertAlmostEqual(fps.value, 55.67)
        self.assertEqual(fps.unit, "fps")
        self.assertAlmostEqual(share.value, 30 / 861)
        self.assertEqual(share.details["frames_presented"], 831)
        self.assertEqual(share.details["missed_vblanks"], 30)
        self.assertAlmostEqual(share.details["refresh_ms"], 16.666666)
        self.assertEqual(share.details["duration_s"], 15)
        self.assertEqual(share.details["timeline_s"], 15.0)
        self.assertEqual(share.details["ms_between_presents_p99"], 20.0)
        self.assertIn("30 missed / (831 presented + 30 missed)", share.note)
        self.assertIn("60.00 Hz", fps.note)

    def test_headless_fps_row_names_the_refresh_grid_not_a_timer_bound(self):
        # The compositor paces headless frames on the refresh grid: the row
        # no longer claims wlroots' 16 ms timer plus frame time as a bound.
        fig = demo_rows.parse_summary(demo_summary(
            fps=58.9, MsCompositeToPresent={"count": 900, "mean": 0.9, "p50": 0.8}))
        fps = {r.id: r for r in demo_rows.rows_from(fig, 15)}["demo.fps_output"]
        self.assertNotIn("headless_bound_fps", fps.details)
        self.assertIn("headless frames on the 16.667 ms refresh grid, mean frame 0.90 ms",
                      fps.note)
        other = demo_rows.parse_summary(demo_summary(
            name="DP-1", MsCompositeToPresent={"count": 900, "mean": 0.9}))
        fps = {r.id: r for r in demo_rows.rows_from(other, 15)}["demo.fps_output"]
        self.assertNotIn("refresh grid", fps.note)

    def test_malformed_summaries_say_what_is_wrong(self):
        for doc, words in (
                ([], "not a JSON object"),
                (dict(demo_summary(), format="zcdisplay-trace"), "format"),
                (dict(demo_summary(), outputs=[]), "no outputs"),
                (demo_summary(FramesPresented="831"), "'FramesPresented' is \"831\""),
                (demo_summary(MissedVblanks=2.5), "not a count"),
                (demo_summary(MissedVblanks=-1), "negative"),
                (demo_summary(FpsOutput=None), "'FpsOutput' is null"),
                (demo_summary(FpsOutput=True), "'FpsOutput' is true"),
                (demo_summary(refresh_ms=0), "no refresh period")):
            with self.assertRaises(demo_rows.Malformed) as cm:
                demo_rows.parse_summary(doc)
            self.assertIn(words, str(cm.exception))

    def test_unreadable_and_non_json_files_are_malformed(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "summary.json")
            with self.assertRaises(demo_rows.Malformed) as cm:
                demo_rows.read_summary(path)
            self.assertIn("unreadable", str(cm.exception))
            with open(path, "w") as f:
                f.write('{"format": "zcdisplay-summary", "outputs": [')
            with self.assertRaises(demo_rows.Malformed) as cm:
                demo_rows.read_summary(path)
            self.assertIn("not JSON", str(cm.exception))

    def test_fewer_than_two_frames_is_missing_not_zero(self):
        rows = demo_rows.rows_from(demo_rows.parse_summary(demo_summary(frames=1, fps=0)), 5)
        self.assertEqual([r.id for r in rows], ["demo.fps_output", "demo.missed_vblank_share"])
        self.assertTrue(all(r.value is None and "1 frame(s)" in r.missing for r in rows))

    def _run(self, script, quick=False):
        """demo_rows.run() against a checkout whose scripts/demo.sh is SCRIPT.

        The fake records its arguments in ROOT/args."""
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "scripts"))
            demo = os.path.join(root, "scripts", "demo.sh")
            with open(demo, "w") as f:
                f.write("#!/bin/sh\n"
                        f"printf '%s\\n' \"$@\" > '{root}/args'\n"
                        "out=$4\n"
                        "[ ! -e \"$out\" ] || { echo \"demo: $out exists\" >&2; exit 1; }\n"
                        "mkdir -p \"$out\"\n" + script)
            os.chmod(demo, 0o755)
            args = argparse_ns(root)
            args.build, args.quick = os.path.join(root, "build"), quick
            run_dir = os.path.join(root, "out", "bench", "t")
            rows = {r.id: r for r in demo_rows.run(args, run_dir)}
            with open(os.path.join(root, "args")) as f:
                argv = f.read().split()
            kept = sorted(os.listdir(os.path.join(run_dir, "demo")))
            return rows, argv, kept, root

    def test_run_uses_a_fresh_out_and_keeps_the_small_files(self):
        doc = json.dumps(demo_summary(frames=900, missed=3))
        rows, argv, kept, root = self._run(
            f"echo '{doc}' > \"$out/summary.json\"\n"
            "echo trace > \"$out/trace.json\"\necho done\n", quick=True)
        self.assertEqual(argv[:3], ["--duration", str(demo_rows.QUICK_DURATION_S), "--out"])
        self.assertFalse(argv[3].startswith(root), "--out must not be in the checkout")
        self.assertFalse(os.path.exists(argv[3]), "the temporary --out is removed")
        self.assertAlmostEqual(rows["demo.missed_vblank_share"].value, 3 / 903)
        self.assertEqual(rows["demo.fps_output"].details["duration_s"],
                         demo_rows.QUICK_DURATION_S)
        self.assertEqual(kept, ["demo.log", "summary.json"])

    def test_a_failing_demo_gives_rows_with_its_reason(self):
        rows, argv, _, _ = self._run(
            "echo \"demo: zc-compositor did not start; see $out/compositor.log\" >&2\nexit 1\n")
        self.assertEqual(argv[1], str(demo_rows.DURATION_S))
        for r in rows.values():
            self.assertIsNone(r.value)
            self.assertIn("exited 1: demo: zc-compositor did not start", r.missing)
            self.assertIn("see out/bench/t/demo/compositor.log", r.missing)

    def test_a_malformed_summary_is_reported(self):
        rows, _, _, _ = self._run("echo '{\"format\": 1}' > \"$out/summary.json\"\n")
        for r in rows.values():
            self.assertIn("summary.json is malformed", r.missing)
            self.assertIn("format is 1", r.missing)

    def test_a_missing_summary_is_reported(self):
        rows, _, _, _ = self._run("exit 0\n")
        self.assertIn("unreadable", rows["demo.fps_output"].missing)


class ScrubTest(unittest.TestCase):
    def test_scanout_rows_pool_the_rounds_stats(self):
        run = {"scanout_paths": {"direct_scanout": 90, "composed_zero_copy": 10,
                                 "composed_copy": 0},
               "scanout_bytes_copied": 0, "direct_scanout_misses": {"no_surface": 10}}
        rows = zcbench.scanout_rows({"zc-compositor": [run, run]},
                                    {"composed.zc-compositor": "zc-compositor died"})
        by_id = {r.id: r for r in rows}
        direct = by_id["scanout.zc-compositor.direct_scanout_share"]
        self.assertAlmostEqual(direct.value, 0.9)
        composed = by_id["scanout.composed.zc-compositor.composed_zero_copy_share"]
        self.assertIsNone(composed.value)
        self.assertIn("died", composed.missing)

    def test_absolute_paths_are_replaced(self):
        doc = {"a": ["/r/x/build/bin/zc", "/r/x/bench"], "b": ("/r/x",), "n": 3}
        out = zcbench.scrub(doc, "/r/x", "/r/x/build")
        self.assertEqual(out["a"], ["$ZCD_BUILD/bin/zc", "$ZCD_ROOT/bench"])
        self.assertEqual(out["b"], ["$ZCD_ROOT"])
        self.assertEqual(out["n"], 3)


def stats_line(t_ns, count, p50, p99, mx, type_="stats", version=1):
    return json.dumps({"type": type_, "version": version, "t_ns": t_ns, "window_s": 1,
                       "outputs": [{"name": "HEADLESS-1", "MsBetweenPresents":
                                    {"count": count, "min": 10.0, "mean": p50, "p50": p50,
                                     "p95": p99, "p99": p99, "max": mx}}], "clients": []})


class SoakReportTest(unittest.TestCase):
    def test_stats_line_gives_the_first_outputs_interval_window(self):
        w = soak.parse_stats_line(stats_line(5_000, 60, 16.7, 18.2, 21.0))
        self.assertEqual(w, {"t_ns": 5000, "count": 60, "p50": 16.7, "p99": 18.2, "max": 21.0})

    def test_other_lines_and_empty_windows_are_skipped(self):
        self.assertIsNone(soak.parse_stats_line("not json"))
        self.assertIsNone(soak.parse_stats_line(stats_line(1, 60, 16.7, 18, 20, type_="hello")))
        self.assertIsNone(soak.parse_stats_line(stats_line(1, 60, 16.7, 18, 20, version=2)))
        self.assertIsNone(soak.parse_stats_line(stats_line(1, 0, 0, 0, 0)))
        self.assertIsNone(soak.parse_stats_line(json.dumps({"type": "stats", "version": 1,
                                                            "t_ns": 1, "outputs": []})))

    def test_rss_from_proc_status(self):
        text = "Name:\tzc-compositor\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads: 5\n"
        self.assertEqual(soak.parse_rss_kib(text), 123456)
        self.assertIsNone(soak.parse_rss_kib("Name: x\n"))

    def test_phases_are_three_minutes_or_a_quarter_of_a_short_run(self):
        self.assertEqual(soak.phases(1800), ((10.0, 190.0), (1620.0, 1800)))
        (s0, s1), (e0, e1) = soak.phases(130)
        self.assertEqual((s0, s1, e0, e1), (10.0, 40.0, 100.0, 130))

    def test_phase_figures_take_medians_and_the_p99_of_window_p99s(self):
        proc = [{"t": t, "rss_kib": 1024 * (100 + t // 10), "fds": 40} for t in range(0, 200, 5)]
        windows = [{"t": t, "count": 60, "p50": 16.0 + (t % 3), "p99": 17.0 + t / 100,
                    "max": 30.0} for t in range(0, 200)]
        f = soak.phase_figures(proc, windows, (100, 150))
        self.assertEqual(f["samples"], 11)
        self.assertAlmostEqual(f["rss_mib"], 112.0)  # median of 110..115
        self.assertEqual(f["fds"], 40)
        self.assertEqual(f["windows"], 51)
        self.assertEqual(f["p50_ms"], 17.0)
        self.assertAlmostEqual(f["p99_ms"], 17.0 + 150 / 100)  # the largest of 51 is p99
        self.assertAlmostEqual(f["p99_median_ms"], 17.0 + 125 / 100)
        self.assertEqual(f["fps"], 60)

    def test_verdict_passes_flat_runs_and_names_each_problem(self):
        start = {"rss_mib": 200.0, "fds": 40}
        ok, line = soak.verdict(start, {"rss_mib": 210.0, "fds": 41}, True, 0, True)
        self.assertTrue(ok, line)
        self.assertTrue(line.startswith("PASS"))
        # 10% of 200 MiB is 20 MiB: the larger limit applies.
        ok, _ = soak.verdict(start, {"rss_mib": 219.0, "fds": 40}, True, 0, True)
        self.assertTrue(ok)
        ok, line = soak.verdict(start, {"rss_mib": 221.0, "fds": 45}, True, 0, True)
        self.assertFalse(ok)
        self.assertIn("RSS grew +21.0 MiB > 20.0", line)
        self.assertIn("fds grew +5 > 4", line)
        ok, line = soak.verdict({"rss_mib": 50.0, "fds": 40}, {"rss_mib": 67.0, "fds": 40},
                                True, 0, True)
        self.assertFalse(ok)
        self.assertIn("> 16.0", line)  # small processes: the 16 MiB floor
        ok, line = soak.verdict(start, start, False, 2, False)
        self.assertFalse(ok)
        for text in ("compositor died", "2 churn clients failed", "demo client ended early"):
            self.assertIn(text, line)
        ok, line = soak.verdict({}, start, True, 0, True)
        self.assertFalse(ok)
        self.assertIn("no RSS/fd samples", line)

    def test_rows_carry_start_end_and_the_verdict(self):
        start = {"samples": 3, "windows": 30, "rss_mib": 200.0, "fds": 40, "p50_ms": 16.7,
                 "p99_ms": 20.0, "p99_median_ms": 18.0, "fps": 60.0}
        end = dict(start, rss_mib=201.0)
        rows = {r.id: r for r in soak.soak_rows(120, start, end, True, "PASS: x", 20, 60, 0)}
        self.assertEqual(rows["soak.rss_mib.end"].value, 201.0)
        self.assertEqual(rows["soak.p99_ms.start"].value, 20.0)
        self.assertIn("median second's p99 18.0 ms", rows["soak.p99_ms.start"].note)
        self.assertEqual(rows["soak.rss_growth_mib"].value, 1.0)
        self.assertEqual(rows["soak.fd_growth"].value, 0)
        self.assertEqual(rows["soak.verdict"].value, 1)
        self.assertEqual(rows["soak.churn_clients"].value, 60)
        rows = {r.id: r for r in soak.soak_rows(120, {"samples": 0, "windows": 0}, end, False,
                                                "FAIL", 1, 3, 3)}
        self.assertIsNotNone(rows["soak.rss_mib.start"].missing)
        self.assertNotIn("soak.rss_growth_mib", rows)
        self.assertEqual(rows["soak.verdict"].value, 0)


if __name__ == "__main__":
    unittest.main()
