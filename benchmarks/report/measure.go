package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"reach/batch"
	"reach/benchmarks"
	"reach/engine"
	"reach/engine/raptor"
	"reach/graph"
)

// buildRun is what one build of a dataset measured (in a child process).
type buildRun struct {
	Seconds       float64 `json:"seconds"`
	PeakHeapMB    float64 `json:"peak_heap_mb"` // live heap, sampled every 2 ms
	FileBytes     int64   `json:"file_bytes"`
	StopTimesRead int     `json:"stop_times_read"`
	FeedReads     []int   `json:"feed_reads"` // stop_times read per feed
	Feeds         int     `json:"feeds"`
	Stops         int     `json:"stops"`
	Routes        int     `json:"routes"`
	Trips         int     `json:"trips"`
	StopTimes     int     `json:"stop_times"` // in the timetable of the service date
	StreetNodes   int     `json:"street_nodes"`
	StreetKm      float64 `json:"street_km"`
	Cells         int     `json:"cells"`
	Schools       int     `json:"schools"`
	Offers        int     `json:"offers"`
	MaxRSSMB      float64 `json:"max_rss_mb"` // of the child process, set by the parent
}

// childBuild builds a dataset, writes its graph and reports.
func childBuild(d dataset, dataDir, out string) (*buildRun, error) {
	runtime.GC()
	peak := benchmarks.StartPeakHeap()
	start := time.Now()
	g, err := d.build(dataDir)
	if err == nil {
		err = graph.Write(out, g)
	}
	secs := time.Since(start).Seconds()
	ph := peak.Stop()
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(out)
	if err != nil {
		return nil, err
	}
	r := &buildRun{Seconds: secs, PeakHeapMB: float64(ph) / 1e6, FileBytes: st.Size(), Feeds: len(g.Meta.Feeds),
		Stops: g.Timetable.NumStops(), Routes: g.Timetable.NumRoutes(), Trips: g.Timetable.NumTrips(),
		StopTimes: g.Timetable.NumStopTimes(), StreetNodes: g.Streets.NumNodes(), Cells: g.Cells.NumCells(),
		Schools: g.Places.NumSchools(), Offers: g.Places.NumOffers()}
	for _, f := range g.Meta.Feeds {
		r.StopTimesRead += f.Read.StopTimes
		r.FeedReads = append(r.FeedReads, f.Read.StopTimes)
	}
	for _, l := range g.Streets.SegLength {
		r.StreetKm += float64(l) / 1000
	}
	return r, nil
}

// typeRun is the latency of one query type in one run.
type typeRun struct {
	Name          string  `json:"name"`
	Queries       int     `json:"queries"`
	P50, P95, P99 float64 // milliseconds
	Mean          float64 `json:"mean"`
	// Scanned stop times per query and wall nanoseconds per stop time
	// scanned (0 when the query type does not count them).
	Scanned    float64 `json:"scanned"`
	NsPerScan  float64 `json:"ns_per_scan"`
	Throughput float64 `json:"throughput"` // queries per second on all cores (0: not measured)
}

// queryRun is what one query benchmark of a dataset measured.
type queryRun struct {
	LoadSeconds float64         `json:"load_seconds"`
	HeapMB      float64         `json:"heap_mb"`       // live heap with the engine loaded, after GC
	RSSLoadedMB float64         `json:"rss_loaded_mb"` // resident memory with the engine loaded
	Types       []typeRun       `json:"types"`
	Windows     map[int]float64 `json:"windows,omitempty"` // window minutes → p50 ms of reach
	// Precompute: core-milliseconds per cell, cells computed, and all the
	// cells of the index at its default resolution.
	PrecomputeCellMS float64 `json:"precompute_cell_ms,omitempty"`
	PrecomputeCells  int     `json:"precompute_cells,omitempty"`
	IndexCells       int     `json:"index_cells,omitempty"`
	IndexResolution  int     `json:"index_resolution,omitempty"`
	MaxRSSMB         float64 `json:"max_rss_mb"` // set by the parent
}

// queryConfig sizes a query benchmark.
type queryConfig struct {
	Queries     int    // per query type
	Warmup      int    // unmeasured queries before each type
	OriginsIn   string // read the origins from this file instead of drawing them
	OriginsOut  string // write the drawn origins to this file
	PrecompPart int    // compute 1/PrecompPart of the index cells
}

// origins draws n query origins: street points (nodes moved a few metres,
// as addresses are) when the graph has streets, otherwise stops served by
// some route. The draw is seeded: every run asks from the same places.
func origins(g *graph.Graph, n int) [][2]float64 {
	rng := rand.New(rand.NewPCG(2026, 6))
	out := make([][2]float64, 0, n)
	if nn := g.Streets.NumNodes(); nn > 0 {
		for len(out) < n {
			v := rng.IntN(nn)
			out = append(out, [2]float64{g.Streets.NodeLat[v] + (rng.Float64()-0.5)*2e-4, g.Streets.NodeLon[v] + (rng.Float64()-0.5)*2e-4})
		}
		return out
	}
	tt := &g.Timetable
	for len(out) < n {
		s := rng.IntN(tt.NumStops())
		if tt.StopRouteStart[s+1] > tt.StopRouteStart[s] {
			out = append(out, [2]float64{tt.StopLat[s] + (rng.Float64()-0.5)*2e-4, tt.StopLon[s] + (rng.Float64()-0.5)*2e-4})
		}
	}
	return out
}

// servedStops draws n stops served by some route, for plain RAPTOR.
func servedStops(tt *graph.Timetable, n int) []int32 {
	rng := rand.New(rand.NewPCG(2026, 7))
	var out []int32
	for len(out) < n {
		s := int32(rng.IntN(tt.NumStops()))
		if tt.StopRouteStart[s+1] > tt.StopRouteStart[s] {
			out = append(out, s)
		}
	}
	return out
}

// rssMB reads the resident set size of this process.
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// query is one timed query: it returns the stop times it scanned (or 0).
type query func(i int) (int64, error)

// timeType runs a query type: warm-up, then n timed queries one at a time.
func timeType(name string, n, warmup int, q query) (typeRun, error) {
	for i := 0; i < warmup; i++ {
		if _, err := q(n + i); err != nil {
			return typeRun{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	lat := make([]float64, n)
	var scanned int64
	var total time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		sc, err := q(i)
		d := time.Since(start)
		if err != nil {
			return typeRun{}, fmt.Errorf("%s: %w", name, err)
		}
		lat[i] = float64(d.Nanoseconds()) / 1e6
		scanned += sc
		total += d
	}
	slices.Sort(lat)
	r := typeRun{Name: name, Queries: n, P50: quantile(lat, 0.5), P95: quantile(lat, 0.95), P99: quantile(lat, 0.99),
		Mean: float64(total.Nanoseconds()) / 1e6 / float64(n)}
	if scanned > 0 {
		r.Scanned = float64(scanned) / float64(n)
		r.NsPerScan = float64(total.Nanoseconds()) / float64(scanned)
	}
	return r, nil
}

// throughput runs n queries on all cores and returns queries per second.
func throughput(n int, q query) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if _, err := q(i); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), firstErr
}

// childQuery loads a graph and runs the query benchmarks of a dataset.
func childQuery(d dataset, graphPath string, cfg queryConfig) (*queryRun, error) {
	runtime.GC()
	start := time.Now()
	e, err := engine.Load(graphPath)
	if err != nil {
		return nil, err
	}
	run := &queryRun{LoadSeconds: time.Since(start).Seconds()}
	g := e.Graph()
	tr, err := e.Transfers("")
	if err != nil {
		return nil, err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	run.HeapMB = float64(ms.HeapAlloc) / 1e6
	run.RSSLoadedMB = rssMB()

	var places [][2]float64
	if cfg.OriginsIn != "" {
		b, err := os.ReadFile(cfg.OriginsIn)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &places); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.OriginsIn, err)
		}
	} else {
		places = origins(g, cfg.Queries+cfg.Warmup)
	}
	if cfg.OriginsOut != "" {
		b, _ := json.Marshal(places)
		if err := os.WriteFile(cfg.OriginsOut, b, 0o644); err != nil {
			return nil, err
		}
	}
	at := func(i int) (float64, float64) { p := places[i%len(places)]; return p[0], p[1] }
	stops := servedStops(&g.Timetable, 64)

	reach := func(maxMinutes int) query {
		return func(i int) (int64, error) {
			lat, lon := at(i)
			p := engine.DefaultParams(lat, lon)
			p.MaxMinutes = maxMinutes
			r, err := e.Reach(context.Background(), p)
			if err != nil {
				return 0, err
			}
			return r.Scanned, nil
		}
	}
	answerIso := func(maxMinutes int) query {
		cut := []int{15, 30, 45, 60}
		if maxMinutes == 90 {
			cut = engine.DefaultCutoffs
		}
		return func(i int) (int64, error) {
			lat, lon := at(i)
			p := engine.DefaultParams(lat, lon)
			p.MaxMinutes = maxMinutes
			if _, err := e.Answer(context.Background(), engine.Request{Params: p, Cutoffs: cut}); err != nil {
				return 0, err
			}
			_, err := e.Isochrone(context.Background(), engine.IsochroneRequest{Params: p, Cutoffs: cut})
			return 0, err
		}
	}
	rangeRaptor := func(i int) (int64, error) {
		lat, lon := at(i)
		p := engine.DefaultParams(lat, lon)
		var src []raptor.SourceOffset
		for _, s := range e.StopsNear(lat, lon, p.MaxWalk, p.WalkSpeed) {
			src = append(src, raptor.SourceOffset{Stop: s.Stop, Offset: s.Seconds})
		}
		if len(src) == 0 {
			return 0, nil
		}
		window := int32(p.MaxMinutes) * 60
		rr, err := e.Router().Range(raptor.RangeQuery{Sources: src, From: p.ArriveBy - window, To: p.ArriveBy + 1, Step: 60,
			MaxTransfers: p.MaxTransfers, Transfers: tr, WalkSpeed: engine.DefaultWalkSpeed})
		if err != nil {
			return 0, err
		}
		n := rr.ScannedStopTimes()
		rr.Release()
		return n, nil
	}
	plain := func(i int) (int64, error) {
		res, err := e.Router().Route(raptor.Query{Sources: []raptor.Source{{Stop: graph.StopIdx(stops[i%len(stops)]), Time: 7*3600 + 30*60}},
			MaxTransfers: raptor.DefaultMaxTransfers, Transfers: tr, WalkSpeed: engine.DefaultWalkSpeed, MinChange: 60})
		if err != nil {
			return 0, err
		}
		n := res.ScannedStopTimes()
		res.Release()
		return n, nil
	}
	types := []struct {
		name string
		q    query
	}{
		{"raptor", plain},
		{"range-90", rangeRaptor},
		{"reach-90", reach(90)},
		{"answer+iso-60", answerIso(60)},
		{"answer+iso-90", answerIso(90)},
	}
	for _, t := range types {
		r, err := timeType(t.name, cfg.Queries, cfg.Warmup, t.q)
		if err != nil {
			return nil, err
		}
		if t.name == "reach-90" {
			if r.Throughput, err = throughput(2*cfg.Queries, t.q); err != nil {
				return nil, err
			}
		}
		run.Types = append(run.Types, r)
	}
	if d.Windows {
		run.Windows = map[int]float64{}
		for _, w := range windowMinutes {
			r, err := timeType(fmt.Sprintf("reach-%d", w), cfg.Queries/2, cfg.Warmup/2, reach(w))
			if err != nil {
				return nil, err
			}
			run.Windows[w] = r.P50
		}
	}
	if d.Precompute {
		total := 0
		start := time.Now()
		ix, err := batch.Precompute(context.Background(), e, batch.PrecomputeOptions{
			Routing:    engine.Routing{Params: engine.DefaultParams(0, 0)},
			Resolution: indexResolution, Shard: 0, Shards: cfg.PrecompPart,
			Progress: func(done, n int) { total = n },
		})
		if err != nil {
			return nil, err
		}
		el := time.Since(start)
		run.PrecomputeCells = len(ix.Cell)
		run.IndexResolution = ix.Resolution
		run.IndexCells = total * cfg.PrecompPart
		if len(ix.Cell) > 0 {
			run.PrecomputeCellMS = el.Seconds() * 1000 * float64(runtime.GOMAXPROCS(0)) / float64(len(ix.Cell))
		}
	}
	return run, nil
}

// indexResolution is the H3 resolution of the precomputed index, the
// default of `reach precompute`.
const indexResolution = 11

// windowMinutes are the departure windows of the latency-against-window
// measurement (the request's max_minutes).
var windowMinutes = []int{30, 60, 90, 120, 180}
