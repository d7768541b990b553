import os

import pytest


@pytest.fixture(scope="session")
def spark():
    """A small local SparkSession for unit tests: no Kafka, no connector download."""
    from pyspark.sql import SparkSession

    os.environ.pop("SPARK_CONF_DIR", None)  # the project's conf pulls the Kafka connector
    session = (
        SparkSession.builder.master("local[1]")
        .appName("unit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
