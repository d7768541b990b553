"""chart.png: throughput per data set, latency and start-up of one run."""

from __future__ import annotations

from pathlib import Path

from .contenders import ALL, LABELS
from .targets import APP, MICRO_BATCH_P99_MS, PREVIOUS, REAL_TIME_P99_MS, WARM_START_S

COLOURS = {"app": "#1f77b4", "previous": "#9ecae1", "lever": "#6baed6", "baseline": "#d62728",
           "ceiling": "#7f7f7f", "peer": "#2ca02c"}
SHORT = {"python": "Python", "previous": "previous", "java": "Java", "scala": "Scala"}


def chart(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(r.get("throughput", {})) or ["-"]
    rows = max(len(c) for c in r.get("throughput", {"-": {"x": 0}}).values())
    height = [0.5 + 0.32 * rows] * len(sets) + [4.5]
    fig = plt.figure(figsize=(16, sum(height) + 1), dpi=100)
    grid = fig.add_gridspec(len(sets) + 1, 2, height_ratios=height, width_ratios=[2.2, 1])
    for i, name in enumerate(sets):
        throughput_chart(fig.add_subplot(grid[i, :]), r, name)
    latency_chart(fig.add_subplot(grid[-1, 0]), r)
    startup_chart(fig.add_subplot(grid[-1, 1]), r)
    s, m = r["settings"], r.get("machine", {})
    fig.suptitle(f"Kafka -> Kafka pass-through on {m.get('cores', '?')} cores / "
                 f"{m.get('memory_gib', 0):.0f} GiB ({s['mode']} run"
                 f"{', QUICK' if s['quick'] else ''})", fontsize=14)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def throughput_chart(ax, r: dict, data_set: str) -> None:
    tp = r.get("throughput", {}).get(data_set, {})
    items = [(k, e) for k, e in tp.items() if e.get("records_per_s")]
    if not items:
        ax.text(0.5, 0.5, "throughput: not measured", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    base_key = PREVIOUS if r["settings"]["mode"] == "levers" else APP
    base = tp.get(base_key, {}).get("records_per_s")
    items.reverse()
    values = [e["records_per_s"] / 1000 for _, e in items]
    # One far-off ceiling (the read-only consumer) would squash every other bar: clip it.
    ordered = sorted(values)
    limit = ordered[-1]
    if len(ordered) > 1 and ordered[-1] > 2.5 * ordered[-2]:
        limit = ordered[-2] * 1.25
    colours = [COLOURS[ALL[k].group] for k, _ in items]
    bars = ax.barh([LABELS[k] for k, _ in items], [min(v, limit) for v in values],
                   color=colours)
    for bar, (key, entry), value in zip(bars, items, values, strict=True):
        ratio = f" = {entry['records_per_s'] / base:.2f}x" if base and key != base_key else ""
        clipped = " (bar clipped)" if value > limit else ""
        ax.text(bar.get_width() + limit * 0.01, bar.get_y() + bar.get_height() / 2,
                f"{value:,.1f}k/s, {entry['mb_per_s']:.1f} MB/s{ratio}{clipped}",
                va="center", fontsize=8)
    ax.set_xlim(0, limit * 1.6)
    ax.tick_params(axis="y", labelsize=8)
    label = r.get("data_sets", {}).get(data_set, {}).get("label", data_set)
    ax.set_xlabel("thousand records/s (median), backlog drained")
    ax.set_title(f"Throughput, {data_set}: {label} (ratios to {LABELS[base_key]}; blue: "
                 "generated apps, red: baselines, green: peers, grey: ceilings)", fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def latency_chart(ax, r: dict) -> None:
    groups = []
    for key, point in r.get("latency", {}).items():
        contender, mode = key.split("/")
        name = SHORT.get(contender, contender.removeprefix("lever-"))
        for rate, x in point.get("rates", {}).items():
            groups.append((f"{name}\n{mode}\n{int(rate):,}/s", x))
        if not point.get("rates"):
            groups.append((f"{name}\n{mode}\nfailed", None))
    if not groups:
        ax.text(0.5, 0.5, "latency: not measured", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    width = 0.27
    for i, (q, colour) in enumerate((("p50", "#9ecae1"), ("p95", "#4292c6"),
                                     ("p99", "#08519c"))):
        xs = [j + (i - 1) * width for j, (_, x) in enumerate(groups) if x]
        ys = [max(x[f"{q}_ms"], 0.6) for _, x in groups if x]
        ax.bar(xs, ys, width, label=q, color=colour)
    for j, (_, x) in enumerate(groups):
        if x:
            ax.text(j + width, max(x["p99_ms"], 0.6) * 1.1, f"{x['p99_ms']:,.0f}",
                    ha="center", fontsize=7)
    ax.axhline(MICRO_BATCH_P99_MS, color="#d62728", ls="--", lw=1,
               label="micro-batch p99 bound (1.5 s)")
    ax.axhline(REAL_TIME_P99_MS, color="#ff7f0e", ls="--", lw=1,
               label="real-time p99 bound (100 ms)")
    ax.set_yscale("log")
    top = max([MICRO_BATCH_P99_MS] + [x["p99_ms"] for _, x in groups if x])
    ax.set_ylim(0.5, top * 8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g for g, _ in groups], fontsize=6.5)
    ax.set_ylabel("ms, produce -> output topic (log)")
    ax.set_title("End-to-end latency at a fixed input rate (p99 labelled)")
    ax.legend(loc="upper center", fontsize=7, ncol=3)
    ax.grid(axis="y", alpha=0.3, which="both")


def startup_chart(ax, r: dict) -> None:
    su = r.get("startup", {})
    if not su:
        ax.text(0.5, 0.5, "start-up: not measured", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    names = list(su)
    width = 0.38
    for i, (kind, colour) in enumerate((("cold", "#fdae6b"), ("warm", "#e6550d"))):
        xs = [j + (i - 0.5) * width for j in range(len(names))]
        ys = [su[n][kind] or 0 for n in names]
        bars = ax.bar(xs, ys, width, label=kind, color=colour)
        for bar, y in zip(bars, ys, strict=True):
            ax.text(bar.get_x() + bar.get_width() / 2, y + 0.3, f"{y:.1f}", ha="center",
                    fontsize=8)
    ax.axhline(WARM_START_S, color="#d62728", ls="--", lw=1, label="warm bound (25 s)")
    top = max([WARM_START_S] + [su[n][k] or 0 for n in names for k in ("cold", "warm")])
    ax.set_ylim(0, top * 1.25)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels([LABELS[n].replace("Python app, ", "").split(" (")[0] for n in names],
                       fontsize=8)
    ax.set_ylabel("seconds, command start -> first output")
    ax.set_title("Start-up (cold: empty Ivy home)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
