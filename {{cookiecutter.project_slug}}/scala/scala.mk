# The Scala variant (scala/), included by the root Makefile. Maven builds it; spark-submit runs it
# with conf/ (SPARK_CONF_DIR, exported by the root Makefile), which pins the Kafka connector.
#
#   make test-scala      compile, unit and contract tests, and without java/ the tests of the
#                        shared runtime (jvm-runtime/); mvn verify builds the jar too
#   make package-scala   the jar only, tests skipped
#   make run-scala       spark-submit the jar on local Spark; Ctrl-C stops it cleanly
#                        (SPARK_MASTER=... for another master, SCALA_ARGS='--trigger available-now')
#   make submit-scala    the same on a cluster, in client mode: SPARK_MASTER=spark://HOST:PORT
#                        (make cluster-up starts one; see cluster/README.md)
#
# SCALA_JAR and SCALA_MAIN are what spark-submit needs; the end-to-end tests read them too.

SCALA_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
SCALA_JAR := $(abspath $(SCALA_DIR)/target/{{ cookiecutter.project_slug }}-scala.jar)
SCALA_MAIN := {{ cookiecutter.java_package }}.App
SCALA_ARGS ?=
MVN ?= mvn
MVN_FLAGS ?= -q -B

.PHONY: test-scala package-scala run-scala submit-scala clean-scala

test-scala: ## Scala variant: compile, unit and contract tests (mvn verify)
	@cd $(SCALA_DIR) && $(MVN) $(MVN_FLAGS) verify

package-scala: $(SCALA_JAR) ## Scala variant: build the jar (tests skipped)

# The jar holds the shared runtime (jvm-runtime/, the parent pom) and contract/settings.json too.
$(SCALA_JAR): $(shell find $(SCALA_DIR)/pom.xml $(SCALA_DIR)/src/main $(SCALA_DIR)/../jvm-runtime/pom.xml \
		$(SCALA_DIR)/../jvm-runtime/src/main $(SCALA_DIR)/../contract/settings.json -type f 2>/dev/null)
	@cd $(SCALA_DIR) && $(MVN) $(MVN_FLAGS) -DskipTests package
	@touch $@

run-scala: install $(SCALA_JAR) ## Scala variant: spark-submit the jar, local Spark; Ctrl-C stops it
	@PATH="$(BIN):$$PATH" spark-submit --master "$${SPARK_MASTER:-local[*]}" --class $(SCALA_MAIN) \
		$(SCALA_JAR) $(SCALA_ARGS)

submit-scala: run-scala ## Scala variant on a cluster: make submit-scala SPARK_MASTER=spark://HOST:PORT (client mode)

# `make clean` removes the Maven build output too.
clean: clean-scala
clean-scala:
	rm -rf $(SCALA_DIR)/target
