GO ?= go
STATICCHECK_VERSION := v0.8.2
DATA ?= ../shared/data
ADDR ?= 127.0.0.1:8080
FUZZTIME ?= 1m

.PHONY: build test lint run bench bench-report fuzz clean

build:
	$(GO) build -o bin/reach ./cmd/reach

test:
	$(GO) test -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# With the real data beside the repository, build Rennes and serve it;
# without it, generate the synthetic demo region and serve that.
run: build
	@if [ -d "$(DATA)/rennes" ]; then \
		echo "make run: building Rennes from $(DATA)/rennes (regions/rennes.json)"; \
		bin/reach build --manifest regions/rennes.json --out bin/rennes.graph && \
		bin/reach serve --graph bin/rennes.graph --addr $(ADDR); \
	else \
		echo "make run: $(DATA)/rennes not found: serving the synthetic demo region"; \
		bin/reach demo --serve --addr $(ADDR); \
	fi

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 ./...

bench-report:
	$(GO) run ./benchmarks/report -data $(DATA)

fuzz:
	$(GO) test ./ingest/gtfs -run='^$$' -fuzz='^FuzzRecordReader$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./graph -run='^$$' -fuzz='^FuzzParseClock$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./ingest/gtfs -run='^$$' -fuzz='^FuzzParseCoord$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./graph -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME)
	$(GO) test ./ingest/schools -run='^$$' -fuzz='^FuzzReaders$$' -fuzztime=$(FUZZTIME)

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
