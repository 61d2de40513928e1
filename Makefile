GO ?= go
STATICCHECK_VERSION := v0.8.2
DATA ?= ../shared/data
ADDR ?= 127.0.0.1:8080
FUZZTIME ?= 1m

.PHONY: build test lint run bench bench-report fuzz clean

build:
	$(GO) build -o bin/reach ./cmd/reach

# The whole test suite: go test's lines per package, then how many tests
# ran, failed and were skipped (and why); the exit status is go test's.
test:
	GO=$(GO) $(GO) run ./internal/testsummary -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# With the real data beside the repository, build Ille-et-Vilaine (Rennes
# buses, TER trains, the département's schools) and serve it; without it,
# generate the synthetic demo region and serve that.
run: build
	@if [ -d "$(DATA)/rennes" ] && [ -d "$(DATA)/ter" ]; then \
		echo "make run: building Ille-et-Vilaine from $(DATA) (regions/ille-et-vilaine.json)"; \
		bin/reach build --manifest regions/ille-et-vilaine.json --out bin/ille-et-vilaine.graph && \
		bin/reach serve --graph bin/ille-et-vilaine.graph --addr $(ADDR); \
	else \
		echo "make run: $(DATA)/rennes not found: serving the synthetic demo region"; \
		bin/reach demo --serve --addr $(ADDR); \
	fi

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 ./...

# REPORT_ARGS passes flags to the report, e.g. REPORT_ARGS=-france= to skip
# the synthetic France (about 20 of its 30 minutes).
bench-report:
	$(GO) run ./benchmarks/report -data $(DATA) $(REPORT_ARGS)

fuzz:
	$(GO) test ./ingest/gtfs -run='^$$' -fuzz='^FuzzRecordReader$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./graph -run='^$$' -fuzz='^FuzzParseClock$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./ingest/gtfs -run='^$$' -fuzz='^FuzzParseCoord$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./graph -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./ingest/schools -run='^$$' -fuzz='^FuzzReaders$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./geocode -run='^$$' -fuzz='^FuzzSearch$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./ingest/ban -run='^$$' -fuzz='^FuzzRead$$' -fuzztime=$(FUZZTIME)

clean:
	rm -rf bin

# The monthly rebuild as the Kubernetes CronJob runs it (deploy/rebuild.sh):
# reach fetch → reach build → reach diff against the served graph through the
# gate → install. MANIFEST skips the fetch (no download), for example
#   make rebuild MANIFEST=regions/rennes.json
# otherwise SOURCES (and REGION) name the sources list to fetch. The graph
# installed is SERVED; reports land in REBUILD_DIR/reports/<time>/.
SERVED ?= bin/served/region.graph
GATE ?= 5
REBUILD_DIR ?= bin/rebuild

.PHONY: rebuild
rebuild: build
	REACH=bin/reach MANIFEST='$(MANIFEST)' SOURCES='$(SOURCES)' REGION='$(REGION)' SERVED='$(SERVED)' \
		WORK='$(REBUILD_DIR)' GATE='$(GATE)' BUILD_ARGS='$(BUILD_ARGS)' DIFF_ARGS='$(DIFF_ARGS)' sh deploy/rebuild.sh
