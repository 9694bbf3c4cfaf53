# Two commands for a new machine: `make run` (sample data through every table, local)
# and `make test`. Everything else installs itself on first use.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
JARS := .cache/jars
# The Kafka broker of the events source's tests and `make stack`: Scala 2.13 jars, kept apart from Spark's.
KAFKA_JARS := .cache/kafka-jars
STAMP := $(VENV)/.installed
# The Spark driver JVM's class-data-sharing archive (lakehouse_assets/resources/class_archive.py).
CLASS_ARCHIVE := .cache/jvm/.complete
# Masking keys for this machine, made once and never committed (.cache is ignored).
# An exported LAKEHOUSE_PII_HMAC_KEY / LAKEHOUSE_PII_SALT takes precedence.
LOCAL_KEYS := .cache/pii-keys.env
WITH_KEYS := set -a && . ./$(LOCAL_KEYS) && set +a &&
export DAGSTER_HOME := $(CURDIR)/data/dagster

# `make run` generates and builds the DAYS days up to yesterday (UTC), so the freshness
# check passes; `make run START=2024-01-01 DAYS=3 ROWS=20000` pins the dates instead.
DAYS ?= 3
ROWS ?= 20000
ifeq ($(origin START),undefined)
START := $(shell date -u -d "$(DAYS) days ago" +%F)
endif

.PHONY: install run test test-fast soak ui bench clean check-java check-mariadb check-postgres stack stack-stop \
	cluster cluster-stop

install: $(STAMP) $(JARS)/.complete $(CLASS_ARCHIVE) $(KAFKA_JARS)/.complete check-mariadb check-postgres

check-java:
	@command -v java >/dev/null 2>&1 || { echo "Java 17+ is required: apt-get install openjdk-17-jre-headless (or set JAVA_HOME)"; exit 1; }
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	 [ "$${v:-0}" -ge 17 ] || { echo "Java 17+ is required (found Java $${v:-none}): apt-get install openjdk-17-jre-headless"; exit 1; }

# MariaDB for the mart database's tests and `make stack` (docs/serving.md); the package's own
# service is stopped: servers run as plain processes in a folder of their own.
MARIADB_APT := apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server
check-mariadb:
	@PATH="$$PATH:/usr/sbin" command -v mariadbd >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then $(MARIADB_APT) && { service mariadb stop >/dev/null 2>&1 || true; }; \
	  else echo "MariaDB is required for the mart database (docs/serving.md): sudo sh -c '$(MARIADB_APT)'"; exit 1; fi; }

# PostgreSQL for the crm source's tests and `make stack` (docs/sources.md). Its binaries live in
# Debian's versioned folder, not on PATH; the package's own service is stopped.
POSTGRES_APT := apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
check-postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then $(POSTGRES_APT) && { service postgresql stop >/dev/null 2>&1 || true; }; \
	  else echo "PostgreSQL is required for the crm source (docs/sources.md): sudo sh -c '$(POSTGRES_APT)'"; \
	  exit 1; fi; }

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(JARS)/.complete: config/jvm/pom.xml | check-java
	@command -v mvn >/dev/null 2>&1 || { echo "Maven is required to fetch the Spark jars once: apt-get install maven"; exit 1; }
	mvn --batch-mode --quiet -f config/jvm/pom.xml dependency:copy-dependencies \
	    -DoutputDirectory=$(CURDIR)/$(JARS) -DexcludeTransitive=true
	touch $@

# Classes Spark's driver loads on every start, parsed and verified once: several CPU-seconds
# off each JVM start (`lakehouse run`, every Dagster run, the tests' subprocesses).
$(CLASS_ARCHIVE): $(STAMP) $(JARS)/.complete
	$(BIN)/python -m lakehouse_assets.resources.class_archive
	@mkdir -p $(@D) && touch $@

# Apache Kafka's broker with all its dependencies (transitive, unlike the Spark jars) and an
# slf4j 1.7 binding (docs/sources.md).
$(KAFKA_JARS)/.complete: config/jvm/kafka-pom.xml | check-java
	@command -v mvn >/dev/null 2>&1 || { echo "Maven is required to fetch the Kafka broker's jars once: apt-get install maven"; exit 1; }
	mvn --batch-mode --quiet -f config/jvm/kafka-pom.xml dependency:copy-dependencies \
	    -DoutputDirectory=$(CURDIR)/$(KAFKA_JARS)
	touch $@

$(LOCAL_KEYS):
	@mkdir -p $(@D)
	@umask 077 && printf 'LAKEHOUSE_PII_HMAC_KEY=$${LAKEHOUSE_PII_HMAC_KEY:-%s}\nLAKEHOUSE_PII_SALT=$${LAKEHOUSE_PII_SALT:-%s}\n' \
	    "$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" \
	    "$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(16))')" > $@
	@echo "Made local masking keys in $@ (see docs/security.md)"

# The local Dagster instance: no telemetry, one lakehouse writer at a time (runs tagged
# lakehouse/writer queue; see docs/operations.md).
$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	printf 'telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    tag_concurrency_limits:\n      - key: lakehouse/writer\n        limit: 1\n' > $@

run: install $(DAGSTER_HOME)/dagster.yaml $(LOCAL_KEYS)
	$(BIN)/lakehouse generate --start $(START) --days $(DAYS) --rows-per-day $(ROWS) --defects 0.02 --landing-root data/landing
	$(WITH_KEYS) $(BIN)/lakehouse run --start $(START) --end $$(date -u -d "$(START) + $$(( $(DAYS) - 1 )) days" +%F)

# `make run` with the mart database and the events source: a local MariaDB (data in $(MART_DATADIR),
# 127.0.0.1:$(MART_PORT)), migrated, and the run's marts exported to it; a local Kafka broker (data in
# $(KAFKA_DIR), 127.0.0.1:$(KAFKA_PORT)) that the days' events are sent to and read from.
# `make stack-stop` stops both servers. `make cluster` is `make run` on a Spark standalone cluster of
# this machine (a master on 127.0.0.1:$(CLUSTER_PORT) and two one-core workers, logs in $(CLUSTER_DIR));
# `make cluster-stop` stops it (docs/operations.md, Running on a cluster).
MART_PORT ?= 3307
MART_DATADIR := .cache/mariadb
MART_ENV := LAKEHOUSE_MART_URL=mysql://127.0.0.1:$(MART_PORT)/retail_mart LAKEHOUSE_MART_USER=lakehouse \
	LAKEHOUSE_MART_PASSWORD=lakehouse-local
KAFKA_PORT ?= 9093
KAFKA_DIR := .cache/kafka
KAFKA_ENV := LAKEHOUSE_KAFKA_BOOTSTRAP=127.0.0.1:$(KAFKA_PORT)
# The crm source's CRM database: a local PostgreSQL (data in $(CRM_DATADIR), 127.0.0.1:$(CRM_PORT)).
CRM_PORT ?= 5433
CRM_DATADIR := .cache/postgres
CRM_URL := jdbc:postgresql://127.0.0.1:$(CRM_PORT)/crm
CRM_ENV := LAKEHOUSE_CRM_JDBC_URL=$(CRM_URL) LAKEHOUSE_CRM_USER=postgres
stack: install $(DAGSTER_HOME)/dagster.yaml $(LOCAL_KEYS)
	$(BIN)/lakehouse mart start --datadir $(MART_DATADIR) --port $(MART_PORT)
	$(BIN)/lakehouse kafka start --folder $(KAFKA_DIR) --port $(KAFKA_PORT)
	$(BIN)/lakehouse crm start --datadir $(CRM_DATADIR) --port $(CRM_PORT)
	$(CRM_ENV) $(BIN)/lakehouse generate --start $(START) --days $(DAYS) --rows-per-day $(ROWS) --defects 0.02 --landing-root data/landing \
	    --kafka-bootstrap 127.0.0.1:$(KAFKA_PORT) --crm-url $(CRM_URL)
	$(WITH_KEYS) $(MART_ENV) $(KAFKA_ENV) $(CRM_ENV) $(BIN)/lakehouse run --start $(START) --end $$(date -u -d "$(START) + $$(( $(DAYS) - 1 )) days" +%F)
	@echo "The marts are in MariaDB on 127.0.0.1:$(MART_PORT), schema retail_mart. Connect as the BI role:"
	@echo "  mariadb -h 127.0.0.1 -P $(MART_PORT) -u lakehouse_bi -p'$${LAKEHOUSE_BI_PASSWORD:-lakehouse-bi-local}' retail_mart -e 'select * from v_sales_incentives limit 5'"
	@echo "Behaviour events: Kafka on 127.0.0.1:$(KAFKA_PORT), topic retail.events (docs/sources.md)."
	@echo "The CRM: PostgreSQL on 127.0.0.1:$(CRM_PORT), database crm: psql -h 127.0.0.1 -p $(CRM_PORT) -U postgres crm"
	@echo "Stop the servers with: make stack-stop"

stack-stop:
	@if [ -x $(BIN)/lakehouse ]; then $(BIN)/lakehouse mart stop --datadir $(MART_DATADIR); fi
	@if [ -x $(BIN)/lakehouse ]; then $(BIN)/lakehouse kafka stop --folder $(KAFKA_DIR); fi
	@if [ -x $(BIN)/lakehouse ]; then $(BIN)/lakehouse crm stop --datadir $(CRM_DATADIR); fi

CLUSTER_PORT ?= 7078
CLUSTER_UI_PORT ?= 8090
CLUSTER_DIR := .cache/spark-cluster
CLUSTER_ENV := LAKEHOUSE_ENV=local-cluster LAKEHOUSE_SPARK_MASTER=spark://127.0.0.1:$(CLUSTER_PORT)
cluster: install $(DAGSTER_HOME)/dagster.yaml $(LOCAL_KEYS)
	$(BIN)/lakehouse cluster start --folder $(CLUSTER_DIR) --port $(CLUSTER_PORT) --webui-port $(CLUSTER_UI_PORT)
	$(BIN)/lakehouse generate --start $(START) --days $(DAYS) --rows-per-day $(ROWS) --defects 0.02 --landing-root data/landing
	$(WITH_KEYS) $(CLUSTER_ENV) $(BIN)/lakehouse run --start $(START) --end $$(date -u -d "$(START) + $$(( $(DAYS) - 1 )) days" +%F)
	@echo "The Spark master's UI: http://127.0.0.1:$(CLUSTER_UI_PORT). Run against it yourself with"
	@echo "  export $(CLUSTER_ENV)"
	@echo "Stop the cluster with: make cluster-stop"

cluster-stop:
	@if [ -x $(BIN)/lakehouse ]; then $(BIN)/lakehouse cluster stop --folder $(CLUSTER_DIR); fi

# Two workers (one per core); a test module runs whole on one of them, so its module
# fixtures (a server, a lakehouse) are built once. The first worker that needs the
# session's reference lakehouse builds it while the other waits (conftest.py). pytest-xdist
# hands out the modules with the most tests first; handing out the long `slow` modules
# first was measured slower (both workers then start on graph runs and wait for the
# reference together).
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

test: install
	$(PYTEST)

test-fast: install
	$(PYTEST) -m "not slow"

ui: install $(DAGSTER_HOME)/dagster.yaml $(LOCAL_KEYS)
	$(WITH_KEYS) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

# Many more crash trials and fuzzed files than `make test` (docs/robustness.md).
SOAK_TRIALS ?= 50
SOAK_CASES ?= 2000
soak: install
	LAKEHOUSE_SOAK_TRIALS=$(SOAK_TRIALS) LAKEHOUSE_FUZZ_CASES=$(SOAK_CASES) \
	    $(BIN)/pytest -q lakehouse_assets_tests/faults

# Every figure of docs/performance.md (benchmarks/, a package of this folder that is not
# installed), medians of three runs (about two hours on two cores without figure 8, whose six
# cluster runs of the 1 GB day are not timed yet; BENCH_DAY_REPEAT=1 runs the 1 GB figures once,
# about 50 minutes in all without figure 8);
# `make bench QUICK=1` checks the benchmark itself at small sizes in a few minutes;
# ONLY=scaling (a comma-separated list of the figures `python -m benchmarks --help` names) runs those alone.
bench: install
	BENCH_QUICK=$(QUICK) $(BIN)/python -m benchmarks $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf data/landing/date=* data/lakehouse/*/ data/dagster/*/ spark-warehouse
