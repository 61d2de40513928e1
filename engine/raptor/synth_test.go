package raptor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"reach/graph"
)

// synthConfig sizes a random timetable.
type synthConfig struct {
	stops, routes      int
	minLen, maxLen     int     // stops per route
	minTrips, maxTrips int     // trips per route
	flagProb           float64 // probability of NoPickup, and of NoDropoff, per position
	loopProb           float64 // probability that a route revisits a stop
	gtfsTransfers      int     // transfers.txt rows
	streetRadius       float64 // metres: stop pairs closer than this get a street footpath
	side               float64 // metres: stops lie in a side × side square
}

// smallSynth is a timetable small enough for the reference comparison.
var smallSynth = synthConfig{
	stops: 120, routes: 40, minLen: 2, maxLen: 12, minTrips: 1, maxTrips: 14,
	flagProb: 0.08, loopProb: 0.1, gtfsTransfers: 150, streetRadius: 700, side: 5000,
}

// bigSynth is a city-sized timetable for benchmarks (about 600k stop times).
var bigSynth = synthConfig{
	stops: 4000, routes: 300, minLen: 15, maxLen: 40, minTrips: 40, maxTrips: 110,
	flagProb: 0.02, loopProb: 0.02, gtfsTransfers: 2000, streetRadius: 400, side: 20000,
}

// synth is a random timetable with its street footpaths as distances.
type synth struct {
	tt       *graph.Timetable
	x, y     []float64
	distFrom []int32 // CSR over stops
	distTo   []graph.StopIdx
	dist     []float32
}

// newSynth builds a valid random timetable: stops in a square, routes
// mostly between neighbouring stops through a few hubs, non-overtaking trips
// (some from the previous day, with negative times; some leaving together),
// random pickup/drop-off flags, school lines, transfers.txt rows (with loops
// and duplicates), minimum transfer times and street footpaths.
func newSynth(seed uint64, c synthConfig) (*synth, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	t := &graph.Timetable{}
	sy := &synth{tt: t}
	S := c.stops
	for s := 0; s < S; s++ {
		sy.x = append(sy.x, rng.Float64()*c.side)
		sy.y = append(sy.y, rng.Float64()*c.side)
		t.StopID = append(t.StopID, fmt.Sprintf("S:%d", s))
		t.StopName = append(t.StopName, fmt.Sprintf("stop %d", s))
		t.StopLat = append(t.StopLat, 48+sy.y[s]/111000)
		t.StopLon = append(t.StopLon, -1.6+sy.x[s]/74000)
		t.StopParent = append(t.StopParent, -1)
		t.StopFeed = append(t.StopFeed, 0)
		mt := []int32{0, 0, 30, 60, 120, 300}[rng.IntN(6)]
		t.StopMinTransfer = append(t.StopMinTransfer, mt)
	}
	hubs := make([]int32, max(S/15, 1))
	for i := range hubs {
		hubs[i] = int32(rng.IntN(S))
	}
	nLines := max(c.routes*2/3, 1)
	for l := 0; l < nLines; l++ {
		t.LineID = append(t.LineID, fmt.Sprintf("S:L%d", l))
		t.LineShortName = append(t.LineShortName, fmt.Sprint(l))
		t.LineLongName = append(t.LineLongName, "")
		t.LineMode = append(t.LineMode, graph.ModeBus)
		t.LineSchool = append(t.LineSchool, l%7 == 3)
		t.LineFeed = append(t.LineFeed, 0)
	}
	dist := func(a, b int32) float64 { return math.Hypot(sy.x[a]-sy.x[b], sy.y[a]-sy.y[b]) }
	// nearest picks a stop close to s, not s itself.
	nearest := func(s int32) int32 {
		bestD, best := math.Inf(1), int32(-1)
		for i := 0; i < 12; i++ {
			u := int32(rng.IntN(S))
			if u == s {
				continue
			}
			if d := dist(s, u); d < bestD {
				bestD, best = d, u
			}
		}
		if best < 0 {
			best = (s + 1) % int32(S)
		}
		return best
	}
	t.RouteStopStart = []int32{0}
	t.RouteTripStart = []int32{0}
	t.RouteStopTimeStart = []int32{0}
	for r := 0; r < c.routes; r++ {
		n := c.minLen + rng.IntN(c.maxLen-c.minLen+1)
		seq := []int32{int32(rng.IntN(S))}
		for len(seq) < n {
			prev := seq[len(seq)-1]
			var next int32
			switch x := rng.Float64(); {
			case x < c.loopProb && len(seq) >= 3:
				next = seq[rng.IntN(len(seq)-2)] // revisit an earlier stop
			case x < 0.25:
				next = hubs[rng.IntN(len(hubs))]
			default:
				next = nearest(prev)
			}
			if next == prev {
				continue
			}
			seq = append(seq, next)
		}
		t.RouteLine = append(t.RouteLine, graph.LineIdx(rng.IntN(nLines)))
		for _, s := range seq {
			var f uint8
			if rng.Float64() < c.flagProb {
				f |= graph.NoPickup
			}
			if rng.Float64() < c.flagProb {
				f |= graph.NoDropoff
			}
			t.RouteStops = append(t.RouteStops, graph.StopIdx(s))
			t.RouteStopFlags = append(t.RouteStopFlags, f)
		}
		t.RouteStopStart = append(t.RouteStopStart, int32(len(t.RouteStops)))

		// Trips: base run times, then each trip a later copy that
		// never overtakes the previous one.
		run := make([]int32, n) // arrival offsets
		dwell := make([]int32, n)
		for p := 1; p < n; p++ {
			run[p] = run[p-1] + dwell[p-1] + int32(math.Max(30, dist(seq[p-1], seq[p])/8)) + int32(rng.IntN(90))
			dwell[p] = int32(rng.IntN(3)) * 30
		}
		k := c.minTrips + rng.IntN(c.maxTrips-c.minTrips+1)
		first := int32(-3*3600 + rng.IntN(26*3600)) // some before midnight
		prevArr := make([]int32, n)
		prevDep := make([]int32, n)
		for j := 0; j < k; j++ {
			start := first
			if j > 0 {
				start = prevDep[0] + []int32{0, 60, 300, 600, 900, 1800}[rng.IntN(6)]
			}
			last := int32(math.MinInt32)
			for p := 0; p < n; p++ {
				a := start + run[p] + int32(rng.IntN(40)) - 20
				a = max(a, last)
				d := a + dwell[p] + int32(rng.IntN(20))
				if j > 0 {
					a = max(a, prevArr[p])
					d = max(d, prevDep[p], a)
				}
				t.Arrivals = append(t.Arrivals, a)
				t.Departures = append(t.Departures, d)
				prevArr[p], prevDep[p] = a, d
				last = d
			}
			t.TripID = append(t.TripID, fmt.Sprintf("S:r%dt%d", r, j))
			t.TripHeadsign = append(t.TripHeadsign, "")
			shift := int8(0)
			if t.Departures[len(t.Departures)-n] < 0 {
				shift = -1
			}
			t.TripDayShift = append(t.TripDayShift, shift)
		}
		t.RouteTripStart = append(t.RouteTripStart, int32(len(t.TripID)))
		t.RouteStopTimeStart = append(t.RouteStopTimeStart, int32(len(t.Arrivals)))
	}
	// Stop → routes.
	count := make([]int32, S+1)
	for _, s := range t.RouteStops {
		count[s+1]++
	}
	for s := 0; s < S; s++ {
		count[s+1] += count[s]
	}
	t.StopRouteStart = append([]int32(nil), count...)
	t.StopRoutes = make([]graph.RouteIdx, len(t.RouteStops))
	t.StopRoutePos = make([]int32, len(t.RouteStops))
	next := append([]int32(nil), count[:S]...)
	for r := graph.RouteIdx(0); int(r) < c.routes; r++ {
		for p, s := range t.RouteStopsOf(r) {
			t.StopRoutes[next[s]] = r
			t.StopRoutePos[next[s]] = int32(p)
			next[s]++
		}
	}
	// transfers.txt: near pairs, a few loops and duplicates.
	type tr struct{ from, to, secs int32 }
	var trs []tr
	for i := 0; i < c.gtfsTransfers; i++ {
		a := int32(rng.IntN(S))
		b := nearest(a)
		switch rng.IntN(10) {
		case 0:
			b = a
		case 1:
			b = int32(rng.IntN(S))
		}
		trs = append(trs, tr{a, b, int32(dist(a, b)/1.1) + int32(rng.IntN(120))})
	}
	t.TransferStart = make([]int32, S+1)
	for _, x := range trs {
		t.TransferStart[x.from+1]++
	}
	for s := 0; s < S; s++ {
		t.TransferStart[s+1] += t.TransferStart[s]
	}
	t.TransferTo = make([]graph.StopIdx, len(trs))
	t.TransferTime = make([]int32, len(trs))
	pos := append([]int32(nil), t.TransferStart[:S]...)
	for _, x := range trs {
		t.TransferTo[pos[x.from]] = graph.StopIdx(x.to)
		t.TransferTime[pos[x.from]] = x.secs
		pos[x.from]++
	}
	// Street footpaths (as distances) between close stops, with a
	// grid bucket to stay linear.
	cell := c.streetRadius
	buckets := map[[2]int][]int32{}
	for s := 0; s < S; s++ {
		k := [2]int{int(sy.x[s] / cell), int(sy.y[s] / cell)}
		buckets[k] = append(buckets[k], int32(s))
	}
	sy.distFrom = []int32{0}
	for s := int32(0); int(s) < S; s++ {
		cx, cy := int(sy.x[s]/cell), int(sy.y[s]/cell)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, u := range buckets[[2]int{cx + dx, cy + dy}] {
					if d := dist(s, u); u != s && d < c.streetRadius {
						sy.distTo = append(sy.distTo, graph.StopIdx(u))
						sy.dist = append(sy.dist, float32(d*1.3))
					}
				}
			}
		}
		sy.distFrom = append(sy.distFrom, int32(len(sy.distTo)))
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("synthetic timetable %d is invalid: %w", seed, err)
	}
	return sy, nil
}

func TestSynthTimetablesAreValid(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		sy, err := newSynth(seed, smallSynth)
		if err != nil {
			t.Fatal(err)
		}
		school, neg, loops := 0, 0, 0
		for r := graph.RouteIdx(0); int(r) < sy.tt.NumRoutes(); r++ {
			if sy.tt.RouteSchool(r) {
				school++
			}
			seen := map[graph.StopIdx]bool{}
			for _, s := range sy.tt.RouteStopsOf(r) {
				if seen[s] {
					loops++
				}
				seen[s] = true
			}
		}
		for _, d := range sy.tt.Departures {
			if d < 0 {
				neg++
			}
		}
		if school == 0 && seed <= 3 {
			t.Errorf("seed %d: no school route", seed)
		}
		if _, err := NewRouter(sy.tt); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		t.Logf("seed %d: %d routes (%d school, %d revisits), %d trips, %d stop times (%d negative)",
			seed, sy.tt.NumRoutes(), school, loops, sy.tt.NumTrips(), sy.tt.NumStopTimes(), neg)
	}
}
