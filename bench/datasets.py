"""The data sets every contender drains: what a record looks like in each.

- bytes100: 100-byte random values, no key, no headers (incompressible; the original set).
- json500: JSON values of about 500 bytes (an order event), a key (the customer) and two
  headers, as a realistic payload: compressible text, keys to partition by, headers to carry.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass

Record = tuple[bytes | None, bytes, list[tuple[str, bytes]] | None]  # key, value, headers

POOL = 4096  # distinct records, cycled: no two records of a producer batch are the same


@dataclass(frozen=True)
class DataSet:
    name: str
    label: str

    def pool(self) -> list[Record]:
        return POOLS[self.name]()

    def value_bytes(self) -> float:
        """Mean value size, for MB/s."""
        pool = self.pool()
        return sum(len(value) for _, value, _ in pool) / len(pool)


def bytes100() -> list[Record]:
    data = os.urandom(100 + POOL)
    return [(None, data[i:i + 100], None) for i in range(POOL)]


WORDS = ["express", "standard", "pickup", "gift-wrap", "fragile", "priority", "insured",
         "weekend", "evening", "morning", "contactless", "doorstep", "locker", "return",
         "exchange", "bundle"]
SKUS = [f"SKU-{n:05d}" for n in range(0, 50_000, 37)]
COUNTRIES = ("DE", "FR", "NL", "SE", "PL", "ES", "IT", "US", "GB", "JP")


def json500() -> list[Record]:
    rng = random.Random(16)  # the same records on every run
    records = []
    for i in range(POOL):
        customer = rng.randrange(100_000)
        items = [{"sku": rng.choice(SKUS), "qty": rng.randint(1, 5),
                  "price": round(rng.uniform(1, 250), 2)} for _ in range(rng.randint(2, 4))]
        order = {
            "order_id": f"{rng.getrandbits(64):016x}",
            "customer": {"id": customer, "country": rng.choice(COUNTRIES),
                         "segment": rng.choice(("new", "returning", "vip"))},
            "created_at": f"2026-11-{1 + i % 28:02d}T{rng.randrange(24):02d}:"
                          f"{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z",
            "items": items,
            "total": round(sum(x["qty"] * x["price"] for x in items), 2),
            "currency": "EUR",
            "shipping": {"method": rng.choice(WORDS[:3]),
                         "notes": " ".join(rng.choices(WORDS, k=4))},
        }
        value = json.dumps(order, separators=(",", ":"))
        pad = 500 - len(value) - len(',"comment":""')
        if pad > 0:
            order["comment"] = " ".join(rng.choices(WORDS, k=60))[:pad]
            value = json.dumps(order, separators=(",", ":"))
        trace = f"{rng.getrandbits(128):032x}".encode()
        headers = [("source", b"web-checkout"), ("trace-id", trace)]
        records.append((f"customer-{customer}".encode(), value.encode(), headers))
    return records


POOLS = {"bytes100": bytes100, "json500": json500}
SETS = {
    "bytes100": DataSet("bytes100", "100 B random values, no key, no headers"),
    "json500": DataSet("json500", "~500 B JSON values, a key and two headers"),
}
