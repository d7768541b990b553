"""The benchmark's outputs: results.json, results.md (targets and ratios first) and chart.png."""

from __future__ import annotations

import json
from pathlib import Path

from .contenders import LABELS
from .targets import APP, PREVIOUS, targets


def write(results: dict, out: Path) -> None:
    results["targets"] = targets(results)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(markdown(results))
    from . import chart

    chart.chart(results, out / "chart.png")


def fmt(value, spec: str = ",.0f", none: str = "n/a") -> str:
    return none if value is None else format(value, spec)


def markdown(r: dict) -> str:
    s, m, v = r["settings"], r.get("machine", {}), r.get("versions", {})
    lines = [f"# Benchmark results ({'quick' if s['quick'] else 'full'} {s['mode']} run)", ""]
    if s["quick"]:
        lines += ["**A QUICK run is a smoke test of the harness, not a measurement**: with so "
                  "few records and such short windows, fixed start-up costs (JVM warm-up, the "
                  "first batch) dominate, so its numbers and target verdicts mean little.", ""]
    records = "; ".join(f"{name}: {x['records']:,} records, {x['label']}"
                        for name, x in r.get("data_sets", {}).items())
    lines += [
        f"Data sets: {records or 'none'}. {s['partitions']} partitions per topic; Spark "
        f"`{s['spark_master']}`; {s['reps']} throughput run(s) per contender (median); latency "
        f"windows {s['warmup_s']:.0f} s warm-up + {s['window_s']:.0f} s measured per rate; "
        f"backlog cap {fmt(s['max_offsets_per_trigger'], ',', 'none')} records per micro-batch.",
        "",
    ]
    if m:
        lines += [f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, "
                  f"{m['os']}.", ""]
    if r.get("load"):
        lines += ["Load from other processes (CPU cores they used, sampled every 5 s): "
                  + "; ".join(f"{x['part']}: mean {x['other_cores_mean']}, max "
                              f"{x['other_cores_max']} ({x['busy_samples_pct']}% of samples "
                              f"> 0.3), steal {x.get('steal_pct_mean', '?')}%"
                              for x in r["load"]) + ".", ""]
    if v:
        lines += ["Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".", ""]
    if r.get("targets") and s["mode"] == "compare":
        lines += ["## Targets", "", "| target | measured | met | |", "|---|---|---|---|"]
        for t in r["targets"]:
            met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
            lines.append(f"| {t['target']} | {t['measured']} | {met} | {t['detail']} |")
        lines.append("")
    lines += throughput_md(r)
    lines += latency_md(r)
    lines += startup_md(r)
    if r.get("profile"):
        from . import profile_app

        lines += profile_app.markdown(r["profile"])
    wait = r.get("idle_wait")
    if wait:
        lines += [f"Before measuring, the run waited {wait['waited_s']} s for other processes "
                  f"to go quiet ({'they did' if wait['quiet'] else 'they did not'}: "
                  f"{wait['other_cores']} cores busy at the start).", ""]
    if r.get("notes"):
        lines += ["## Notes", "", *[f"- {n}" for n in r["notes"]], ""]
    lines += [f"Total run time: {r['total_seconds'] // 60} min {r['total_seconds'] % 60} s.", ""]
    return "\n".join(lines)


def throughput_md(r: dict) -> list[str]:
    tp = r.get("throughput")
    if not tp:
        return []
    base = PREVIOUS if r["settings"]["mode"] == "levers" else APP
    keys = list(dict.fromkeys(k for sets in tp.values() for k in sets))
    names = list(tp)
    lines = [f"## Throughput ratios (each contender / {LABELS[base]})", "",
             "| contender | " + " | ".join(f"x, {n}" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for key in keys:
        cells = []
        for name in names:
            mine = tp[name].get(key, {}).get("records_per_s")
            theirs = tp[name].get(base, {}).get("records_per_s")
            cells.append(f"{mine / theirs:.2f}x" if mine and theirs else
                         ("failed" if key in tp[name] else ""))
        lines.append(f"| {LABELS[key]} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, summary in tp.items():
        lines += [f"## Throughput, {name} (backlog, available-now)", "",
                  "| contender | records/s | MB/s | seconds | runs (records/s) "
                  "| steady records/s | CPU µs/record: contender + broker | other procs' cores |",
                  "|---|---|---|---|---|---|---|---|"]
        for key, entry in summary.items():
            if entry.get("error"):
                lines.append(f"| {LABELS[key]} | failed | | | {entry['error'][:160]} | | | |")
                continue
            runs = ", ".join(fmt(x) for x in entry["runs"])
            lines.append(f"| {LABELS[key]} | {fmt(entry['records_per_s'])} | "
                         f"{entry['mb_per_s']:.1f} | {entry['seconds']:.1f} | {runs} | "
                         f"{fmt(entry.get('steady_records_per_s'))} | {cpu_cell(entry)} | "
                         f"{fmt(entry.get('other_cores'), '.2f', '')}"
                         f"{' (all runs disturbed)' if entry.get('only_disturbed_runs') else ''}"
                         " |")
        lines.append("")
    return lines


def latency_md(r: dict) -> list[str]:
    lat = r.get("latency")
    if not lat:
        return []
    lines = ["## End-to-end latency (produce -> output topic append)", "",
             "| contender | trigger | records/s | p50 ms | p95 ms | p99 ms | max ms | samples "
             "| median batch ms | other procs' cores |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for key, point in lat.items():
        name = LABELS[key.split("/")[0]]
        if not point.get("rates"):
            lines.append(f"| {name} | `{point.get('trigger', '')}` | | failed | | | | "
                         f"{point.get('error', '')[:120]} | | |")
        for rate, x in point.get("rates", {}).items():
            lines.append(f"| {name} | `{point['trigger']}` | {int(rate):,} | "
                         f"{fmt(x['p50_ms'])} | {fmt(x['p95_ms'])} | {fmt(x['p99_ms'])} | "
                         f"{fmt(x['max_ms'])} | {x['samples']:,} | "
                         f"{fmt(point.get('median_batch_ms'), ',.0f', '')} | "
                         f"{fmt(point.get('other_cores'), '.2f', '')} |")
            if abs(x.get("input_rate_achieved", int(rate)) / int(rate) - 1) > 0.05:
                lines.append(f"| {name} | `{point['trigger']}` | note | the producer reached "
                             f"{x['input_rate_achieved']:,.0f} of {int(rate):,} records/s "
                             "| | | | | | |")
        if point.get("rates") and point.get("error"):
            lines.append(f"| {name} | `{point['trigger']}` | note | {point['error'][:120]} "
                         "| | | | | | |")
    lines.append("")
    return lines


def startup_md(r: dict) -> list[str]:
    su = r.get("startup")
    if not su:
        return []
    lines = ["## Start-up: command start -> first output record", "",
             "| contender | cold s | warm s | runs cold / warm |", "|---|---|---|---|"]
    for key, x in su.items():
        lines.append(f"| {LABELS[key]} | {fmt(x['cold'], '.1f')} | {fmt(x['warm'], '.1f')} | "
                     f"{x['cold_runs']} / {x['warm_runs']} |")
    load = r.get("startup_load")
    if load:
        lines += ["", f"Other processes used {load['other_cores_mean']} cores on average "
                      f"during the start-ups (max {load['other_cores_max']})."]
    lines.append("")
    return lines


def cpu_cell(entry: dict) -> str:
    mine, broker = entry.get("cpu_us_per_record"), entry.get("broker_cpu_us_per_record")
    if mine is None:
        return ""
    return f"{mine:.1f} + {fmt(broker, '.1f')}"
