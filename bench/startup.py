"""Start-up: from launching the command to the first record on the output topic."""

from __future__ import annotations

import shutil
import statistics
import time

from . import measure
from .common import say
from .contenders import MICRO_BATCH, Contender
from .datasets import SETS
from .project import Runner
from .settings import Settings


def startup(s: Settings, runner: Runner, contenders: list[Contender]) -> tuple[dict, dict]:
    """Cold: a fresh, empty Ivy home (the connector and its dependencies are resolved and
    copied again; Ivy reads ~/.m2 first, then Maven Central) and a fresh checkpoint. Warm: the
    same command again with that Ivy home. Rounds interleave the contenders."""
    bootstrap = runner.bootstrap
    measure.create_topics(bootstrap, ["startup-in"], s.partitions, log_append_time=False)
    measure.preload(bootstrap, "startup-in", 1000, SETS["bytes100"].pool(), say)
    results = {c.key: {"cold": [], "warm": []} for c in contenders}
    loads: list[float] = []
    for rep in range(1, s.startup_reps + 1):
        for c in contenders:
            ivy = runner.work / f"ivy-{c.key}-{rep}"
            shutil.rmtree(ivy, ignore_errors=True)
            for kind in ("cold", "warm"):
                out_topic = f"startup-{c.key}-{kind}-{rep}"
                measure.create_topics(bootstrap, [out_topic], s.partitions)
                say(f"start-up {rep}/{s.startup_reps}: {c.label}, {kind} "
                    f"(Ivy home {'empty' if kind == 'cold' else 'filled'})")
                proc = runner.spark(c, "startup-in", out_topic, MICRO_BATCH, ivy=ivy)
                try:
                    first_ms = measure.wait_for_first(bootstrap, out_topic, 300,
                                                      alive=proc.alive)
                finally:
                    proc.stop(60)
                load = runner.load_during(proc.launched, (first_ms or 0) / 1000 or time.time())
                loads.append(load.get("other_cores", 0))
                if first_ms is None:
                    results[c.key][kind].append(None)
                    say(f"  FAILED: no output (exit {proc.popen.returncode}): {proc.tail(3)}")
                    continue
                seconds = round(first_ms / 1000 - proc.launched, 2)
                results[c.key][kind].append(seconds)
                say(f"  first output record after {seconds:.1f} s")
    summary = {}
    for key, kinds in results.items():
        summary[key] = {}
        for kind, values in kinds.items():
            good = [v for v in values if v is not None]
            summary[key][kind] = round(statistics.median(good), 2) if good else None
            summary[key][f"{kind}_runs"] = values
    load = {"other_cores_mean": round(statistics.mean(loads), 2),
            "other_cores_max": max(loads)} if loads else {}
    return summary, load
