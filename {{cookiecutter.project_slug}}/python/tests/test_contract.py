"""The shared contract vectors: every variant's transform maps each input to its expected
outputs, and the validating example with the dead-letter routing sends each record where they
say. After changing the transform on purpose, `make vectors` rewrites the expected outputs."""

import pytest

from {{ cookiecutter.package_name }}.routing import kafka_records
from {{ cookiecutter.package_name }}.transform import transform, validate_json

from .contract_vectors import DLQ_TOPIC, OUT_TOPIC
from .records import decode, encode, from_rows, load_vectors, source_frame

CASES = load_vectors()
DEAD_LETTER_CASES = load_vectors("validate_json")
STALE = ("the output differs from contract/vectors.json; if the transform changed on purpose, "
         "run `make vectors` and review the diff")


def outputs(rows) -> list[dict]:
    """Records as contract/vectors.json writes them (text, or {"base64": ...})."""
    return [encode(record) for record in from_rows(rows.collect())]


def expected(cases) -> list[dict]:
    return [record for case in cases for record in case["expected"]]


def validated_and_routed(spark, inputs: list[dict]) -> list[dict]:
    rows = validate_json(source_frame(spark, [decode(record) for record in inputs]))
    return outputs(kafka_records(rows, OUT_TOPIC, DLQ_TOPIC))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_transform_meets_contract_vector(spark, case):
    output = outputs(transform(source_frame(spark, [decode(case["input"])])))

    assert output == case["expected"], f"case {case['name']!r}: {STALE}"


def test_all_vectors_in_one_batch_keep_order_and_count(spark):
    inputs = [decode(case["input"]) for case in CASES]

    output = outputs(transform(source_frame(spark, inputs)))

    assert output == expected(CASES), f"all cases in one batch: {STALE}"


@pytest.mark.parametrize("case", DEAD_LETTER_CASES, ids=[c["name"] for c in DEAD_LETTER_CASES])
def test_validating_example_sends_each_record_where_its_vector_says(spark, case):
    output = validated_and_routed(spark, [case["input"]])

    assert output == case["expected"], f"validate_json case {case['name']!r}: {STALE}"


def test_validating_example_routes_all_vectors_in_one_batch(spark):
    output = validated_and_routed(spark, [case["input"] for case in DEAD_LETTER_CASES])

    assert output == expected(DEAD_LETTER_CASES), f"validate_json, one batch: {STALE}"
