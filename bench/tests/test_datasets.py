import json

from bench.datasets import SETS


def test_json_set_has_500_byte_json_values_keys_and_two_headers():
    pool = SETS["json500"].pool()
    assert len({value for _, value, _ in pool}) == len(pool)
    for key, value, headers in pool[:200]:
        assert len(value) == 500
        assert json.loads(value)["order_id"]
        assert key.startswith(b"customer-")
        assert [name for name, _ in headers] == ["source", "trace-id"]


def test_json_set_is_the_same_on_every_run():
    assert SETS["json500"].pool()[:5] == SETS["json500"].pool()[:5]


def test_bytes_set_has_100_byte_values_without_key_or_headers():
    pool = SETS["bytes100"].pool()
    assert {len(v) for _, v, _ in pool} == {100}
    assert all(k is None and h is None for k, _, h in pool)
