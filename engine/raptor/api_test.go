package raptor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// targetCase is a random egress table over a timetable's stops.
func randomEgress(rng *rand.Rand, stops, targets int) *Egress {
	e := &Egress{Start: make([]int32, stops+1), NumTargets: targets}
	type entry struct {
		t int32
		m float32
	}
	per := make([][]entry, stops)
	for t := 0; t < targets; t++ {
		for k := 0; k < 1+rng.IntN(8); k++ {
			s := rng.IntN(stops)
			per[s] = append(per[s], entry{int32(t), float32(rng.IntN(1200))})
		}
	}
	for s := range per {
		slices.SortFunc(per[s], func(a, b entry) int { return int(a.m - b.m) })
		for _, x := range per[s] {
			e.Target = append(e.Target, x.t)
			e.Metres = append(e.Metres, x.m)
		}
		e.Start[s+1] = int32(len(e.Target))
	}
	return e
}

func randomSourceOffsets(rng *rand.Rand, stops int) []SourceOffset {
	var src []SourceOffset
	for len(src) == 0 || (rng.IntN(2) == 0 && len(src) < 3) {
		src = append(src, SourceOffset{Stop: int32(rng.IntN(stops)), Offset: int32(rng.IntN(300))})
	}
	return src
}

// bruteTarget recomputes Target from plain searches at every departure,
// with the definitions written out: the egress walk starts where a vehicle
// stops; percentile p is the smallest time x such that at least p % of the
// departures take at most x.
func bruteTarget(t *testing.T, r *Router, q RangeQuery, tq TargetQuery, target, direct int32, pct float64) TargetTimes {
	out := TargetTimes{Minute: -1, Stop: -1}
	step := q.Step
	if step == 0 {
		step = DefaultStep
	}
	var times []int32
	e := tq.Egress
	for m := 0; q.From+int32(m)*step < q.To; m++ {
		dep := q.From + int32(m)*step
		res, err := r.Route(q.At(dep))
		if err != nil {
			t.Fatal(err)
		}
		arrival, trips, stop, walk := int32(Unreachable), 0, int32(-1), false
		if direct >= 0 {
			arrival, walk = dep+direct, true
		}
		for s := int32(0); int(s) < len(e.Start)-1; s++ {
			for j := e.Start[s]; j < e.Start[s+1]; j++ {
				if e.Target[j] != target || float64(e.Metres[j]) > tq.MaxWalk {
					continue
				}
				a := res.VehicleArrival(s)
				if a >= Unreachable {
					continue
				}
				k := res.VehicleTrips(s)
				a += WalkSeconds(float64(e.Metres[j]), tq.WalkSpeed)
				if a < arrival || (a == arrival && k < trips) {
					arrival, trips, stop, walk = a, k, s, false
				}
			}
		}
		res.Release()
		tt := int32(Unreachable)
		if arrival < Unreachable {
			tt = arrival - dep
			if q.MaxDuration > 0 && tt > q.MaxDuration {
				// Transit beyond the bound counts as unreachable; the
				// walk, slower still, keeps its time.
				tt = Unreachable
				if direct >= 0 {
					tt = direct
				}
			}
			if arrival <= q.Deadline && (!out.Found || dep > out.Departure) {
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

// TestTargets checks the targets a range search answers as it runs
// against plain searches at every departure, and the journeys it keeps.
func TestTargets(t *testing.T) {
	f := newFixture(t, 5, smallSynth)
	S := f.sy.tt.NumStops()
	rng := rand.New(rand.NewPCG(5, 5))
	found, walked, journeys := 0, 0, 0
	for i := 0; i < 80; i++ {
		from := int32(6*3600 + rng.IntN(12*3600))
		tq := TargetQuery{Egress: randomEgress(rng, S, 30), WalkSpeed: []float64{1.25, 0.9}[rng.IntN(2)],
			MaxWalk: []float64{300, 800, 5000}[rng.IntN(3)], Journeys: true, Times: true}
		if err := tq.Egress.Validate(S); err != nil {
			t.Fatal(err)
		}
		q := RangeQuery{Sources: randomSourceOffsets(rng, S),
			From: from, To: from + int32(900+rng.IntN(2700)), MaxTransfers: []int{1, 3, Unlimited}[rng.IntN(3)],
			Transfers: []*Transfers{nil, &f.merged}[rng.IntN(2)], MinChange: []int32{0, 60}[rng.IntN(2)],
			Deadline: from + 1200 + int32(rng.IntN(2*3600)), Targets: []TargetQuery{tq}}
		q.WalkFromSources = q.Transfers != nil && rng.IntN(2) == 0
		if rng.IntN(2) == 0 {
			// Bounded search: exact for targets since the deadline is
			// within the bound of every departure.
			q.MaxDuration = q.Deadline - q.From + int32(rng.IntN(1800))
		}
		rr, err := f.r.Range(q)
		if err != nil {
			t.Fatal(err)
		}
		reached := map[int32]bool{}
		for _, x := range rr.Reached(0) {
			reached[x] = true
		}
		for target := int32(0); target < 30; target++ {
			direct := int32(-1)
			if rng.IntN(8) == 0 {
				direct = int32(rng.IntN(7200))
			}
			pct := []float64{0, 5, 50, 80, 95, 100, 33.3}[rng.IntN(7)]
			got := rr.Target(0, target, direct, pct)
			want := bruteTarget(t, f.r, q, tq, target, direct, pct)
			if got != want {
				t.Fatalf("query %d target %d (direct %d, pct %v): %+v, want %+v", i, target, direct, pct, got, want)
			}
			if !got.Found {
				continue
			}
			found++
			if got.Walk {
				walked++
				continue
			}
			if !reached[target] {
				t.Fatalf("target %d found by transit but not listed as reached", target)
			}
			j, ok := rr.Journey(0, target)
			if !ok {
				t.Fatalf("target %d: no journey kept", target)
			}
			journeys++
			vehicles := 0
			for _, l := range j.Legs {
				if l.Kind == LegVehicle {
					vehicles++
				}
			}
			last := j.Legs[len(j.Legs)-1]
			if vehicles != got.Trips || j.Stop != got.Stop || j.Arrival != got.Arrival || last.Kind != LegVehicle ||
				last.ToStop != got.Stop || last.Arrive+j.Egress != got.Arrival || j.Start < got.Departure {
				t.Fatalf("target %d: journey %+v for %+v", target, j, got)
			}
		}
		rr.Release()
	}
	t.Logf("%d targets found (%d walking, %d journeys)", found, walked, journeys)
	if found < 100 || walked == 0 || journeys < 40 {
		t.Errorf("%d targets found (%d walking, %d journeys): the test does not exercise the targets", found, walked, journeys)
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
	eg := randomEgress(rand.New(rand.NewPCG(3, 3)), f.sy.tt.NumStops(), 40)
	rq := RangeQuery{Sources: []SourceOffset{{Stop: 7, Offset: 0}, {Stop: 9, Offset: 300}},
		From: 7 * 3600, To: 8 * 3600, MaxTransfers: DefaultMaxTransfers, Transfers: &f.merged, Deadline: 9 * 3600,
		Targets: []TargetQuery{{Egress: eg, WalkSpeed: 1.25, MaxWalk: 1000, Journeys: true, Times: true}}}
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
		for x := int32(0); x < 40; x++ {
			sink += rr.Target(0, x, 1800, 80).Median
		}
		sink += rr.Arrival(3, 11)
		rr.Release()
	})
	if plain != 0 || ranged != 0 {
		t.Errorf("allocations per query: plain %v, range with targets %v; want 0", plain, ranged)
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

// TestTransfersFastPaths checks that StreetTransfers over footpaths already
// sorted by destination (as builds write them) shares them and equals the
// full normalisation, and that MergeTransfers, which normalises again only
// the stops with footpaths on both sides, equals the union normalised as a
// whole.
func TestTransfersFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for round := 0; round < 50; round++ {
		n := 1 + rng.IntN(30)
		start := []int32{0}
		var to []int32
		var dist []float32
		for s := 0; s < n; s++ {
			for u := 0; u < n; u++ {
				if u != s && rng.IntN(3) == 0 {
					to, dist = append(to, int32(u)), append(dist, float32(rng.IntN(900)))
				}
			}
			start = append(start, int32(len(to)))
		}
		st, err := StreetTransfers(start, to, dist)
		if err != nil {
			t.Fatal(err)
		}
		if len(to) > 0 && &st.To[0] != &to[0] {
			t.Fatal("sorted street footpaths were copied")
		}
		full := normalizeMetres(n, start, to, make([]int32, len(to)), dist)
		if !reflect.DeepEqual(st, full) {
			t.Fatalf("round %d: shared footpaths %+v, normalised %+v", round, st, full)
		}
		// Unsorted input takes the slow path and gives the same set.
		rev := slices.Clone(to)
		rdist := slices.Clone(dist)
		for s := 0; s < n; s++ {
			slices.Reverse(rev[start[s]:start[s+1]])
			slices.Reverse(rdist[start[s]:start[s+1]])
		}
		if un, err := StreetTransfers(start, rev, rdist); err != nil || !reflect.DeepEqual(un, full) {
			t.Fatalf("round %d: unsorted input gives %+v (%v), want %+v", round, un, err, full)
		}
		// transfers.txt-like fixed footpaths on some stops, some pairs shared.
		gs := []int32{0}
		var gto, gsecs []int32
		for s := 0; s < n; s++ {
			if rng.IntN(4) == 0 {
				for k := 0; k < 3; k++ {
					gto, gsecs = append(gto, int32(rng.IntN(n))), append(gsecs, int32(rng.IntN(600)))
				}
			}
			gs = append(gs, int32(len(gto)))
		}
		g := normalize(n, gs, gto, gsecs)
		for _, pair := range [][2]Transfers{{st, g}, {g, st}, {st, st}, {g, g}} {
			got := MergeTransfers(pair[0], pair[1])
			var mto, msecs []int32
			var mm []float32
			ms := []int32{0}
			for s := int32(0); int(s) < n; s++ {
				for _, x := range pair {
					u, f := x.From(s)
					mto, msecs = append(mto, u...), append(msecs, f...)
					for i := range u {
						if x.Metres != nil {
							mm = append(mm, x.Metres[x.Start[s]+int32(i)])
						} else {
							mm = append(mm, -1)
						}
					}
				}
				ms = append(ms, int32(len(mto)))
			}
			want := normalizeMetres(n, ms, mto, msecs, mm)
			if pair[0].Metres == nil && pair[1].Metres == nil {
				want = normalize(n, ms, mto, msecs)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: merged %+v, want %+v", round, got, want)
			}
		}
	}
}
