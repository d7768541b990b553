# A local Apache Kafka broker (KRaft, single node, no Docker): included by the root Makefile.
# See kafka/README.md.
#
#   make kafka-up       start it on 127.0.0.1:$(KAFKA_PORT) (9092) and create $(KAFKA_TOPICS)
#   make kafka-up KAFKA_SECURITY=sasl_ssl   the same, secured: SASL_SSL (SCRAM) and ACLs; it
#                       prints the export lines for the app (ssl: mutual TLS instead)
#   make kafka-down     stop it
#   make kafka-status   is it running?
#
# Settings, from the environment or the make command line (make kafka-up KAFKA_PORT=9192):
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT + 1), KAFKA_DATA_DIR (.kafka),
#   KAFKA_TOPICS (comma list; the root Makefile sets the app's input, output and dead-letter
#   topics), KAFKA_SECURITY (plaintext, sasl_ssl or ssl), KAFKA_APP_READS and KAFKA_APP_WRITES
#   (the topics the app's user may read and write on a secured broker; the root Makefile sets
#   them).
#
# kafka-up runs on the venv's Python ($(PY), from `make install`): it talks to the broker
# with confluent-kafka. kafka-down and kafka-status need only a python3.

KAFKA_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PYTHON3 ?= python3
# Only what is set is passed on: broker.py applies the defaults.
KAFKA_BROKER_ARGS = $(if $(strip $(KAFKA_PORT)),--port '$(strip $(KAFKA_PORT))') \
	$(if $(strip $(KAFKA_CONTROLLER_PORT)),--controller-port '$(strip $(KAFKA_CONTROLLER_PORT))') \
	$(if $(strip $(KAFKA_DATA_DIR)),--data-dir '$(strip $(KAFKA_DATA_DIR))')
KAFKA_SECURITY_ARGS = $(if $(strip $(KAFKA_SECURITY)),--security '$(strip $(KAFKA_SECURITY))') \
	--app-reads '$(strip $(KAFKA_APP_READS))' --app-writes '$(strip $(KAFKA_APP_WRITES))'

.PHONY: kafka-up kafka-down kafka-status

kafka-up: install ## start a local Kafka broker on 127.0.0.1:9092 with the topics (KAFKA_SECURITY=sasl_ssl|ssl)
	@$(PY) $(KAFKA_MK_DIR)/broker.py up $(KAFKA_BROKER_ARGS) --topics '$(strip $(KAFKA_TOPICS))' \
		$(KAFKA_SECURITY_ARGS)

kafka-down: ## stop the local Kafka broker
	@$(PYTHON3) $(KAFKA_MK_DIR)/broker.py down $(KAFKA_BROKER_ARGS)

kafka-status: ## is the local Kafka broker running?
	@$(PYTHON3) $(KAFKA_MK_DIR)/broker.py status $(KAFKA_BROKER_ARGS) || true
