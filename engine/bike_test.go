package engine

import (
	"context"
	"math"
	"net/url"
	"strings"
	"testing"

	"reach/graph"
	"reach/street"
)

// reachModes runs the request from an address with the given modes.
func reachModes(t *testing.T, e *Engine, a [2]float64, arriveBy int32, modes string) *Reachability {
	t.Helper()
	m, err := graph.ParseTravelModes(modes)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams(a[0], a[1])
	p.ArriveBy, p.Modes = arriveBy, m
	r, err := e.Reach(context.Background(), p)
	if err != nil {
		t.Fatalf("%s from %v: %v", modes, a, err)
	}
	return r
}

// bikeCounts counts what the bike checks saw.
type bikeCounts struct {
	bike, bikeTransit int // answers with modality bike, bike+transit
	better            int // (address, school) pairs bike,transit answers better than both bike and transit alone
	pairs             int // pairs compared
}

// checkBikeNeverSlower checks, from each address and for every school,
// that bike,transit answers whatever bike alone and transit alone answer,
// never worse: against transit alone (a range search over the same
// window), it leaves at the same minute or later, arriving no later at the
// same minute, and its best and median travel times over the window are
// no longer; against bike alone (a direct ride), it takes no longer and its
// best and median times are no longer. The same holds for walk,bike,
// transit,school against walk,bike and walk,transit,school.
func checkBikeNeverSlower(t *testing.T, e *Engine, addrs [][2]float64, arriveBy int32) bikeCounts {
	t.Helper()
	var c bikeCounts
	for _, a := range addrs {
		for _, set := range [][3]string{
			{"bike,transit", "bike", "transit"},
			{"walk,bike,transit,school", "walk,bike", "walk,transit,school"},
		} {
			both := reachModes(t, e, a, arriveBy, set[0])
			ride := reachModes(t, e, a, arriveBy, set[1])
			transit := reachModes(t, e, a, arriveBy, set[2])
			for _, trip := range both.Trips {
				switch trip.Modality {
				case graph.ModalityBike:
					c.bike++
				case graph.ModalityBikeTransit:
					c.bikeTransit++
				}
			}
			for k, s := range ride.Reached {
				b, r := both.Trip(s), ride.Trips[k]
				c.pairs++
				if !b.Found || b.Duration > r.Duration || b.Min > r.Min || b.Median > r.Median {
					t.Fatalf("%v, school %d: %s %+v, but %s %+v", a, s, set[0], b, set[1], r)
				}
			}
			for k, s := range transit.Reached {
				b, tr := both.Trip(s), transit.Trips[k]
				c.pairs++
				if !b.Found || b.Depart < tr.Depart || (b.Depart == tr.Depart && b.Arrive > tr.Arrive) ||
					b.Min > tr.Min || b.Median > tr.Median {
					t.Fatalf("%v, school %d: %s %+v, but %s %+v", a, s, set[0], b, set[2], tr)
				}
				if r := ride.Trip(s); b.Min < tr.Min && (!r.Found || b.Min < r.Min) {
					c.better++
				}
			}
		}
	}
	return c
}

func TestBikeNeverSlowerThanBikeOrTransitAlone(t *testing.T) {
	e := synthEngine(t)
	c := checkBikeNeverSlower(t, e, addresses(e, 60, 21), DefaultArriveBy)
	t.Logf("synthetic region: %d pairs compared; %d bike and %d bike+transit answers; %d pairs where bike+transit beats both",
		c.pairs, c.bike, c.bikeTransit, c.better)
	if c.bike == 0 || c.bikeTransit == 0 || c.better == 0 {
		t.Errorf("%d bike, %d bike+transit answers, %d better than both: the test checks too little", c.bike, c.bikeTransit, c.better)
	}
}

// checkRides checks the direct rides and the journeys starting with a ride
// from the addresses: a ride takes no longer than its distance at the
// cycling speed, recomputed here with a fresh cycling search to the
// school's cycling link; the journey shows a bike leg whose distance the
// answer reports and whose arrival includes parking. It returns the rides
// and bike+transit journeys checked.
func checkRides(t *testing.T, e *Engine, addrs [][2]float64, arriveBy int32) (rides, journeys int) {
	t.Helper()
	g := e.Graph()
	idx := street.NewIndex(&g.Streets)
	q := street.NewBikeSearcher(&g.Streets)
	for _, a := range addrs {
		r := reachModes(t, e, a, arriveBy, "bike,transit")
		sn, snapped := idx.SnapBike(a[0], a[1], g.Meta.LinkLimit)
		if snapped {
			q.Reset()
			q.AddLink(sn.Seg, sn.Offset, sn.Dist)
			q.Run(math.Inf(1))
		}
		for k, s := range r.Reached {
			trip := r.Trips[k]
			j, err := r.Journey(e, s)
			if err != nil {
				t.Fatalf("school %d: %v", s, err)
			}
			switch trip.Modality {
			case graph.ModalityBike:
				rides++
				l := &g.SchoolBikeLinks
				if snapped && l.Seg[s] >= 0 {
					d := q.DistToLink(l.Seg[s], float64(l.Offset[s]), float64(l.Dist[s]))
					// The access may also take a straight line when shorter
					// (both ends beyond their streets): never longer.
					if want := walkSeconds(d, r.Params.BikeSpeed); trip.Duration > want {
						t.Fatalf("%v, school %d: ride of %d s, a cycling search says %d s (%.0f m)", a, s, trip.Duration, want, d)
					}
				}
				if len(j.Legs) != 1 || j.Legs[0].Mode != "bike" || j.BikeM <= 0 || j.WalkM != 0 || j.Legs[0].Metres != j.BikeM ||
					walkSeconds(j.BikeM, r.Params.BikeSpeed) > trip.Duration+1 {
					t.Fatalf("%v, school %d: ride %+v, journey %+v", a, s, trip, j)
				}
			case graph.ModalityBikeTransit:
				journeys++
				first := j.Legs[0]
				dep, _, _ := graph.ParseClock(first.Depart)
				arr, _, _ := graph.ParseClock(first.Arrive)
				want := walkSeconds(first.Metres, r.Params.BikeSpeed) + BikeParkSeconds
				if first.Mode != "bike" || first.Metres <= 0 || first.Metres != j.BikeM || j.Legs[1].Mode == "walk" ||
					j.Legs[1].Mode == "bike" || math.Abs(float64(arr-dep-want)) > 1 {
					t.Fatalf("%v, school %d: bike+transit journey %+v (ride leg of %d s, want %d s)", a, s, j, arr-dep, want)
				}
				if doc := e.tripDoc(r, Ranked{School: s, Trip: trip}, DefaultCutoffs); doc.BikeM != j.BikeM || doc.Modality != "bike+transit" {
					t.Fatalf("%v, school %d: answer %+v, journey %+v", a, s, doc, j)
				}
			case graph.ModalityTransit, graph.ModalityWalk:
				for _, l := range j.Legs {
					if l.Mode == "bike" {
						t.Fatalf("%v, school %d: a %s journey with a bike leg: %+v", a, s, trip.Modality, j)
					}
				}
			}
		}
	}
	return rides, journeys
}

// checkBikeTransitConsistent checks the bike,transit answers against plain
// searches from the access stops (walked or ridden, parking included): the
// departure it reports arrives when it says, and departing a minute later
// misses the deadline. It also checks that every stop within riding
// distance is a source no later than its walk. It returns the transit and
// bike+transit answers checked.
func checkBikeTransitConsistent(t *testing.T, e *Engine, addrs [][2]float64, arriveBy int32) (transit, bikeTransit int) {
	t.Helper()
	for i, a := range addrs {
		// Every other address rides slowly, so that transit wins more often.
		p := DefaultParams(a[0], a[1])
		p.ArriveBy, p.Modes = arriveBy, graph.TravelModes{Bike: true, Transit: true}
		if i%2 == 1 {
			p.BikeSpeed = MinBikeSpeed
		}
		res, err := e.Reach(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range e.StopsNear(a[0], a[1], p.MaxWalk, p.WalkSpeed) {
			if src, ok := res.accessAt(w.Stop); !ok || src.Seconds > w.Seconds {
				t.Fatalf("%v: stop %d walked in %d s, source %+v", a, w.Stop, w.Seconds, src)
			}
		}
		for k, s := range res.Reached {
			trip := res.Trips[k]
			if trip.Modality != graph.ModalityBikeTransit && trip.Modality != graph.ModalityTransit {
				continue
			}
			if trip.Modality == graph.ModalityTransit {
				transit++
			} else {
				bikeTransit++
			}
			eg := &e.Graph().SchoolEgress
			arr := func(dep int32) int32 {
				veh := vehicleArrivals(t, e, p, res.access, dep, false)
				best := int32(Unreachable)
				for k := eg.Start[s]; k < eg.Start[s+1]; k++ {
					if d := float64(eg.Dist[k]); d <= p.MaxWalk && veh[eg.To[k]] != Unreachable {
						best = min(best, veh[eg.To[k]]+walkSeconds(d, p.WalkSpeed))
					}
				}
				return best
			}
			if got := arr(trip.Depart); got != trip.Arrive {
				t.Fatalf("%v, school %d: %s says arrive %d departing %d, plain search %d", a, s, trip.Modality, trip.Arrive, trip.Depart, got)
			}
			if trip.Depart+60 <= p.ArriveBy {
				if later := arr(trip.Depart + 60); later <= p.ArriveBy {
					t.Fatalf("%v, school %d: departing a minute later still arrives by the deadline", a, s)
				}
			}
		}
	}
	return transit, bikeTransit
}

func TestBikeTransitConsistentWithPlainSearches(t *testing.T) {
	e := synthEngine(t)
	tr, bt := checkBikeTransitConsistent(t, e, addresses(e, 40, 29), DefaultArriveBy)
	t.Logf("synthetic region: %d transit and %d bike+transit answers checked", tr, bt)
	if tr == 0 || bt == 0 {
		t.Error("the test checks too little")
	}
}

func TestRidesAndBikeJourneys(t *testing.T) {
	e := synthEngine(t)
	rides, journeys := checkRides(t, e, addresses(e, 20, 23), DefaultArriveBy)
	t.Logf("synthetic region: %d rides, %d bike+transit journeys checked", rides, journeys)
	if rides == 0 || journeys == 0 {
		t.Errorf("%d rides, %d bike+transit journeys: the test checks too little", rides, journeys)
	}
}

// TestBikeFasterThanWalking: at the default speeds, the ride to a school
// both reach is quicker than the walk for most of them, and a ride reaches
// schools the 45-minute walk does not.
func TestBikeFasterThanWalking(t *testing.T) {
	e := synthEngine(t)
	quicker, slower, farther := 0, 0, 0
	for _, a := range addresses(e, 20, 25) {
		walk := reachModes(t, e, a, DefaultArriveBy, "walk")
		ride := reachModes(t, e, a, DefaultArriveBy, "bike")
		for k, s := range ride.Reached {
			r := ride.Trips[k]
			if r.Modality != graph.ModalityBike || r.Stop != -1 || r.journey != -1 {
				t.Fatalf("bike alone answered %+v", r)
			}
			w := walk.Trip(s)
			switch {
			case !w.Found:
				farther++
			case r.Duration < w.Duration:
				quicker++
			default:
				slower++
			}
		}
	}
	t.Logf("%d rides quicker than the walk, %d not, %d to schools the walk misses", quicker, slower, farther)
	if quicker == 0 || farther == 0 || slower > quicker/10 {
		t.Errorf("%d rides quicker than the walk, %d not, %d beyond it", quicker, slower, farther)
	}
}

// TestBikeCells: a bike isochrone colours the cells of the nodes the ride
// reaches, at their riding time; it covers more than the walking one, and
// bike,transit reaches every cell transit alone reaches.
func TestBikeCells(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	more, cellsSeen := 0, 0
	for _, a := range addresses(e, 8, 27) {
		cells := func(modes string) map[int32]int32 {
			m, err := graph.ParseTravelModes(modes)
			if err != nil {
				t.Fatal(err)
			}
			p := DefaultParams(a[0], a[1])
			p.Modes = m
			r, err := e.ReachCells(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int32]int32{}
			for _, c := range r.Cells {
				out[c.Cell] = c.Seconds
			}
			return out
		}
		walk, ride, transit, both := cells("walk"), cells("bike"), cells("transit"), cells("bike,transit")
		cellsSeen += len(ride)
		if len(ride) > len(walk) {
			more++
		}
		// Each cell of the ride: the quickest riding time to a node of
		// the cell, by a fresh search.
		idx := street.NewIndex(&g.Streets)
		q := street.NewBikeSearcher(&g.Streets)
		sn, ok := idx.SnapBike(a[0], a[1], g.Meta.LinkLimit)
		if !ok {
			continue
		}
		q.Reset()
		q.AddLink(sn.Seg, sn.Offset, sn.Dist)
		q.Run(g.Meta.BikeLimit)
		want := map[int32]int32{}
		for n := range graph.NodeIdx(g.Streets.NumNodes()) {
			if d := q.Dist(n); d <= g.Meta.BikeLimit {
				c := g.Cells.NodeCell[n]
				if w, seen := want[c]; !seen || walkSeconds(d, DefaultBikeSpeed) < w {
					want[c] = walkSeconds(d, DefaultBikeSpeed)
				}
			}
		}
		if len(want) != len(ride) {
			t.Errorf("%v: %d cells by bike, %d by a fresh search", a, len(ride), len(want))
		}
		for c, w := range want {
			if ride[c] != w {
				t.Fatalf("%v, cell %d: %d s by bike, %d s by a fresh search", a, c, ride[c], w)
			}
		}
		for c := range transit {
			if _, ok := both[c]; !ok {
				t.Fatalf("%v: cell %d reached by transit alone, not by bike,transit", a, c)
			}
		}
	}
	if cellsSeen == 0 || more == 0 {
		t.Errorf("%d cells by bike, %d origins where the ride covers more than the walk", cellsSeen, more)
	}
}

// TestParseBike: the bike modes and speed are read and checked.
func TestParseBike(t *testing.T) {
	for _, c := range []struct {
		query string
		modes graph.TravelModes
		speed float64
		param string // the parameter refused, "" when accepted
	}{
		{"modes=bike", graph.TravelModes{Bike: true}, DefaultBikeSpeed, ""},
		{"modes=bike,transit&bike_speed=5", graph.TravelModes{Bike: true, Transit: true}, 5, ""},
		{"modes=walk, bike ,transit,school", graph.TravelModes{Walk: true, Bike: true, Transit: true, School: true}, DefaultBikeSpeed, ""},
		{"modes=bike,school", graph.TravelModes{}, 0, "modes"},
		{"modes=velo", graph.TravelModes{}, 0, "modes"},
		{"modes=bike&bike_speed=1.5", graph.TravelModes{}, 0, "bike_speed"},
		{"modes=bike&bike_speed=12", graph.TravelModes{}, 0, "bike_speed"},
		{"bike_speed=fast", graph.TravelModes{}, 0, "bike_speed"},
	} {
		v, err := url.ParseQuery("lat=47&lon=2&" + c.query)
		if err != nil {
			t.Fatal(err)
		}
		req, err := ParseReachable(v, Limits{})
		if c.param != "" {
			if pe, ok := err.(*ParamError); !ok || pe.Param != c.param {
				t.Errorf("%s: %v, want an error naming %s", c.query, err, c.param)
			}
			continue
		}
		if err != nil || req.Params.Modes != c.modes || req.Params.BikeSpeed != c.speed {
			t.Errorf("%s: %+v, %v", c.query, req.Params, err)
		}
	}
	// Library callers: a bike request with a speed out of range is refused.
	p := DefaultParams(47, 2)
	p.Modes, p.BikeSpeed = graph.TravelModes{Bike: true}, 0
	if _, err := synthEngine(t).Reach(context.Background(), p); err == nil || !strings.Contains(err.Error(), "cycling speed") {
		t.Errorf("bike speed 0: %v", err)
	}
}
