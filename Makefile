# cogconform — the two commands that matter: `make run` and `make test`.
GO      ?= go
BIN     := bin/cogconform
PKGS    := ./...

.PHONY: run test lint build bench

build:
	$(GO) build -o $(BIN) ./cmd/cogconform

# The main job. Until the suites land, it prints the model's summary.
run: build
	./$(BIN) spec

test: lint
	$(GO) test -count=1 $(PKGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./generators/...
