"""`make vectors`: recompute every `expected` in contract/vectors.json by running the Python
transform (and, for validate_json, the example with the app's routing) on its inputs, and
rewrite the file: sorted keys, one line per value, so a changed output is a one-line diff to
review. The Java and Scala contract tests check the same file, so a JVM transform that was not
changed the same way then fails on the cases that differ.

    cd python && python -m tests.contract_vectors
"""

from __future__ import annotations

import json
import sys

from {{ cookiecutter.package_name }}.routing import kafka_records
from {{ cookiecutter.package_name }}.transform import transform, validate_json

from .records import VECTORS, decode, encode, from_rows, local_spark, source_frame

# The topics the routing vectors are written for (test_contract.py uses the same).
OUT_TOPIC, DLQ_TOPIC = "out", "dlq"


def expected_outputs(spark, inputs: list[dict], function) -> list[list[dict]]:
    """For each input record alone, the records `function` (a DataFrame -> DataFrame) makes."""
    return [[encode(record) for record in from_rows(
                function(source_frame(spark, [decode(one)])).collect())]
            for one in inputs]


def routed_validate_json(rows):
    return kafka_records(validate_json(rows), OUT_TOPIC, DLQ_TOPIC)


def recompute(vectors: dict, spark) -> list[str]:
    """Recompute every case's expected outputs in place (inputs and notes stay); returns the
    names of the cases whose outputs changed."""
    changed = []
    for cases, function in ((vectors["cases"], transform),
                            (vectors["validate_json"]["cases"], routed_validate_json)):
        outputs = expected_outputs(spark, [case["input"] for case in cases], function)
        for case, expected in zip(cases, outputs, strict=True):
            if case.get("expected") != expected:
                changed.append(case["name"])
            case["expected"] = expected
    return changed


def dumps(vectors: dict) -> str:
    return json.dumps(vectors, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    before = VECTORS.read_text(encoding="utf-8")
    vectors = json.loads(before)
    spark = local_spark()
    try:
        changed = recompute(vectors, spark)
    finally:
        spark.stop()
    after = dumps(vectors)
    if after == before:
        print(f"vectors: {VECTORS} is up to date")
        return 0
    VECTORS.write_text(after, encoding="utf-8")
    print(f"vectors: rewrote {VECTORS}; expected outputs changed for {len(changed)} case(s)"
          f"{': ' + ', '.join(changed) if changed else ''}. Review them with git diff, and "
          "change the Java and Scala transforms the same way if the project has them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
