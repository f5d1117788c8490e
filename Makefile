# The heavy lifting is in scripts/; these targets only name it.
# Variables you have already set (DATABASE_URL, TFTSR_S3_ENDPOINT, ..., TEST_DATABASE_URL, ...)
# win over the local defaults, and a server you point at is not started locally.

SHELL := /bin/bash
.DEFAULT_GOAL := help
GO ?= go

.PHONY: help run services stop status test drill generate check-generated fmt vet lint build bench bench-load bench-pii soak

help: ## Show this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## Install and start Postgres, MinIO and Chromium locally, then serve the portal on http://127.0.0.1:8080
	@scripts/services.sh start run
	@eval "$$(scripts/services.sh env run)" && exec $(GO) run ./cmd/tftsr serve

services: ## Start the local services of `make run` (they keep running)
	@scripts/services.sh start run

stop: ## Stop the local services (both run and test)
	@scripts/services.sh stop

status: ## Show which local services run
	@scripts/services.sh status

test: ## Start the test services, then check generated code, gofmt, go vet, lint and go test -race
	@scripts/test.sh

drill: ## Run the fault drills, the slow ones (a 100 MB upload as MinIO dies) included, with the test services
	@scripts/test.sh $(GO) test -race -count=1 -timeout 10m -tags drill -run 'TestDrill' ./cmd/tftsr/

generate: ## Regenerate the templ components (go tool templ generate, folder by folder)
	@scripts/checks.sh generate

check-generated: ## Fail when the committed templ output is out of date
	@scripts/checks.sh generated

fmt: ## gofmt the Go files
	@scripts/checks.sh fmt-write

vet: ## go vet
	$(GO) vet ./...

lint: ## staticcheck, and the architecture test: which package may import which
	@scripts/checks.sh lint

build: ## Build bin/tftsr
	$(GO) build -o bin/tftsr ./cmd/tftsr

bench: ## Run the benchmarks with the test services
	@scripts/test.sh $(GO) test -run '^$$' -bench . ./...

bench-load: ## Load benchmark: the main pages with wrk at 100 and at 100k incidents (LOAD_FLAGS='-load-incidents 10000 -load-d 5s')
	@command -v wrk >/dev/null 2>&1 || scripts/install.sh packages wrk
	@scripts/test.sh $(GO) run ./cmd/soak -load $(LOAD_FLAGS)

bench-pii: ## tftsr pii scan against ripgrep with the seed app's 12 patterns on a generated 1 GiB log, one core each (PII_FLAGS='-size 64MiB')
	@command -v rg >/dev/null 2>&1 || scripts/install.sh packages ripgrep
	$(GO) run ./cmd/piibench $(PII_FLAGS)

soak: ## Soak drill: 200 signed-in sessions for 60 s against a fresh portal (SOAK_FLAGS='-c 20 -d 10s')
	@scripts/test.sh $(GO) run ./cmd/soak $(SOAK_FLAGS)
