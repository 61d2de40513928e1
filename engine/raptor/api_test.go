package raptor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// bruteEvaluate recomputes Evaluate from the per-minute arrivals with the
// definitions written out: percentile p is the smallest time x such that at
// least p % of the departures take at most x.
func bruteEvaluate(rr *RangeResult, egress []StopCost, direct, deadline int32, pct float64) TargetTimes {
	out := TargetTimes{Minute: -1, Stop: -1}
	var times []int32
	for m := 0; m < rr.NumMinutes(); m++ {
		dep := rr.Departure(m)
		arrival, trips, stop, walk := int32(Unreachable), 0, int32(-1), false
		if direct >= 0 {
			arrival, walk = dep+direct, true
		}
		for _, e := range egress {
			if a := rr.Arrival(m, e.Stop); a < Unreachable {
				k := rr.Trips(m, e.Stop)
				if a+e.Seconds < arrival || (a+e.Seconds == arrival && k < trips) {
					arrival, trips, stop, walk = a+e.Seconds, k, e.Stop, false
				}
			}
		}
		tt := int32(Unreachable)
		if arrival < Unreachable {
			tt = arrival - dep
			if arrival <= deadline && (!out.Found || dep > out.Departure) {
				out = TargetTimes{Found: true, Minute: m, Departure: dep, Arrival: arrival,
					Duration: arrival - dep, Trips: trips, Walk: walk, Stop: stop}
			}
		}
		times = append(times, tt)
	}
	pick := func(p float64) int32 {
		for _, x := range slices.Sorted(slices.Values(times)) {
			n := 0
			for _, y := range times {
				if y <= x {
					n++
				}
			}
			if float64(n) >= p/100*float64(len(times)) {
				return x
			}
		}
		return Unreachable
	}
	out.Min, out.Median, out.Percentile = pick(0), pick(50), pick(pct)
	return out
}

func TestEvaluate(t *testing.T) {
	f := newFixture(t, 5, smallSynth)
	S := f.sy.tt.NumStops()
	rng := rand.New(rand.NewPCG(5, 5))
	found, walked := 0, 0
	for i := 0; i < 40; i++ {
		from := int32(5*3600 + rng.IntN(14*3600))
		q := RangeQuery{Sources: []SourceOffset{{Stop: int32(rng.IntN(S)), Offset: int32(rng.IntN(300))}},
			From: from, To: from + 3600, MaxTransfers: 3, Transfers: &f.merged, WalkFromSources: true}
		rr, err := f.r.Range(q)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 20; j++ {
			var egress []StopCost
			for len(egress) < 1+rng.IntN(4) {
				egress = append(egress, StopCost{Stop: int32(rng.IntN(S)), Seconds: int32(rng.IntN(900))})
			}
			direct := []int32{-1, -1, int32(rng.IntN(7200))}[rng.IntN(3)]
			deadline := from + int32(rng.IntN(3*3600))
			pct := []float64{0, 5, 50, 80, 95, 100, 33.3}[rng.IntN(7)]
			got := rr.Evaluate(egress, direct, deadline, pct)
			want := bruteEvaluate(rr, egress, direct, deadline, pct)
			if got != want {
				t.Fatalf("Evaluate(%v, %d, %d, %v) = %+v, want %+v", egress, direct, deadline, pct, got, want)
			}
			if got.Found {
				found++
				if got.Walk {
					walked++
				}
			}
		}
		rr.Release()
	}
	if found < 100 || walked == 0 {
		t.Errorf("only %d targets found (%d walking): the test does not exercise Evaluate", found, walked)
	}
}

func TestPercentileIndex(t *testing.T) {
	for _, c := range []struct {
		n    int
		pct  float64
		want int
	}{
		{1, 50, 0}, {60, 0, 0}, {60, 50, 29}, {61, 50, 30}, {60, 100, 59}, {60, 95, 56},
		{60, -3, 0}, {60, 250, 59}, {60, math.NaN(), 59}, {4, 25, 0}, {4, 26, 1},
	} {
		if got := percentileIndex(c.n, c.pct); got != c.want {
			t.Errorf("percentileIndex(%d, %v) = %d, want %d", c.n, c.pct, got, c.want)
		}
	}
}

func TestZeroAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	f := newFixture(t, 3, smallSynth)
	q := Query{Sources: []Source{{Stop: 7, Time: 8 * 3600}, {Stop: 9, Time: 8*3600 + 60}},
		MaxTransfers: DefaultMaxTransfers, Transfers: &f.merged, WalkFromSources: true, MinChange: 60}
	rq := RangeQuery{Sources: []SourceOffset{{Stop: 7, Offset: 0}, {Stop: 9, Offset: 300}},
		From: 7 * 3600, To: 8 * 3600, MaxTransfers: DefaultMaxTransfers, Transfers: &f.merged}
	egress := []StopCost{{Stop: 3, Seconds: 100}, {Stop: 50, Seconds: 30}}
	var sink int32
	plain := testing.AllocsPerRun(50, func() {
		res, err := f.r.Route(q)
		if err != nil {
			t.Fatal(err)
		}
		sink += res.Arrival(11)
		res.Release()
	})
	ranged := testing.AllocsPerRun(20, func() {
		rr, err := f.r.Range(rq)
		if err != nil {
			t.Fatal(err)
		}
		sink += rr.Evaluate(egress, 1800, 9*3600, 80).Median
		rr.Release()
	})
	if plain != 0 || ranged != 0 {
		t.Errorf("allocations per query: plain %v, range+evaluate %v; want 0", plain, ranged)
	}
	_ = sink
}

func TestTransfersConstructors(t *testing.T) {
	tt := tinyTimetable(t, 4, nil, []tinyRoute{{stops: []int32{0, 1}, trips: [][]int32{{0, 0, 1, 1}}}},
		[][3]int32{{0, 2, 50}, {0, 1, 30}, {0, 2, 40}, {0, 0, 5}, {3, 1, 7}})
	g := GTFSTransfers(tt)
	if err := g.Validate(4); err != nil {
		t.Fatal(err)
	}
	to, secs := g.From(0)
	if !slices.Equal(to, []int32{1, 2}) || !slices.Equal(secs, []int32{30, 40}) {
		t.Errorf("GTFS transfers from 0: %v %v, want [1 2] [30 40]", to, secs)
	}
	// Street distances: 0→1 10 m, 0→3 12.1 m, 1→1 (loop), 2→0 0 m.
	st, err := FromDistances([]int32{0, 2, 3, 4, 4}, []int32{1, 3, 1, 0}, []float32{10, 12.1, 5, 0}, 1.1)
	if err != nil {
		t.Fatal(err)
	}
	to, secs = st.From(0)
	if !slices.Equal(to, []int32{1, 3}) || !slices.Equal(secs, []int32{10, 12}) {
		t.Errorf("street footpaths from 0: %v %v, want [1 3] [10 12] (ceil of 9.09 and 11.0)", to, secs)
	}
	if to, _ := st.From(1); len(to) != 0 {
		t.Errorf("loop kept: %v", to)
	}
	m := MergeTransfers(g, st)
	to, secs = m.From(0)
	if !slices.Equal(to, []int32{1, 2, 3}) || !slices.Equal(secs, []int32{10, 40, 12}) {
		t.Errorf("merged from 0: %v %v, want [1 2 3] [10 40 12]", to, secs)
	}
	if to, secs := m.From(3); !slices.Equal(to, []int32{1}) || !slices.Equal(secs, []int32{7}) {
		t.Errorf("merged from 3: %v %v", to, secs)
	}
	if m.NumStops() != 4 || m.Validate(4) != nil {
		t.Errorf("merged covers %d stops: %v", m.NumStops(), m.Validate(4))
	}
	if z := MergeTransfers(Transfers{}, g); z.NumStops() != 4 || z.Validate(4) != nil {
		t.Errorf("merge with the zero value covers %d stops", z.NumStops())
	}
	for _, c := range []struct {
		start, to []int32
		dist      []float32
		speed     float64
		msg       string
	}{
		{[]int32{0, 1}, []int32{0}, []float32{1}, 0, "walk speed"},
		{[]int32{0, 1}, []int32{0}, []float32{1}, math.NaN(), "walk speed"},
		{[]int32{0, 1}, []int32{0}, []float32{1, 2}, 1, "distances"},
		{[]int32{0, 2}, []int32{0}, []float32{1}, 1, "offsets"},
		{[]int32{0, 1}, []int32{5}, []float32{1}, 1, "out of range"},
		{[]int32{0, 1}, []int32{0}, []float32{-1}, 1, "outside"},
		{[]int32{0, 1}, []int32{0}, []float32{float32(math.Inf(1))}, 1, "outside"},
		{nil, nil, nil, 1, "no offsets"},
	} {
		if _, err := FromDistances(c.start, c.to, c.dist, c.speed); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("FromDistances(%v, %v, %v, %v): error %v, want one about %q", c.start, c.to, c.dist, c.speed, err, c.msg)
		}
	}
	bad := Transfers{Start: []int32{0, 1, 1, 1, 1}, To: []int32{9}, Time: []int32{1}}
	if err := bad.Validate(4); err == nil {
		t.Error("Validate accepts a footpath to stop 9 of 4")
	}
}

// TestBadInput checks that invalid queries return errors, not panics.
func TestBadInput(t *testing.T) {
	f := newFixture(t, 2, smallSynth)
	S := int32(f.sy.tt.NumStops())
	src := []Source{{Stop: 1, Time: 3600}}
	badTr := Transfers{Start: make([]int32, S+1), To: []int32{S + 5}, Time: []int32{10}}
	for i := 2; i <= int(S); i++ {
		badTr.Start[i] = 1
	}
	for name, q := range map[string]Query{
		"stop out of range":   {Sources: []Source{{Stop: S, Time: 0}}},
		"negative stop":       {Sources: []Source{{Stop: -1, Time: 0}}},
		"time out of range":   {Sources: []Source{{Stop: 0, Time: MaxTime + 1}}},
		"negative min change": {Sources: src, MinChange: -1},
		"too many transfers":  {Sources: src, MaxTransfers: MaxRounds},
		"transfers size":      {Sources: src, Transfers: &Transfers{Start: []int32{0, 1}, To: []int32{0}, Time: []int32{0}}},
		"transfer target":     {Sources: src, Transfers: &badTr, WalkFromSources: true},
	} {
		if res, err := f.r.Route(q); err == nil {
			res.Release()
			t.Errorf("%s: no error", name)
		}
		if _, err := f.r.Journey(q, []StopCost{{Stop: 0}}); err == nil {
			t.Errorf("%s: Journey gives no error", name)
		}
	}
	for name, q := range map[string]RangeQuery{
		"empty window":    {Sources: []SourceOffset{{Stop: 1}}, From: 100, To: 100},
		"negative step":   {Sources: []SourceOffset{{Stop: 1}}, From: 0, To: 600, Step: -60},
		"too long":        {Sources: []SourceOffset{{Stop: 1}}, From: 0, To: 3 * 86400, Step: 60},
		"negative offset": {Sources: []SourceOffset{{Stop: 1, Offset: -5}}, From: 0, To: 600},
		"bad stop":        {Sources: []SourceOffset{{Stop: S}}, From: 0, To: 600},
	} {
		if rr, err := f.r.Range(q); err == nil {
			rr.Release()
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := f.r.Journey(Query{Sources: src}, []StopCost{{Stop: S}}); err == nil {
		t.Error("Journey to a stop out of range: no error")
	}
	res, err := f.r.Route(Query{Sources: src})
	if err != nil {
		t.Fatal(err)
	}
	if res.Arrival(-1) != Unreachable || res.Arrival(S) != Unreachable || res.Trips(S) != -1 || res.ArrivalInRound(-1, 0) != Unreachable {
		t.Error("accessors out of range do not answer Unreachable")
	}
	res.Release()
	if _, err := NewRouter(nil); err == nil {
		t.Error("NewRouter(nil): no error")
	}
	broken := *f.sy.tt
	broken.StopMinTransfer = append([]int32(nil), broken.StopMinTransfer...)
	broken.StopMinTransfer[0] = -4
	if _, err := NewRouter(&broken); err == nil {
		t.Error("NewRouter accepts a negative minimum transfer time")
	}
	broken = *f.sy.tt
	broken.RouteStops = broken.RouteStops[:len(broken.RouteStops)-1]
	if _, err := NewRouter(&broken); err == nil {
		t.Error("NewRouter accepts an invalid timetable")
	}
}

// TestConcurrentQueries runs queries from several goroutines on one router
// (meaningful under -race).
func TestConcurrentQueries(t *testing.T) {
	f := newFixture(t, 4, smallSynth)
	S := f.sy.tt.NumStops()
	want := make([]int32, S)
	q := Query{Sources: []Source{{Stop: 3, Time: 9 * 3600}}, MaxTransfers: 4, Transfers: &f.merged}
	res, err := f.r.Route(q)
	if err != nil {
		t.Fatal(err)
	}
	for s := range want {
		want[s] = res.Arrival(int32(s))
	}
	res.Release()
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				res, err := f.r.Route(q)
				if err != nil {
					done <- err
					return
				}
				for s := range want {
					if a := res.Arrival(int32(s)); a != want[s] {
						res.Release()
						done <- fmt.Errorf("stop %d: concurrent query arrives %d, want %d", s, a, want[s])
						return
					}
				}
				res.Release()
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestScratchLeftClean checks that a search leaves its sets empty, as the
// next query on the same scratch relies on it.
func TestScratchLeftClean(t *testing.T) {
	f := newFixture(t, 6, smallSynth)
	rng := rand.New(rand.NewPCG(6, 6))
	for i := 0; i < 30; i++ {
		q := Query{Sources: randomSources(rng, f.sy.tt.NumStops()), MaxTransfers: []int{0, 2, Unlimited}[i%3],
			Transfers: &f.merged, WalkFromSources: true}
		res, err := f.r.Route(q)
		if err != nil {
			t.Fatal(err)
		}
		sc := res.sc
		if n := sc.changed.count() + sc.marked.count() + sc.improved.count(); n != 0 || len(sc.queue) != 0 {
			t.Fatalf("query %d leaves %d set bits and %d queued routes", i, n, len(sc.queue))
		}
		for r, p := range sc.routeStart {
			if p != -1 {
				t.Fatalf("query %d leaves route %d queued at %d", i, r, p)
			}
		}
		res.Release()
	}
}
