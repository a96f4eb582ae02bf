# cogconform — the two commands that matter: `make run` and `make test`.
GO      ?= go
BIN     := bin/cogconform
PKGS    := ./...
CHROMIUM ?= chromium
# Headless, quiet and offline: every host name fails to resolve, so a report that
# tried to fetch anything would show it.
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--host-resolver-rules='MAP * ~NOTFOUND'
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT     := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run test lint build bench deps report-screenshot

# Where make test leaves the mutation table (defect → failing checks) it prints.
MUTATION_TABLE := $(CURDIR)/.cache/mutation-table.txt
# … and the hostile-target matrix (behaviour → outcome → time).
HOSTILE_TABLE := $(CURDIR)/.cache/hostile-table.txt

build:
	$(GO) build -o $(BIN) ./cmd/cogconform

# The main job: the full suite against the embedded reference target, reports
# written to cogconform-report/.
run: build
	./$(BIN) run --out cogconform-report

# Every test, then the mutation table: the suite run against each defect of the
# reference target's catalogue, and which checks caught it.
test: deps lint
	@mkdir -p .cache && rm -f $(MUTATION_TABLE) $(HOSTILE_TABLE)
	COGCONFORM_MUTATION_TABLE=$(MUTATION_TABLE) COGCONFORM_HOSTILE_TABLE=$(HOSTILE_TABLE) $(GO) test -count=1 $(PKGS)
	@cat $(MUTATION_TABLE) $(HOSTILE_TABLE)

# What the tests need besides Go, installed only when missing: Debian's chromium
# (report.html is rendered in a real browser) and xmllint from libxml2-utils
# (junit.xml is validated against reports/testdata/junit.xsd).
deps:
	@command -v chromium >/dev/null 2>&1 || { $(APT) update && $(APT) install -y chromium; }
	@command -v xmllint >/dev/null 2>&1 || { $(APT) update && $(APT) install -y libxml2-utils; }

# Writes the reports of a real run against the reference target with one defect
# switched on (so the page has findings to show) to cogconform-report/, and a
# screenshot of report.html to cogconform-report/report.png.
report-screenshot: deps build
	./$(BIN) run --defect pattern-substring --cases 25 --out cogconform-report --progress none >/dev/null || test $$? -eq 1
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir="$$tmp" --window-size=1280,2000 \
		--screenshot="$(CURDIR)/cogconform-report/report.png" "file://$(CURDIR)/cogconform-report/report.html" \
		>"$$tmp/chromium.log" 2>&1 || { cat "$$tmp/chromium.log"; exit 1; }
	@test -s cogconform-report/report.png && echo cogconform-report/report.png

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet $(PKGS)

# The performance table of issue 8, measured in one process run: a minimal keep-alive
# client against the reference target (the limit), the full suite against the same
# server process, 100/1 000/10 000 cases per property, peak memory, generation speed.
# BENCH_FLAGS adds cogbench flags, e.g. BENCH_FLAGS='--scaling 100,1000 --rounds 5'.
bench:
	$(GO) run ./bench/cmd/cogbench $(BENCH_FLAGS)

# Real third-party emulators (moto, cognito-local): each started on 127.0.0.1 and a
# free port, checked with `cogconform run`, always stopped; every verdict compared
# with emulators/testdata/<emulator>.json. See scripts/emulators.sh and the README's
# "Testing your emulator".
.PHONY: test-emulators
test-emulators:
	GO="$(GO)" bash scripts/emulators.sh
