package isochrone

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

var (
	rennes   = h3.NewLatLng(48.11, -1.68)
	mannheim = h3.NewLatLng(49.49, 8.47)
)

func outline(t *testing.T, cells []h3.Cell) MultiPolygon {
	t.Helper()
	mp, err := Outline(cells)
	if err != nil {
		t.Fatalf("Outline(%d cells): %v", len(cells), err)
	}
	return mp
}

func nonZero(cells []h3.Cell) []h3.Cell {
	return slices.DeleteFunc(slices.Clone(cells), func(c h3.Cell) bool { return c == 0 })
}

// randomBlob grows a set of n cells by a seeded random walk from the cell
// at ll, jumping back now and then to a random cell already taken, which
// gives ragged shapes with holes and islands of holes.
func randomBlob(rng *rand.Rand, ll h3.LatLng, res, n int) []h3.Cell {
	cur := h3.LatLngToCell(ll, res)
	seen := map[h3.Cell]bool{cur: true}
	cells := []h3.Cell{cur}
	for len(cells) < n {
		if rng.IntN(10) == 0 {
			cur = cells[rng.IntN(len(cells))]
		}
		nb := nonZero(h3.GridDisk(cur, 1))
		cur = nb[rng.IntN(len(nb))]
		if !seen[cur] {
			seen[cur] = true
			cells = append(cells, cur)
		}
	}
	return cells
}

// checkOutline checks every invariant of mp as the outline of cells.
// withPointTests also samples points and compares MultiPolygon.Contains
// with the cell containing them.
func checkOutline(t *testing.T, cells []h3.Cell, mp MultiPolygon, withPointTests bool) {
	t.Helper()
	if len(cells) > 0 && len(mp) == 0 {
		t.Fatalf("no polygon for %d cells", len(cells))
	}
	for i, p := range mp {
		if len(p) == 0 {
			t.Fatalf("polygon %d has no ring", i)
		}
		for j, r := range p {
			if len(r) < 4 {
				t.Fatalf("polygon %d ring %d has %d positions", i, j, len(r))
			}
			if r[0] != r[len(r)-1] {
				t.Fatalf("polygon %d ring %d is not closed: %v ... %v", i, j, r[0], r[len(r)-1])
			}
			pa, sa := planarArea(r), r.Area()
			if j == 0 && (pa <= 0 || sa <= 0) {
				t.Fatalf("polygon %d exterior is not counter-clockwise (areas %g deg², %g m²)", i, pa, sa)
			}
			if j > 0 && (pa >= 0 || sa >= 0) {
				t.Fatalf("polygon %d hole %d is not clockwise (areas %g deg², %g m²)", i, j, pa, sa)
			}
			if j > 0 && !ringContains(p[0], r[0]) {
				t.Fatalf("polygon %d hole %d starts outside its exterior", i, j)
			}
		}
	}
	checkSimple(t, mp)

	want := 0.0
	for _, c := range uniqueCells(cells) {
		want += h3.CellAreaM2(c)
	}
	if got := mp.Area(); math.Abs(got-want) > 1e-6*want {
		t.Fatalf("area %.3f m², cells add up to %.3f m² (relative error %.2g)", got, want, (got-want)/want)
	}
	if withPointTests {
		checkPoints(t, cells, mp)
	}
}

func uniqueCells(cells []h3.Cell) []h3.Cell {
	u := slices.Clone(cells)
	slices.Sort(u)
	return slices.Compact(u)
}

type segment struct {
	a, b       [2]float64
	ring, i, n int // ring id, index in ring, number of segments in ring
}

// checkSimple fails if two segments of the rings of mp touch or cross,
// except consecutive segments of one ring at their shared end.
func checkSimple(t *testing.T, mp MultiPolygon) {
	t.Helper()
	var segs []segment
	ringID := 0
	for _, p := range mp {
		for _, r := range p {
			n := len(r) - 1
			for i := range n {
				segs = append(segs, segment{a: r[i], b: r[i+1], ring: ringID, i: i, n: n})
			}
			ringID++
		}
	}
	minX := func(s segment) float64 { return min(s.a[0], s.b[0]) }
	slices.SortFunc(segs, func(x, y segment) int {
		if minX(x) < minX(y) {
			return -1
		} else if minX(x) > minX(y) {
			return 1
		}
		return 0
	})
	for i, s := range segs {
		maxX := max(s.a[0], s.b[0])
		for _, u := range segs[i+1:] {
			if minX(u) > maxX {
				break
			}
			if s.ring == u.ring && (u.i == (s.i+1)%s.n || s.i == (u.i+1)%s.n) {
				if s.a == u.a && s.b == u.b || s.a == u.b && s.b == u.a {
					t.Fatalf("ring %d has a segment twice", s.ring)
				}
				continue
			}
			if segmentsTouch(s.a, s.b, u.a, u.b) {
				t.Fatalf("segment %d of ring %d %v-%v touches segment %d of ring %d %v-%v",
					s.i, s.ring, s.a, s.b, u.i, u.ring, u.a, u.b)
			}
		}
	}
}

func orient(a, b, c [2]float64) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p [2]float64) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func segmentsTouch(p1, p2, q1, q2 [2]float64) bool {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if (o1 > 0 && o2 < 0 || o1 < 0 && o2 > 0) && (o3 > 0 && o4 < 0 || o3 < 0 && o4 > 0) {
		return true
	}
	return o1 == 0 && onSegment(p1, p2, q1) || o2 == 0 && onSegment(p1, p2, q2) ||
		o3 == 0 && onSegment(q1, q2, p1) || o4 == 0 && onSegment(q1, q2, p2)
}

// checkPoints samples points in and around the cells and checks that a point
// is in mp exactly when the cell containing it is in the set. Points within
// 1e-7° of their cell's boundary are skipped. Below resolution 8 that margin
// grows sevenfold per resolution: GeoJSON edges are straight in
// longitude/latitude while H3 edges are great-circle arcs, and the gap
// between the two grows with the square of the edge length (2e-7° for
// 1.4 km edges at resolution 7).
func checkPoints(t *testing.T, cells []h3.Cell, mp MultiPolygon) {
	t.Helper()
	set := make(map[h3.Cell]bool, len(cells))
	for _, c := range cells {
		set[c] = true
	}
	res := cells[0].Resolution()
	rng := rand.New(rand.NewPCG(uint64(len(cells)), uint64(cells[0])))
	tested, inside := 0, 0
	margin := 1e-7 * math.Pow(7, float64(max(0, 8-res)))
	for range 600 {
		// Around a random cell of the set, reaching into its neighbours.
		c := cells[rng.IntN(len(cells))]
		b := c.Boundary()
		center := c.LatLng()
		v := b[rng.IntN(len(b))]
		f := rng.Float64() * 1.6
		g := rng.Float64()*0.6 - 0.3
		u := b[(rng.IntN(len(b)))]
		pt := h3.NewLatLng(
			center.Lat+f*(v.Lat-center.Lat)+g*(u.Lat-center.Lat),
			center.Lng+f*(v.Lng-center.Lng)+g*(u.Lng-center.Lng))
		cell := h3.LatLngToCell(pt, res)
		if nearBoundary(pt, cell.Boundary(), margin) {
			continue
		}
		tested++
		want := set[cell]
		if want {
			inside++
		}
		if got := mp.Contains(pt.Lng, pt.Lat); got != want {
			t.Fatalf("point %.9f,%.9f in cell %s: Contains = %v, cell in set = %v (1e-6 from boundary: %v)", pt.Lat, pt.Lng, cell, got, want, nearBoundary(pt, cell.Boundary(), 1e-6))
		}
	}
	if tested < 300 || inside == 0 || inside == tested {
		t.Fatalf("point test too weak: %d points tested, %d inside", tested, inside)
	}
}

// nearBoundary reports whether pt is within tol degrees (longitude scaled by
// the cosine of latitude) of the boundary b.
func nearBoundary(pt h3.LatLng, b h3.CellBoundary, tol float64) bool {
	k := math.Cos(pt.Lat * math.Pi / 180)
	p := [2]float64{pt.Lng * k, pt.Lat}
	for i := range b {
		a, c := b[i], b[(i+1)%len(b)]
		if distToSegment(p, [2]float64{a.Lng * k, a.Lat}, [2]float64{c.Lng * k, c.Lat}) < tol {
			return true
		}
	}
	return false
}

func distToSegment(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / (dx*dx + dy*dy)
	t = max(0, min(1, t))
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

func holes(mp MultiPolygon) int {
	n := 0
	for _, p := range mp {
		n += len(p) - 1
	}
	return n
}

func TestOutlineSingleCell(t *testing.T) {
	for res := 0; res <= maxRes; res++ {
		c := h3.LatLngToCell(rennes, res)
		mp := outline(t, []h3.Cell{c})
		if len(mp) != 1 || len(mp[0]) != 1 {
			t.Fatalf("res %d: %d polygons, %d rings", res, len(mp), len(mp[0]))
		}
		if got, want := len(mp[0][0]), len(c.Boundary())+1; got != want {
			t.Fatalf("res %d: ring of %d positions, want %d", res, got, want)
		}
		checkOutline(t, []h3.Cell{c}, mp, res >= 5)
	}
}

func TestOutlineDisks(t *testing.T) {
	for _, tc := range []struct{ res, k int }{{8, 12}, {9, 25}, {10, 40}} {
		for _, ll := range []h3.LatLng{rennes, mannheim} {
			cells := h3.GridDisk(h3.LatLngToCell(ll, tc.res), tc.k)
			mp := outline(t, cells)
			if len(mp) != 1 || len(mp[0]) != 1 {
				t.Fatalf("res %d disk: %d polygons, %d holes", tc.res, len(mp), holes(mp))
			}
			// Two edges per outer cell, three for the six corners.
			if got, want := len(mp[0][0])-1, 12*tc.k+6; got != want {
				t.Fatalf("res %d disk k=%d: %d positions, want %d", tc.res, tc.k, got, want)
			}
			checkOutline(t, cells, mp, true)
		}
	}
}

func TestOutlineDiskMinusCentre(t *testing.T) {
	centre := h3.LatLngToCell(mannheim, 9)
	cells := slices.DeleteFunc(h3.GridDisk(centre, 2), func(c h3.Cell) bool { return c == centre })
	mp := outline(t, cells)
	if len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("%d polygons, %d holes; want 1 polygon with 1 hole", len(mp), holes(mp))
	}
	if got, want := -mp[0][1].Area(), h3.CellAreaM2(centre); math.Abs(got-want) > 1e-6*want {
		t.Fatalf("hole area %g m², centre cell %g m²", got, want)
	}
	checkOutline(t, cells, mp, true)
}

func TestOutlineNestedLevels(t *testing.T) {
	// Disk of radius 6 minus the ring at distance 3: an annulus whose hole
	// holds an island (the disk of radius 2).
	rings := h3.GridDiskDistances(h3.LatLngToCell(rennes, 9), 6)
	var cells []h3.Cell
	for d, ring := range rings {
		if d != 3 {
			cells = append(cells, ring...)
		}
	}
	mp := outline(t, cells)
	if len(mp) != 2 {
		t.Fatalf("%d polygons, want annulus and island", len(mp))
	}
	annulus, island := mp[0], mp[1]
	if len(annulus) == 1 {
		annulus, island = island, annulus
	}
	if len(annulus) != 2 || len(island) != 1 {
		t.Fatalf("rings per polygon %d and %d, want 2 and 1", len(annulus), len(island))
	}
	if !ringContains(annulus[1], island[0][0]) || ringContains(annulus[1], annulus[0][0]) {
		t.Fatal("island is not inside the annulus' hole")
	}
	checkOutline(t, cells, mp, true)
}

// TestOutlineFiveLevels nests an annulus with an island in the hole of
// another annulus: the inner hole's bounding box fits in both exteriors',
// and it must go to the smaller one.
func TestOutlineFiveLevels(t *testing.T) {
	rings := h3.GridDiskDistances(h3.LatLngToCell(mannheim, 10), 10)
	var cells []h3.Cell
	for d, ring := range rings {
		if d != 3 && d != 7 {
			cells = append(cells, ring...)
		}
	}
	mp := outline(t, cells)
	if len(mp) != 3 {
		t.Fatalf("%d polygons, want 3", len(mp))
	}
	slices.SortFunc(mp, func(a, b Polygon) int {
		return cmpFloat(b.Area(), a.Area())
	})
	if len(mp[0]) != 2 || len(mp[1]) != 2 || len(mp[2]) != 1 {
		t.Fatalf("rings per polygon %d, %d, %d; want 2, 2, 1", len(mp[0]), len(mp[1]), len(mp[2]))
	}
	if !ringContains(mp[0][1], mp[1][0][0]) || !ringContains(mp[1][1], mp[2][0][0]) {
		t.Fatal("polygons are not nested in each other's holes")
	}
	checkOutline(t, cells, mp, true)
}

// TestOutlineHoleInsideConcaveBox puts a punched disk inside the opening of
// a thin C-shaped polygon of smaller area: the hole's bounding box fits in
// both exteriors' boxes, but it belongs to the larger one.
func TestOutlineHoleInsideConcaveBox(t *testing.T) {
	o := h3.LatLngToCell(rennes, 9)
	ring := h3.GridDiskDistances(o, 12)[12]
	gap := ring[0]
	cells := slices.DeleteFunc(slices.Clone(ring), func(c h3.Cell) bool { return h3.GridDistance(c, gap) <= 2 })
	cells = append(cells, slices.DeleteFunc(h3.GridDisk(o, 5), func(c h3.Cell) bool { return c == o })...)
	mp := outline(t, cells)
	if len(mp) != 2 {
		t.Fatalf("%d polygons, want 2", len(mp))
	}
	disk, c := mp[0], mp[1]
	if len(c) == 2 {
		disk, c = c, disk
	}
	if len(disk) != 2 || len(c) != 1 {
		t.Fatalf("rings per polygon %d and %d, want 2 and 1", len(disk), len(c))
	}
	centre := o.LatLng()
	if !ringContains(disk[0], [2]float64{centre.Lng, centre.Lat}) || c.Area() >= disk.Area() {
		t.Fatal("the hole went to the C-shaped polygon, or the C is not the smaller one")
	}
	if b, h := bounds(c[0]), bounds(disk[1]); !(b[0] < h[0] && b[1] < h[1] && b[2] > h[2] && b[3] > h[3]) {
		t.Fatal("test set-up: the hole's box is not inside the C's box")
	}
	checkOutline(t, cells, mp, true)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestOutlineTwoDisks(t *testing.T) {
	a := h3.GridDisk(h3.LatLngToCell(rennes, 9), 4)
	b := h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(48.13, -1.65), 9), 3)
	cells := append(a, b...)
	mp := outline(t, cells)
	if len(mp) != 2 || holes(mp) != 0 {
		t.Fatalf("%d polygons, %d holes; want 2, 0", len(mp), holes(mp))
	}
	checkOutline(t, cells, mp, true)
}

// TestOutlineCellsAtDistanceTwo covers "cells touching at a vertex": every
// H3 vertex joins exactly three cells, so two cells sharing a vertex share
// an edge. Two cells at grid distance 2 give two separate rings with no
// common vertex; two neighbours give one ring of ten edges.
func TestOutlineCellsAtDistanceTwo(t *testing.T) {
	c := h3.LatLngToCell(rennes, 9)
	for _, y := range h3.GridDiskDistances(c, 2)[2] {
		cells := []h3.Cell{c, y}
		mp := outline(t, cells)
		if len(mp) != 2 || len(mp[0][0]) != 7 || len(mp[1][0]) != 7 {
			t.Fatalf("%s and %s: %d polygons", c, y, len(mp))
		}
		for _, p := range mp[0][0] {
			for _, q := range mp[1][0] {
				if math.Abs(p[0]-q[0]) < 1e-9 && math.Abs(p[1]-q[1]) < 1e-9 {
					t.Fatalf("%s and %s share vertex %v", c, y, p)
				}
			}
		}
		checkOutline(t, cells, mp, true)
	}
	for _, y := range h3.GridDiskDistances(c, 1)[1] {
		mp := outline(t, []h3.Cell{c, y})
		if len(mp) != 1 || len(mp[0][0]) != 11 {
			t.Fatalf("neighbours %s and %s: %d polygons, %d positions", c, y, len(mp), len(mp[0][0]))
		}
	}
}

func TestOutlineRandomBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	polygons := 0
	for _, ll := range []h3.LatLng{rennes, mannheim} {
		for range 3 {
			blob := randomBlob(rng, ll, 9, 2000)
			// The same blob moth-eaten: a fifth of its cells removed at
			// random leaves islands, some inside holes.
			eaten := slices.DeleteFunc(slices.Clone(blob), func(h3.Cell) bool { return rng.IntN(5) == 0 })
			for _, cells := range [][]h3.Cell{blob, eaten} {
				mp := outline(t, cells)
				checkOutline(t, cells, mp, true)
				polygons += len(mp)
				t.Logf("%d cells near %v: %d polygons, %d holes", len(cells), ll, len(mp), holes(mp))
			}
		}
	}
	if polygons <= 12 {
		t.Fatalf("%d polygons for 12 sets: the blobs never fall apart", polygons)
	}
}

// TestOutlineWorldBlobs grows blobs at random places and resolutions, which
// crosses base cell edges (the h3 fallback for neighbours) and icosahedron
// edges (distortion vertices).
func TestOutlineWorldBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pentBase := pentagonBaseCells()
	nonLocal := 0
	for range 60 {
		ll := h3.NewLatLng(rng.Float64()*150-75, rng.Float64()*340-170)
		res := 5 + rng.IntN(6)
		cells := randomBlob(rng, ll, res, 200+rng.IntN(300))
		for _, c := range cells {
			var nb [6]uint64
			if _, local := neighbors(uint64(c), &pentBase, &nb); !local {
				nonLocal++
			}
		}
		checkOutline(t, cells, outline(t, cells), true)
	}
	if nonLocal == 0 {
		t.Fatal("no blob reached the edge of a base cell")
	}
	t.Logf("%d cells on base cell edges", nonLocal)
}

func TestOutlineDistortionVertices(t *testing.T) {
	// Res-1 hexagons with more than six vertices straddle an icosahedron
	// edge; some res-9 cells at their vertices do too.
	var centres []h3.Cell
search:
	for _, c := range h3.Res0Cells() {
		for _, child := range c.Children(1) {
			if len(child.Boundary()) <= 6 || child.IsPentagon() {
				continue
			}
			for _, v := range child.Boundary() {
				for _, x := range nonZero(h3.GridDisk(h3.LatLngToCell(v, 9), 1)) {
					if len(x.Boundary()) > 6 && !slices.Contains(centres, x) {
						centres = append(centres, x)
						if len(centres) == 8 {
							break search
						}
						break
					}
				}
			}
		}
	}
	if len(centres) == 0 {
		t.Fatal("no res-9 cell with distortion vertices found")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	distorted := 0
	for _, centre := range centres {
		disk := nonZero(h3.GridDisk(centre, 6))
		var cells []h3.Cell
		for _, c := range disk {
			if rng.IntN(3) > 0 {
				cells = append(cells, c)
			}
			if len(c.Boundary()) > 6 {
				distorted++
			}
		}
		for _, set := range [][]h3.Cell{disk, cells} {
			checkOutline(t, set, outline(t, set), true)
		}
	}
	if distorted < len(centres) {
		t.Fatalf("%d cells with distortion vertices in the sets", distorted)
	}
}

func TestOutlinePentagons(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, p := range h3.Pentagons(9) {
		disk := nonZero(h3.GridDisk(p, 4))
		mp := outline(t, disk)
		if len(mp) != 1 || len(mp[0]) != 1 {
			t.Fatalf("disk around pentagon %s: %d polygons, %d holes", p, len(mp), holes(mp))
		}
		checkOutline(t, disk, mp, true)

		punched := slices.DeleteFunc(slices.Clone(disk), func(c h3.Cell) bool { return c == p })
		mp = outline(t, punched)
		if len(mp) != 1 || len(mp[0]) != 2 || len(mp[0][1]) != len(p.Boundary())+1 {
			t.Fatalf("disk around pentagon %s without it: %d polygons, %d holes", p, len(mp), holes(mp))
		}
		checkOutline(t, punched, mp, true)

		var sparse []h3.Cell
		for _, c := range nonZero(h3.GridDisk(p, 6)) {
			if rng.IntN(2) == 0 {
				sparse = append(sparse, c)
			}
		}
		checkOutline(t, sparse, outline(t, sparse), true)
	}
}

func TestOutlineOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	cells := randomBlob(rng, mannheim, 9, 1500)
	// A pentagon neighbourhood too: its cells go through h3 for neighbours.
	cells = append(cells, nonZero(h3.GridDisk(h3.Pentagons(9)[4], 3))...)
	want := outline(t, cells)
	wantJSON, err := json.Marshal(want.GeoJSONGeometry())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		shuffled := slices.Clone(cells)
		shuffled = append(shuffled, shuffled[:rng.IntN(len(shuffled))]...) // duplicates
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := outline(t, shuffled)
		if !reflect.DeepEqual(got, want) {
			t.Fatal("outline depends on input order")
		}
		gotJSON, err := json.Marshal(got.GeoJSONGeometry())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Fatal("GeoJSON depends on input order")
		}
	}
}

func TestOutlineErrors(t *testing.T) {
	c9 := h3.LatLngToCell(rennes, 9)
	c8 := h3.LatLngToCell(rennes, 8)
	pentagonK := h3.Cell(uint64(h3.Pentagons(3)[0])&^(7<<digitShift(1)) | 1<<digitShift(1))
	for _, tc := range []struct {
		name  string
		cells []h3.Cell
		want  string
	}{
		{"zero", []h3.Cell{c9, 0}, "cells[1]"},
		{"garbage", []h3.Cell{-1}, "not a valid H3 cell"},
		{"edge index", []h3.Cell{h3.Cell(directedEdge(uint64(c9), 2))}, "not a valid H3 cell"},
		{"deleted pentagon digit", []h3.Cell{pentagonK}, "not a valid H3 cell"},
		{"mixed resolutions", []h3.Cell{c9, c9, c8}, "resolution 8"},
	} {
		mp, err := Outline(tc.cells)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Outline = %v, %v; want error containing %q", tc.name, mp, err, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for range 10000 {
		cells := []h3.Cell{h3.Cell(rng.Uint64())}
		if _, err := Outline(cells); err == nil && !cells[0].IsValid() {
			t.Fatalf("invalid cell %#x accepted", uint64(cells[0]))
		}
	}
	mp, err := Outline(nil)
	if err != nil || mp == nil || len(mp) != 0 {
		t.Fatalf("Outline(nil) = %v, %v; want empty, nil", mp, err)
	}
}

func TestOutlinePole(t *testing.T) {
	cells := h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(90, 0), 4), 2)
	if _, err := Outline(cells); err == nil || !strings.Contains(err.Error(), "pole") {
		t.Fatalf("outline round the pole: err = %v, want pole error", err)
	}
}

func TestOutlineAntimeridian(t *testing.T) {
	cells := h3.GridDisk(h3.LatLngToCell(h3.NewLatLng(-17, 180), 7), 5)
	centre := cells[0]
	cells = slices.DeleteFunc(cells, func(c h3.Cell) bool { return c == centre })
	mp := outline(t, cells)
	if len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("%d polygons, %d holes; want 1, 1", len(mp), holes(mp))
	}
	for _, r := range mp[0] {
		b := bounds(r)
		if b[2]-b[0] > 5 || b[0] < -180 {
			t.Fatalf("ring longitudes %g..%g are not continuous", b[0], b[2])
		}
	}
	checkOutline(t, cells, mp, false)
}

func TestGeoJSONGeometry(t *testing.T) {
	cells := h3.GridDisk(h3.LatLngToCell(rennes, 10), 1)
	mp := outline(t, cells)
	raw, err := json.Marshal(mp.GeoJSONGeometry())
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Type        string
		Coordinates [][][][]float64
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Type != "MultiPolygon" || len(g.Coordinates) != 1 || len(g.Coordinates[0]) != 1 || len(g.Coordinates[0][0]) != 19 {
		t.Fatalf("unexpected GeoJSON %s", raw)
	}
	first := g.Coordinates[0][0][0]
	if len(first) != 2 || math.Abs(first[0]-rennes.Lng) > 0.01 || math.Abs(first[1]-rennes.Lat) > 0.01 {
		t.Fatalf("first position %v is not [lon, lat] near Rennes", first)
	}
	raw, err = json.Marshal(MultiPolygon(nil).GeoJSONGeometry())
	if err != nil || string(raw) != `{"type":"MultiPolygon","coordinates":[]}` {
		t.Fatalf("empty geometry %s, %v", raw, err)
	}
}

func TestDifference(t *testing.T) {
	origin := h3.LatLngToCell(rennes, 9)
	outer, inner := h3.GridDisk(origin, 3), h3.GridDisk(origin, 1)
	band := Difference(append(outer, outer[:5]...), inner)
	want := uniqueCells(h3.GridDiskDistances(origin, 3)[2])
	want = append(want, h3.GridDiskDistances(origin, 3)[3]...)
	slices.Sort(want)
	if !slices.Equal(band, want) {
		t.Fatalf("Difference gave %d cells, want the %d cells at distance 2 and 3", len(band), len(want))
	}
	mp := outline(t, band)
	if len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("band outline: %d polygons, %d holes", len(mp), holes(mp))
	}
	if got := Difference(inner, outer); len(got) != 0 {
		t.Fatalf("inner minus outer = %v, want empty", got)
	}
}

func benchmarkOutline(b *testing.B, cells []h3.Cell) {
	mp, err := Outline(cells)
	if err != nil {
		b.Fatal(err)
	}
	edges := 0
	for _, p := range mp {
		for _, r := range p {
			edges += len(r) - 1
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Outline(cells); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(edges), "vertices")
}

// BenchmarkOutlineDisk20k outlines a compact set of ~20,000 res-9 cells, the
// size of a 90-minute isochrone of a city.
func BenchmarkOutlineDisk20k(b *testing.B) {
	benchmarkOutline(b, h3.GridDisk(h3.LatLngToCell(rennes, 9), 81))
}

// BenchmarkOutlineBlob20k outlines a ragged random blob of 20,000 res-9
// cells, with many holes and a long outline.
func BenchmarkOutlineBlob20k(b *testing.B) {
	benchmarkOutline(b, randomBlob(rand.New(rand.NewPCG(1, 1)), rennes, 9, 20000))
}
