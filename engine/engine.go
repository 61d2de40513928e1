// Package engine answers the counsellor's question over a loaded graph:
// from a place, arriving by a deadline, which schools (and trainings) can be
// reached, how, and how long the trip takes. It ties the street search
// (engine/street) to the timetable router (engine/raptor).
//
// A request runs one range RAPTOR search over the departure window ending at
// the deadline, from the stops within walking distance of the origin, then
// evaluates every school from its own egress table (the stops within walking
// distance of it) and the direct walk. When school buses may be used and the
// graph has some, a second search with them tells which results need them.
package engine

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"reach/engine/raptor"
	"reach/graph"
	"reach/street"
)

// Engine answers requests over one graph. It is read-only once built and
// safe for concurrent use.
type Engine struct {
	g       *graph.Graph
	router  *raptor.Router
	stops   *street.Access // walks to stops
	schools *street.Access // walks to schools
	index   *graph.SchoolIndex
	school  bool // the timetable has school lines
	bounds  [4]float64

	mu        sync.Mutex
	transfers map[transferKey]*raptor.Transfers

	pool sync.Pool // *scratch
}

// maxCachedTransfers bounds the footpath sets kept: requests may ask for
// any walking speed, and each set is as large as the street transfers.
const maxCachedTransfers = 16

type transferKey struct {
	mode  graph.TransferMode
	speed float64
}

// scratch is the per-request memory reused between requests.
type scratch struct {
	stops   *street.AccessScratch
	schools *street.AccessScratch
	sources []raptor.SourceOffset
	egress  []raptor.StopCost
	direct  []int32 // per school: direct walk seconds, or -1
}

// New prepares an engine over g, which must not change afterwards.
func New(g *graph.Graph) (*Engine, error) {
	router, err := raptor.NewRouter(&g.Timetable)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{g: g, router: router, transfers: map[transferKey]*raptor.Transfers{}}
	var idx *street.Index
	if g.Streets.NumNodes() > 0 {
		idx = street.NewIndex(&g.Streets)
	}
	tt := &g.Timetable
	limit := g.Meta.LinkLimit
	e.stops = street.NewAccess(&g.Streets, idx, &g.StopLinks, tt.StopLat, tt.StopLon, limit)
	e.schools = street.NewAccess(&g.Streets, idx, &g.SchoolLinks, g.Places.SchoolLat, g.Places.SchoolLon, limit)
	e.index = g.Places.Index()
	e.bounds = graphBounds(g)
	for _, s := range tt.LineSchool {
		e.school = e.school || s
	}
	e.pool.New = func() any {
		return &scratch{
			stops:   e.stops.NewScratch(),
			schools: e.schools.NewScratch(),
			direct:  make([]int32, g.Places.NumSchools()),
		}
	}
	return e, nil
}

// Graph returns the engine's graph.
func (e *Engine) Graph() *graph.Graph { return e.g }

// Router returns the timetable router.
func (e *Engine) Router() *raptor.Router { return e.router }

// SchoolIndex returns the R-tree of schools.
func (e *Engine) SchoolIndex() *graph.SchoolIndex { return e.index }

// HasSchoolBuses reports whether the timetable has school-bus lines.
func (e *Engine) HasSchoolBuses() bool { return e.school }

// Transfers returns the footpaths between stops for a mode ("street",
// "gtfs", "both", "none"; "" for the graph's default) at a walking speed,
// building them on first use and caching them.
func (e *Engine) Transfers(mode graph.TransferMode, walkSpeed float64) (*raptor.Transfers, error) {
	if mode == "" {
		mode = graph.TransferMode(e.g.Meta.Transfers)
	}
	if mode == "" {
		mode = graph.TransfersBoth
	}
	key := transferKey{mode, walkSpeed}
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.transfers[key]; ok {
		return t, nil
	}
	var t raptor.Transfers
	switch mode {
	case graph.TransfersNone:
		t = raptor.Transfers{Start: make([]int32, e.g.Timetable.NumStops()+1)}
	case graph.TransfersGTFS:
		t = raptor.GTFSTransfers(&e.g.Timetable)
	case graph.TransfersStreet, graph.TransfersBoth:
		p := &e.g.StopPaths
		var err error
		if t, err = raptor.FromDistances(p.Start, p.To, p.Dist, walkSpeed); err != nil {
			return nil, fmt.Errorf("engine: street transfers: %w", err)
		}
		if mode == graph.TransfersBoth {
			t = raptor.MergeTransfers(t, raptor.GTFSTransfers(&e.g.Timetable))
		}
	default:
		return nil, fmt.Errorf("transfers %q: want street, gtfs, both or none", mode)
	}
	if len(e.transfers) < maxCachedTransfers {
		e.transfers[key] = &t
	}
	return &t, nil
}

// walkSeconds converts metres to whole seconds at speed, rounding up.
func walkSeconds(metres, speed float64) int32 {
	return int32(math.Ceil(metres / speed))
}

// StopNear is a stop reached on foot from a place.
type StopNear struct {
	Stop    int32
	Metres  float64
	Seconds int32
}

// StopsNear returns the stops within maxWalk metres of the place, walking
// at speed m/s.
func (e *Engine) StopsNear(lat, lon, maxWalk, speed float64) []StopNear {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	hits := e.stops.FromPlace(sc.stops, lat, lon, maxWalk)
	out := make([]StopNear, len(hits))
	for i, h := range hits {
		out[i] = StopNear{Stop: h.Point, Metres: h.Dist, Seconds: walkSeconds(h.Dist, speed)}
	}
	return out
}

// Load reads a graph file, checks it and prepares an engine over it.
func Load(path string) (*Engine, error) {
	g, err := graph.Read(path)
	if err != nil {
		return nil, err
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("%s: inconsistent graph: %w", path, err)
	}
	return New(g)
}

// ErrNoCells is an isochrone asked of a graph built without streets.
var ErrNoCells = errors.New("this graph has no H3 cells (it was built without streets): isochrones need a graph built with --osm")

// checkRequest refuses what the graph cannot answer: another service date,
// an origin far outside the area it covers.
func (e *Engine) checkRequest(p Params, date string) error {
	if err := p.valid(); err != nil {
		return err
	}
	if err := e.CheckDate(date); err != nil {
		return err
	}
	return e.CheckOrigin(p.Lat, p.Lon)
}

// CheckDate refuses a date the graph cannot answer for ("" is the graph's).
func (e *Engine) CheckDate(date string) error {
	if date == "" || date == e.g.Meta.Date {
		return nil
	}
	return &ParamError{Param: "date", Detail: fmt.Sprintf("%s: this graph holds the timetable of %s (build a graph for %s)",
		clip(date, maxEcho), e.g.Meta.Date, clip(date, maxEcho))}
}

// coverMargin is how far from the graph's area an origin may be, metres:
// farther, nothing can be reached and the coordinates are most likely
// wrong (swapped, or of another region).
const coverMargin = 20000

// Bounds returns minLon, minLat, maxLon, maxLat of the streets, stops and
// schools of the graph, or zeros when it has none.
func (e *Engine) Bounds() [4]float64 { return e.bounds }

// CheckOrigin refuses an origin far outside the area the graph covers.
func (e *Engine) CheckOrigin(lat, lon float64) error {
	b := e.bounds
	if b == ([4]float64{}) {
		return nil
	}
	clat := min(max(lat, b[1]), b[3])
	clon := min(max(lon, b[0]), b[2])
	d := graph.Haversine(lat, lon, clat, clon)
	if d <= coverMargin {
		return nil
	}
	name := "lat"
	if clat == lat {
		name = "lon"
	}
	hint := ""
	if c := graph.Haversine(lon, lat, min(max(lon, b[1]), b[3]), min(max(lat, b[0]), b[2])); c <= coverMargin {
		hint = "; lat and lon look swapped"
	}
	return &ParamError{Param: name, Detail: fmt.Sprintf("(%.5f, %.5f) is %.0f km from the area this graph covers (lon %.4f..%.4f, lat %.4f..%.4f)%s",
		lat, lon, d/1000, b[0], b[2], b[1], b[3], hint)}
}

// graphBounds returns minLon, minLat, maxLon, maxLat of the streets, stops
// and schools of g, or zeros when g has none.
func graphBounds(g *graph.Graph) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	add := func(lat, lon float64) {
		b[0], b[1] = min(b[0], lon), min(b[1], lat)
		b[2], b[3] = max(b[2], lon), max(b[3], lat)
	}
	if minLat, minLon, maxLat, maxLon, ok := g.Streets.Bounds(); ok {
		add(minLat, minLon)
		add(maxLat, maxLon)
	}
	tt := &g.Timetable
	for i := range tt.StopLat {
		add(tt.StopLat[i], tt.StopLon[i])
	}
	p := &g.Places
	for i := range p.SchoolLat {
		add(p.SchoolLat[i], p.SchoolLon[i])
	}
	if math.IsInf(b[0], 0) {
		return [4]float64{}
	}
	return b
}

// checkCutoffs checks bands given by a library caller.
func checkCutoffs(cut []int, maxMinutes int) error {
	if len(cut) == 0 || len(cut) > 12 {
		return fmt.Errorf("engine: %d cut-offs, want 1 to 12", len(cut))
	}
	for i, c := range cut {
		if c < 1 || (i > 0 && c <= cut[i-1]) {
			return fmt.Errorf("engine: cut-offs %v do not increase from 1", cut)
		}
	}
	if cut[len(cut)-1] > maxMinutes {
		return &ParamError{Param: "cutoffs", Detail: fmt.Sprintf("last cut-off %d exceeds max_minutes %d", cut[len(cut)-1], maxMinutes)}
	}
	return nil
}
