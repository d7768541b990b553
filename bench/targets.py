"""The issue's targets, checked against one run's results: ratios within the run, so that a
faster or slower machine does not move the verdict."""

from __future__ import annotations

from .contenders import LABELS

APP, PREVIOUS = "python", "previous"
DATA_SET = "bytes100"  # the targets' data set
# Throughput: the Python app / another contender >= bound, on the 100-byte set.
THROUGHPUT = (("jvmloop", 0.5), ("confluent", 1.3), ("collect", 3.0), ("java", 0.9))
MICRO_BATCH_VS_PREVIOUS = 0.5  # p99 at 1,000 records/s <= half the previous defaults'
REAL_TIME_VS_PREVIOUS = 1.1  # "does not regress": within 10%, this machine's noise
STARTUP_VS_PREVIOUS = 1.1  # warm start-up within 10% of the previous defaults'
# Absolute bounds from the first benchmark issue, kept as a floor.
MICRO_BATCH_P99_MS = 1500
REAL_TIME_P99_MS = 100
WARM_START_S = 25


def rate_of(results: dict, contender: str, data_set: str = DATA_SET) -> float | None:
    return results.get("throughput", {}).get(data_set, {}).get(contender, {}).get(
        "records_per_s")


def row(what: str, value: float | None, bound: float, shown: str, more_is_better: bool,
        detail_missing: str = "") -> dict:
    if value is None:
        return {"target": what, "measured": "not measured", "met": None,
                "detail": detail_missing}
    met = value >= bound if more_is_better else value <= bound
    if met:
        detail = ""
    elif more_is_better:
        detail = f"missed by {(1 - value / bound) * 100:.0f}%"
    else:
        detail = f"over by {(value / bound - 1) * 100:.0f}%"
    return {"target": what, "measured": shown, "value": round(value, 3), "bound": bound,
            "met": met, "detail": detail}


def targets(results: dict) -> list[dict]:
    rows = []
    if DATA_SET in results.get("throughput", {}):
        app = rate_of(results, APP)
        for other, bound in THROUGHPUT:
            theirs = rate_of(results, other)
            ratio = app / theirs if app and theirs else None
            error = results["throughput"][DATA_SET].get(other, {}).get("error", "")
            rows.append(row(f"Python app >= {bound}x {LABELS[other]}", ratio, bound,
                            f"{ratio:.2f}x" if ratio else "", True, error))
    lat = results.get("latency", {})
    p99 = {key: point.get("rates", {}).get("1000", {}).get("p99_ms")
           for key, point in lat.items()}
    if f"{APP}/micro-batch" in lat:
        mine, before = p99.get(f"{APP}/micro-batch"), p99.get(f"{PREVIOUS}/micro-batch")
        ratio = mine / before if mine and before else None
        rows.append(row("micro-batch p99 at 1,000 records/s <= 0.5x the previous defaults'",
                        ratio, MICRO_BATCH_VS_PREVIOUS,
                        f"{ratio:.2f}x ({mine:,.0f} vs {before:,.0f} ms)" if ratio else "",
                        False))
    if f"{APP}/real-time" in lat:
        for rate in lat[f"{APP}/real-time"].get("rates", {}):
            mine = lat[f"{APP}/real-time"]["rates"][rate]["p99_ms"]
            before = lat.get(f"{PREVIOUS}/real-time", {}).get("rates", {}).get(rate, {}).get(
                "p99_ms")
            ratio = mine / before if before else None
            rows.append(row(f"real-time p99 at {int(rate):,} records/s <= 1.1x the previous "
                            "defaults'", ratio, REAL_TIME_VS_PREVIOUS,
                            f"{ratio:.2f}x ({mine:,.0f} vs {before:,.0f} ms)" if ratio else "",
                            False))
    su = results.get("startup", {})
    if APP in su:
        mine, before = su[APP].get("warm"), su.get(PREVIOUS, {}).get("warm")
        ratio = mine / before if mine and before else None
        rows.append(row("warm start-up <= 1.1x the previous defaults'", ratio,
                        STARTUP_VS_PREVIOUS,
                        f"{ratio:.2f}x ({mine:.1f} vs {before:.1f} s)" if ratio else "", False))
    for key, point in lat.items():
        variant, mode = key.split("/")
        if variant in ("python", "java", "scala"):
            bound = MICRO_BATCH_P99_MS if mode == "micro-batch" else REAL_TIME_P99_MS
            value = p99.get(key)
            rows.append(row(f"{LABELS[variant].split(' (')[0]}, {mode} p99 <= {bound:,} ms at "
                            "1,000 records/s", value, bound,
                            f"{value:,.0f} ms" if value else "", False, point.get("error", "")))
    for variant, entry in su.items():
        if variant in ("python", "java", "scala"):
            warm = entry.get("warm")
            rows.append(row(f"{LABELS[variant].split(' (')[0]}, warm start-up <= "
                            f"{WARM_START_S} s", warm, WARM_START_S,
                            f"{warm:.1f} s" if warm else "", False))
    return rows
