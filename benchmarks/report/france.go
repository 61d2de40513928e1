package main

// The "France (synthetic)" part of the report: benchmarks/france copies the
// shared networks across metropolitan France; for each copy count the
// report builds the graph with the real CLI, loads it in fresh processes
// and queries it, so that national figures are measured, not extrapolated.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	rtmetrics "runtime/metrics"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"reach/batch"
	"reach/engine"
	"reach/graph"
)

// franceConfig sizes the France part of a report run.
type franceConfig struct {
	Copies  []int `json:"copies"`  // copy counts measured (1: copy 0 and TER alone)
	Loads   int   `json:"loads"`   // fresh-process loads per copy count
	Runs    int   `json:"runs"`    // query runs per copy count
	Queries int   `json:"queries"` // timed reach-90 queries per origin set and run
	Origins int   `json:"origins"` // Rennes origins of the CPU comparison (reach batch)
	Cells   int   `json:"cells"`   // Rennes res-11 cells of the precompute sample
	Reused  bool  `json:"reused"`  // the generated data came from an earlier run (-france-dir)
}

// parseCopies reads the -france list: "1,5,10,20,40"; "" or "none" for
// none. Counts are sorted and deduplicated, and 1 (copy 0 alone, the
// baseline of the comparisons) is added when missing.
func parseCopies(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-france %q: want copy counts of at least 1, comma-separated (or \"\" for none)", s)
		}
		out = append(out, n)
	}
	if !slices.Contains(out, 1) {
		out = append(out, 1)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// copyDir matches a manifest path inside a copy's directory: copy-KK/...
var copyDir = regexp.MustCompile(`^copy-(\d+)/`)

// trimManifest rewrites the generator's france.json for fewer copies: every
// path (a string, or an object's "path") under copy-KK/ with KK >= copies
// is dropped. The copies are generated independently of their number, so
// the result is the manifest the generator writes for that many copies.
func trimManifest(b []byte, copies int) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	keep := func(v any) bool {
		p, _ := v.(string)
		if o, ok := v.(map[string]any); ok {
			p, _ = o["path"].(string)
		}
		sm := copyDir.FindStringSubmatch(filepath.ToSlash(p))
		if sm == nil {
			return true
		}
		k, _ := strconv.Atoi(sm[1])
		return k < copies
	}
	if name, ok := m["name"].(string); ok {
		m["name"] = regexp.MustCompile(`\d+ copies`).ReplaceAllString(name, fmt.Sprintf("%d copies", copies))
	}
	for key, v := range m {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		var kept []any
		for _, x := range list {
			if keep(x) {
				kept = append(kept, x)
			}
		}
		if kept == nil {
			kept = []any{}
		}
		m[key] = kept
	}
	return json.MarshalIndent(m, "", "  ")
}

// cpuSeconds is the user+system CPU time of this process so far, and its
// minor page faults.
func cpuSeconds() (float64, int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime), ru.Minflt
}

// liveHeapMB collects garbage and returns the live heap, as the server
// logs it after a load (heap_after_mb), and the heap in use.
func liveHeapMB() (live, inuse float64) {
	runtime.GC()
	s := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(s)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if s[0].Value.Kind() == rtmetrics.KindUint64 {
		live = float64(s[0].Value.Uint64()) / 1e6
	}
	return live, float64(ms.HeapInuse) / 1e6
}

// franceLoadRun is one fresh process loading a graph the way `reach serve`
// does (engine.Load, then the default footpaths), phase by phase.
type franceLoadRun struct {
	ReadS       float64 `json:"read_s"`     // graph.Read
	ValidateS   float64 `json:"validate_s"` // the graph's consistency checks
	NewS        float64 `json:"new_s"`      // engine.New
	FootpathsS  float64 `json:"footpaths_s"`
	TotalS      float64 `json:"total_s"`
	ReadFaults  int64   `json:"read_faults"` // minor page faults during graph.Read
	ReadAgainS  float64 `json:"read_again_s"`
	AgainFaults int64   `json:"again_faults"`
	HeapMB      float64 `json:"heap_mb"` // live heap with the engine loaded
	HeapInuseMB float64 `json:"heap_inuse_mb"`
	RSSMB       float64 `json:"rss_mb"`
	MaxRSSMB    float64 `json:"max_rss_mb"` // set by the parent
	// Facts of the graph (the same in every run).
	Feeds       int     `json:"feeds"`
	Stops       int     `json:"stops"`
	StopTimes   int     `json:"stop_times"`
	StreetNodes int     `json:"street_nodes"`
	StreetKm    float64 `json:"street_km"`
	Schools     int     `json:"schools"`
	Cells       int     `json:"cells"`
}

// childFranceLoad loads a graph phase by phase, then reads the file a
// second time in the same process (its pages already mapped).
func childFranceLoad(graphPath string) (*franceLoadRun, error) {
	runtime.GC()
	r := &franceLoadRun{}
	t0 := time.Now()
	_, f0 := cpuSeconds()
	g, err := graph.Read(graphPath)
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	_, f1 := cpuSeconds()
	if err := g.Validate(); err != nil {
		return nil, err
	}
	t2 := time.Now()
	e, err := engine.New(g)
	if err != nil {
		return nil, err
	}
	t3 := time.Now()
	if _, err := e.Transfers(""); err != nil {
		return nil, err
	}
	t4 := time.Now()
	r.ReadS, r.ValidateS, r.NewS, r.FootpathsS, r.TotalS = t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(),
		t3.Sub(t2).Seconds(), t4.Sub(t3).Seconds(), t4.Sub(t0).Seconds()
	r.ReadFaults = f1 - f0
	r.HeapMB, r.HeapInuseMB = liveHeapMB()
	r.RSSMB = rssMB()
	r.Feeds, r.Stops, r.StopTimes = len(g.Meta.Feeds), g.Timetable.NumStops(), g.Timetable.NumStopTimes()
	r.StreetNodes, r.Schools, r.Cells = g.Streets.NumNodes(), g.Places.NumSchools(), g.Cells.NumCells()
	for _, l := range g.Streets.SegLength {
		r.StreetKm += float64(l) / 1000
	}
	runtime.KeepAlive(e)
	e, g = nil, nil
	runtime.GC()
	_, f2 := cpuSeconds()
	t5 := time.Now()
	g2, err := graph.Read(graphPath)
	if err != nil {
		return nil, err
	}
	r.ReadAgainS = time.Since(t5).Seconds()
	_, f3 := cpuSeconds()
	r.AgainFaults = f3 - f2
	runtime.KeepAlive(g2)
	return r, nil
}

// originSetRun is reach-90 from one set of origins.
type originSetRun struct {
	Name    string  `json:"name"`
	Queries int     `json:"queries"`
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	CPUP50  float64 `json:"cpu_p50_ms"` // CPU time of the querying thread
	Scanned float64 `json:"scanned"`    // stop times scanned per query
	Reached float64 `json:"reached"`    // schools reached per query
}

// threadCPU is the CPU time of the calling OS thread, seconds
// (CLOCK_THREAD_CPUTIME_ID: nanosecond resolution, unlike getrusage).
func threadCPU() float64 {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

// timeSet is timeType (wall latency) that also takes the median CPU time
// of the querying thread, which the other work of a shared machine does
// not inflate.
func timeSet(n, warmup int, q query) (typeRun, float64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := make([]float64, 0, n)
	k := 0
	timed := func(i int) (int64, error) {
		if k < warmup { // timeType runs the warm-up first
			k++
			return q(i)
		}
		c := threadCPU()
		sc, err := q(i)
		cpu = append(cpu, (threadCPU()-c)*1000)
		return sc, err
	}
	tr, err := timeType("", n, warmup, timed)
	slices.Sort(cpu)
	return tr, quantile(cpu, 0.5), err
}

// franceQueryRun is what one query process measured on a France graph.
type franceQueryRun struct {
	Sets []originSetRun `json:"sets"`
	// The Rennes origins through batch.Run on one worker (what `reach
	// batch --origins` runs): CPU per origin, then the same origins one
	// Reach at a time for the stop times scanned.
	BatchOrigins    int     `json:"batch_origins"`
	BatchCPUMS      float64 `json:"batch_cpu_ms"` // per origin
	BatchScanned    float64 `json:"batch_scanned"`
	BatchNsPerScan  float64 `json:"batch_ns_per_scan"` // CPU ns per stop time scanned
	PrecomputeCells int     `json:"precompute_cells"`
	PrecomputeMS    float64 `json:"precompute_core_ms"` // CPU ms per cell
	// All res-11 street cells of the graph (counted on the largest graph
	// only: 0 otherwise) and the seconds the count took.
	AllCells      int     `json:"all_cells,omitempty"`
	AllCellsS     float64 `json:"all_cells_s,omitempty"`
	MaxRSSMB      float64 `json:"max_rss_mb"`
	LyonOrigins   int     `json:"lyon_origins"`
	RuralOrigins  int     `json:"rural_origins"`
	RuralStations int     `json:"rural_stations"` // TER stations the rural origins are drawn around
	LyonShiftDeg  float64 `json:"lyon_shift_deg,omitempty"`
	RuralFromStop float64 `json:"rural_from_stop_m,omitempty"`
}

// The files the copy-0 query process writes for the others, so that every
// graph is asked from the same places.
const (
	rennesOriginsFile = "rennes-origins.json"
	rennesCellsFile   = "rennes-cells.json"
	rennesOriginsCSV  = "rennes-origins.csv"
)

// feedStops returns the stops of the feed named name.
func feedStops(g *graph.Graph, name string) []int32 {
	fi := slices.IndexFunc(g.Meta.Feeds, func(f graph.FeedReport) bool { return f.Name == name })
	if fi < 0 {
		return nil
	}
	var out []int32
	for s, f := range g.Timetable.StopFeed {
		if int(f) == fi {
			out = append(out, int32(s))
		}
	}
	return out
}

// medianPos is the median latitude and longitude of stops.
func medianPos(g *graph.Graph, stops []int32) (lat, lon float64) {
	var la, lo []float64
	for _, s := range stops {
		la, lo = append(la, g.Timetable.StopLat[s]), append(lo, g.Timetable.StopLon[s])
	}
	return median(la), median(lo)
}

// lyonOrigins moves the Rennes origins to copy 1's STAR network (in Lyon),
// as the generator moves it: the median of the STAR stops lands on the
// median of the copy's, latitudes shifted, longitude offsets scaled by
// cos(centre)/cos(place). Nil when the graph has no copy 1.
func lyonOrigins(g *graph.Graph, rennes [][2]float64) [][2]float64 {
	from, to := feedStops(g, "star"), feedStops(g, "c01-star")
	if len(from) == 0 || len(to) == 0 {
		return nil
	}
	clat, clon := medianPos(g, from)
	plat, plon := medianPos(g, to)
	k := math.Cos(clat*math.Pi/180) / math.Cos(plat*math.Pi/180)
	out := make([][2]float64, len(rennes))
	for i, p := range rennes {
		out[i] = [2]float64{p[0] + plat - clat, plon + (p[1]-clon)*k}
	}
	return out
}

// ruralOrigins draws n places a few hundred metres from TER stops with no
// street and no other network within about 10 km (the synthetic France
// has streets only where it copied a city): a pupil of a village with a
// station, who walks to it straight across the fields.
func ruralOrigins(g *graph.Graph, n int) ([][2]float64, int) {
	ter := feedStops(g, "ter")
	if len(ter) == 0 {
		return nil, 0
	}
	type key struct{ a, b int }
	cell := func(lat, lon float64) key { return key{int(math.Floor(lat / 0.1)), int(math.Floor(lon / 0.14))} }
	busy := map[key]bool{}
	for i := range g.Streets.NodeLat {
		busy[cell(g.Streets.NodeLat[i], g.Streets.NodeLon[i])] = true
	}
	isTer := make(map[int32]bool, len(ter))
	for _, s := range ter {
		isTer[s] = true
	}
	tt := &g.Timetable
	for s := range tt.StopLat {
		if !isTer[int32(s)] {
			busy[cell(tt.StopLat[s], tt.StopLon[s])] = true
		}
	}
	var cand []int32
	for _, s := range ter {
		if tt.StopRouteStart[s+1] == tt.StopRouteStart[s] {
			continue // not served
		}
		c := cell(tt.StopLat[s], tt.StopLon[s])
		free := true
		for da := -1; da <= 1 && free; da++ {
			for db := -1; db <= 1 && free; db++ {
				free = !busy[key{c.a + da, c.b + db}]
			}
		}
		if free {
			cand = append(cand, s)
		}
	}
	if len(cand) == 0 {
		return nil, 0
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	out := make([][2]float64, 0, n)
	for len(out) < n {
		s := cand[rng.IntN(len(cand))]
		d, a := 200+400*rng.Float64(), 2*math.Pi*rng.Float64() // metres, direction
		lat := tt.StopLat[s] + d*math.Cos(a)/111195
		lon := tt.StopLon[s] + d*math.Sin(a)/(111195*math.Cos(tt.StopLat[s]*math.Pi/180))
		out = append(out, [2]float64{lat, lon})
	}
	return out, len(cand)
}

// readOrWrite reads v from path, or when absent sets it with make and
// writes it there.
func readOrWrite[T any](path string, v *T, make func() (T, error)) error {
	b, err := os.ReadFile(path)
	if err == nil {
		return json.Unmarshal(b, v)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if *v, err = make(); err != nil {
		return err
	}
	b, _ = json.Marshal(*v)
	return os.WriteFile(path, b, 0o644)
}

// childFranceQuery loads a France graph and measures reach-90 from the
// Rennes, Lyon-copy and rural origins, the CPU per Rennes origin through
// batch.Run and the precompute cost per Rennes cell. aux holds the origin
// and cell files; the first graph queried (copy 0) writes them.
func childFranceQuery(graphPath, aux string, fc franceConfig, countCells bool) (*franceQueryRun, error) {
	e, err := engine.Load(graphPath)
	if err != nil {
		return nil, err
	}
	if _, err := e.Transfers(""); err != nil {
		return nil, err
	}
	g := e.Graph()
	run := &franceQueryRun{}
	nq := fc.Queries + 10
	var rennes [][2]float64
	if err := readOrWrite(filepath.Join(aux, rennesOriginsFile), &rennes, func() ([][2]float64, error) {
		if g.Streets.NumNodes() == 0 {
			return nil, errors.New("the copy-0 graph has no streets")
		}
		return origins(g, max(nq, fc.Origins)), nil
	}); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(aux, rennesOriginsCSV)); errors.Is(err, os.ErrNotExist) {
		var b bytes.Buffer
		b.WriteString("id,lat,lon\n")
		for i, p := range rennes[:min(fc.Origins, len(rennes))] {
			fmt.Fprintf(&b, "r%03d,%.7f,%.7f\n", i, p[0], p[1])
		}
		if err := os.WriteFile(filepath.Join(aux, rennesOriginsCSV), b.Bytes(), 0o644); err != nil {
			return nil, err
		}
	}
	var cells []batch.Origin
	if err := readOrWrite(filepath.Join(aux, rennesCellsFile), &cells, func() ([]batch.Origin, error) {
		all := batch.StreetCellOrigins(g, indexResolution)
		step := max(len(all)/max(fc.Cells, 1), 1)
		var out []batch.Origin
		for k := 0; k < len(all) && len(out) < fc.Cells; k += step {
			out = append(out, all[k])
		}
		return out, nil
	}); err != nil {
		return nil, err
	}

	reach := func(places [][2]float64) query {
		return func(i int) (int64, error) {
			p := places[i%len(places)]
			r, err := e.Reach(context.Background(), engine.DefaultParams(p[0], p[1]))
			if err != nil {
				return 0, err
			}
			return r.Scanned, nil
		}
	}
	sets := []struct {
		name   string
		places [][2]float64
	}{{"rennes", rennes[:min(nq, len(rennes))]}}
	if lyon := lyonOrigins(g, rennes[:min(nq, len(rennes))]); lyon != nil {
		sets = append(sets, struct {
			name   string
			places [][2]float64
		}{"lyon", lyon})
		run.LyonOrigins = len(lyon)
	}
	if rural, stations := ruralOrigins(g, nq); rural != nil {
		run.RuralStations = stations
		sets = append(sets, struct {
			name   string
			places [][2]float64
		}{"rural", rural})
		run.RuralOrigins = len(rural)
	}
	for _, s := range sets {
		tr, cpuP50, err := timeSet(fc.Queries, 10, reach(s.places))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		// Schools reached, outside the timing.
		reached := 0
		for i := 0; i < fc.Queries; i++ {
			p := s.places[i%len(s.places)]
			r, err := e.Reach(context.Background(), engine.DefaultParams(p[0], p[1]))
			if err != nil {
				return nil, err
			}
			for _, t := range r.Trips {
				if t.Found {
					reached++
				}
			}
		}
		run.Sets = append(run.Sets, originSetRun{Name: s.name, Queries: fc.Queries, P50: tr.P50, P95: tr.P95, CPUP50: cpuP50,
			Scanned: tr.Scanned, Reached: float64(reached) / float64(fc.Queries)})
	}

	// CPU per Rennes origin: batch.Run on one worker, as `reach batch
	// --origins FILE --workers 1` runs them.
	bo := make([]batch.Origin, min(fc.Origins, len(rennes)))
	for i := range bo {
		bo[i] = batch.Origin{ID: fmt.Sprintf("r%03d", i), Lat: rennes[i][0], Lon: rennes[i][1]}
	}
	runtime.GC()
	c0, _ := cpuSeconds()
	if _, err := batch.Run(context.Background(), e, bo, batch.Options{Params: engine.DefaultParams(0, 0), Workers: 1}); err != nil {
		return nil, err
	}
	c1, _ := cpuSeconds()
	run.BatchOrigins = len(bo)
	run.BatchCPUMS = (c1 - c0) * 1000 / float64(len(bo))
	var scanned int64
	runtime.GC()
	c2, _ := cpuSeconds()
	for _, o := range bo {
		r, err := e.Reach(context.Background(), engine.DefaultParams(o.Lat, o.Lon))
		if err != nil {
			return nil, err
		}
		scanned += r.Scanned
	}
	c3, _ := cpuSeconds()
	run.BatchScanned = float64(scanned) / float64(len(bo))
	if scanned > 0 {
		run.BatchNsPerScan = (c3 - c2) * 1e9 / float64(scanned)
	}

	// Precompute: the request of `reach precompute` (the default routing)
	// from the sampled Rennes cells, one at a time, CPU per cell.
	if len(cells) > 0 {
		runtime.GC()
		c4, _ := cpuSeconds()
		for _, o := range cells {
			if _, err := e.Reach(context.Background(), engine.DefaultParams(o.Lat, o.Lon)); err != nil {
				return nil, err
			}
		}
		c5, _ := cpuSeconds()
		run.PrecomputeCells = len(cells)
		run.PrecomputeMS = (c5 - c4) * 1000 / float64(len(cells))
	}
	if countCells {
		t := time.Now()
		run.AllCells = len(batch.StreetCellOrigins(g, indexResolution))
		run.AllCellsS = time.Since(t).Seconds()
	}
	return run, nil
}

// franceBuildRun is one `reach build --manifest` of a France manifest.
type franceBuildRun struct {
	Seconds   float64 `json:"seconds"`
	CPUS      float64 `json:"cpu_s"`
	MaxRSSMB  float64 `json:"max_rss_mb"`
	FileBytes int64   `json:"file_bytes"`
}

// franceCLIBatch is one `reach batch --origins` process on a graph.
type franceCLIBatch struct {
	Origins    int     `json:"origins"`
	ProcessCPU float64 `json:"process_cpu_s"` // user+system, loading included
	Seconds    float64 `json:"seconds"`
	MaxRSSMB   float64 `json:"max_rss_mb"`
	MSPerOrig  float64 `json:"ms_per_origin"` // as reach batch prints it (per worker, loading excluded)
}

// franceStats are the figures of one copy count.
type franceStats struct {
	Copies        int             `json:"copies"`
	Build         franceBuildRun  `json:"build"`
	Facts         franceLoadRun   `json:"facts"` // the graph's counts (the load figures zeroed)
	ReadS         figure          `json:"read_s"`
	ValidateS     figure          `json:"validate_s"`
	NewS          figure          `json:"new_s"`
	FootpathsS    figure          `json:"footpaths_s"`
	LoadS         figure          `json:"load_s"`
	ReadAgainS    figure          `json:"read_again_s"`
	ReadFaults    figure          `json:"read_faults"`
	AgainFaults   figure          `json:"again_faults"`
	HeapMB        figure          `json:"heap_mb"`
	HeapInuseMB   figure          `json:"heap_inuse_mb"`
	LoadRSSMB     figure          `json:"load_max_rss_mb"`
	Sets          []originSetStat `json:"sets"`
	BatchCPUMS    figure          `json:"batch_cpu_ms"`
	BatchScan     figure          `json:"batch_scanned"`
	BatchNs       figure          `json:"batch_ns_per_scan"`
	PrecompMS     figure          `json:"precompute_core_ms"`
	PrecompN      int             `json:"precompute_cells"`
	RuralStations int             `json:"rural_stations"`
	AllCells      int             `json:"all_cells,omitempty"`
	AllCellsS     float64         `json:"all_cells_s,omitempty"`
	QueryRSSMB    figure          `json:"query_max_rss_mb"`
	CLI           *franceCLIBatch `json:"cli,omitempty"`
}

type originSetStat struct {
	Name    string `json:"name"`
	Queries int    `json:"queries"`
	P50     figure `json:"p50_ms"`
	P95     figure `json:"p95_ms"`
	CPUP50  figure `json:"cpu_p50_ms"`
	Scanned figure `json:"scanned"`
	Reached figure `json:"reached"`
}

// franceResult is the France part of a report run.
type franceResult struct {
	Config     franceConfig  `json:"config"`
	GenSeconds float64       `json:"generate_seconds"` // 0 when the data was reused
	Minutes    float64       `json:"minutes"`          // the whole France part
	Points     []franceStats `json:"points"`
}

// point returns the figures of a copy count.
func (f *franceResult) point(copies int) *franceStats {
	for i := range f.Points {
		if f.Points[i].Copies == copies {
			return &f.Points[i]
		}
	}
	return nil
}

func summarizeFrance(copies int, b franceBuildRun, loads []franceLoadRun, queries []franceQueryRun) franceStats {
	lf := func(f func(franceLoadRun) float64) figure {
		var v []float64
		for _, r := range loads {
			v = append(v, f(r))
		}
		return newFigure(v)
	}
	qf := func(f func(franceQueryRun) float64) figure {
		var v []float64
		for _, r := range queries {
			v = append(v, f(r))
		}
		return newFigure(v)
	}
	facts := loads[len(loads)-1]
	facts.ReadS, facts.ValidateS, facts.NewS, facts.FootpathsS, facts.TotalS, facts.ReadAgainS = 0, 0, 0, 0, 0, 0
	facts.ReadFaults, facts.AgainFaults, facts.HeapMB, facts.HeapInuseMB, facts.RSSMB, facts.MaxRSSMB = 0, 0, 0, 0, 0, 0
	s := franceStats{Copies: copies, Build: b, Facts: facts,
		ReadS:       lf(func(r franceLoadRun) float64 { return r.ReadS }),
		ValidateS:   lf(func(r franceLoadRun) float64 { return r.ValidateS }),
		NewS:        lf(func(r franceLoadRun) float64 { return r.NewS }),
		FootpathsS:  lf(func(r franceLoadRun) float64 { return r.FootpathsS }),
		LoadS:       lf(func(r franceLoadRun) float64 { return r.TotalS }),
		ReadAgainS:  lf(func(r franceLoadRun) float64 { return r.ReadAgainS }),
		ReadFaults:  lf(func(r franceLoadRun) float64 { return float64(r.ReadFaults) }),
		AgainFaults: lf(func(r franceLoadRun) float64 { return float64(r.AgainFaults) }),
		HeapMB:      lf(func(r franceLoadRun) float64 { return r.HeapMB }),
		HeapInuseMB: lf(func(r franceLoadRun) float64 { return r.HeapInuseMB }),
		LoadRSSMB:   lf(func(r franceLoadRun) float64 { return r.MaxRSSMB }),
	}
	if len(queries) == 0 {
		return s
	}
	for k, set := range queries[0].Sets {
		sf := func(f func(originSetRun) float64) figure {
			return qf(func(r franceQueryRun) float64 { return f(r.Sets[k]) })
		}
		s.Sets = append(s.Sets, originSetStat{Name: set.Name, Queries: set.Queries,
			P50: sf(func(r originSetRun) float64 { return r.P50 }), P95: sf(func(r originSetRun) float64 { return r.P95 }),
			CPUP50:  sf(func(r originSetRun) float64 { return r.CPUP50 }),
			Scanned: sf(func(r originSetRun) float64 { return r.Scanned }), Reached: sf(func(r originSetRun) float64 { return r.Reached })})
	}
	s.BatchCPUMS = qf(func(r franceQueryRun) float64 { return r.BatchCPUMS })
	s.BatchScan = qf(func(r franceQueryRun) float64 { return r.BatchScanned })
	s.BatchNs = qf(func(r franceQueryRun) float64 { return r.BatchNsPerScan })
	s.PrecompMS = qf(func(r franceQueryRun) float64 { return r.PrecomputeMS })
	s.QueryRSSMB = qf(func(r franceQueryRun) float64 { return r.MaxRSSMB })
	s.PrecompN = queries[0].PrecomputeCells
	s.RuralStations = queries[0].RuralStations
	for _, q := range queries {
		if q.AllCells > 0 {
			s.AllCells, s.AllCellsS = q.AllCells, q.AllCellsS
		}
	}
	return s
}

// set returns the figures of an origin set.
func (s *franceStats) set(name string) *originSetStat {
	for i := range s.Sets {
		if s.Sets[i].Name == name {
			return &s.Sets[i]
		}
	}
	return nil
}

// runTimed runs a command, returning its wall seconds, user+system CPU
// seconds and peak resident memory in MB, with its output.
func runTimed(name string, args ...string) (secs, cpu, rss float64, stdout []byte, err error) {
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	secs = time.Since(start).Seconds()
	if err != nil {
		tail := errb.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return 0, 0, 0, nil, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(ru.Maxrss) / 1024
		tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
		cpu = tv(ru.Utime) + tv(ru.Stime)
	}
	return secs, cpu, rss, out.Bytes(), nil
}

// msPerOrigin reads "…, 12.3 ms per origin per worker" in reach batch's
// last line.
var msPerOrigin = regexp.MustCompile(`([0-9.]+) ms per origin per worker`)

// runFrance generates the synthetic France once for the largest copy
// count, then builds, loads and queries the graph of every copy count,
// one heavy process at a time.
func runFrance(fc franceConfig, dataDir, work, keepDir string, logf func(string, ...any)) (*franceResult, error) {
	start := time.Now()
	res := &franceResult{Config: fc}
	top := fc.Copies[len(fc.Copies)-1]
	bin := filepath.Join(work, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	reach, gen := filepath.Join(bin, "reach"), filepath.Join(bin, "france")
	for _, b := range [][2]string{{reach, "./cmd/reach"}, {gen, "./benchmarks/france"}} {
		logf("go build %s", b[1])
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building %s: %v\n%s", b[1], err, out)
		}
	}
	dir := keepDir
	if dir == "" {
		dir = filepath.Join(work, "france")
	}
	// Reuse generated data only when kept in -france-dir and made for at
	// least as many copies (the generator's output depends on nothing else).
	reuse := false
	if keepDir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, "france.json")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("copy-%02d", top-1))); err == nil || top == 1 {
				reuse = json.Valid(b)
			}
		}
	}
	if reuse {
		logf("france: reusing the synthetic France in %s", dir)
		res.Config.Reused = true
	} else {
		logf("france: generating %d copies into %s", top, dir)
		t := time.Now()
		if _, _, _, _, err := runTimed(gen, "--copies", fmt.Sprint(top), "--out", dir, "--data", dataDir); err != nil {
			return nil, err
		}
		res.GenSeconds = time.Since(t).Seconds()
	}
	full, err := os.ReadFile(filepath.Join(dir, "france.json"))
	if err != nil {
		return nil, err
	}
	aux := filepath.Join(work, "france-aux")
	if err := os.MkdirAll(aux, 0o755); err != nil {
		return nil, err
	}
	for _, n := range fc.Copies {
		manifest := filepath.Join(dir, "copy-0.json")
		if n > 1 {
			b, err := trimManifest(full, n)
			if err != nil {
				return nil, fmt.Errorf("france.json: %w", err)
			}
			manifest = filepath.Join(dir, fmt.Sprintf("france-%d.json", n))
			if err := os.WriteFile(manifest, b, 0o644); err != nil {
				return nil, err
			}
		}
		gpath := filepath.Join(work, fmt.Sprintf("france-%d.graph", n))
		logf("france %d copies: reach build --manifest %s", n, filepath.Base(manifest))
		secs, cpu, rss, _, err := runTimed(reach, "build", "--manifest", manifest, "--out", gpath)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(gpath)
		if err != nil {
			return nil, err
		}
		b := franceBuildRun{Seconds: secs, CPUS: cpu, MaxRSSMB: rss, FileBytes: st.Size()}
		var loads []franceLoadRun
		for i := 0; i < fc.Loads; i++ {
			logf("france %d copies: load %d/%d", n, i+1, fc.Loads)
			var r franceLoadRun
			rss, err := spawn(&r, "-child", "france-load", "-graph", gpath)
			if err != nil {
				return nil, err
			}
			r.MaxRSSMB = rss
			loads = append(loads, r)
		}
		var queries []franceQueryRun
		for i := 0; i < fc.Runs; i++ {
			logf("france %d copies: queries %d/%d", n, i+1, fc.Runs)
			args := []string{"-child", "france-query", "-graph", gpath, "-france-aux", aux,
				"-france-queries", fmt.Sprint(fc.Queries), "-france-origins", fmt.Sprint(fc.Origins),
				"-france-cells", fmt.Sprint(fc.Cells)}
			if n == top && i == 0 {
				args = append(args, "-count-cells")
			}
			var r franceQueryRun
			rss, err := spawn(&r, args...)
			if err != nil {
				return nil, err
			}
			r.MaxRSSMB = rss
			queries = append(queries, r)
		}
		s := summarizeFrance(n, b, loads, queries)
		if n == 1 || n == top {
			logf("france %d copies: reach batch --origins (%d Rennes origins, 1 worker)", n, fc.Origins)
			secs, cpu, rss, out, err := runTimed(reach, "batch", "--graph", gpath, "--origins", filepath.Join(aux, rennesOriginsCSV),
				"--workers", "1", "--fresh", "--out", filepath.Join(work, "france-batch.csv"))
			if err != nil {
				return nil, err
			}
			c := &franceCLIBatch{Origins: fc.Origins, ProcessCPU: cpu, Seconds: secs, MaxRSSMB: rss}
			if m := msPerOrigin.FindSubmatch(out); m != nil {
				c.MSPerOrig, _ = strconv.ParseFloat(string(m[1]), 64)
			}
			s.CLI = c
		}
		res.Points = append(res.Points, s)
		if n != top {
			os.Remove(gpath) // keep the disk for the larger graphs
		}
	}
	sort.Slice(res.Points, func(i, j int) bool { return res.Points[i].Copies < res.Points[j].Copies })
	res.Minutes = time.Since(start).Minutes()
	return res, nil
}
