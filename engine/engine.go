// Package engine answers the counsellor's question over a loaded graph:
// from a place, arriving by a deadline, which schools (and trainings) can be
// reached, how, and how long the trip takes. It ties the street search
// (package street) to the timetable router (engine/raptor).
//
// A request runs one range RAPTOR search over the departure window ending at
// the deadline, from the stops within walking distance of the origin. The
// schools (and, for isochrones, the H3 cells) are evaluated inside the
// search, from the stops a vehicle reaches and their egress walks, so that a
// request costs what it reaches; the journey behind each answer is kept, so
// that a page of results or a journey needs no second search. The direct
// walk from the origin competes at every departure. When school buses may
// be used and the graph has some, a second search with them tells which
// results need them.
//
// # Cycling
//
// With the bike mode (graph.TravelModes.Bike) one street search rides the
// cycling network from the origin (street.NewBikeAccess: bikeable edges in
// their allowed directions, the origin snapped to the nearest bikeable
// street, straight lines × street.DetourFactor off the network), as far as
// the graph's bike limit (Meta.BikeLimit, set at build time, 5 km by
// default) and the request's ceiling allow, at Params.BikeSpeed (15 km/h by
// default). It gives:
//
//   - the direct ride to each school (its cycling link, stored in the
//     graph), which competes with the direct walk at every departure, as
//     the walk competes with transit: the earlier arrival wins, the walk on
//     a tie (it needs no bike); the answer's modality is graph.ModalityBike;
//   - with transit, the ride to each stop (its cycling link), plus
//     BikeParkSeconds to park: these stops join the walking access stops as
//     sources of the range search, each with the quicker of its walk and
//     its ride (the walk on a tie). A journey starting with a ride has
//     modality graph.ModalityBikeTransit (graph.ModalitySchool when it
//     needs school buses; its journey shows the ride). Journeys end on
//     foot, from the egress tables, as without a bike;
//   - for isochrones, the cells of the street nodes the ride reaches
//     (Cells.NodeCell), as for the direct walk.
//
// Every ride is thus one bounded search at request time, never more than
// the bike limit: a request with bike,transit allows everything transit
// alone and bike alone allow, so it never leaves earlier than either.
package engine

import (
	"errors"
	"fmt"
	"math"
	"slices"
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

	// bike rides to the stops (points 0..NumStops-1) and the schools
	// (points NumStops.., school s at NumStops+s), on their cycling links.
	bike      *street.Access
	bikeLimit float64 // metres, Meta.BikeLimit

	index  *graph.SchoolIndex
	school bool // the timetable has school lines
	bounds [4]float64

	// Stop-major egress walks to the schools with offers (to every school
	// when the graph has no offer), to every school, and to the H3 cells.
	egressOffers, egressAll, egressCells *raptor.Egress

	boundaries cellBoundaries

	// Folded texts for the filters: per offer its label and school's name,
	// and its diploma level; per school its name and UAI.
	offerText, offerLevel, schoolText []string

	mu        sync.Mutex
	transfers map[graph.TransferMode]*raptor.Transfers // one set per mode, built on first use

	pool sync.Pool // *scratch
}

// scratch is the per-request memory reused between requests.
type scratch struct {
	stops     *street.AccessScratch
	schools   *street.AccessScratch
	sources   []raptor.SourceOffset
	direct    []int32           // per school: direct walk seconds, or -1
	walked    []graph.SchoolIdx // schools with a direct walk
	done      []bool            // per school: evaluated by the current request
	evaluated []graph.SchoolIdx // schools with done set
	trip      []Trip            // per school: its trip, valid when done

	// Cycling: the ride's search, the stops it reaches, per stop its index
	// in sources + 1 (0 when absent), per school the direct ride in seconds
	// (-1 when none) and metres, and the schools with a ride.
	bike       *street.AccessScratch
	rides      []StopNear
	srcSlot    []int32
	ride       []int32
	rideMetres []float32
	ridden     []graph.SchoolIdx

	// Cells of an isochrone: per cell, the latest departure found
	// (math.MinInt32 when none) and its duration; cells lists the others.
	cellDep, cellDur []int32
	cells            []int32
}

// New prepares an engine over g, which must not change afterwards.
func New(g *graph.Graph) (*Engine, error) {
	router, err := raptor.NewRouter(&g.Timetable)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{g: g, router: router, transfers: map[graph.TransferMode]*raptor.Transfers{}}
	tt := &g.Timetable
	// The street index is the longest part: built beside the rest, then
	// the three accesses (each with its R-tree of points) side by side.
	var idx *street.Index
	var wg sync.WaitGroup
	if g.Streets.NumNodes() > 0 {
		wg.Go(func() { idx = street.NewIndex(&g.Streets) })
	}
	e.index = g.Places.Index()
	e.bounds = graphBounds(g)
	for _, s := range tt.LineSchool {
		e.school = e.school || s
	}
	pl := &g.Places
	e.schoolText = make([]string, pl.NumSchools())
	for s := range e.schoolText {
		e.schoolText[s] = fold(pl.SchoolName[s]) + " " + fold(pl.SchoolID[s])
	}
	e.offerText = make([]string, pl.NumOffers())
	e.offerLevel = make([]string, pl.NumOffers())
	for o := range e.offerText {
		e.offerText[o] = fold(pl.OfferLabel[o]) + " " + e.schoolText[pl.OfferSchool[o]]
		e.offerLevel[o] = fold(pl.OfferLevel[o])
	}
	e.egressAll = schoolEgress(g, func(graph.SchoolIdx) bool { return true })
	e.egressOffers = e.egressAll
	if pl.NumOffers() > 0 {
		e.egressOffers = schoolEgress(g, func(s graph.SchoolIdx) bool { a, b := pl.OffersOf(s); return b > a })
	}
	if c := &g.Cells; c.NumCells() > 0 {
		e.egressCells = &raptor.Egress{Start: c.StopCellStart, Target: c.StopCell, Metres: c.StopCellDist, NumTargets: c.NumCells()}
	}
	wg.Wait()
	for _, eg := range []*raptor.Egress{e.egressAll, e.egressOffers, e.egressCells} {
		if eg != nil {
			if err := eg.Validate(tt.NumStops()); err != nil {
				return nil, fmt.Errorf("engine: %w", err)
			}
		}
	}
	limit := g.Meta.LinkLimit
	wg.Go(func() { e.stops = street.NewAccess(&g.Streets, idx, &g.StopLinks, tt.StopLat, tt.StopLon, limit) })
	wg.Go(func() {
		e.schools = street.NewAccess(&g.Streets, idx, &g.SchoolLinks, g.Places.SchoolLat, g.Places.SchoolLon, limit)
	})
	wg.Go(func() {
		bikeLinks := graph.Links{
			Seg:    slices.Concat(g.StopBikeLinks.Seg, g.SchoolBikeLinks.Seg),
			Offset: slices.Concat(g.StopBikeLinks.Offset, g.SchoolBikeLinks.Offset),
			Dist:   slices.Concat(g.StopBikeLinks.Dist, g.SchoolBikeLinks.Dist),
		}
		e.bike = street.NewBikeAccess(&g.Streets, idx, &bikeLinks, slices.Concat(tt.StopLat, g.Places.SchoolLat),
			slices.Concat(tt.StopLon, g.Places.SchoolLon), limit)
	})
	e.bikeLimit = g.Meta.BikeLimit
	wg.Wait()
	e.pool.New = func() any {
		return &scratch{
			stops:      e.stops.NewScratch(),
			schools:    e.schools.NewScratch(),
			bike:       e.bike.NewScratch(),
			srcSlot:    make([]int32, tt.NumStops()),
			direct:     slices.Repeat([]int32{-1}, pl.NumSchools()),
			ride:       slices.Repeat([]int32{-1}, pl.NumSchools()),
			rideMetres: make([]float32, pl.NumSchools()),
			done:       make([]bool, pl.NumSchools()),
			trip:       make([]Trip, pl.NumSchools()),
		}
	}
	return e, nil
}

// schoolEgress turns the schools' egress tables (school → stops within
// walking distance) into a stop-major table over the schools kept.
func schoolEgress(g *graph.Graph, keep func(s graph.SchoolIdx) bool) *raptor.Egress {
	eg := &g.SchoolEgress
	n := g.Timetable.NumStops()
	out := &raptor.Egress{Start: make([]int32, n+1), NumTargets: g.Places.NumSchools()}
	for s := graph.SchoolIdx(0); int(s) < g.Places.NumSchools(); s++ {
		if keep(s) {
			for _, st := range eg.To[eg.Start[s]:eg.Start[s+1]] {
				out.Start[st+1]++
			}
		}
	}
	for i := 1; i <= n; i++ {
		out.Start[i] += out.Start[i-1]
	}
	out.Target = make([]int32, out.Start[n])
	out.Metres = make([]float32, out.Start[n])
	at := slices.Clone(out.Start[:n])
	for s := graph.SchoolIdx(0); int(s) < g.Places.NumSchools(); s++ {
		if !keep(s) {
			continue
		}
		for k := eg.Start[s]; k < eg.Start[s+1]; k++ {
			st := eg.To[k]
			out.Target[at[st]], out.Metres[at[st]] = int32(s), eg.Dist[k] // the school is the target
			at[st]++
		}
	}
	// Sort each stop's walks by distance (then school), as searches expect.
	type walk struct {
		s int32
		m float32
	}
	var buf []walk
	for st := 0; st < n; st++ {
		a, b := out.Start[st], out.Start[st+1]
		buf = buf[:0]
		for k := a; k < b; k++ {
			buf = append(buf, walk{out.Target[k], out.Metres[k]})
		}
		slices.SortFunc(buf, func(x, y walk) int {
			switch {
			case x.m < y.m:
				return -1
			case x.m > y.m:
				return 1
			}
			return int(x.s - y.s)
		})
		for i, w := range buf {
			out.Target[a+int32(i)], out.Metres[a+int32(i)] = w.s, w.m
		}
	}
	return out
}

// Graph returns the engine's graph.
func (e *Engine) Graph() *graph.Graph { return e.g }

// Router returns the timetable router.
func (e *Engine) Router() *raptor.Router { return e.router }

// SchoolIndex returns the R-tree of schools.
func (e *Engine) SchoolIndex() *graph.SchoolIndex { return e.index }

// HasSchoolBuses reports whether the timetable has school-bus lines.
func (e *Engine) HasSchoolBuses() bool { return e.school }

// Transfers returns the footpaths between stops for a mode ("" for the
// graph's default), building them on first use and caching them. Street
// footpaths are walks in metres: a query times them at its walking speed
// and bounds them by its max walk (raptor.Query WalkSpeed and MaxWalk).
func (e *Engine) Transfers(mode graph.TransferMode) (*raptor.Transfers, error) {
	if mode == "" {
		mode = e.g.Meta.Transfers
	}
	if mode == "" {
		mode = graph.TransfersBoth
	}
	e.mu.Lock()
	t, ok := e.transfers[mode]
	e.mu.Unlock()
	if ok {
		return t, nil
	}
	// Built without the lock: other requests go on meanwhile (two
	// requests may build the same set; the first stored is kept).
	t, err := e.buildTransfers(mode)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.transfers[mode]; ok {
		return old, nil
	}
	e.transfers[mode] = t
	return t, nil
}

// buildTransfers builds the footpaths of Transfers.
func (e *Engine) buildTransfers(mode graph.TransferMode) (*raptor.Transfers, error) {
	var t raptor.Transfers
	switch mode {
	case graph.TransfersNone:
		t = raptor.Transfers{Start: make([]int32, e.g.Timetable.NumStops()+1)}
	case graph.TransfersGTFS:
		t = raptor.GTFSTransfers(&e.g.Timetable)
	case graph.TransfersStreet, graph.TransfersBoth:
		p := &e.g.StopPaths
		var err error
		if t, err = raptor.StreetTransfers(p.Start, p.To, p.Dist); err != nil {
			return nil, fmt.Errorf("engine: street transfers: %w", err)
		}
		if mode == graph.TransfersBoth {
			t = raptor.MergeTransfers(t, raptor.GTFSTransfers(&e.g.Timetable))
		}
	default:
		return nil, fmt.Errorf("transfers %q: want street, gtfs, both or none", mode)
	}
	return &t, nil
}

// walkSeconds converts metres to whole seconds at speed, rounding up.
func walkSeconds(metres, speed float64) int32 { return raptor.WalkSeconds(metres, speed) }

// StopNear is a stop reached on foot (or by bike) from a place.
type StopNear struct {
	Stop    graph.StopIdx
	Metres  float64 // walked, or ridden when Bike
	Seconds int32   // to the stop; for a ride, BikeParkSeconds included
	Bike    bool    // reached by bike
}

// StopsNear returns the stops within maxWalk metres of the place, walking
// at speed m/s.
func (e *Engine) StopsNear(lat, lon, maxWalk, speed float64) []StopNear {
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	hits := e.stops.FromPlace(sc.stops, lat, lon, maxWalk)
	out := make([]StopNear, len(hits))
	for i, h := range hits {
		out[i] = StopNear{Stop: graph.StopIdx(h.Point), Metres: h.Dist, Seconds: walkSeconds(h.Dist, speed)}
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
