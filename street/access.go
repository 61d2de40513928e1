package street

import (
	"math"

	"reach/graph"
)

// Access finds the points of a set (stops, schools) within walking (or
// cycling) distance of any place: along the streets to the points linked to
// them, and by a straight line × DetourFactor to the points that are not,
// exactly as StopTransfers joins stops. It serves the build (school
// egress) and the queries (access from an address). Read-only once built;
// safe for concurrent use with one AccessScratch per goroutine.
type Access struct {
	mode      Mode
	streets   *graph.Streets
	index     *Index
	links     *graph.Links
	targets   *Targets
	points    *PointIndex
	unlinked  []bool
	linkLimit float64
}

// NewAccess prepares walking access to the points (lats[i], lons[i])
// linked by links to the walking network. index snaps arbitrary places to
// the streets of s; a place farther than linkLimit metres from any street
// is reached by straight lines only. s may be an empty network: then every
// walk is a straight line.
func NewAccess(s *graph.Streets, index *Index, links *graph.Links, lats, lons []float64, linkLimit float64) *Access {
	return newAccess(Walk, s, index, links, lats, lons, linkLimit)
}

// NewBikeAccess is NewAccess for cycling: links attach the points to the
// cycling network (LinkBikePoints), places are snapped to it
// (Index.SnapBike) and searches ride its edges in their allowed
// directions, from the place to the points.
func NewBikeAccess(s *graph.Streets, index *Index, links *graph.Links, lats, lons []float64, linkLimit float64) *Access {
	return newAccess(Bike, s, index, links, lats, lons, linkLimit)
}

func newAccess(m Mode, s *graph.Streets, index *Index, links *graph.Links, lats, lons []float64, linkLimit float64) *Access {
	if linkLimit <= 0 {
		linkLimit = DefaultLinkDist
	}
	a := &Access{mode: m, streets: s, index: index, links: links, points: NewPointIndex(lats, lons), linkLimit: linkLimit}
	if s.NumNodes() > 0 {
		a.targets = NewTargets(s, links)
	}
	a.unlinked = make([]bool, links.Len())
	for i := range a.unlinked {
		a.unlinked[i] = !links.Linked(int32(i))
	}
	return a
}

// AccessScratch is the per-goroutine state of Access searches.
type AccessScratch struct {
	search *Searcher
	near   []Neighbour
	hits   []Hit
	slot   []int32 // per point: index in hits + 1, 0 when absent
}

// NewScratch returns scratch space for searches of a.
func (a *Access) NewScratch() *AccessScratch {
	sc := &AccessScratch{slot: make([]int32, len(a.unlinked))}
	if a.streets.NumNodes() > 0 {
		sc.search = newSearcher(a.streets, a.mode)
	}
	return sc
}

// Mode returns the network the access searches.
func (a *Access) Mode() Mode { return a.mode }

// Snap links a place to the streets of the access's mode, if one lies
// within the link limit.
func (a *Access) Snap(lat, lon float64) (Snap, bool) {
	if a.index == nil || a.streets.NumNodes() == 0 {
		return Snap{}, false
	}
	return a.index.snapMode(a.mode, lat, lon, a.linkLimit)
}

// FromPlace returns the points within maxDist metres of the place (lat,
// lon), walking or cycling as the access does, each once with its
// distance, in no particular order. The slice is reused by the next call
// with the same scratch.
func (a *Access) FromPlace(sc *AccessScratch, lat, lon, maxDist float64) []Hit {
	sn, ok := a.Snap(lat, lon)
	if !ok {
		return a.FromLink(sc, lat, lon, -1, 0, 0, maxDist)
	}
	return a.FromLink(sc, lat, lon, sn.Seg, sn.Offset, sn.Dist, maxDist)
}

// FromLink is FromPlace for a place already linked at offset metres along
// segment seg with a connector of conn metres (seg -1: not linked).
func (a *Access) FromLink(sc *AccessScratch, lat, lon float64, seg graph.SegIdx, offset, conn, maxDist float64) []Hit {
	sc.hits = sc.hits[:0]
	if seg < 0 {
		if sc.search != nil {
			sc.search.Reset() // Search() must not show an older search
		}
		// Off the streets: straight lines to every point.
		sc.near = a.points.Within(lat, lon, maxDist/DetourFactor, sc.near[:0])
		for _, nb := range sc.near {
			sc.hits = append(sc.hits, Hit{Point: nb.Point, Dist: nb.Dist * DetourFactor})
		}
		return sc.hits
	}
	q := sc.search
	q.Reset()
	q.AddLink(seg, offset, conn)
	q.Run(maxDist)
	for _, h := range q.ReachTargets(a.targets, maxDist) {
		sc.hits = append(sc.hits, h)
		sc.slot[h.Point] = int32(len(sc.hits))
	}
	// Points off the streets are reached by straight lines; so are points
	// nearer in a straight line than either end is to its street (two
	// places at the edge of a street extract, each linked by a long
	// connector), as StopTransfers does.
	sc.near = a.points.Within(lat, lon, maxDist/DetourFactor, sc.near[:0])
	for _, nb := range sc.near {
		j := nb.Point
		if !a.unlinked[j] && nb.Dist >= math.Max(conn, float64(a.links.Dist[j])) {
			continue
		}
		d := nb.Dist * DetourFactor
		if k := sc.slot[j]; k > 0 {
			if d < sc.hits[k-1].Dist {
				sc.hits[k-1].Dist = d
			}
			continue
		}
		sc.hits = append(sc.hits, Hit{Point: j, Dist: d})
		sc.slot[j] = int32(len(sc.hits))
	}
	for _, h := range sc.hits {
		sc.slot[h.Point] = 0
	}
	return sc.hits
}

// WalkBetween returns the walking (or, for a cycling access, riding)
// distance from one place to another, each given with its link (seg -1
// when not linked), or +Inf beyond maxDist. Two linked places are joined
// along the streets; otherwise by a straight line × DetourFactor.
func (a *Access) WalkBetween(sc *AccessScratch, lat1, lon1 float64, seg1 graph.SegIdx, off1, conn1 float64,
	lat2, lon2 float64, seg2 graph.SegIdx, off2, conn2 float64, maxDist float64) float64 {
	if seg1 < 0 || seg2 < 0 {
		d := graph.Haversine(lat1, lon1, lat2, lon2) * DetourFactor
		if d > maxDist {
			return math.Inf(1)
		}
		return d
	}
	q := sc.search
	q.Reset()
	q.AddLink(seg1, off1, conn1)
	q.Run(maxDist)
	d := q.DistToLink(seg2, off2, conn2)
	if d > maxDist {
		return math.Inf(1)
	}
	return d
}

// Search returns the street search of the last FromPlace or FromLink call
// on this scratch, to read the nodes it settled (nil without streets, or
// when the place was off the streets).
func (sc *AccessScratch) Search() *Searcher { return sc.search }
