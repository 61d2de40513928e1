package raptor

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"reach/graph"
)

const testWalkSpeed = 1.2 // m/s

// fixture is a synthetic timetable with its router, reference and
// footpath sets.
type fixture struct {
	sy     *synth
	r      *Router
	ref    *refNet
	gtfs   Transfers
	merged Transfers
	// the same footpaths as edge lists built independently for the reference
	gtfsEdges, mergedEdges []refEdge
}

func newFixture(tb testing.TB, seed uint64, c synthConfig) *fixture {
	tb.Helper()
	f, err := makeFixture(seed, c)
	if err != nil {
		tb.Fatal(err)
	}
	f.ref = newRefNet(f.sy.tt)
	return f
}

// makeFixture builds a fixture without its reference (benchmarks do not
// need one).

func makeFixture(seed uint64, c synthConfig) (*fixture, error) {
	sy, err := newSynth(seed, c)
	if err != nil {
		return nil, err
	}
	r, err := NewRouter(sy.tt)
	if err != nil {
		return nil, err
	}
	street, err := FromDistances(sy.distFrom, sy.distTo, sy.dist, testWalkSpeed)
	if err != nil {
		return nil, err
	}
	f := &fixture{sy: sy, r: r, gtfs: GTFSTransfers(sy.tt)}
	f.merged = MergeTransfers(f.gtfs, street)
	f.gtfsEdges = refGTFSEdges(sy.tt)
	f.mergedEdges = append(append([]refEdge(nil), f.gtfsEdges...),
		refStreetEdges(sy.distFrom, sy.distTo, sy.dist, testWalkSpeed)...)
	for _, tr := range []*Transfers{&f.gtfs, &street, &f.merged} {
		if err := tr.Validate(sy.tt.NumStops()); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// footMode selects the footpaths of a test query.
type footMode int

const (
	footNone footMode = iota
	footGTFS
	footMerged
)

func (m footMode) String() string { return [...]string{"none", "gtfs", "gtfs+street"}[m] }

func (f *fixture) transfers(m footMode) (*Transfers, []refEdge) {
	switch m {
	case footGTFS:
		return &f.gtfs, f.gtfsEdges
	case footMerged:
		return &f.merged, f.mergedEdges
	}
	return nil, nil
}

// randomSources returns 1 to 3 sources around a random time.
func randomSources(rng *rand.Rand, nStops int) []Source {
	t := int32(-2*3600 + rng.IntN(25*3600))
	src := []Source{{Stop: graph.StopIdx(rng.IntN(nStops)), Time: t}}
	for rng.IntN(3) == 0 && len(src) < 3 {
		src = append(src, Source{Stop: graph.StopIdx(rng.IntN(nStops)), Time: t + int32(rng.IntN(900))})
	}
	return src
}

func refArrival(a int32) int32 {
	if a >= refInf {
		return Unreachable
	}
	return a
}

// compareWithReference runs one query through the router and the reference
// and reports any difference.
func compareWithReference(t *testing.T, f *fixture, q Query, edges []refEdge, stats *refStats) {
	t.Helper()
	res, err := f.r.Route(q)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	want := f.ref.solve(refQuery{
		sources: q.Sources, maxTrips: maxTripsOf(q.MaxTransfers), edges: edges,
		allowSchool: q.AllowSchool, walkFromSources: q.WalkFromSources, minChange: q.MinChange,
	})
	bad := 0
	for s := graph.StopIdx(0); int(s) < f.sy.tt.NumStops(); s++ {
		ga, gk := res.Arrival(s), res.Trips(s)
		wa, wk := refArrival(want.best[s]), int(want.trips[s])
		if ga != wa || gk != wk {
			if bad < 5 {
				t.Errorf("%s: stop %d: router arrives %d with %d trips, reference %d with %d trips",
					describe(q), s, ga, gk, wa, wk)
			}
			bad++
		}
		for k, layer := range want.layers {
			if g, w := res.ArrivalInRound(k, s), refArrival(layer[s]); g != w {
				if bad < 5 {
					t.Errorf("%s: stop %d: with at most %d trips router arrives %d, reference %d",
						describe(q), s, k, g, w)
				}
				bad++
			}
		}
		if wa < Unreachable {
			stats.reached++
			if wk >= 2 {
				stats.multi++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d differences", describe(q), bad)
	}
	stats.queries++
}

type refStats struct{ queries, reached, multi int }

func maxTripsOf(maxTransfers int) int {
	if maxTransfers < 0 {
		return -1
	}
	return maxTransfers + 1
}

func describe(q Query) string {
	return fmt.Sprintf("sources %v maxTransfers %d transfers %v school %v walk %v minChange %d",
		q.Sources, q.MaxTransfers, q.Transfers != nil, q.AllowSchool, q.WalkFromSources, q.MinChange)
}

func TestRouteMatchesReference(t *testing.T) {
	seeds, perSeed := 8, 30
	if testing.Short() {
		seeds, perSeed = 3, 10
	}
	var stats refStats
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		f := newFixture(t, seed, smallSynth)
		rng := rand.New(rand.NewPCG(seed, 7))
		for i := 0; i < perSeed; i++ {
			src := randomSources(rng, f.sy.tt.NumStops())
			minChange := []int32{0, 0, 120}[rng.IntN(3)]
			for _, fm := range []footMode{footNone, footGTFS, footMerged} {
				tr, edges := f.transfers(fm)
				for _, walk := range []bool{false, true} {
					if walk && tr == nil {
						continue
					}
					for _, maxT := range []int{0, 1, 2, Unlimited} {
						for _, school := range []bool{false, true} {
							q := Query{Sources: src, MaxTransfers: maxT, Transfers: tr,
								AllowSchool: school, WalkFromSources: walk, MinChange: minChange}
							compareWithReference(t, f, q, edges, &stats)
						}
					}
				}
			}
		}
	}
	t.Logf("%d queries, %d stop arrivals compared, %d of them needing ≥ 2 trips", stats.queries, stats.reached, stats.multi)
	if stats.multi < stats.reached/20 {
		t.Errorf("only %d of %d reached stops need 2 trips or more: the test networks are too easy", stats.multi, stats.reached)
	}
}

// TestRangeMatchesPlain checks that every departure of a range search gives
// what a plain search at that departure gives.
func TestRangeMatchesPlain(t *testing.T) {
	seeds, perSeed := 8, 12
	if testing.Short() {
		seeds, perSeed = 3, 5
	}
	searched, total := 0, 0
	defer func() {
		t.Logf("%d of %d departures searched", searched, total)
		if searched == total || searched == 0 {
			t.Errorf("%d of %d departures searched: the test does not exercise the skipped ones", searched, total)
		}
	}()
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		f := newFixture(t, seed, smallSynth)
		rng := rand.New(rand.NewPCG(seed, 11))
		S := f.sy.tt.NumStops()
		for i := 0; i < perSeed; i++ {
			var src []SourceOffset
			for len(src) == 0 || (rng.IntN(2) == 0 && len(src) < 4) {
				src = append(src, SourceOffset{Stop: graph.StopIdx(rng.IntN(S)), Offset: int32(rng.IntN(600))})
			}
			from := int32(-3600 + rng.IntN(24*3600))
			q := RangeQuery{
				Sources: src, From: from, To: from + int32(600+rng.IntN(3600)),
				Step:         []int32{0, 60, 37, 300}[rng.IntN(4)],
				MaxTransfers: []int{0, 1, 2, 4, Unlimited}[rng.IntN(5)],
				Transfers:    []*Transfers{nil, &f.gtfs, &f.merged}[rng.IntN(3)],
				AllowSchool:  rng.IntN(2) == 0, MinChange: []int32{0, 60}[rng.IntN(2)],
			}
			q.WalkFromSources = q.Transfers != nil && rng.IntN(2) == 0
			rr, err := f.r.Range(q)
			if err != nil {
				t.Fatal(err)
			}
			step := q.Step
			if step == 0 {
				step = DefaultStep
			}
			if want := int((q.To - q.From + step - 1) / step); rr.NumMinutes() != want {
				t.Fatalf("%d minutes, want %d", rr.NumMinutes(), want)
			}
			improved := 0
			for m := 0; m < rr.NumMinutes(); m++ {
				dep := rr.Departure(m)
				if dep != q.From+int32(m)*step || dep >= q.To {
					t.Fatalf("minute %d departs %d", m, dep)
				}
				res, err := f.r.Route(q.At(dep))
				if err != nil {
					t.Fatal(err)
				}
				for s := graph.StopIdx(0); int(s) < S; s++ {
					if g, w := rr.Arrival(m, s), res.Arrival(s); g != w {
						t.Fatalf("seed %d query %d minute %d stop %d: range arrives %d, plain %d (%+v)", seed, i, m, s, g, w, q)
					}
					if g, w := rr.Trips(m, s), res.Trips(s); g != w {
						t.Fatalf("seed %d query %d minute %d stop %d: range takes %d trips, plain %d (%+v)", seed, i, m, s, g, w, q)
					}
					if m > 0 && rr.Arrival(m-1, s) > rr.Arrival(m, s) {
						t.Fatalf("minute %d stop %d: an earlier departure arrives later", m, s)
					}
					if m+1 < rr.NumMinutes() && rr.Arrival(m, s) < rr.Arrival(m+1, s) {
						improved++
					}
				}
				if procs := rr.sc.rng.procMin; int32(m) == procs[len(procs)-1] {
					// The labels left by the range search (its last
					// searched departure is minute m) are exact per round.
					sc := rr.sc
					for k := 0; k < max(sc.rounds, res.Rounds()); k++ {
						for s := graph.StopIdx(0); int(s) < S; s++ {
							g := sc.arr[min(k, sc.rounds-1)*S+int(s)]
							if w := res.ArrivalInRound(k, s); g != w {
								t.Fatalf("seed %d query %d stop %d: range labels of round %d say %d, plain %d", seed, i, s, k, g, w)
							}
						}
					}
				}
				res.Release()
			}
			searched += rr.NumSearched()
			total += rr.NumMinutes()
			rr.Release()
			if i == 0 && improved == 0 && rr.NumMinutes() > 5 {
				t.Logf("seed %d: range query %d never improves between minutes", seed, i)
			}
		}
	}
}

// TestRangeMatchesReference spot-checks range results against the
// reference directly.
func TestRangeMatchesReference(t *testing.T) {
	f := newFixture(t, 42, smallSynth)
	rng := rand.New(rand.NewPCG(42, 1))
	S := f.sy.tt.NumStops()
	for i := 0; i < 6; i++ {
		src := []SourceOffset{{Stop: graph.StopIdx(rng.IntN(S)), Offset: 120}, {Stop: graph.StopIdx(rng.IntN(S)), Offset: 300}}
		from := int32(6*3600 + rng.IntN(12*3600))
		q := RangeQuery{Sources: src, From: from, To: from + 1800, MaxTransfers: Unlimited,
			Transfers: &f.merged, WalkFromSources: true, MinChange: 60}
		rr, err := f.r.Range(q)
		if err != nil {
			t.Fatal(err)
		}
		for m := 0; m < rr.NumMinutes(); m += 7 {
			pq := q.At(rr.Departure(m))
			want := f.ref.solve(refQuery{sources: pq.Sources, maxTrips: -1, edges: f.mergedEdges,
				walkFromSources: true, minChange: 60})
			for s := graph.StopIdx(0); int(s) < S; s++ {
				if g, w := rr.Arrival(m, s), refArrival(want.best[s]); g != w {
					t.Fatalf("minute %d stop %d: range arrives %d, reference %d", m, s, g, w)
				}
				if g, w := rr.Trips(m, s), int(want.trips[s]); g != w {
					t.Fatalf("minute %d stop %d: range takes %d trips, reference %d", m, s, g, w)
				}
			}
		}
		rr.Release()
	}
}
