package raptor

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"reach/graph"
)

// checkJourney verifies that a journey is feasible in the timetable under
// the package's rules and matches the search result.
func checkJourney(t *testing.T, tt *graph.Timetable, q Query, j Journey) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: journey %+v: "+format, append([]any{describe(q), j}, args...)...)
	}
	srcTime := int32(Unreachable)
	for _, s := range q.Sources {
		if s.Stop == j.Source {
			srcTime = min(srcTime, s.Time)
		}
	}
	if srcTime == Unreachable || j.Start != srcTime {
		fail("starts at stop %d at %d, not a source with that time", j.Source, j.Start)
	}
	stop, clock := j.Source, j.Start
	prev := LegKind(255) // nothing yet
	vehicles, transfers := 0, 0
	for i, l := range j.Legs {
		if l.FromStop != stop {
			fail("leg %d leaves from %d, the journey is at %d", i, l.FromStop, stop)
		}
		if l.Arrive < l.Depart {
			fail("leg %d arrives before it leaves", i)
		}
		switch l.Kind {
		case LegWalk, LegTransfer:
			if l.Kind == LegWalk && (i != 0 || !q.WalkFromSources) {
				fail("walk leg %d is not a source footpath", i)
			}
			if l.Kind == LegTransfer && prev != LegVehicle {
				fail("transfer leg %d does not follow a vehicle", i)
			}
			if l.Depart != clock {
				fail("footpath leg %d leaves at %d, arrived at %d", i, l.Depart, clock)
			}
			qp := params{tr: q.Transfers, walkSpeed: q.WalkSpeed, maxWalk: q.MaxWalk}
			if qp.maxWalk == 0 {
				qp.maxWalk = math.Inf(1)
			}
			f, ok := footpath(&qp, l.FromStop, l.ToStop)
			if !ok || l.Arrive-l.Depart != f {
				fail("footpath leg %d takes %d s, the footpath %d s (exists %v)", i, l.Arrive-l.Depart, f, ok)
			}
			if l.Kind == LegTransfer {
				transfers++
			}
		case LegVehicle:
			r := l.Route
			if r < 0 || int(r) >= tt.NumRoutes() || l.Trip < graph.TripIdx(tt.RouteTripStart[r]) || l.Trip >= graph.TripIdx(tt.RouteTripStart[r+1]) {
				fail("leg %d: trip %d is not in route %d", i, l.Trip, r)
			}
			if l.Line != tt.RouteLine[r] {
				fail("leg %d: line %d, route's line %d", i, l.Line, tt.RouteLine[r])
			}
			if tt.RouteSchool(r) && !q.AllowSchool {
				fail("leg %d rides a school bus", i)
			}
			stops, flags := tt.RouteStopsOf(r), tt.RouteFlagsOf(r)
			if l.BoardPos < 0 || l.BoardPos >= l.AlightPos || int(l.AlightPos) >= len(stops) {
				fail("leg %d: positions %d → %d", i, l.BoardPos, l.AlightPos)
			}
			if stops[l.BoardPos] != l.FromStop || stops[l.AlightPos] != l.ToStop {
				fail("leg %d: stops do not match the route positions", i)
			}
			if flags[l.BoardPos]&graph.NoPickup != 0 || flags[l.AlightPos]&graph.NoDropoff != 0 {
				fail("leg %d boards or alights where it is not allowed", i)
			}
			k := int32(l.Trip) - tt.RouteTripStart[r]
			if l.Depart != tt.Departures[tt.StopTimeIndex(r, k, l.BoardPos)] ||
				l.Arrive != tt.Arrivals[tt.StopTimeIndex(r, k, l.AlightPos)] {
				fail("leg %d: times %d → %d differ from the timetable", i, l.Depart, l.Arrive)
			}
			need := clock
			if prev == LegVehicle {
				need += max(tt.StopMinTransfer[stop], q.MinChange)
			}
			if l.Depart < need {
				fail("leg %d leaves at %d, before %d", i, l.Depart, need)
			}
			vehicles++
		default:
			fail("leg %d has kind %v", i, l.Kind)
		}
		stop, clock, prev = l.ToStop, l.Arrive, l.Kind
	}
	if stop != j.Stop {
		fail("ends at stop %d, not %d", stop, j.Stop)
	}
	if clock+j.Egress != j.Arrival {
		fail("arrives at %d + %d egress, not %d", clock, j.Egress, j.Arrival)
	}
	if vehicles != j.Trips || transfers != j.Transfers {
		fail("%d vehicle legs and %d transfers, reported %d and %d", vehicles, transfers, j.Trips, j.Transfers)
	}
	if max(q.MaxTransfers, -1) >= 0 && vehicles > q.MaxTransfers+1 {
		fail("%d trips exceed MaxTransfers %d", vehicles, q.MaxTransfers)
	}
}

func TestJourneyConsistency(t *testing.T) {
	seeds, perSeed := 6, 25
	if testing.Short() {
		seeds, perSeed = 2, 10
	}
	checked := 0
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		f := newFixture(t, seed, smallSynth)
		tt := f.sy.tt
		rng := rand.New(rand.NewPCG(seed, 3))
		for i := 0; i < perSeed; i++ {
			fm := footMode(rng.IntN(3))
			tr, _ := f.transfers(fm)
			q := Query{
				Sources: randomSources(rng, tt.NumStops()), MaxTransfers: []int{0, 1, 3, Unlimited}[rng.IntN(4)],
				Transfers: tr, AllowSchool: rng.IntN(2) == 0, WalkFromSources: tr != nil && rng.IntN(2) == 0,
				MinChange: []int32{0, 90}[rng.IntN(2)],
			}
			res, err := f.r.Route(q)
			if err != nil {
				t.Fatal(err)
			}
			for s := graph.StopIdx(0); int(s) < tt.NumStops(); s++ {
				if res.Arrival(s) == Unreachable {
					if _, err := f.r.Journey(q, []StopCost{{Stop: s}}); !errors.Is(err, ErrUnreachable) {
						t.Fatalf("journey to unreachable stop %d: error %v", s, err)
					}
					continue
				}
				j, err := f.r.Journey(q, []StopCost{{Stop: s}})
				if err != nil {
					t.Fatal(err)
				}
				if j.Arrival != res.Arrival(s) || j.Trips != res.Trips(s) || j.Stop != s {
					t.Fatalf("journey to %d arrives %d with %d trips at %d, search says %d with %d",
						s, j.Arrival, j.Trips, j.Stop, res.Arrival(s), res.Trips(s))
				}
				checkJourney(t, tt, q, j)
				checked++
			}
			// Several egress stops: the best arrival plus walk wins.
			egress := []StopCost{
				{Stop: graph.StopIdx(rng.IntN(tt.NumStops())), Seconds: int32(rng.IntN(600))},
				{Stop: graph.StopIdx(rng.IntN(tt.NumStops())), Seconds: int32(rng.IntN(600))},
				{Stop: graph.StopIdx(rng.IntN(tt.NumStops())), Seconds: 0},
			}
			best := Unreachable
			for _, e := range egress {
				if a := res.Arrival(e.Stop); a < Unreachable {
					best = min(best, a+e.Seconds)
				}
			}
			j, err := f.r.Journey(q, egress)
			switch {
			case best == Unreachable:
				if !errors.Is(err, ErrUnreachable) {
					t.Fatalf("unreachable egress: error %v", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if j.Arrival != best {
					t.Fatalf("journey arrives %d, best egress gives %d", j.Arrival, best)
				}
				checkJourney(t, tt, q, j)
			}
			res.Release()
		}
	}
	t.Logf("%d journeys checked", checked)
}
