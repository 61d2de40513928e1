package batch

import (
	"fmt"

	"reach/engine"
)

// Coverage says what the graph knows around an origin, so that a row of
// zeros can be told apart from a place that has no data:
//
//   - CoverageNetwork ("network"): at least one stop lies within the
//     request's max_walk metres of walking from the origin (along the
//     streets, or by straight line × 1.3 where the origin or the stop is off
//     the streets), whatever the modes asked for. Its figures are those of
//     the timetable.
//   - CoverageWalkOnly ("walk_only"): no stop within max_walk, but the origin
//     lies inside the bounding box of the graph's streets and within the link
//     limit (the graph's link_limit, 1,600 m by default) of a walkable street:
//     what it reaches it reaches on foot.
//   - CoverageOutside ("outside"): no stop within max_walk, and the origin is
//     outside the bounding box of the streets or farther than the link limit
//     from every walkable street (always so on a graph without streets): the
//     graph has no data around it, and its zeros say nothing about access.
type Coverage uint8

// Coverages.
const (
	CoverageNetwork Coverage = iota
	CoverageWalkOnly
	CoverageOutside
)

// coverageNames are the names of the coverages, by value.
var coverageNames = [...]string{"network", "walk_only", "outside"}

// String returns "network", "walk_only" or "outside".
func (c Coverage) String() string {
	if int(c) < len(coverageNames) {
		return coverageNames[c]
	}
	return fmt.Sprintf("coverage(%d)", c)
}

// coverageOf classifies an origin given the number of stops within walking
// distance the request found (access; it looked for none when transit was
// not among the modes).
func coverageOf(e *engine.Engine, o Origin, access int32, p engine.Params) Coverage {
	if access == 0 && !p.Modes.Transit {
		access = int32(len(e.StopsNear(o.Lat, o.Lon, p.MaxWalk, p.WalkSpeed)))
	}
	if access > 0 {
		return CoverageNetwork
	}
	s := &e.Graph().Streets
	minLat, minLon, maxLat, maxLon, ok := s.Bounds()
	if !ok || o.Lat < minLat || o.Lat > maxLat || o.Lon < minLon || o.Lon > maxLon {
		return CoverageOutside
	}
	if _, linked := e.StreetLink(o.Lat, o.Lon); !linked {
		return CoverageOutside
	}
	return CoverageWalkOnly
}

// CoverageCounts returns the number of origins of each coverage, by name.
func (r *Result) CoverageCounts() map[string]int {
	out := map[string]int{}
	for _, n := range coverageNames {
		out[n] = 0
	}
	for _, c := range r.Coverage {
		out[c.String()]++
	}
	return out
}
