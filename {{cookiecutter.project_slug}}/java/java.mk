# The Java variant (java/), included by the root Makefile. Maven builds it; spark-submit runs it
# with conf/ (SPARK_CONF_DIR, exported by the root Makefile), which pins the Kafka connector.
#
#   make test-java       compile, unit and contract tests, and the tests of the runtime it shares
#                        with the Scala variant (jvm-runtime/); mvn verify builds the jar too
#   make package-java    the jar only, tests skipped
#   make run-java        spark-submit the jar on local Spark; Ctrl-C stops it cleanly
#                        (SPARK_MASTER=... for another master, JAVA_ARGS='--trigger available-now')
#   make submit-java     the same on a cluster, in client mode: SPARK_MASTER=spark://HOST:PORT
#                        (make cluster-up starts one; see cluster/README.md)
#
# JAVA_JAR and JAVA_MAIN are what spark-submit needs; the end-to-end tests read them too.

JAVA_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
JAVA_JAR := $(abspath $(JAVA_DIR)/target/{{ cookiecutter.project_slug }}-java.jar)
JAVA_MAIN := {{ cookiecutter.java_package }}.App
JAVA_ARGS ?=
MVN ?= mvn
MVN_FLAGS ?= -q -B

.PHONY: test-java package-java run-java submit-java clean-java

test-java: ## Java variant: compile, unit and contract tests (mvn verify)
	@cd $(JAVA_DIR) && $(MVN) $(MVN_FLAGS) verify

package-java: $(JAVA_JAR) ## Java variant: build the jar (tests skipped)

# The jar holds the shared runtime (jvm-runtime/, the parent pom) and contract/settings.json too.
$(JAVA_JAR): $(shell find $(JAVA_DIR)/pom.xml $(JAVA_DIR)/src/main $(JAVA_DIR)/../jvm-runtime/pom.xml \
		$(JAVA_DIR)/../jvm-runtime/src/main $(JAVA_DIR)/../contract/settings.json -type f 2>/dev/null)
	@cd $(JAVA_DIR) && $(MVN) $(MVN_FLAGS) -DskipTests package
	@touch $@

run-java: install $(JAVA_JAR) ## Java variant: spark-submit the jar on local Spark; Ctrl-C stops it
	@PATH="$(BIN):$$PATH" spark-submit --master "$${SPARK_MASTER:-local[*]}" --class $(JAVA_MAIN) \
		$(JAVA_JAR) $(JAVA_ARGS)

submit-java: run-java ## Java variant on a cluster: make submit-java SPARK_MASTER=spark://HOST:PORT (client mode)

# `make clean` removes the Maven build output too.
clean: clean-java
clean-java:
	rm -rf $(JAVA_DIR)/target
