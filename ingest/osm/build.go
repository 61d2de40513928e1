package osm

import (
	"math"
	"slices"

	"reach/graph"
)

// segments are the street pieces between intersections before islands are
// dropped; nodes are positions in nodeList, shapes lists of them.
type segments struct {
	from, to   []int32 // network node ids (see build)
	way        []int32
	flags      []uint8
	class      []graph.StreetClass
	length     []float64
	shapeStart []int32 // len S+1
	shape      []int32 // positions in nodeList
}

// build turns the kept ways into the network: cut at intersections, drop
// islands, number nodes along a Hilbert curve, lay edges out in CSR.
func build(w *wayList, nl *nodeList, minIsland int, rep *Report) *graph.Streets {
	// Ways as runs of located nodes: a way is split where it references a
	// node missing from the file; repeated consecutive nodes are merged.
	nw := len(w.id)
	pos := make([]int32, 0, len(w.refs))
	runStart := []int32{0}
	runWay := []int32{}
	uses := make([]uint8, len(nl.ids)) // occurrences, saturating at 2
	for i := range nw {
		start := len(pos)
		flush := func() {
			if len(pos)-start >= 2 {
				uses[pos[start]] = 2 // run ends are always cut points
				uses[pos[len(pos)-1]] = 2
				runStart = append(runStart, int32(len(pos)))
				runWay = append(runWay, int32(i))
			} else {
				pos = pos[:start]
			}
			start = len(pos)
		}
		for _, ref := range w.refs[w.nodeStart[i]:w.nodeStart[i+1]] {
			p := nl.index(ref)
			if p < 0 {
				rep.MissingNodes++
				flush()
				continue
			}
			if len(pos) > start && pos[len(pos)-1] == p {
				continue
			}
			pos = append(pos, p)
		}
		flush()
	}
	for r := 0; r+1 < len(runStart); r++ {
		for _, p := range pos[runStart[r]:runStart[r+1]] {
			if uses[p] < 2 {
				uses[p]++
			}
		}
	}

	// Network nodes: every position used twice or more, or ending a run.
	nodeOf := make([]int32, len(nl.ids))
	var nodePos []int32
	for p, u := range uses {
		nodeOf[p] = -1
		if u >= 2 {
			nodeOf[p] = int32(len(nodePos))
			nodePos = append(nodePos, int32(p))
		}
	}

	// Cut the runs into segments at network nodes.
	sg := &segments{shapeStart: []int32{0}}
	for r := 0; r+1 < len(runStart); r++ {
		run := pos[runStart[r]:runStart[r+1]]
		wi := runWay[r]
		ru := w.rule[wi]
		first, length := 0, 0.0
		for k := 1; k < len(run); k++ {
			a, b := run[k-1], run[k]
			length += graph.Haversine(nl.lat[a], nl.lon[a], nl.lat[b], nl.lon[b])
			if nodeOf[b] < 0 {
				continue
			}
			sg.from = append(sg.from, nodeOf[run[first]])
			sg.to = append(sg.to, nodeOf[b])
			sg.way = append(sg.way, wi)
			sg.flags = append(sg.flags, ru.flags())
			sg.class = append(sg.class, ru.class)
			sg.length = append(sg.length, length)
			sg.shape = append(sg.shape, run[first:k+1]...)
			sg.shapeStart = append(sg.shapeStart, int32(len(sg.shape)))
			first, length = k, 0
		}
	}

	keep := dropIslands(len(nodePos), sg, minIsland, rep)
	return assemble(w, nl, nodePos, keep, sg, rep)
}

// components is a union-find over network nodes.
type components []int32

func newComponents(n int) components {
	c := make(components, n)
	for i := range c {
		c[i] = int32(i)
	}
	return c
}

// find returns the representative of x's component.
func (c components) find(x int32) int32 {
	for c[x] != x {
		c[x] = c[c[x]]
		x = c[x]
	}
	return x
}

// union joins the components of a and b.
func (c components) union(a, b int32) {
	if ra, rb := c.find(a), c.find(b); ra != rb {
		c[ra] = rb
	}
}

// bikeable reports whether segment flags let cyclists ride it one way or
// the other.
func bikeable(f uint8) bool { return f&(graph.StreetBike|graph.StreetBikeBack) != 0 }

// dropIslands decides what of the network is kept, and returns which
// nodes are.
//
// Walking: the connected components of the walkable segments are kept
// when they are the largest or have at least minIsland nodes (all of them
// when minIsland is negative). Cycling: the components of the bikeable
// segments, directions ignored, are kept on the same terms, and also when
// they share a node with a kept walking component: a cycling component is
// kept or dropped whole, so that no ride between two kept nodes loses a
// piece. A segment loses the flags of a mode whose component is dropped
// (its flags are cleared in sg); a node is kept when some segment with a
// flag left reaches it. The walking network is thus what it would be
// without cycling, and the cycling network holds every ride between its
// nodes that the kept ways allow.
func dropIslands(n int, sg *segments, minIsland int, rep *Report) []bool {
	walkComp, bikeComp := newComponents(n), newComponents(n)
	walkable, biking := make([]bool, n), make([]bool, n)
	for g := range sg.from {
		a, b := sg.from[g], sg.to[g]
		if sg.flags[g]&graph.StreetWalk != 0 {
			walkable[a], walkable[b] = true, true
			walkComp.union(a, b)
		}
		if bikeable(sg.flags[g]) {
			biking[a], biking[b] = true, true
			bikeComp.union(a, b)
		}
	}
	// keptRoots returns, per component root of c over the nodes on, whether
	// it is kept: the largest, those of minIsland nodes or more, and those
	// extra says to keep.
	keptRoots := func(c components, on []bool, extra []bool) (keep []bool, kept, dropped int) {
		size := make([]int32, n)
		var largest int32 = -1
		for i := range n {
			if !on[i] {
				continue
			}
			r := c.find(int32(i))
			size[r]++
			if largest < 0 || size[r] > size[largest] {
				largest = r
			}
		}
		keep = make([]bool, n)
		for i := range n {
			if !on[i] || c[i] != int32(i) {
				continue
			}
			if int32(i) == largest || minIsland < 0 || int(size[i]) >= minIsland || (extra != nil && extra[i]) {
				keep[i] = true
				kept++
			} else {
				dropped++
			}
		}
		return keep, kept, dropped
	}
	walkRoot, walkKept, walkDropped := keptRoots(walkComp, walkable, nil)
	rep.IslandsKept, rep.IslandsDropped = walkKept, walkDropped
	walkKeep := make([]bool, n)
	touches := make([]bool, n) // per cycling root: shares a node with kept walking
	for i := range n {
		walkKeep[i] = walkable[i] && walkRoot[walkComp.find(int32(i))]
		if walkKeep[i] && biking[i] {
			touches[bikeComp.find(int32(i))] = true
		}
	}
	bikeRoot, _, bikeDropped := keptRoots(bikeComp, biking, touches)
	rep.BikeIslandsDropped = bikeDropped
	keep := make([]bool, n)
	for g := range sg.from {
		a, b := sg.from[g], sg.to[g]
		f := sg.flags[g]
		if f&graph.StreetWalk != 0 && !walkKeep[a] {
			f &^= graph.StreetWalk
		}
		if bikeable(f) && !bikeRoot[bikeComp.find(a)] {
			f &^= graph.StreetBike | graph.StreetBikeBack
		}
		sg.flags[g] = f
		if f != 0 {
			keep[a], keep[b] = true, true
		}
	}
	for i := range n {
		switch {
		case !keep[i]:
			rep.NodesDropped++
		case !walkKeep[i]:
			rep.BikeOnlyNodes++
		}
	}
	return keep
}

// assemble numbers the kept nodes along a Hilbert curve (neighbours in
// space get close ids, which keeps searches in cache) and lays out the
// Streets arrays.
func assemble(w *wayList, nl *nodeList, nodePos []int32, keep []bool, sg *segments, rep *Report) *graph.Streets {
	minLat, minLon := math.Inf(1), math.Inf(1)
	maxLat, maxLon := math.Inf(-1), math.Inf(-1)
	var kept []int32 // old node ids
	for i, p := range nodePos {
		if !keep[i] {
			continue
		}
		kept = append(kept, int32(i))
		minLat, maxLat = math.Min(minLat, nl.lat[p]), math.Max(maxLat, nl.lat[p])
		minLon, maxLon = math.Min(minLon, nl.lon[p]), math.Max(maxLon, nl.lon[p])
	}
	key := make([]uint64, len(nodePos))
	for _, i := range kept {
		p := nodePos[i]
		key[i] = hilbert(scale16(nl.lon[p], minLon, maxLon), scale16(nl.lat[p], minLat, maxLat))<<32 | uint64(i)
	}
	slices.SortFunc(kept, func(a, b int32) int {
		switch {
		case key[a] < key[b]:
			return -1
		case key[a] > key[b]:
			return 1
		}
		return 0
	})
	newID := make([]int32, len(nodePos))
	for i := range newID {
		newID[i] = -1
	}
	s := &graph.Streets{
		NodeLat: make([]float64, len(kept)),
		NodeLon: make([]float64, len(kept)),
		NodeOSM: make([]int64, len(kept)),
	}
	for k, i := range kept {
		newID[i] = int32(k)
		p := nodePos[i]
		s.NodeLat[k], s.NodeLon[k], s.NodeOSM[k] = nl.lat[p], nl.lon[p], nl.ids[p]
	}

	// Segments whose two ends are kept, and the ways they come from.
	wayID := make([]int32, len(w.id))
	for i := range wayID {
		wayID[i] = -1
	}
	s.SegShapeStart = []int32{0}
	var segClass []graph.StreetClass
	for g := range sg.from {
		a, b := newID[sg.from[g]], newID[sg.to[g]]
		if a < 0 || b < 0 || sg.flags[g] == 0 {
			rep.SegmentsDropped++
			continue
		}
		wi := sg.way[g]
		if wayID[wi] < 0 {
			wayID[wi] = int32(len(s.WayOSM))
			s.WayOSM = append(s.WayOSM, w.id[wi])
			s.WayName = append(s.WayName, w.name[wi])
		}
		s.SegFrom = append(s.SegFrom, graph.NodeIdx(a))
		s.SegTo = append(s.SegTo, graph.NodeIdx(b))
		s.SegLength = append(s.SegLength, float32(sg.length[g]))
		s.SegFlags = append(s.SegFlags, sg.flags[g])
		s.SegWay = append(s.SegWay, wayID[wi])
		for _, p := range sg.shape[sg.shapeStart[g]:sg.shapeStart[g+1]] {
			s.ShapeLat = append(s.ShapeLat, nl.lat[p])
			s.ShapeLon = append(s.ShapeLon, nl.lon[p])
		}
		s.SegShapeStart = append(s.SegShapeStart, int32(len(s.ShapeLat)))
		if sg.flags[g]&graph.StreetWalk != 0 {
			rep.WalkSegments++
			rep.WalkLength += sg.length[g]
		}
		if sg.flags[g]&(graph.StreetBike|graph.StreetBikeBack) != 0 {
			rep.BikeSegments++
		}
		segClass = append(segClass, sg.class[g])
	}

	// Edges: two per segment, counting-sorted by source node.
	nn, ns := len(kept), len(s.SegFrom)
	s.EdgeStart = make([]int32, nn+1)
	for g := range ns {
		s.EdgeStart[s.SegFrom[g]+1]++
		s.EdgeStart[s.SegTo[g]+1]++
	}
	for n := range nn {
		s.EdgeStart[n+1] += s.EdgeStart[n]
	}
	ne := 2 * ns
	s.EdgeTo = make([]graph.NodeIdx, ne)
	s.EdgeLength = make([]float32, ne)
	s.EdgeFlags = make([]uint8, ne)
	s.EdgeClass = make([]graph.StreetClass, ne)
	s.EdgeSeg = make([]graph.SegIdx, ne)
	fill := slices.Clone(s.EdgeStart[:nn])
	put := func(from, to graph.NodeIdx, g int, flags uint8) {
		e := fill[from]
		fill[from]++
		s.EdgeTo[e], s.EdgeLength[e], s.EdgeFlags[e] = to, s.SegLength[g], flags
		s.EdgeClass[e], s.EdgeSeg[e] = segClass[g], graph.SegIdx(g)
	}
	for g := range ns {
		f := s.SegFlags[g]
		walk := f & graph.StreetWalk
		fwd, back := walk, walk|graph.StreetReverse
		if f&graph.StreetBike != 0 {
			fwd |= graph.StreetBike
		}
		if f&graph.StreetBikeBack != 0 {
			back |= graph.StreetBike
		}
		put(s.SegFrom[g], s.SegTo[g], g, fwd)
		put(s.SegTo[g], s.SegFrom[g], g, back)
	}

	rep.Nodes, rep.Segments, rep.Edges, rep.ShapePoints = nn, ns, ne, len(s.ShapeLat)
	if lat0, lon0, lat1, lon1, ok := s.Bounds(); ok {
		rep.MinLat, rep.MinLon, rep.MaxLat, rep.MaxLon = lat0, lon0, lat1, lon1
	}
	return s
}

// scale16 maps v in [lo, hi] onto 0..65535.
func scale16(v, lo, hi float64) uint32 {
	if hi <= lo {
		return 0
	}
	return uint32(math.Round((v - lo) / (hi - lo) * 65535))
}

// hilbert returns the position of (x, y) on the Hilbert curve filling the
// 65536 × 65536 grid.
func hilbert(x, y uint32) uint64 {
	var d uint64
	for s := uint32(1 << 15); s > 0; s >>= 1 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x, y = 65535-x, 65535-y
			}
			x, y = y, x
		}
	}
	return d
}
