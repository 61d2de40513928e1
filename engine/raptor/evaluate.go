package raptor

import (
	"math"
	"slices"
)

// StopCost is a stop and a cost in seconds, such as the egress walk from
// the stop to a target.
type StopCost struct {
	Stop    int32
	Seconds int32
}

// TargetTimes is what a range search says about one target.
type TargetTimes struct {
	// Found reports whether some departure of the window reaches the
	// target by the deadline; the fields below up to Walk describe the
	// one that leaves latest, with its earliest arrival.
	Found     bool
	Minute    int   // index of the departure in the window
	Departure int32 // departure from the origin
	Arrival   int32 // arrival at the target, egress walk included
	Duration  int32 // Arrival − Departure
	Trips     int   // vehicle trips, 0 when walking
	Walk      bool  // the journey walks directly to the target
	Stop      int32 // stop where the journey leaves transit, -1 when walking

	// Door-to-door travel times over the window's departures, in seconds;
	// a departure with no journey counts as Unreachable (+∞), so these
	// are Unreachable when too few departures reach the target.
	Min        int32
	Median     int32
	Percentile int32 // at the percentile asked for
}

// Evaluate combines the range result with the egress walks to one target
// (stop and walk seconds from it; entries with a stop out of range or
// negative seconds are ignored) and the direct door-to-door walk (seconds,
// or −1 when there is none; walking is a candidate journey at every
// departure). Among journeys arriving together it prefers the fewest trips,
// walking first. It returns the arrive-by answer for
// the deadline and the minimum, median and pct-th percentile (0..100,
// clamped; NaN counts as 100) of the travel time. Percentiles are
// nearest-rank: the smallest time such that at least pct % of the
// departures take no longer.
//
// Evaluate allocates nothing; it uses a buffer of the result, so calls on
// one RangeResult must not run concurrently.
func (rr *RangeResult) Evaluate(egress []StopCost, direct, deadline int32, pct float64) TargetTimes {
	sc := rr.sc
	out := TargetTimes{Minute: -1, Stop: -1, Min: Unreachable, Median: Unreachable, Percentile: Unreachable}
	n := sc.minutes
	if n == 0 {
		return out
	}
	times := sc.evalBuf[:n]
	for m := n - 1; m >= 0; m-- {
		dep := sc.from + int32(m)*sc.step
		arrival, trips, stop, walk := Unreachable, 0, int32(-1), false
		if direct >= 0 {
			arrival, walk = dep+min(direct, Unreachable-dep), true
		}
		row := sc.outArr[m*sc.nStops : (m+1)*sc.nStops]
		rowTrips := sc.outTrips[m*sc.nStops : (m+1)*sc.nStops]
		for _, e := range egress {
			if uint(e.Stop) >= uint(len(row)) || e.Seconds < 0 {
				continue
			}
			a := row[e.Stop]
			if a >= Unreachable {
				continue
			}
			a += min(e.Seconds, Unreachable-a)
			k := int(rowTrips[e.Stop])
			if a < arrival || (a == arrival && k < trips) {
				arrival, trips, stop, walk = a, k, e.Stop, false
			}
		}
		if arrival >= Unreachable {
			times[m] = Unreachable
			continue
		}
		times[m] = arrival - dep
		if !out.Found && arrival <= deadline {
			out.Found = true
			out.Minute, out.Departure, out.Arrival, out.Duration = m, dep, arrival, arrival-dep
			out.Trips, out.Walk, out.Stop = trips, walk, stop
		}
	}
	slices.Sort(times)
	out.Min = times[0]
	out.Median = times[percentileIndex(n, 50)]
	out.Percentile = times[percentileIndex(n, pct)]
	return out
}

// percentileIndex returns the nearest-rank index of the pct-th percentile
// in a sorted list of n > 0 values.
func percentileIndex(n int, pct float64) int {
	if math.IsNaN(pct) || pct > 100 {
		pct = 100
	}
	pct = max(pct, 0)
	i := int(math.Ceil(pct/100*float64(n))) - 1
	return min(max(i, 0), n-1)
}
