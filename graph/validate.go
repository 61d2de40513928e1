package graph

import (
	"fmt"
	"math"
)

// Validate checks the structural invariants of the timetable that the
// router relies on: consistent array lengths, CSR offsets in range, indexes
// in range, times that never decrease along a trip, trips of a route sorted
// by departure and never overtaking one another. It is cheap (linear) and
// run on every graph loaded from disk.
func (t *Timetable) Validate() error {
	ns, nl, nr := StopIdx(len(t.StopID)), LineIdx(len(t.LineID)), RouteIdx(len(t.RouteLine))
	for name, n := range map[string]int{
		"StopName": len(t.StopName), "StopLat": len(t.StopLat), "StopLon": len(t.StopLon),
		"StopParent": len(t.StopParent), "StopFeed": len(t.StopFeed), "StopMinTransfer": len(t.StopMinTransfer),
	} {
		if n != int(ns) {
			return fmt.Errorf("timetable: %s has %d entries for %d stops", name, n, ns)
		}
	}
	for name, n := range map[string]int{
		"LineShortName": len(t.LineShortName), "LineLongName": len(t.LineLongName),
		"LineMode": len(t.LineMode), "LineSchool": len(t.LineSchool), "LineFeed": len(t.LineFeed),
	} {
		if n != int(nl) {
			return fmt.Errorf("timetable: %s has %d entries for %d lines", name, n, nl)
		}
	}
	for name, a := range map[string][]int32{
		"RouteStopStart": t.RouteStopStart, "RouteTripStart": t.RouteTripStart, "RouteStopTimeStart": t.RouteStopTimeStart,
	} {
		if len(a) != int(nr)+1 {
			return fmt.Errorf("timetable: %s has %d entries for %d routes", name, len(a), nr)
		}
	}
	if len(t.RouteStopFlags) != len(t.RouteStops) {
		return fmt.Errorf("timetable: %d route stop flags for %d route stops", len(t.RouteStopFlags), len(t.RouteStops))
	}
	if len(t.TripHeadsign) != len(t.TripID) || len(t.TripDayShift) != len(t.TripID) {
		return fmt.Errorf("timetable: trip arrays of unequal lengths")
	}
	if len(t.Departures) != len(t.Arrivals) {
		return fmt.Errorf("timetable: %d departures for %d arrivals", len(t.Departures), len(t.Arrivals))
	}
	for s := StopIdx(0); s < ns; s++ {
		if p := t.StopParent[s]; p < -1 || p >= ns {
			return fmt.Errorf("timetable: stop %d has parent %d out of range", s, p)
		}
	}
	if err := checkCSR("RouteStopStart", t.RouteStopStart, len(t.RouteStops)); err != nil {
		return err
	}
	if err := checkCSR("RouteTripStart", t.RouteTripStart, len(t.TripID)); err != nil {
		return err
	}
	if err := checkCSR("RouteStopTimeStart", t.RouteStopTimeStart, len(t.Arrivals)); err != nil {
		return err
	}
	for _, s := range t.RouteStops {
		if s < 0 || s >= ns {
			return fmt.Errorf("timetable: route stop %d out of range", s)
		}
	}
	for r := RouteIdx(0); r < nr; r++ {
		if l := t.RouteLine[r]; l < 0 || l >= nl {
			return fmt.Errorf("timetable: route %d has line %d out of range", r, l)
		}
		n := t.RouteStopStart[r+1] - t.RouteStopStart[r]
		k := t.RouteNumTrips(r)
		if n < 2 || k < 1 {
			return fmt.Errorf("timetable: route %d has %d stops and %d trips", r, n, k)
		}
		if t.RouteStopTimeStart[r+1]-t.RouteStopTimeStart[r] != n*k {
			return fmt.Errorf("timetable: route %d has %d stop times for %d trips of %d stops",
				r, t.RouteStopTimeStart[r+1]-t.RouteStopTimeStart[r], k, n)
		}
		base := t.RouteStopTimeStart[r]
		for j := int32(0); j < k; j++ {
			row := base + j*n
			for p := int32(0); p < n; p++ {
				i := row + p
				if t.Departures[i] < t.Arrivals[i] || (p > 0 && t.Arrivals[i] < t.Departures[i-1]) {
					return fmt.Errorf("timetable: trip %s: times decrease at position %d", t.TripID[t.RouteTrip(r, j)], p)
				}
				if j > 0 && (t.Departures[i] < t.Departures[i-n] || t.Arrivals[i] < t.Arrivals[i-n]) {
					return fmt.Errorf("timetable: route %d: trip %s overtakes or precedes trip %s at position %d",
						r, t.TripID[t.RouteTrip(r, j)], t.TripID[t.RouteTrip(r, j-1)], p)
				}
			}
		}
	}
	if err := checkCSR("StopRouteStart", t.StopRouteStart, len(t.StopRoutes)); err != nil {
		return err
	}
	if len(t.StopRouteStart) != int(ns)+1 || len(t.StopRoutePos) != len(t.StopRoutes) {
		return fmt.Errorf("timetable: stop → routes index of the wrong size")
	}
	for s := StopIdx(0); s < ns; s++ {
		routes, pos := t.RoutesAt(s)
		for i, r := range routes {
			if r < 0 || r >= nr || pos[i] < 0 || pos[i] >= t.RouteStopStart[r+1]-t.RouteStopStart[r] ||
				t.RouteStops[t.RouteStopStart[r]+pos[i]] != s {
				return fmt.Errorf("timetable: stop → routes index wrong at stop %d", s)
			}
		}
	}
	if len(t.StopRoutes) != len(t.RouteStops) {
		return fmt.Errorf("timetable: stop → routes index has %d entries for %d route stops", len(t.StopRoutes), len(t.RouteStops))
	}
	if len(t.TransferStart) != int(ns)+1 || len(t.TransferTime) != len(t.TransferTo) {
		return fmt.Errorf("timetable: transfers of the wrong size")
	}
	if err := checkCSR("TransferStart", t.TransferStart, len(t.TransferTo)); err != nil {
		return err
	}
	for i, s := range t.TransferTo {
		if s < 0 || s >= ns || t.TransferTime[i] < 0 {
			return fmt.Errorf("timetable: transfer %d to stop %d (%d s) out of range", i, s, t.TransferTime[i])
		}
	}
	return nil
}

// checkCSR checks that offsets start at 0, never decrease and end at n.
func checkCSR(name string, off []int32, n int) error {
	if len(off) == 0 || off[0] != 0 || int(off[len(off)-1]) != n {
		return fmt.Errorf("timetable: %s offsets do not span 0..%d", name, n)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return fmt.Errorf("timetable: %s offsets decrease at %d", name, i)
		}
	}
	return nil
}

// Validate checks every part of the graph against the others; it runs
// after a build and on every graph loaded for serving.
func (g *Graph) Validate() error {
	if err := g.Timetable.Validate(); err != nil {
		return err
	}
	ns := g.Timetable.NumStops()
	if g.Streets.NumNodes() > 0 {
		if err := g.Streets.Validate(); err != nil {
			return err
		}
	}
	if g.StopLinks.Len() != ns {
		return fmt.Errorf("graph: %d stop links for %d stops", g.StopLinks.Len(), ns)
	}
	if err := g.StopLinks.Validate(&g.Streets); err != nil {
		return fmt.Errorf("graph: stop %w", err)
	}
	if g.StopBikeLinks.Len() != ns {
		return fmt.Errorf("graph: %d stop bike links for %d stops", g.StopBikeLinks.Len(), ns)
	}
	if err := g.StopBikeLinks.ValidateBike(&g.Streets); err != nil {
		return fmt.Errorf("graph: stop bike %w", err)
	}
	if err := g.StopPaths.Validate(ns); err != nil {
		return fmt.Errorf("graph: stop %w", err)
	}
	if err := g.Places.Validate(); err != nil {
		return err
	}
	nsc := g.Places.NumSchools()
	if g.SchoolLinks.Len() != nsc {
		return fmt.Errorf("graph: %d school links for %d schools", g.SchoolLinks.Len(), nsc)
	}
	if err := g.SchoolLinks.Validate(&g.Streets); err != nil {
		return fmt.Errorf("graph: school %w", err)
	}
	if g.SchoolBikeLinks.Len() != nsc {
		return fmt.Errorf("graph: %d school bike links for %d schools", g.SchoolBikeLinks.Len(), nsc)
	}
	if err := g.SchoolBikeLinks.ValidateBike(&g.Streets); err != nil {
		return fmt.Errorf("graph: school bike %w", err)
	}
	if !(g.Meta.BikeLimit >= 0) || math.IsInf(g.Meta.BikeLimit, 0) {
		return fmt.Errorf("graph: bike limit %v m", g.Meta.BikeLimit)
	}
	if err := validateEgress(&g.SchoolEgress, nsc, ns); err != nil {
		return err
	}
	if err := g.Cells.Validate(ns, g.Streets.NumNodes()); err != nil {
		return err
	}
	return g.Addresses.Validate()
}

func validateEgress(f *Footpaths, from, to int) error {
	if len(f.Start) != from+1 || len(f.To) != len(f.Dist) || (from > 0 && int(f.Start[from]) != len(f.To)) {
		return fmt.Errorf("graph: school egress table of the wrong size")
	}
	for i, s := range f.To {
		if s < 0 || int(s) >= to || !(f.Dist[i] >= 0) {
			return fmt.Errorf("graph: school egress entry %d to stop %d out of range", i, s)
		}
	}
	return nil
}
