# A local cluster on 127.0.0.1 (no Docker): a Spark standalone Master with 2 Workers, from the
# venv's pyspark, and 3 Kafka nodes (KRaft). Included by the root Makefile; see cluster/README.md.
#
#   make cluster-up       start it, create $(KAFKA_TOPICS) with 3 replicas (2 in sync), wait
#                         until it is whole, print the master URL and the bootstrap servers
#   make cluster-status   what runs
#   make cluster-down     stop all of it, even after a kill -9 of any process
#   make e2e-cluster      the fault tests: brokers, executors and Workers killed mid-stream
#
# Settings, from the environment or the make command line (make cluster-up CLUSTER_SPARK_PORT=7177):
#   CLUSTER_DIR (.cluster), CLUSTER_KAFKA_PORT (19092), CLUSTER_SPARK_PORT (7077),
#   CLUSTER_SPARK_WEBUI_PORT (8080), CLUSTER_WORKERS (2), CLUSTER_WORKER_CORES (1),
#   CLUSTER_WORKER_MEMORY (1g), CLUSTER_PARTITIONS (2), CLUSTER_START_TIMEOUT (300).

CLUSTER_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: cluster-up cluster-down cluster-status e2e-cluster

cluster-up: install ## start a local Spark standalone cluster (2 Workers) and 3 Kafka nodes
	@$(PY) $(CLUSTER_MK_DIR)/cluster.py up --topics '$(strip $(KAFKA_TOPICS))'

cluster-down: ## stop the local cluster, whatever state it is in
	@$(PYTHON3) $(CLUSTER_MK_DIR)/cluster.py down

cluster-status: ## what runs of the local cluster
	@$(PYTHON3) $(CLUSTER_MK_DIR)/cluster.py status || true

e2e-cluster: install ## fault tests on a local cluster: nodes killed mid-stream, nothing lost
	@cd python && $(PY) -m pytest -q -m cluster $(PYTEST_ARGS)
