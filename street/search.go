package street

import (
	"math"

	"reach/graph"
)

// Mode is a way of moving along the streets: which edges a search follows.
type Mode uint8

// Modes of the street searches.
const (
	// Walk follows the walkable edges (graph.StreetWalk), in both
	// directions of every walkable segment.
	Walk Mode = iota
	// Bike follows the edges cyclists may ride (graph.StreetBike on the
	// edge), in the directions they may ride them: one-way streets only
	// one way, unless the way lets cyclists ride against it.
	Bike
)

// String returns "walk" or "bike".
func (m Mode) String() string {
	if m == Bike {
		return "bike"
	}
	return "walk"
}

// flags returns the edge flag a mode follows, and the segment flags that
// let it ride a segment from SegFrom to SegTo (fwd) and back.
func (m Mode) flags() (edge, fwd, back uint8) {
	if m == Bike {
		return graph.StreetBike, graph.StreetBike, graph.StreetBikeBack
	}
	return graph.StreetWalk, graph.StreetWalk, graph.StreetWalk
}

// Searcher runs bounded Dijkstra searches over the walking edges of a
// street network (NewSearcher), or over its cycling edges in their
// allowed directions (NewBikeSearcher). It holds all per-query state,
// reused from one search to the next: after warm-up a search allocates
// nothing. A Searcher is not safe for concurrent use, but any number of
// Searchers may search the same (read-only) Streets at once.
//
// A search is: Reset, one or more AddNode/AddLink sources, Run; then read
// Dist, Reached, DistToLink or ReachTargets. Distances are metres from the
// sources, in the direction of travel (from the sources to the nodes).
type Searcher struct {
	s       *graph.Streets
	mode    Mode
	edge    uint8     // the edge flag followed
	fwd     uint8     // segment flag to move from SegFrom towards SegTo
	back    uint8     // segment flag to move from SegTo towards SegFrom
	dist    []float64 // valid where stamp == gen
	stamp   []uint32
	gen     uint32
	heap    []heapItem
	reached []graph.NodeIdx
	srcs    []source // linked sources, for paths along their own segment

	// Target bookkeeping for ReachTargets.
	tstamp []uint32
	tpos   []int32
	tgen   uint32
	hits   []Hit
}

// heapItem is a node waiting in the queue with its tentative distance.
type heapItem struct {
	d float64
	n graph.NodeIdx
}

// source is a point the search started from.
type source struct {
	seg       graph.SegIdx
	off, conn float64
}

// NewSearcher returns a Searcher over the walking network of s.
func NewSearcher(s *graph.Streets) *Searcher { return newSearcher(s, Walk) }

// NewBikeSearcher returns a Searcher over the cycling network of s.
func NewBikeSearcher(s *graph.Streets) *Searcher { return newSearcher(s, Bike) }

// newSearcher returns a Searcher over the network of a mode.
func newSearcher(s *graph.Streets, m Mode) *Searcher {
	n := s.NumNodes()
	q := &Searcher{
		s:     s,
		mode:  m,
		dist:  make([]float64, n),
		stamp: make([]uint32, n),
		gen:   1,
	}
	q.edge, q.fwd, q.back = m.flags()
	return q
}

// Mode returns the network the searcher follows.
func (q *Searcher) Mode() Mode { return q.mode }

// Reset forgets the previous search in constant time.
func (q *Searcher) Reset() {
	q.gen++
	if q.gen == 0 { // wrapped: stale stamps could look current
		clear(q.stamp)
		q.gen = 1
	}
	q.heap = q.heap[:0]
	q.reached = q.reached[:0]
	q.srcs = q.srcs[:0]
}

// AddNode makes node n a source at distance d (metres already walked).
func (q *Searcher) AddNode(n graph.NodeIdx, d float64) {
	if n < 0 || int(n) >= len(q.dist) || !(d >= 0) {
		return
	}
	if q.stamp[n] == q.gen && q.dist[n] <= d {
		return
	}
	q.stamp[n], q.dist[n] = q.gen, d
	q.push(heapItem{d, n})
}

// AddLink makes a point a source: the point stands offset metres from
// SegFrom along segment seg, at connector metres from the street. The ends
// of the segment are seeded with the partial lengths plus the connector:
// both when walking, those the cyclist may ride towards when cycling.
// Segments the mode may not use are ignored.
func (q *Searcher) AddLink(seg graph.SegIdx, offset, connector float64) {
	s := q.s
	if seg < 0 || int(seg) >= s.NumSegments() || s.SegFlags[seg]&(q.fwd|q.back) == 0 {
		return
	}
	f := s.SegFlags[seg]
	length := float64(s.SegLength[seg])
	offset = math.Max(0, math.Min(length, offset))
	q.srcs = append(q.srcs, source{seg, offset, connector})
	if f&q.back != 0 {
		q.AddNode(s.SegFrom[seg], connector+offset)
	}
	if f&q.fwd != 0 {
		q.AddNode(s.SegTo[seg], connector+length-offset)
	}
}

// along returns the distance along segment seg from offset a to offset b
// (metres from SegFrom), or +Inf when the mode may not move that way.
func (q *Searcher) along(seg graph.SegIdx, a, b float64) float64 {
	f := q.s.SegFlags[seg]
	if (b > a && f&q.fwd == 0) || (b < a && f&q.back == 0) {
		return math.Inf(1)
	}
	return math.Abs(b - a)
}

// Run settles, in order of distance, every node within maxDist metres of
// the sources (math.Inf(1) for no bound; NaN counts as 0). Sources farther
// than maxDist are dropped.
func (q *Searcher) Run(maxDist float64) {
	s := q.s
	if math.IsNaN(maxDist) {
		maxDist = 0
	}
	for len(q.heap) > 0 {
		it := q.pop()
		u := it.n
		if it.d > q.dist[u] {
			continue // stale entry
		}
		if it.d > maxDist {
			// Only sources can lie beyond the bound, and the rest of the
			// queue is farther still: forget them all.
			q.stamp[u] = 0
			for _, rest := range q.heap {
				if q.dist[rest.n] > maxDist {
					q.stamp[rest.n] = 0
				}
			}
			q.heap = q.heap[:0]
			break
		}
		q.reached = append(q.reached, u)
		for e := s.EdgeStart[u]; e < s.EdgeStart[u+1]; e++ {
			if s.EdgeFlags[e]&q.edge == 0 {
				continue
			}
			v := s.EdgeTo[e]
			nd := it.d + float64(s.EdgeLength[e])
			if nd > maxDist || (q.stamp[v] == q.gen && q.dist[v] <= nd) {
				continue
			}
			q.stamp[v], q.dist[v] = q.gen, nd
			q.push(heapItem{nd, v})
		}
	}
}

// Dist returns the distance in metres from the sources to node n, or
// +Inf when the last search did not reach it.
func (q *Searcher) Dist(n graph.NodeIdx) float64 {
	if q.stamp[n] != q.gen {
		return math.Inf(1)
	}
	return q.dist[n]
}

// Reached returns the nodes the last search settled, nearest first. The
// slice is reused by the next search.
func (q *Searcher) Reached() []graph.NodeIdx { return q.reached }

// DistToLink returns the distance in metres from the sources to a point
// linked at offset metres along segment seg, connector metres from the
// street: through either end of the segment (when the mode may move from
// that end towards the point), or straight along it from a source linked
// to the same segment. +Inf when unreachable.
func (q *Searcher) DistToLink(seg graph.SegIdx, offset, connector float64) float64 {
	s := q.s
	if seg < 0 || int(seg) >= s.NumSegments() || s.SegFlags[seg]&(q.fwd|q.back) == 0 {
		return math.Inf(1)
	}
	f := s.SegFlags[seg]
	length := float64(s.SegLength[seg])
	best := math.Inf(1)
	if f&q.fwd != 0 {
		best = q.Dist(s.SegFrom[seg]) + offset
	}
	if f&q.back != 0 {
		best = math.Min(best, q.Dist(s.SegTo[seg])+length-offset)
	}
	for _, src := range q.srcs {
		if src.seg == seg {
			best = math.Min(best, src.conn+q.along(seg, src.off, offset))
		}
	}
	return best + connector
}

// Targets indexes linked points (stops, schools) by segment so that a
// search can report the distance to every point it reaches. Read-only
// once built; one Targets may serve many Searchers at once.
type Targets struct {
	segStart []int32 // len S+1, into the arrays below
	point    []int32
	offset   []float64
	conn     []float64
	n        int
}

// NewTargets indexes the linked points of links (unlinked points are left
// out: reach them by straight line).
func NewTargets(s *graph.Streets, links *graph.Links) *Targets {
	ns := s.NumSegments()
	t := &Targets{segStart: make([]int32, ns+1), n: links.Len()}
	for _, g := range links.Seg {
		if g >= 0 && int(g) < ns {
			t.segStart[g+1]++
		}
	}
	for g := range ns {
		t.segStart[g+1] += t.segStart[g]
	}
	m := t.segStart[ns]
	t.point = make([]int32, m)
	t.offset = make([]float64, m)
	t.conn = make([]float64, m)
	fill := make([]int32, ns)
	copy(fill, t.segStart[:ns])
	for i, g := range links.Seg {
		if g < 0 || int(g) >= ns {
			continue
		}
		k := fill[g]
		fill[g]++
		t.point[k], t.offset[k], t.conn[k] = int32(i), float64(links.Offset[i]), float64(links.Dist[i])
	}
	return t
}

// Hit is a target point reached by a search.
type Hit struct {
	Point int32
	Dist  float64 // metres, connectors included
}

// ReachTargets returns the targets within maxDist metres of the sources
// of the last search, each once with its shortest distance (connectors
// included), in no particular order. Run must have been called with a
// bound of at least maxDist. The slice is reused by the next call.
func (q *Searcher) ReachTargets(t *Targets, maxDist float64) []Hit {
	s := q.s
	if len(q.tstamp) < t.n {
		q.tstamp = make([]uint32, t.n)
		q.tpos = make([]int32, t.n)
		q.tgen = 0
	}
	q.tgen++
	if q.tgen == 0 {
		clear(q.tstamp)
		q.tgen = 1
	}
	q.hits = q.hits[:0]
	for _, u := range q.reached {
		du := q.dist[u]
		for e := s.EdgeStart[u]; e < s.EdgeStart[u+1]; e++ {
			if s.EdgeFlags[e]&q.edge == 0 {
				continue
			}
			g := s.EdgeSeg[e]
			a, b := t.segStart[g], t.segStart[g+1]
			if a == b {
				continue
			}
			reverse := s.EdgeFlags[e]&graph.StreetReverse != 0
			length := float64(s.SegLength[g])
			for k := a; k < b; k++ {
				part := t.offset[k]
				if reverse {
					part = length - part
				}
				q.hit(t.point[k], du+part+t.conn[k], maxDist)
			}
		}
	}
	for _, src := range q.srcs {
		g := src.seg
		for k := t.segStart[g]; k < t.segStart[g+1]; k++ {
			q.hit(t.point[k], src.conn+q.along(g, src.off, t.offset[k])+t.conn[k], maxDist)
		}
	}
	return q.hits
}

// hit records that target p is reached at distance d.
func (q *Searcher) hit(p int32, d, maxDist float64) {
	if d > maxDist || math.IsInf(d, 1) {
		return
	}
	if q.tstamp[p] == q.tgen {
		if h := &q.hits[q.tpos[p]]; d < h.Dist {
			h.Dist = d
		}
		return
	}
	q.tstamp[p], q.tpos[p] = q.tgen, int32(len(q.hits))
	q.hits = append(q.hits, Hit{p, d})
}

// push adds an item to the binary min-heap.
func (q *Searcher) push(it heapItem) {
	q.heap = append(q.heap, it)
	h := q.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].d <= it.d {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
}

// pop removes and returns the nearest item of the heap.
func (q *Searcher) pop() heapItem {
	h := q.heap
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	q.heap = h
	n := len(h)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].d < h[c].d {
			c++
		}
		if last.d <= h[c].d {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = last
	return top
}
