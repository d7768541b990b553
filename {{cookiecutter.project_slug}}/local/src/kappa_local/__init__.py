"""kappa-local: the local infrastructure of a generated Spark/Kafka project, as a library.

A real Apache Kafka broker (plain, SASL_SSL or mutual TLS) and a local cluster (Spark
standalone with Workers, 3 Kafka nodes), started from Maven Central jars without Docker;
console commands for them (kafka-up, cluster-up, ...); pytest fixtures and test helpers
for end-to-end tests. See the README next to this package's pyproject.toml.
"""

from .processes import LocalError

__all__ = ["LocalError"]
__version__ = "1.0.0"
