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
	"fmt"
	"math"
	"strings"
	"sync"

	"reach/engine/raptor"
	"reach/engine/street"
	"reach/graph"
)

// Defaults of a request.
const (
	DefaultWalkSpeed     = 1.25  // m/s, 4.5 km/h: a pupil with a bag
	DefaultMaxWalk       = 1250  // metres of access or egress walk (about 17 min)
	DefaultMaxMinutes    = 90    // travel time ceiling
	DefaultArriveBy      = 30600 // 08:30
	DefaultMaxDirectWalk = 45    // minutes of walking straight to a school
	MaxMaxMinutes        = 240   // ceiling of MaxMinutes
)

// DefaultCutoffs are the service's travel-time bands, in minutes.
var DefaultCutoffs = []int{15, 30, 45, 60, 90}

// Modes says which ways of travelling a request allows.
type Modes struct {
	Walk    bool // walking straight to the school
	Transit bool // public transport (with walks to and from stops)
	School  bool // school buses too (needs Transit)
}

// AllModes allows everything.
var AllModes = Modes{Walk: true, Transit: true, School: true}

// ParseModes parses a comma-separated list of walk, transit, school.
func ParseModes(s string) (Modes, error) {
	var m Modes
	for _, part := range strings.Split(s, ",") {
		switch strings.TrimSpace(part) {
		case "walk":
			m.Walk = true
		case "transit":
			m.Transit = true
		case "school":
			m.School = true
		case "":
		default:
			return Modes{}, fmt.Errorf("unknown mode %q (want walk, transit, school)", strings.TrimSpace(part))
		}
	}
	if m == (Modes{}) {
		return Modes{}, fmt.Errorf("no mode given (want walk, transit, school)")
	}
	if m.School && !m.Transit {
		return Modes{}, fmt.Errorf("mode school adds school buses to transit: ask for transit,school")
	}
	return m, nil
}

// String lists the modes as ParseModes reads them.
func (m Modes) String() string {
	var parts []string
	for _, x := range []struct {
		on   bool
		name string
	}{{m.Walk, "walk"}, {m.Transit, "transit"}, {m.School, "school"}} {
		if x.on {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, ",")
}

// Engine answers requests over one graph. It is read-only once built and
// safe for concurrent use.
type Engine struct {
	g       *graph.Graph
	router  *raptor.Router
	stops   *street.Access // walks to stops
	schools *street.Access // walks to schools
	index   *graph.SchoolIndex
	school  bool // the timetable has school lines

	mu        sync.Mutex
	transfers map[transferKey]*raptor.Transfers

	pool sync.Pool // *scratch
}

// maxCachedTransfers bounds the footpath sets kept: requests may ask for
// any walking speed, and each set is as large as the street transfers.
const maxCachedTransfers = 16

type transferKey struct {
	mode  string
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

// Schools returns the R-tree of schools.
func (e *Engine) Schools() *graph.SchoolIndex { return e.index }

// HasSchoolBuses reports whether the timetable has school-bus lines.
func (e *Engine) HasSchoolBuses() bool { return e.school }

// Transfers returns the footpaths between stops for a mode ("street",
// "gtfs", "both", "none"; "" for the graph's default) at a walking speed,
// building them on first use and caching them.
func (e *Engine) Transfers(mode string, walkSpeed float64) (*raptor.Transfers, error) {
	if mode == "" {
		mode = e.g.Meta.Transfers
	}
	if mode == "" {
		mode = "both"
	}
	key := transferKey{mode, walkSpeed}
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.transfers[key]; ok {
		return t, nil
	}
	var t raptor.Transfers
	switch mode {
	case "none":
		t = raptor.Transfers{Start: make([]int32, e.g.Timetable.NumStops()+1)}
	case "gtfs":
		t = raptor.GTFSTransfers(&e.g.Timetable)
	case "street", "both":
		p := &e.g.StopPaths
		var err error
		if t, err = raptor.FromDistances(p.Start, p.To, p.Dist, walkSpeed); err != nil {
			return nil, fmt.Errorf("engine: street transfers: %w", err)
		}
		if mode == "both" {
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
