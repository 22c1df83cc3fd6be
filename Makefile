# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Each creates the virtualenv, the databases and the schema it needs by itself.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
N ?= 1000
SECONDS ?= 10
CONNECTIONS ?= 16
CONCURRENCY ?= 8
RATE ?= 200
FUZZ_SECONDS ?= 300
MATCHING_EXAMPLES ?= 20000
RECEIPTS ?= plain
FORMAT ?= json
MINUTES ?= 30
SOAK_RATE ?= 20
FLOOD_SECONDS ?= 20

.PHONY: certs chromium clients nginx run test lint fuzz swarm-up swarm-down migrate seed demo replay dlq redrive discard bench bench-projection bench-matching bench-lookup bench-reconcile bench-relay bench-connections bench-outbound bench-restarts bench-swarm bench-scrape bench-flood soak venv clean

# The .pth line makes the repository's packages (shared, runtime) importable from anywhere
# in the venv, so `functions-framework --source functions/<name>/main.py` works as it is.
$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'receipts.pth').write_text('$(CURDIR)\n')"
	touch $@

venv: $(INSTALLED)

# openapi-typescript and tsc, as clients/typescript/package-lock.json pins them (with
# Debian's Node.js and npm, installed once where there are none).
TYPESCRIPT_TOOLS := clients/typescript/node_modules/.installed
$(TYPESCRIPT_TOOLS): clients/typescript/package.json clients/typescript/package-lock.json
	@command -v npm >/dev/null || { echo "installing Debian's nodejs and npm (once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## clients: regenerate the Python client and the TypeScript types from the OpenAPI document (docs/clients.md)
clients: $(INSTALLED) $(TYPESCRIPT_TOOLS)
	$(PY) -m runtime.clients

## run: migrate, then serve every function behind http://127.0.0.1:$GATEWAY_PORT (default 8080)
run: $(INSTALLED) nginx
	$(PY) -m runtime.run

## test: ruff, then the whole suite against the real PostgreSQL and RabbitMQ (and headless Chromium)
test: $(INSTALLED) $(TYPESCRIPT_TOOLS) chromium nginx lint
	$(PY) -m pytest

## lint: ruff's lint and format check over the repository (ruff format . mends the format), and mypy (mypy.ini)
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## swarm-up: the stack on Docker Swarm (a single-node swarm if none): SWARM_REPLICAS=submit-receipt=3,…; TLS=1: HTTPS (make certs first)
swarm-up: $(INSTALLED)
	$(PY) -m runtime.swarm up $(if $(TLS),--tls)

## swarm-down: docker stack rm, and wait until no container or network of it is left
swarm-down: $(INSTALLED)
	$(PY) -m runtime.swarm down

## fuzz: schemathesis, every check and phase, as operator, merchant and bank, FUZZ_SECONDS each (no example bound);
## then the matching property test on MATCHING_EXAMPLES new populations (make test runs the same 500 each time)
fuzz: $(INSTALLED)
	$(PY) tests/fuzz.py --seconds $(FUZZ_SECONDS)
	MATCHING_EXAMPLES=$(MATCHING_EXAMPLES) $(PY) -m pytest -q tests/integration/test_matching_model.py

# The rendered receipt is checked in a real browser, its fiscal QR code read back from the
# screenshot: Debian's chromium and zbar-tools, installed once.
chromium:
	@command -v chromium >/dev/null && command -v zbarimg >/dev/null || { echo "installing Debian's chromium and zbar-tools (once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium zbar-tools >/dev/null; }

# The gateway is nginx (runtime/nginx.py renders its configuration from template.yaml):
# Debian's nginx-light, installed once, as compose runs the nginx image.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "installing Debian's nginx-light (once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

## certs: a development CA, the gateway's certificate and a bank's client certificate, in certs/ (docs/security.md)
certs: $(INSTALLED)
	$(PY) -m runtime.certs --out certs

## migrate: create missing databases and apply migrations (admin process)
migrate: $(INSTALLED)
	$(PY) -m runtime.run migrate

## seed: onboard the demo merchant and bank (their keys are printed once)
seed: $(INSTALLED)
	$(PY) -m runtime.run seed

## replay: rebuild the read model from the write model's events
replay: $(INSTALLED)
	$(PY) -m runtime.admin replay

## dlq: list dead letters with their reason (CONSUMER=name to pick one)
dlq: $(INSTALLED)
	$(PY) -m runtime.admin dlq $(CONSUMER)

## redrive: put dead letters back on their queue (CONSUMER=name, IDS="id1 id2" to pick)
redrive: $(INSTALLED)
	$(PY) -m runtime.admin redrive $(CONSUMER) $(foreach id,$(IDS),--id $(id))

## discard: delete dead letters for good, once read (IDS="id1 id2", required; CONSUMER=name)
discard: $(INSTALLED)
	$(PY) -m runtime.admin discard $(CONSUMER) $(foreach id,$(IDS),--id $(id))

## demo: against a running platform (URL, default make run's), N checkouts through the simulated POS, processor and issuer; FORMAT=kivra|arts: the till sends Kivra's or ARTS documents
demo: $(INSTALLED)
	$(PY) -m runtime.demo --checkouts $(N) --concurrency $(CONCURRENCY) --format $(FORMAT) $(if $(DEMO_RATE),--rate $(DEMO_RATE)) $(if $(URL),--url $(URL))

## bench: receipts/s through the gateway beside a bare functions-framework hello world (RECEIPTS="plain vat": both kinds; FORMAT="kivra arts": the till's receipts in those formats beside JSON; TLS=1: the first kind over HTTPS too)
bench: $(INSTALLED) nginx
	$(PY) bench/submissions.py --seconds $(SECONDS) --connections $(CONNECTIONS) --receipts $(RECEIPTS) $(if $(filter-out json,$(FORMAT)),--formats json $(filter-out json,$(FORMAT))) $(if $(TLS),--tls)

## bench-projection: projection lag at RATE/s, and projector throughput beside a CloudEvent hello world
bench-projection: $(INSTALLED) nginx
	$(PY) bench/projection.py --rate $(RATE) --seconds $(SECONDS)

## bench-flood: one merchant flooding (24 connections), then four, while another submits 2 receipts/s: 429s, nothing accepted lost, the other's latency
bench-flood: $(INSTALLED) nginx
	$(PY) bench/flood.py --seconds $(FLOOD_SECONDS)

## bench-matching: one matching sweep over 10k and 100k open pairs, beside a plain UPDATE … FROM join
bench-matching: $(INSTALLED)
	$(PY) bench/matching.py

## bench-lookup: the issuer's look-up over 10k and 1M receipt lines, beside a primary-key read
bench-lookup: $(INSTALLED)
	$(PY) bench/lookup.py

## bench-reconcile: one reconciliation run over 100k unmatched receipts and payments, beside a plain join
bench-reconcile: $(INSTALLED)
	$(PY) bench/reconcile.py

## bench-relay: the outbox relay's events/s with confirms in flight, beside a blocking confirm each
bench-relay: $(INSTALLED)
	$(PY) bench/relay.py

## bench-connections: one platform under `make demo N=…`: its peak PostgreSQL and broker connections
bench-connections: $(INSTALLED) nginx
	$(PY) bench/connections.py --checkouts $(N) $(if $(DEMO_RATE),--rate $(DEMO_RATE)) $(if $(PG_STAT_STATEMENTS),--pg-stat-statements)

## bench-outbound: CPU per outbound POST, the platform's client (urllib3) beside httpx (where installed) and bare http.client (THREADS=4: four threads calling at once)
bench-outbound: $(INSTALLED)
	$(PY) bench/outbound.py $(if $(THREADS),--threads $(THREADS))

## bench-scrape: what a Prometheus scrape of each function's /_/metrics costs, after make demo N=… (default 300)
bench-scrape: $(INSTALLED) nginx
	$(PY) bench/scrape.py --checkouts $(if $(filter command line,$(origin N)),$(N),300)

## soak: MINUTES (default 30) of make demo at SOAK_RATE checkouts/s (default 20) on a platform of its own: memory, connections, p99
soak: $(INSTALLED) nginx
	$(PY) bench/soak.py --minutes $(MINUTES) --rate $(SOAK_RATE)

## bench-swarm: the stack on a single-node swarm, replicated, under make demo N=… while it rolls and scales
bench-swarm: $(INSTALLED)
	$(PY) bench/swarm.py --checkouts $(N)

## bench-restarts: the same, restarting RabbitMQ, then PostgreSQL, mid-demo (never beside make test)
bench-restarts: $(INSTALLED) nginx
	$(PY) bench/connections.py --checkouts $(N) --restart

clean:
	rm -rf $(VENV) .pytest_cache tests/.artifacts
