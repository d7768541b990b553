"""The shared contract vectors: every variant's transform maps each input to its expected output,
and the validating example with the dead-letter routing sends each record where it says."""

import pytest
from records import decode, from_rows, load_vectors, source_frame

from {{ cookiecutter.package_name }}.routing import kafka_records
from {{ cookiecutter.package_name }}.transform import transform, validate_json

CASES = load_vectors()
DEAD_LETTER_CASES = load_vectors("validate_json")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_transform_meets_contract_vector(spark, case):
    output = transform(source_frame(spark, [decode(case["input"])])).collect()

    assert from_rows(output) == [decode(record) for record in case["expected"]]


def test_all_vectors_in_one_batch_keep_order_and_count(spark):
    inputs = [decode(case["input"]) for case in CASES]

    rows = transform(source_frame(spark, inputs)).collect()

    assert from_rows(rows) == [decode(record) for case in CASES for record in case["expected"]]


def validated_and_routed(spark, inputs: list[dict]) -> list[dict]:
    rows = validate_json(source_frame(spark, inputs))
    return from_rows(kafka_records(rows, "out", "dlq").collect())


@pytest.mark.parametrize("case", DEAD_LETTER_CASES, ids=[c["name"] for c in DEAD_LETTER_CASES])
def test_validating_example_sends_each_record_where_its_vector_says(spark, case):
    output = validated_and_routed(spark, [decode(case["input"])])

    assert output == [decode(record) for record in case["expected"]]


def test_validating_example_routes_all_vectors_in_one_batch(spark):
    output = validated_and_routed(spark, [decode(case["input"]) for case in DEAD_LETTER_CASES])

    assert output == [decode(record) for case in DEAD_LETTER_CASES
                      for record in case["expected"]]
