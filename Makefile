# Profitline. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
GO    ?= go
BIN   := $(CURDIR)/.bin
SQLC        := $(BIN)/sqlc
STATICCHECK := $(BIN)/staticcheck

.PHONY: help run build test test-go lint generate bench fuzz tools vet-rules

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: build ## bring up what is missing (Postgres, Redis, keys), migrate, serve on http://localhost:8080
	$(BIN)/profitline dev

build: ## build the binary into .bin/profitline
	$(GO) build -o $(BIN)/profitline ./cmd/profitline

test: lint test-go ## lint, then every test against real Postgres and Redis (found or started)

test-go:
	$(GO) test -race -count=1 ./...

lint: tools vet-rules ## gofmt, go vet, staticcheck, sqlc diff (generated code is fresh) and sqlc vet (tenant rule)
	@out=$$(gofmt -l cmd internal db static templates); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(SQLC) diff
	$(SQLC) vet

# The vet rules must reject what they exist to reject: each file under db/vettest is added to a copy of the
# queries and `sqlc vet` must fail on it.
vet-rules: tools
	@set -e; for f in db/vettest/*.sql; do \
	  tmp=$$(mktemp -d); cp -r sqlc.yaml db $$tmp/; \
	  block=$$(basename $$f | cut -d_ -f1); cp $$f $$tmp/db/queries/$$block/; \
	  if (cd $$tmp && $(SQLC) vet >/dev/null 2>&1); then echo "sqlc vet accepted $$f; the rule no longer bites"; rm -rf $$tmp; exit 1; fi; \
	  rm -rf $$tmp; \
	done; echo "vet rules reject every query in db/vettest"

generate: tools ## regenerate the sqlc query code
	$(SQLC) generate

bench: ## run the benchmarks (results go in the README)
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: ## run each fuzz target for 20s
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime 20s $$pkg; \
	  done; \
	done

tools: $(SQLC) $(STATICCHECK) ## build the pinned developer tools (tools/go.mod) into .bin

$(SQLC) $(STATICCHECK): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) $(GO) install github.com/sqlc-dev/sqlc/cmd/sqlc honnef.co/go/tools/cmd/staticcheck
	@touch $(SQLC) $(STATICCHECK)
