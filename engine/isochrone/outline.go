// Package isochrone turns sets of H3 cells (the cells reachable within a
// travel-time band) into GeoJSON polygons: the outline of their union, with
// holes.
package isochrone

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	h3 "github.com/uber/h3-go/v4"
)

// Ring is a closed ring of [longitude, latitude] positions in degrees, as in
// GeoJSON (RFC 7946): its first and last positions are equal.
type Ring [][2]float64

// Polygon is an exterior ring, counter-clockwise, followed by its holes,
// clockwise. It marshals to GeoJSON Polygon coordinates.
type Polygon []Ring

// MultiPolygon is a list of polygons with disjoint interiors. It marshals to
// GeoJSON MultiPolygon coordinates.
type MultiPolygon []Polygon

// vertexTolerance is how far apart, in degrees, two computations of the same
// H3 vertex from two different cells may be (about 1 mm).
const vertexTolerance = 1e-8

// edgeRef names one boundary edge of a cell of the set: the edge towards the
// neighbour in counter-clockwise slot slot (see hexSlotDir).
type edgeRef struct {
	cell int32 // position in the deduplicated cell list
	slot uint8
}

// outliner holds the state of one Outline call.
type outliner struct {
	cells    []uint64 // deduplicated input, in first-seen order
	set      *cellSet
	pentBase *[numBaseCells]bool
	open     []uint8 // per cell, bit s: edge in slot s is on the outline and not yet traced
	nb, nbx  [6]uint64
	bounds   Boundaries // nil: ask h3
}

// tracedRing is a ring of outline edges, rotated to start at its smallest
// edge, with that edge's sort key.
type tracedRing struct {
	edges []edgeRef
	key   edgeKey
}

// edgeKey orders edges independently of the input order.
type edgeKey struct {
	cell uint64
	slot uint8
}

func compareKeys(a, b edgeKey) int {
	if c := cmp.Compare(a.cell, b.cell); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

// Outline returns the union of the cells as polygons with holes, in GeoJSON
// order: exterior rings counter-clockwise, holes clockwise, every ring closed.
// Duplicate cells are ignored and the result does not depend on the order of
// cells. All cells must be valid and of one resolution. An empty input gives
// an empty MultiPolygon.
//
// The outline follows the cell edges, with h3's distortion vertices where an
// edge crosses an icosahedron edge. Since every H3 vertex is shared by
// exactly three cells, two cells of the set never touch at a single vertex
// without sharing an edge, so the rings are simple and pairwise disjoint.
// Rings crossing the antimeridian keep continuous longitudes (some beyond
// ±180) instead of being cut; a set whose outline circles a pole is rejected.
func Outline(cells []h3.Cell) (MultiPolygon, error) { return OutlineWith(cells, nil) }

// Boundaries gives the boundary of a cell, as h3's CellToBoundary does;
// a cache of them saves the outlines of cells drawn again and again.
type Boundaries interface {
	Boundary(c h3.Cell) []h3.LatLng
}

// OutlineWith is Outline taking cell boundaries from b (nil: from h3).
func OutlineWith(cells []h3.Cell, b Boundaries) (MultiPolygon, error) {
	if len(cells) == 0 {
		return MultiPolygon{}, nil
	}
	pentBase := pentagonBaseCells()
	o := &outliner{
		cells:    make([]uint64, 0, len(cells)),
		set:      newCellSet(len(cells)),
		pentBase: &pentBase,
		bounds:   b,
	}
	res := -1
	for i, c := range cells {
		if !validCell(uint64(c), o.pentBase) {
			return nil, fmt.Errorf("isochrone: outline: cells[%d] = %#x is not a valid H3 cell", i, uint64(c))
		}
		r := resolution(uint64(c))
		if res < 0 {
			res = r
		} else if r != res {
			return nil, fmt.Errorf("isochrone: outline: cells[%d] = %s has resolution %d, cells[0] has %d", i, c, r, res)
		}
		if o.set.insert(uint64(c), int32(len(o.cells))) {
			o.cells = append(o.cells, uint64(c))
		}
	}

	total := o.findOutlineEdges()
	rings, err := o.traceAll(total)
	if err != nil {
		return nil, err
	}
	return o.assemble(rings)
}

// localSlots are the slots of directions I, IK and IJ (4, 5, 6): one of each
// pair of opposite directions.
var localSlots = [3]int{5, 4, 0}

// findOutlineEdges sets o.open to the edges between a cell of the set and a
// cell outside it, and returns their number. Within a hexagon base cell, the
// neighbour of c across direction d sees c across direction 7-d, so a local
// cell only looks across three directions and clears the edge on both sides;
// other cells look everywhere, and clear the far side when both cells share a
// hexagon base cell.
func (o *outliner) findOutlineEdges() int {
	o.open = make([]uint8, len(o.cells))
	for i, c := range o.cells {
		if isPentagon(c, o.pentBase) {
			o.open[i] = 1<<5 - 1
		} else {
			o.open[i] = 1<<6 - 1
		}
	}
	for i, c := range o.cells {
		n, local := neighbors(c, o.pentBase, &o.nb)
		if local {
			for _, s := range localSlots {
				if j := o.set.find(o.nb[s]); j >= 0 {
					o.open[i] &^= 1 << s
					o.open[j] &^= 1 << oppositeSlot(s)
				}
			}
			continue
		}
		bc := baseCell(c)
		for s := range n {
			if j := o.set.find(o.nb[s]); j >= 0 {
				o.open[i] &^= 1 << s
				if baseCell(o.nb[s]) == bc && !o.pentBase[bc] {
					o.open[j] &^= 1 << oppositeSlot(s)
				}
			}
		}
	}
	total := 0
	for _, m := range o.open {
		total += bits.OnesCount8(m)
	}
	return total
}

// traceAll walks every outline edge into rings.
func (o *outliner) traceAll(total int) ([]tracedRing, error) {
	buf := make([]edgeRef, 0, total)
	var rings []tracedRing
	for i, m := range o.open {
		for m != 0 {
			s := uint8(0)
			for m&(1<<s) == 0 {
				s++
			}
			start := len(buf)
			var err error
			buf, err = o.trace(edgeRef{cell: int32(i), slot: s}, buf)
			if err != nil {
				return nil, err
			}
			rings = append(rings, o.canonical(buf[start:]))
			m = o.open[i]
		}
	}
	return rings, nil
}

// trace follows the outline from edge start, keeping the set on its left,
// until it comes back to start, appending the edges to buf. At the end vertex
// of an edge of cell c towards the outside cell m, the third cell x sharing
// that vertex is either outside too (the outline turns to c's next edge) or
// inside (the outline continues on x's edge towards m).
func (o *outliner) trace(start edgeRef, buf []edgeRef) ([]edgeRef, error) {
	cur := start
	for {
		buf = append(buf, cur)
		o.open[cur.cell] &^= 1 << cur.slot
		n, _ := neighbors(o.cells[cur.cell], o.pentBase, &o.nb)
		next := (cur.slot + 1) % uint8(n)
		x := o.nb[next]
		xi := o.set.find(x)
		if xi < 0 {
			cur.slot = next
		} else {
			m := o.nb[cur.slot]
			nx, _ := neighbors(x, o.pentBase, &o.nbx)
			t := slices.Index(o.nbx[:nx], m)
			if t < 0 {
				return nil, fmt.Errorf("isochrone: outline: cell %s is a neighbour of %s but not of %s, inconsistent H3 topology",
					h3.Cell(m), h3.Cell(o.cells[cur.cell]), h3.Cell(x))
			}
			cur = edgeRef{cell: xi, slot: uint8(t)}
		}
		if cur == start {
			return buf, nil
		}
		if o.open[cur.cell]&(1<<cur.slot) == 0 {
			return nil, fmt.Errorf("isochrone: outline: walk from cell %s reached edge %d of cell %s twice, inconsistent H3 topology",
				h3.Cell(o.cells[start.cell]), cur.slot, h3.Cell(o.cells[cur.cell]))
		}
	}
}

// canonical rotates ring in place to start at its smallest edge key.
func (o *outliner) canonical(ring []edgeRef) tracedRing {
	best := 0
	bestKey := o.key(ring[0])
	for i := 1; i < len(ring); i++ {
		if k := o.key(ring[i]); compareKeys(k, bestKey) < 0 {
			best, bestKey = i, k
		}
	}
	rotated := make([]edgeRef, 0, len(ring))
	rotated = append(rotated, ring[best:]...)
	rotated = append(rotated, ring[:best]...)
	copy(ring, rotated)
	return tracedRing{edges: ring, key: bestKey}
}

func (o *outliner) key(e edgeRef) edgeKey {
	return edgeKey{cell: o.cells[e.cell], slot: e.slot}
}

// ringInfo is a geometric ring with what hole assignment needs.
type ringInfo struct {
	ring Ring
	key  edgeKey
	area float64 // planar signed area in square degrees, > 0 counter-clockwise
	bbox [4]float64
}

// assemble computes the geometry of the traced rings, tells exteriors from
// holes and groups them into polygons.
func (o *outliner) assemble(rings []tracedRing) (MultiPolygon, error) {
	slices.SortFunc(rings, func(a, b tracedRing) int { return compareKeys(a.key, b.key) })
	var exteriors, holes []ringInfo
	for _, tr := range rings {
		ring, err := o.geometry(tr.edges)
		if err != nil {
			return nil, err
		}
		ri := ringInfo{ring: ring, key: tr.key, area: planarArea(ring), bbox: bounds(ring)}
		if ri.area > 0 {
			exteriors = append(exteriors, ri)
		} else {
			holes = append(holes, ri)
		}
	}
	if len(exteriors) == 0 {
		return nil, errors.New("isochrone: outline: no counter-clockwise ring, the set is too large for a longitude/latitude polygon")
	}

	bySize := make([]int, len(exteriors))
	for i := range bySize {
		bySize[i] = i
	}
	slices.SortStableFunc(bySize, func(a, b int) int { return cmp.Compare(exteriors[a].area, exteriors[b].area) })
	children := make([][]Ring, len(exteriors))
	var scratch []candidate
	for _, h := range holes {
		var parent int
		parent, scratch = containingExterior(exteriors, bySize, &h, scratch)
		if parent < 0 {
			return nil, fmt.Errorf("isochrone: outline: hole starting at cell %s lies in no exterior ring", h3.Cell(h.key.cell))
		}
		children[parent] = append(children[parent], h.ring)
	}

	mp := make(MultiPolygon, len(exteriors))
	for i, e := range exteriors {
		p := make(Polygon, 0, 1+len(children[i]))
		p = append(p, e.ring)
		mp[i] = append(p, children[i]...)
	}
	return mp, nil
}

// candidate is an exterior whose bounding box holds a hole's, with the
// longitude shift that puts the hole on the exterior's side of the
// antimeridian.
type candidate struct {
	exterior int
	shift    float64
}

// containingExterior returns the smallest exterior (bySize lists them by
// increasing area) containing hole h. Every hole lies in some exterior, so
// the largest candidate, and a lone candidate, need no point-in-ring test.
// It returns -1 when no exterior's bounding box holds the hole's.
func containingExterior(exteriors []ringInfo, bySize []int, h *ringInfo, scratch []candidate) (int, []candidate) {
	cands := scratch[:0]
	for _, i := range bySize {
		e := &exteriors[i]
		for _, shift := range [3]float64{0, 360, -360} {
			if h.bbox[0]+shift >= e.bbox[0] && h.bbox[2]+shift <= e.bbox[2] && h.bbox[1] >= e.bbox[1] && h.bbox[3] <= e.bbox[3] {
				cands = append(cands, candidate{exterior: i, shift: shift})
				break
			}
		}
	}
	if len(cands) == 0 {
		return -1, cands
	}
	for _, c := range cands[:len(cands)-1] {
		pt := [2]float64{h.ring[0][0] + c.shift, h.ring[0][1]}
		if ringContains(exteriors[c.exterior].ring, pt) {
			return c.exterior, cands
		}
	}
	return cands[len(cands)-1].exterior, cands
}

// geometry returns the closed ring of positions along the edges, checking
// that consecutive edges meet. A run of consecutive edges of one cell takes
// its vertices from the cell's boundary (cheaper than one h3 call per edge,
// and cached by o.bounds), located by the vertex where the previous edge
// ended; the first edge and cells whose boundary has distortion vertices
// use h3's directed edge boundaries.
func (o *outliner) geometry(edges []edgeRef) (Ring, error) {
	ring := make(Ring, 0, 2*len(edges)+1)
	var last h3.LatLng
	for i := 0; i < len(edges); {
		e := edges[i]
		c := o.cells[e.cell]
		dirs := hexSlotDir[:]
		if isPentagon(c, o.pentBase) {
			dirs = pentSlotDir[:]
		}
		run := 1
		for i > 0 && i+run < len(edges) && edges[i+run].cell == e.cell {
			run++
		}
		if i > 0 {
			b := o.boundary(c)
			if k := slices.IndexFunc(b, func(p h3.LatLng) bool { return samePoint(p, last) }); len(b) == len(dirs) && k >= 0 {
				for j := range run {
					ring = appendUnwrapped(ring, b[(k+j)%len(b)])
				}
				last = b[(k+run)%len(b)]
				i += run
				continue
			}
		}
		b := directedEdge(c, dirs[e.slot]).Boundary()
		if len(b) < 2 {
			return nil, fmt.Errorf("isochrone: outline: h3 gave %d vertices for edge %d of cell %s", len(b), e.slot, h3.Cell(c))
		}
		if i > 0 && !samePoint(last, b[0]) {
			return nil, fmt.Errorf("isochrone: outline: edge %d of cell %s starts at %v, previous edge ends at %v",
				e.slot, h3.Cell(c), b[0], last)
		}
		for _, p := range b[:len(b)-1] {
			ring = appendUnwrapped(ring, p)
		}
		last = b[len(b)-1]
		i++
	}
	if !samePoint(last, h3.LatLng{Lat: ring[0][1], Lng: ring[0][0]}) {
		return nil, fmt.Errorf("isochrone: outline: ring from cell %s does not close",
			h3.Cell(o.cells[edges[0].cell]))
	}
	if endLng := unwrap(last.Lng, ring[len(ring)-1][0]); math.Abs(endLng-ring[0][0]) > 180 {
		return nil, fmt.Errorf("isochrone: outline: ring from cell %s circles a pole", h3.Cell(o.cells[edges[0].cell]))
	}
	ring = append(ring, ring[0])
	if minLng := bounds(ring)[0]; minLng < -180 {
		for i := range ring {
			ring[i][0] += 360
		}
	}
	return ring, nil
}

// appendUnwrapped appends p as [lng, lat], its longitude unwrapped against
// the previous position.
func appendUnwrapped(ring Ring, p h3.LatLng) Ring {
	lng := p.Lng
	if n := len(ring); n > 0 {
		lng = unwrap(lng, ring[n-1][0])
	}
	return append(ring, [2]float64{lng, p.Lat})
}

// unwrap shifts lng by multiples of 360° to within 180° of prev.
func unwrap(lng, prev float64) float64 {
	for lng-prev > 180 {
		lng -= 360
	}
	for lng-prev < -180 {
		lng += 360
	}
	return lng
}

// samePoint reports whether a and b are the same vertex up to the
// difference between two computations.
func samePoint(a, b h3.LatLng) bool {
	dLng := math.Abs(a.Lng - b.Lng)
	if dLng > 180 {
		dLng = 360 - dLng
	}
	return math.Abs(a.Lat-b.Lat) <= vertexTolerance &&
		dLng*math.Cos(a.Lat*math.Pi/180) <= vertexTolerance
}

// boundary returns the vertices of cell c.
func (o *outliner) boundary(c uint64) []h3.LatLng {
	if o.bounds != nil {
		return o.bounds.Boundary(h3.Cell(c))
	}
	return h3.Cell(c).Boundary()
}
