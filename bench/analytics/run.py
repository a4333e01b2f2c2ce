"""The analytics benchmark: ``prosumo analyze`` on 1M members and 10M events, and a plain baseline.

    python -m bench analytics                  # full scale (1,000,000 members, 10,000,000 events)
    python -m bench analytics --scale 0.01     # a smoke run on 1 % of the data

Steps:

1. Generate the community with ``prosumo.synth.generate_to_parquet`` (bench profile)
   into ``bench/out/analytics-data/`` (``analytics-data-s<scale>/`` below full scale),
   reused when ``bench-params.json`` there records the same parameters; timed.
2. Run ``prosumo analyze DATASET --out bench/out/analytics-report.html --json ...`` as a
   subprocess ``--repeats`` times: wall seconds, peak resident memory of the process
   tree (psutil, polled every 50 ms) and the report's seconds per section
   (``--workers N`` is passed on to ``prosumo analyze``; its default otherwise, two
   sections at a time on two or more cores, so the seconds per section overlap).
3. Run the pandas + networkx baseline (``bench/analytics/baseline.py``) the same way,
   compare the involvement, channel and influence headline numbers, and give the ratio
   baseline seconds / prosumo seconds for those three sections. If the baseline does
   not finish within ``--baseline-timeout`` seconds, its graph is scored on a sample
   of members and the graph time is extrapolated by edges.

Figures go to ``bench/out/analytics-<UTC time>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
FULL_MEMBERS = 1_000_000
FULL_EVENTS = 10_000_000
TARGET_SECONDS = 60.0
TARGET_PEAK_GB = 6.0
SECTIONS = ("involvement", "channels", "influence")
console = Console(stderr=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench analytics", description="The analytics benchmark.")
    p.add_argument("--scale", type=float, default=1.0, help="fraction of 1M members / 10M events (default 1)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--repeats", type=int, default=3, help="runs of prosumo analyze (median reported)")
    p.add_argument("--no-baseline", action="store_true", help="skip the pandas + networkx baseline")
    p.add_argument("--baseline-timeout", type=float, default=600.0, help="seconds before the baseline is sampled")
    p.add_argument("--sample-members", type=int, default=100_000, help="graph sample when the baseline times out")
    p.add_argument("--regenerate", action="store_true", help="generate the data even if it is there")
    p.add_argument("--workers", type=int, default=None, help="prosumo analyze --workers (its default when omitted)")
    args = p.parse_args(argv)
    if not 0 < args.scale <= 1:
        p.error("--scale must be in (0, 1]")
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    return args


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, kernel, Python: what the figures were measured on."""
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def dataset(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """Generate (or reuse) the benchmark community; returns its folder and generation record."""
    members = round(FULL_MEMBERS * args.scale)
    events = round(FULL_EVENTS * args.scale)
    path = OUT / ("analytics-data" if args.scale == 1 else f"analytics-data-s{args.scale:g}")
    params = {"members": members, "events_target": events, "seed": args.seed, "profile": "bench"}
    record_file = path / "bench-params.json"
    if not args.regenerate and record_file.exists():
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if record.get("params") == params:
            console.print(f"reusing {path.relative_to(ROOT)} (generated in {record['seconds']} s)")
            return path, {**record, "reused": True}
    if path.exists():
        shutil.rmtree(path)
    from prosumo.synth import generate_to_parquet

    with Progress(
        SpinnerColumn(), TextColumn("[bold]generate[/] {task.description}"), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("starting", total=None)
        start = time.perf_counter()
        cpu = time.process_time()
        truth = generate_to_parquet(path, progress=lambda step: bar.update(task, description=step), **params)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
    record = {
        "params": params,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rows": truth.get("rows"),
        "finished_at": _now(),
    }
    record_file.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return path, {**record, "reused": False}


def measure(cmd: list[str], label: str, log: Path, timeout: float | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds and peak RSS of its process tree, polled every 50 ms."""
    peak = 0
    start = time.perf_counter()
    before = load()
    with (
        log.open("w", encoding="utf-8") as out,
        Progress(
            SpinnerColumn(),
            TextColumn(f"[bold]{label}[/]"),
            BarColumn(),
            TextColumn("{task.fields[rss]}"),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
    ):
        task = bar.add_task(label, total=None, rss="")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        root = psutil.Process(proc.pid)
        timed_out = False
        while proc.poll() is None:
            rss = _tree_rss(root)
            peak = max(peak, rss)
            bar.update(task, rss=f"{rss / 2**30:.2f} GiB now, peak {peak / 2**30:.2f}")
            if timeout is not None and time.perf_counter() - start > timeout:
                for child in root.children(recursive=True):
                    child.kill()
                proc.kill()
                timed_out = True
                break
            time.sleep(0.05)
        proc.wait()
    wall = time.perf_counter() - start
    return {
        "wall_seconds": round(wall, 2),
        "peak_rss_gib": round(peak / 2**30, 3),
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "load_before": before,
        "load_after": load(),
        "log": str(log.relative_to(ROOT)),
    }


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def analyze(path: Path, repeats: int, stamp: str, workers: int | None = None) -> dict[str, Any]:
    """``prosumo analyze`` as a person runs it, ``repeats`` times, then once more with ``--json``.

    The timed runs write only the HTML report (their seconds per section are read from
    it); the last run adds ``--json`` (which writes every table, about 5 s more at full
    scale) for the comparison with the baseline, and is reported on its own row.
    """
    prosumo = str(Path(sys.executable).with_name("prosumo"))
    html_out = OUT / "analytics-report.html"
    report_json = OUT / f"analytics-report-{stamp}.json"
    runs = []
    for i in range(repeats + 1):
        with_json = i == repeats
        cmd = [prosumo, "analyze", str(path), "--out", str(html_out)]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        label = f"analyze {i + 1}/{repeats}"
        if with_json:
            cmd += ["--json", str(report_json)]
            label = "analyze --json"
        run = measure(cmd, label, OUT / f"analytics-analyze-{stamp}-{i + 1}.log")
        if run["returncode"] != 0:
            raise SystemExit(f"prosumo analyze failed (exit {run['returncode']}); see {run['log']}")
        run["with_json"] = with_json
        run["seconds"] = section_seconds(html_out.read_text(encoding="utf-8"))
        runs.append(run)
        console.print(f"{label}: {run['wall_seconds']} s, peak {run['peak_rss_gib']} GiB, load {run['load_after']}")
    report = json.loads(report_json.read_text(encoding="utf-8"))
    timed = [r for r in runs if not r["with_json"]]
    sections = {k: round(statistics.median(r["seconds"][k] for r in timed), 2) for k in timed[0]["seconds"]}
    return {
        "runs": runs,
        "median_wall_seconds": statistics.median(r["wall_seconds"] for r in timed),
        "median_peak_rss_gib": statistics.median(r["peak_rss_gib"] for r in timed),
        "median_section_seconds": sections,
        "json_run_section_seconds": report["seconds"],
        "report": report,
    }


def section_seconds(page: str) -> dict[str, float]:
    """Seconds per section from the report page ("computed in 1.23 s" under each section)."""
    found = re.findall(r"<section id='s\d+-(\w+)'>.*?computed in ([\d.]+) s", page, flags=re.S)
    return {key: float(sec) for key, sec in found}


def baseline(path: Path, args: argparse.Namespace, stamp: str, members: int) -> dict[str, Any]:
    out_json = OUT / f"analytics-baseline-{stamp}.json"
    cmd = [sys.executable, "-m", "bench.analytics.baseline", str(path), "--json", str(out_json)]
    run = measure(cmd, "baseline", OUT / f"analytics-baseline-{stamp}.log", timeout=args.baseline_timeout)
    if run["returncode"] == 0:
        run["figures"] = json.loads(out_json.read_text(encoding="utf-8"))
        run["sampled"] = False
        return run
    partial = json.loads(out_json.read_text(encoding="utf-8")) if out_json.exists() else {}
    console.print(f"[yellow]baseline did not finish in {args.baseline_timeout:.0f} s; graph on a sample[/]")
    sample = min(args.sample_members, members)
    sampled_json = OUT / f"analytics-baseline-sample-{stamp}.json"
    cmd = [*cmd[:-1], str(sampled_json), "--sample-members", str(sample)]
    srun = measure(cmd, f"baseline, graph on {sample:,} members", OUT / f"analytics-baseline-sample-{stamp}.log")
    run["partial_figures"] = partial
    run["sample_run"] = srun
    run["sampled"] = True
    if srun["returncode"] == 0:
        run["figures"] = sampled = json.loads(sampled_json.read_text(encoding="utf-8"))
        graph = sampled["influence"]["graph"]
        graph_s = sum(sampled["influence"]["graph_seconds"].values())
        # PageRank iterations and the k-core peel are linear in vertices + edges.
        factor = graph["full_vertices_plus_edges"] / max(graph["vertices"] + graph["edges"], 1)
        run["extrapolated_influence_seconds"] = round(sampled["seconds"]["influence"] - graph_s + graph_s * factor, 1)
        run["extrapolation"] = (
            f"graph on {sample:,} members ({graph['edges']:,} edges): {graph_s:.1f} s of networkx, "
            f"x {factor:.1f} (vertices + edges, full / sample), assuming linear cost"
        )
    return run


def compare(report: dict[str, Any], base: dict[str, Any]) -> list[dict[str, Any]]:
    """Headline numbers of both; ``agree`` within a relative tolerance."""
    sec = {s["key"]: s for s in report["sections"]}
    rows: list[dict[str, Any]] = []

    def add(name: str, ours: Any, theirs: Any, rel: float = 1e-6) -> None:
        ok = ours is not None and theirs is not None and abs(ours - theirs) <= rel * max(abs(ours), abs(theirs), 1e-12)
        rows.append({"figure": name, "prosumo": ours, "baseline": theirs, "tolerance": rel, "agree": bool(ok)})

    inv = sec["involvement"]["tables"]["participation_inequality"]
    overall = next(r for r in inv if r["group"] == "(all)")
    bi = base["involvement"]["inequality"]["(all)"]
    for key in ("gini", "top1", "next9", "lurkers"):
        add(f"involvement: {key} (all members)", overall[key], bi[key])
    for r in inv:
        if r["group"] != "(all)" and r["group"] in base["involvement"]["inequality"]:
            add(f"involvement: gini {r['group']}", r["gini"], base["involvement"]["inequality"][r["group"]]["gini"])
    bf = {(r["group"], r["step"]): r["share"] for r in base["involvement"]["funnel"]}
    for r in sec["involvement"]["tables"]["funnel"]:
        add(
            f"involvement: funnel {r['group']} {r['step']}",
            r["share"],
            bf.get((r["group"], r["step"].replace("-", ""))),
        )
    bc = {r["channel"]: r for r in base["channels"]["table"]}
    for r in sec["channels"]["tables"]["channels"]:
        b = bc.get(r["channel"], {})
        for key in ("activation", "retention_90", "accepted_per_100", "cost_per_activated"):
            add(f"channels: {key} {r['channel']}", r.get(key), b.get(key))
    inf = sec["influence"]
    add("influence: prosumers", inf["headline"]["prosumers"], base["influence"]["headline"]["prosumers"])
    add("influence: largest core", inf["headline"]["largest_core"], base["influence"]["headline"]["largest_core"])
    for r in inf["tables"]["influence_ratio"]:
        tol = 1e-3 if r["measure"] == "influence" else 1e-6
        add(f"influence: ratio {r['measure']}", r["ratio"], base["influence"]["ratios"].get(r["measure"]), tol)
    return rows


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    figures: dict[str, Any] = {"started_at": _now(), "machine": machine(), "load_at_start": load(), "scale": args.scale}
    console.print(f"machine: {figures['machine']}; load average {figures['load_at_start']}")
    path, gen = dataset(args)
    figures["generation"] = gen
    figures["workers"] = args.workers
    figures["analyze"] = analyze(path, args.repeats, stamp, args.workers)
    report = figures["analyze"].pop("report")
    if not args.no_baseline:
        base = baseline(path, args, stamp, gen["params"]["members"])
        figures["baseline"] = base
        if "figures" in base:
            figures["comparison"] = compare(report, base["figures"])
            figures["ratio"] = ratio(figures)
    figures["finished_at"] = _now()
    figures["load_at_end"] = load()
    (OUT / f"analytics-{stamp}.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    md = summary(figures)
    (OUT / f"analytics-{stamp}.md").write_text(md, encoding="utf-8")
    print(md)
    bad = [r for r in figures.get("comparison", []) if not r["agree"]]
    for r in bad:
        console.print(f"[red]disagree[/] {r['figure']}: prosumo {r['prosumo']} vs baseline {r['baseline']}")
    return 0


def ratio(figures: dict[str, Any]) -> dict[str, Any]:
    """Baseline seconds / prosumo seconds for the three sections (the baseline's load included)."""
    ours = sum(figures["analyze"]["median_section_seconds"][k] for k in SECTIONS)
    base = figures["baseline"]
    secs = dict(base["figures"]["seconds"])
    if base.get("sampled"):
        secs.update({k: v for k, v in base.get("partial_figures", {}).get("seconds", {}).items() if k != "influence"})
        secs["influence"] = base["extrapolated_influence_seconds"]
    theirs_sections = sum(secs[k] for k in SECTIONS)
    out = {
        "prosumo_sections_seconds": round(ours, 2),
        "baseline_sections_seconds": round(theirs_sections, 2),
        "baseline_load_seconds": secs["load"],
        "ratio_with_load": round((theirs_sections + secs["load"]) / ours, 2),
        "ratio_sections_only": round(theirs_sections / ours, 2),
    }
    if base.get("sampled"):
        out["note"] = "baseline influence extrapolated from a sample: " + base["extrapolation"]
    return out


def summary(f: dict[str, Any]) -> str:
    m = f["machine"]
    a = f["analyze"]
    g = f["generation"]
    lines = [
        f"# Analytics benchmark, {f['started_at']}",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, Python {m['python']}.",
        f"Load average at start {f['load_at_start']}, at end {f['load_at_end']}.",
        f"Data: {g['params']['members']:,} members, {g['rows']['events']:,} events (seed {g['params']['seed']}); "
        f"generated in {g['seconds']} s{' (reused)' if g.get('reused') else ''}.",
        "",
        "| run | wall s | peak GiB | load before/after |",
        "|---|---|---|---|",
    ]
    for i, r in enumerate(a["runs"], 1):
        name = "analyze --json" if r.get("with_json") else f"analyze {i}"
        lines.append(f"| {name} | {r['wall_seconds']} | {r['peak_rss_gib']} | {r['load_before']} / {r['load_after']} |")
    lines += [
        f"| **median without --json** | **{a['median_wall_seconds']}** | **{a['median_peak_rss_gib']}** | |",
        "",
        f"Targets: <= {TARGET_SECONDS:g} s wall, <= {TARGET_PEAK_GB:g} GB peak.",
        "",
        "| section | median s |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in a["median_section_seconds"].items()],
    ]
    if "baseline" in f:
        b = f["baseline"]
        lines += [
            "",
            f"Baseline: wall {b['wall_seconds']} s, peak {b['peak_rss_gib']} GiB, timed out: {b['timed_out']}.",
        ]
        if "figures" in b:
            lines.append(
                f"Baseline seconds: {b['figures']['seconds']}; graph: {b['figures']['influence']['graph']}, "
                f"{ {k: round(v, 2) for k, v in b['figures']['influence']['graph_seconds'].items()} }."
            )
        if "ratio" in f:
            lines.append(f"Ratio: {f['ratio']}")
        if b.get("sampled"):
            lines.append(
                f"The baseline's graph was scored on a sample: {b.get('extrapolation')}; "
                "the influence figures below are the sample's and are not expected to agree."
            )
        comp = f.get("comparison", [])
        bad = [r for r in comp if not r["agree"]]
        lines.append(f"Agreement: {len(comp) - len(bad)} of {len(comp)} figures agree.")
        for r in bad:
            lines.append(f"* disagree: {r['figure']}: prosumo {r['prosumo']} vs baseline {r['baseline']}")
    return "\n".join(lines) + "\n"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
