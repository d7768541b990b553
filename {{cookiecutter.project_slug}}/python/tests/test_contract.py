"""The shared contract vectors: every variant's transform maps each input to its expected output."""

import pytest
from records import decode, from_rows, load_vectors, source_frame

from {{ cookiecutter.package_name }}.transform import transform

CASES = load_vectors()


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_transform_meets_contract_vector(spark, case):
    output = transform(source_frame(spark, [decode(case["input"])])).collect()

    assert from_rows(output) == [decode(case["expected"])]


def test_all_vectors_in_one_batch_keep_order_and_count(spark):
    inputs = [decode(case["input"]) for case in CASES]

    rows = transform(source_frame(spark, inputs)).collect()

    assert from_rows(rows) == [decode(case["expected"]) for case in CASES]
