package raptor

import (
	"fmt"
	"testing"

	"reach/graph"
)

// tinyRoute describes one RAPTOR route of a hand-written timetable.
type tinyRoute struct {
	stops  []graph.StopIdx
	flags  []uint8   // nil: all allowed
	trips  [][]int32 // per trip, per position: arrival and departure (2n values)
	school bool
}

// tinyTimetable builds a timetable from hand-written routes (one line per
// route) and transfers.txt rows.
func tinyTimetable(tb testing.TB, nStops int, minXfer []int32, routes []tinyRoute, transfers [][3]int32) *graph.Timetable {
	tb.Helper()
	t := &graph.Timetable{}
	for s := 0; s < nStops; s++ {
		t.StopID = append(t.StopID, fmt.Sprintf("T:%d", s))
		t.StopName = append(t.StopName, "")
		t.StopLat = append(t.StopLat, 0)
		t.StopLon = append(t.StopLon, 0)
		t.StopParent = append(t.StopParent, -1)
		t.StopFeed = append(t.StopFeed, 0)
		var m int32
		if minXfer != nil {
			m = minXfer[s]
		}
		t.StopMinTransfer = append(t.StopMinTransfer, m)
	}
	t.RouteStopStart, t.RouteTripStart, t.RouteStopTimeStart = []int32{0}, []int32{0}, []int32{0}
	for r, rt := range routes {
		t.LineID = append(t.LineID, fmt.Sprintf("T:L%d", r))
		t.LineShortName = append(t.LineShortName, "")
		t.LineLongName = append(t.LineLongName, "")
		t.LineMode = append(t.LineMode, graph.ModeBus)
		t.LineSchool = append(t.LineSchool, rt.school)
		t.LineFeed = append(t.LineFeed, 0)
		t.RouteLine = append(t.RouteLine, graph.LineIdx(r))
		for p, s := range rt.stops {
			t.RouteStops = append(t.RouteStops, s)
			var f uint8
			if rt.flags != nil {
				f = rt.flags[p]
			}
			t.RouteStopFlags = append(t.RouteStopFlags, f)
		}
		t.RouteStopStart = append(t.RouteStopStart, int32(len(t.RouteStops)))
		for j, times := range rt.trips {
			for p := range rt.stops {
				t.Arrivals = append(t.Arrivals, times[2*p])
				t.Departures = append(t.Departures, times[2*p+1])
			}
			t.TripID = append(t.TripID, fmt.Sprintf("T:r%dt%d", r, j))
			t.TripHeadsign = append(t.TripHeadsign, "")
			t.TripDayShift = append(t.TripDayShift, 0)
		}
		t.RouteTripStart = append(t.RouteTripStart, int32(len(t.TripID)))
		t.RouteStopTimeStart = append(t.RouteStopTimeStart, int32(len(t.Arrivals)))
	}
	t.StopRouteStart = make([]int32, nStops+1)
	for s := 0; s < nStops; s++ {
		t.StopRouteStart[s+1] = t.StopRouteStart[s]
		for r := range routes {
			for p, x := range routes[r].stops {
				if int(x) == s {
					t.StopRoutes = append(t.StopRoutes, graph.RouteIdx(r))
					t.StopRoutePos = append(t.StopRoutePos, int32(p))
					t.StopRouteStart[s+1]++
				}
			}
		}
	}
	t.TransferStart = make([]int32, nStops+1)
	for s := 0; s < nStops; s++ {
		t.TransferStart[s+1] = t.TransferStart[s]
		for _, x := range transfers {
			if int(x[0]) == s {
				t.TransferTo = append(t.TransferTo, graph.StopIdx(x[1]))
				t.TransferTime = append(t.TransferTime, x[2])
				t.TransferStart[s+1]++
			}
		}
	}
	if err := t.Validate(); err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestTransferSemantics checks the documented change and footpath rules on
// a hand-written network where each rule changes the answer.
//
// Stops: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F.
// Route 0: A 100 → B 200. Route 1: B → C, leaving B at 230 or 400, 100 s
// ride. Route 2: D 235 → C 300. Footpath B → D 30 s, D → E 10 s (never
// chained after B → D). Route 3 (school): A 110 → C 150.
// Route 4: F -100 → A -50 (a trip of the previous day).
func TestTransferSemantics(t *testing.T) {
	minXfer := []int32{0, 60, 0, 0, 0, 0}
	tt := tinyTimetable(t, 6, minXfer, []tinyRoute{
		{stops: []graph.StopIdx{0, 1}, trips: [][]int32{{100, 100, 200, 200}}},
		{stops: []graph.StopIdx{1, 2}, trips: [][]int32{{230, 230, 330, 330}, {400, 400, 500, 500}}},
		{stops: []graph.StopIdx{3, 2}, trips: [][]int32{{235, 235, 300, 300}}},
		{stops: []graph.StopIdx{0, 2}, trips: [][]int32{{110, 110, 150, 150}}, school: true},
		{stops: []graph.StopIdx{5, 0}, trips: [][]int32{{-100, -100, -50, -50}}},
	}, [][3]int32{{1, 3, 30}, {3, 4, 10}, {1, 1, 5}})
	r, err := NewRouter(tt)
	if err != nil {
		t.Fatal(err)
	}
	gtfs := GTFSTransfers(tt)
	run := func(q Query) *Result {
		t.Helper()
		res, err := r.Route(q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	type want struct {
		stop  graph.StopIdx
		arr   int32
		trips int
	}
	check := func(name string, q Query, wants ...want) {
		t.Helper()
		res := run(q)
		defer res.Release()
		for _, w := range wants {
			if a, k := res.Arrival(w.stop), res.Trips(w.stop); a != w.arr || k != w.trips {
				t.Errorf("%s: stop %d: arrival %d with %d trips, want %d with %d", name, w.stop, a, k, w.arr, w.trips)
			}
		}
	}
	src := []Source{{Stop: 0, Time: 0}}
	// B's 60 s change time rules out the 230 departure.
	check("no footpaths", Query{Sources: src, MaxTransfers: 4},
		want{0, 0, 0}, want{1, 200, 1}, want{2, 500, 2}, want{3, Unreachable, -1})
	// MinChange 20 is below B's own 60 s: no change.
	check("min change below stop's", Query{Sources: src, MaxTransfers: 4, MinChange: 20}, want{2, 500, 2})
	// B's minimum is replaced by nothing smaller: with MinChange 0 and
	// B's time 60, still 500; a stop with no minimum allows d ≥ a.
	// The footpath B → D (30 s) already includes the change: D at 230,
	// board at 235, C at 300. D → E is not chained after B → D.
	check("gtfs footpaths", Query{Sources: src, MaxTransfers: 4, Transfers: &gtfs},
		want{3, 230, 1}, want{2, 300, 2}, want{4, Unreachable, -1})
	// One trip only: C by route 1 is out of reach.
	check("direct only", Query{Sources: src, MaxTransfers: 0, Transfers: &gtfs},
		want{1, 200, 1}, want{3, 230, 1}, want{2, Unreachable, -1})
	// The school bus reaches C at 150 in one trip.
	check("school", Query{Sources: src, MaxTransfers: 4, Transfers: &gtfs, AllowSchool: true},
		want{2, 150, 1})
	// Sources board at their time exactly (d ≥ t).
	check("board at source time", Query{Sources: []Source{{Stop: 0, Time: 100}}, MaxTransfers: 4},
		want{1, 200, 1})
	check("one second late", Query{Sources: []Source{{Stop: 0, Time: 101}}, MaxTransfers: 4},
		want{1, Unreachable, -1})
	// Walking from a source: B → D then route 2; D → E is walked from
	// the source D itself but not after B → D.
	check("walk from sources", Query{Sources: []Source{{Stop: 1, Time: 190}}, MaxTransfers: 4, Transfers: &gtfs, WalkFromSources: true},
		want{3, 220, 0}, want{2, 300, 1}, want{4, Unreachable, -1})
	check("no walk from sources", Query{Sources: []Source{{Stop: 1, Time: 190}}, MaxTransfers: 4, Transfers: &gtfs},
		want{3, Unreachable, -1}, want{2, 330, 1})
	// A previous-day trip at negative times.
	check("previous day", Query{Sources: []Source{{Stop: 5, Time: -200}}, MaxTransfers: 4},
		want{0, -50, 1}, want{1, 200, 2})
}

// TestPickupDropoffFlags checks that NoPickup and NoDropoff positions are
// respected, including a route that visits a stop twice.
func TestPickupDropoffFlags(t *testing.T) {
	// Route 0: 0 → 1 → 2 → 1 → 3 with no pickup at the first visit of
	// 1 and no drop-off at 2.
	tt := tinyTimetable(t, 4, nil, []tinyRoute{{
		stops: []graph.StopIdx{0, 1, 2, 1, 3},
		flags: []uint8{0, graph.NoPickup, graph.NoDropoff, 0, 0},
		trips: [][]int32{{0, 0, 10, 10, 20, 20, 30, 30, 40, 40}},
	}}, nil)
	r, err := NewRouter(tt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Route(Query{Sources: []Source{{Stop: 0, Time: 0}}, MaxTransfers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Arrival(2); a != Unreachable {
		t.Errorf("stop 2 without drop-off reached at %d", a)
	}
	if a := res.Arrival(1); a != 10 {
		t.Errorf("stop 1 reached at %d, want 10", a)
	}
	res.Release()
	// From stop 1 at time 5: the first visit has no pickup, the second
	// (time 30) has; 3 is reached at 40.
	res, err = r.Route(Query{Sources: []Source{{Stop: 1, Time: 5}}, MaxTransfers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Arrival(3); a != 40 {
		t.Errorf("stop 3 reached at %d, want 40", a)
	}
	if a := res.Arrival(2); a != Unreachable {
		t.Errorf("stop 2 reached at %d, want unreachable", a)
	}
	res.Release()
}
