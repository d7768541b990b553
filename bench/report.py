"""The benchmark's outputs: results.json, results.md (ratios first) and chart.png."""

from __future__ import annotations

import json
from pathlib import Path

APP = "python"
MICRO_BATCH_P99_MS = 1500
REAL_TIME_P99_MS = 100
WARM_START_S = 25


def write(results: dict, out: Path, labels: dict) -> None:
    results["targets"] = targets(results, labels)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(markdown(results, labels))
    chart(results, out / "chart.png", labels)


# ---------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------


def rate_of(results: dict, contender: str) -> float | None:
    entry = results.get("throughput", {}).get(contender, {})
    return entry.get("records_per_s")


def targets(results: dict, labels: dict) -> list[dict]:
    rows = []
    app = rate_of(results, APP)
    for other, bound, what in (("java", 0.9, "Python app >= 0.9x the Java app's throughput"),
                               ("collect", 3.0, "Python app >= 3x pattern (a)"),
                               ("confluent", 1.0, "Python app >= 1x the confluent-kafka loop (b)")):
        if "throughput" not in results:
            continue
        theirs = rate_of(results, other)
        if not app or not theirs:
            rows.append({"target": what, "measured": "not measured", "met": None,
                         "detail": results.get("throughput", {}).get(other, {}).get("error", "")})
            continue
        ratio = app / theirs
        met = ratio >= bound
        detail = "" if met else f"missed by {(1 - ratio / bound) * 100:.0f}% " \
                                f"(needs {bound * theirs - app:,.0f} more records/s)"
        rows.append({"target": what, "measured": f"{ratio:.2f}x", "value": round(ratio, 3),
                     "bound": bound, "met": met, "detail": detail})
    for key, point in results.get("latency", {}).items():
        variant, mode = key.split("/")
        bound = MICRO_BATCH_P99_MS if mode == "micro-batch" else REAL_TIME_P99_MS
        rates = point.get("rates", {})
        wanted = ["1000"] if mode == "micro-batch" else list(rates) or ["1000"]
        for rate in wanted:
            what = (f"{labels[variant].split(' (')[0]}, {mode} p99 <= {bound:,} ms "
                    f"at {int(rate):,} records/s")
            if rate not in rates:
                rows.append({"target": what, "measured": "not measured", "met": None,
                             "detail": point.get("error", "")})
                continue
            p99 = rates[rate]["p99_ms"]
            met = p99 <= bound
            detail = "" if met else f"over by {p99 - bound:,.0f} ms ({p99 / bound:.1f}x the bound)"
            rows.append({"target": what, "measured": f"{p99:,.0f} ms", "value": p99,
                         "bound": bound, "met": met, "detail": detail})
    for variant, entry in results.get("startup", {}).items():
        what = (f"{labels[variant].split(' (')[0]}, warm start-up to first output "
                f"<= {WARM_START_S} s")
        warm = entry.get("warm")
        if warm is None:
            rows.append({"target": what, "measured": "not measured", "met": None, "detail": ""})
            continue
        met = warm <= WARM_START_S
        detail = "" if met else f"over by {warm - WARM_START_S:.1f} s"
        rows.append({"target": what, "measured": f"{warm:.1f} s", "value": warm,
                     "bound": WARM_START_S, "met": met, "detail": detail})
    return rows


# ---------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------


def fmt(value, spec: str = ",.0f", none: str = "n/a") -> str:
    return none if value is None else format(value, spec)


def markdown(r: dict, labels: dict) -> str:
    s, m, v = r["settings"], r["machine"], r.get("versions", {})
    lines = [
        f"# Benchmark results ({'quick' if s['quick'] else 'full'} run)",
        "",
        *(["**A QUICK run is a smoke test of the harness, not a measurement**: with so few "
           "records and such short windows, fixed start-up costs (JVM warm-up, the first "
           "batch) dominate, so its numbers and target verdicts mean little. Use the full "
           "run.", ""] if s["quick"] else []),
        f"{s['records']:,} records x {s['record_size']} B values preloaded; {s['partitions']} "
        f"partitions per topic; Spark `{s['spark_master']}`; {s['reps']} throughput run(s) per "
        f"contender (median); latency windows {s['warmup_s']:.0f} s warm-up + "
        f"{s['window_s']:.0f} s measured per rate; backlog cap "
        f"{fmt(s['max_offsets_per_trigger'], ',', 'none')} records per micro-batch.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, {m['os']}.",
        "",
        "Load from other processes (CPU cores they used, sampled every 5 s): "
        + "; ".join(f"{x['part']}: mean {x['other_cores_mean']}, max {x['other_cores_max']} "
                    f"({x['busy_samples_pct']}% of samples > 0.3), hypervisor steal "
                    f"{x.get('steal_pct_mean', '?')}%" for x in r.get("load", []))
        + ".",
        "",
    ]
    if v:
        lines += [
            f"Versions: Spark {v['spark']}, connector `{v['connector']}` (kafka-clients "
            f"{v['connector_kafka_clients']}), Kafka broker {v['kafka_broker']}, Python "
            f"{v['python']}, {v['java']}, Scala {v['scala'] or 'n/a'}, confluent-kafka "
            f"{v['confluent_kafka']} (librdkafka {v['librdkafka']}).",
            "",
        ]
    if r.get("targets"):
        lines += ["## Targets", "", "| target | measured | met | |", "|---|---|---|---|"]
        for t in r["targets"]:
            met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
            lines.append(f"| {t['target']} | {t['measured']} | {met} | {t['detail']} |")
        lines.append("")
    tp = r.get("throughput")
    if tp:
        app = rate_of(r, APP)
        lines += ["## Throughput ratios (each contender / the generated Python app)", "",
                  "| contender | x Python app |", "|---|---|"]
        for key, entry in tp.items():
            ratio = entry["records_per_s"] / app if app and entry.get("records_per_s") else None
            lines.append(f"| {labels[key]} | {fmt(ratio, '.2f')}x |" if ratio is not None
                         else f"| {labels[key]} | n/a |")
        lines += ["", "## Throughput (backlog, available-now)", "",
                  "| contender | records/s | MB/s | seconds | runs (records/s) "
                  "| steady records/s | CPU µs/record: contender + broker | other procs' cores |",
                  "|---|---|---|---|---|---|---|---|"]
        for key, entry in tp.items():
            if entry.get("error"):
                lines.append(f"| {labels[key]} | failed | | | {entry['error'][:120]} |")
                continue
            runs = ", ".join(fmt(x) for x in entry["runs"])
            lines.append(f"| {labels[key]} | {fmt(entry['records_per_s'])} | "
                         f"{entry['mb_per_s']:.1f} | {entry['seconds']:.1f} | {runs} | "
                         f"{fmt(entry.get('steady_records_per_s'))} | "
                         f"{cpu_cell(entry)} | {fmt(entry.get('other_cores'), '.2f', '')}"
                         f"{' (all runs disturbed)' if entry.get('only_disturbed_runs') else ''}"
                         " |")
        lines.append("")
    lat = r.get("latency")
    if lat:
        lines += ["## End-to-end latency (produce -> output topic append)", "",
                  "| variant | trigger | records/s | p50 ms | p95 ms | p99 ms | max ms | samples "
                  "| median batch ms | other procs' cores |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for key, point in lat.items():
            variant, _mode = key.split("/")
            name = labels[variant].split(" (")[0]
            if not point.get("rates"):
                lines.append(f"| {name} | `{point.get('trigger', '')}` | | failed | | | | "
                             f"{point.get('error', '')[:120]} | | |")
            for rate, x in point.get("rates", {}).items():
                lines.append(f"| {name} | `{point['trigger']}` | {int(rate):,} | "
                             f"{fmt(x['p50_ms'])} | {fmt(x['p95_ms'])} | {fmt(x['p99_ms'])} | "
                             f"{fmt(x['max_ms'])} | {x['samples']:,} | "
                             f"{fmt(point.get('median_batch_ms'), ',.0f', '')} | "
                             f"{fmt(point.get('other_cores'), '.2f', '')} |")
            for rate, x in point.get("rates", {}).items():
                if abs(x.get("input_rate_achieved", int(rate)) / int(rate) - 1) > 0.05:
                    lines.append(f"| {name} | `{point['trigger']}` | note | the producer "
                                 f"reached {x['input_rate_achieved']:,.0f} of {int(rate):,} "
                                 "records/s | | | | | | |")
            if point.get("rates") and point.get("error"):
                lines.append(f"| {name} | `{point['trigger']}` | note | {point['error'][:120]} "
                             "| | | | | | |")
        lines.append("")
    su = r.get("startup")
    if su:
        lines += ["## Start-up: command start -> first output record", "",
                  "| variant | cold s | warm s | runs cold / warm |", "|---|---|---|---|"]
        for variant, x in su.items():
            runs = f"{x['cold_runs']} / {x['warm_runs']}"
            lines.append(f"| {labels[variant].split(' (')[0]} | {fmt(x['cold'], '.1f')} | "
                         f"{fmt(x['warm'], '.1f')} | {runs} |")
        load = r.get("startup_load")
        if load:
            lines += ["", f"Other processes used {load['other_cores_mean']} cores on average "
                          f"during the start-ups (max {load['other_cores_max']})."]
        lines.append("")
    wait = r.get("idle_wait")
    if wait:
        lines += [f"Before measuring, the run waited {wait['waited_s']} s for other processes "
                  f"to go quiet ({'they did' if wait['quiet'] else 'they did not'}: "
                  f"{wait['other_cores']} cores busy at the start).", ""]
    if r.get("notes"):
        lines += ["## Notes", "", *[f"- {n}" for n in r["notes"]], ""]
    lines += [f"Total run time: {r['total_seconds'] // 60} min {r['total_seconds'] % 60} s.", ""]
    return "\n".join(lines)


def cpu_cell(entry: dict) -> str:
    mine, broker = entry.get("cpu_us_per_record"), entry.get("broker_cpu_us_per_record")
    if mine is None:
        return ""
    return f"{mine:.1f} + {fmt(broker, '.1f')}"


# ---------------------------------------------------------------------------------------
# Chart
# ---------------------------------------------------------------------------------------


def chart(r: dict, path: Path, labels: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(16, 10), dpi=110)
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.05], width_ratios=[2.2, 1])
    throughput_chart(fig.add_subplot(grid[0, :]), r, labels)
    latency_chart(fig.add_subplot(grid[1, 0]), r, labels)
    startup_chart(fig.add_subplot(grid[1, 1]), r, labels)
    s, m = r["settings"], r["machine"]
    fig.suptitle(f"Kafka -> Spark -> Kafka on {m['cores']} cores / {m['memory_gib']:.0f} GiB: "
                 f"{s['records']:,} x {s['record_size']} B records"
                 f"{' (QUICK run)' if s['quick'] else ''}", fontsize=14)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def throughput_chart(ax, r: dict, labels: dict) -> None:
    tp = r.get("throughput", {})
    items = [(k, e) for k, e in tp.items() if e.get("records_per_s")]
    if not items:
        ax.text(0.5, 0.5, "throughput: not measured", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    app = rate_of(r, APP)
    items.reverse()
    names = [labels[k] for k, _ in items]
    values = [e["records_per_s"] / 1000 for _, e in items]
    # One far-off ceiling (the read-only consumer) would squash every other bar: clip it.
    ordered = sorted(values)
    limit = ordered[-1]
    if len(ordered) > 1 and ordered[-1] > 2.5 * ordered[-2]:
        limit = ordered[-2] * 1.25
    colors = ["#1f77b4" if k in ("python", "java", "scala") else
              "#d62728" if k == "collect" else "#7f7f7f" for k, _ in items]
    bars = ax.barh(names, [min(v, limit) for v in values], color=colors)
    for bar, (key, entry), value in zip(bars, items, values, strict=True):
        ratio = f" = {entry['records_per_s'] / app:.2f}x the app" if app and key != APP else ""
        clipped = " (bar clipped)" if value > limit else ""
        ax.text(bar.get_width() + limit * 0.01, bar.get_y() + bar.get_height() / 2,
                f"{value:,.1f}k records/s, {entry['mb_per_s']:.1f} MB/s{ratio}{clipped}",
                va="center", fontsize=9)
    ax.set_xlim(0, limit * 1.7)
    ax.set_xlabel("thousand records/s (median), backlog drained with available-now")
    ax.set_title("Throughput (blue: generated apps, red: pattern (a), grey: floors/ceilings)")
    ax.grid(axis="x", alpha=0.3)


def latency_chart(ax, r: dict, labels: dict) -> None:
    lat = r.get("latency", {})
    groups = []
    for key, point in lat.items():
        variant, mode = key.split("/")
        name = labels[variant].split(" ")[0]
        for rate, x in point.get("rates", {}).items():
            groups.append((f"{name}\n{mode.replace('-', '-' + chr(10))}\n{int(rate):,}/s", x))
        if not point.get("rates"):
            groups.append((f"{name}\n{mode}\nfailed", None))
    if not groups:
        ax.text(0.5, 0.5, "latency: not measured", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    width = 0.27
    for i, (q, color) in enumerate((("p50", "#9ecae1"), ("p95", "#4292c6"), ("p99", "#08519c"))):
        xs = [j + (i - 1) * width for j, (_, x) in enumerate(groups) if x]
        ys = [max(x[f"{q}_ms"], 0.6) for _, x in groups if x]
        ax.bar(xs, ys, width, label=q, color=color)
    for j, (_, x) in enumerate(groups):
        if x:
            ax.text(j + width, max(x["p99_ms"], 0.6) * 1.1, f"{x['p99_ms']:,.0f}",
                    ha="center", fontsize=8)
        else:
            ax.text(j, 2, "did not\nstart:\nsee table", ha="center", fontsize=7,
                    color="#7f7f7f")
    ax.axhline(MICRO_BATCH_P99_MS, color="#d62728", ls="--", lw=1,
               label="micro-batch p99 target (1.5 s)")
    ax.axhline(REAL_TIME_P99_MS, color="#ff7f0e", ls="--", lw=1,
               label="real-time p99 target (100 ms)")
    ax.set_yscale("log")
    top = max([MICRO_BATCH_P99_MS] + [x["p99_ms"] for _, x in groups if x])
    ax.set_ylim(0.5, top * 8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g for g, _ in groups], fontsize=7.5)
    ax.set_ylabel("ms, produce -> output topic (log scale)")
    ax.set_title("End-to-end latency at a fixed input rate (p99 labelled)")
    ax.legend(loc="upper center", fontsize=8, ncol=3)
    ax.grid(axis="y", alpha=0.3, which="both")


def startup_chart(ax, r: dict, labels: dict) -> None:
    su = r.get("startup", {})
    if not su:
        ax.text(0.5, 0.5, "start-up: not measured", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    names = list(su)
    width = 0.38
    for i, (kind, color) in enumerate((("cold", "#fdae6b"), ("warm", "#e6550d"))):
        xs = [j + (i - 0.5) * width for j in range(len(names))]
        ys = [su[n][kind] or 0 for n in names]
        bars = ax.bar(xs, ys, width, label=kind, color=color)
        for bar, y in zip(bars, ys, strict=True):
            ax.text(bar.get_x() + bar.get_width() / 2, y + 0.3, f"{y:.1f}", ha="center",
                    fontsize=8)
    ax.axhline(WARM_START_S, color="#d62728", ls="--", lw=1, label="warm target (25 s)")
    top = max([WARM_START_S] + [su[n][k] or 0 for n in names for k in ("cold", "warm")])
    ax.set_ylim(0, top * 1.25)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([labels[n].split(" (")[0] for n in names])
    ax.set_ylabel("seconds, command start -> first output record")
    ax.set_title("Start-up (cold: empty Ivy home)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
