package isochrone

import (
	"math/rand/v2"
	"slices"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

// sampleCells returns cells all over the globe at every resolution, plus
// every pentagon at every resolution with its surroundings, so that base
// cell edges, pentagon base cells and icosahedron edges are all visited.
func sampleCells(rng *rand.Rand, perRes int) []h3.Cell {
	var cells []h3.Cell
	for res := 0; res <= maxRes; res++ {
		for range perRes {
			lat := rng.Float64()*180 - 90
			lng := rng.Float64()*360 - 180
			cells = append(cells, h3.LatLngToCell(h3.NewLatLng(lat, lng), res))
		}
		for _, p := range h3.Pentagons(res) {
			for _, c := range h3.GridDisk(p, 2) {
				if c != 0 {
					cells = append(cells, c)
				}
			}
		}
	}
	return cells
}

func TestNeighborsMatchH3(t *testing.T) {
	pentBase := pentagonBaseCells()
	rng := rand.New(rand.NewPCG(1, 2))
	cells := sampleCells(rng, 400)
	locals, others := 0, 0
	for _, c := range cells {
		var nb [6]uint64
		n, local := neighbors(uint64(c), &pentBase, &nb)
		if local {
			locals++
		} else {
			others++
		}
		slots := dirSlotHex[:]
		if c.IsPentagon() {
			slots = dirSlotPent[:]
			if n != 5 {
				t.Fatalf("pentagon %s: %d neighbours", c, n)
			}
		} else if n != 6 {
			t.Fatalf("hexagon %s: %d neighbours", c, n)
		}
		edges := c.DirectedEdges()
		if len(edges) != n {
			t.Fatalf("%s: h3 has %d edges, neighbors gave %d", c, len(edges), n)
		}
		for _, e := range edges {
			dir := (uint64(e) >> reservedOffset) & 7
			s := slots[dir]
			if s < 0 {
				t.Fatalf("%s: h3 edge in direction %d has no slot", c, dir)
			}
			if want := uint64(e.Destination()); nb[s] != want {
				t.Fatalf("%s direction %d: got %s, h3 says %s", c, dir, h3.Cell(nb[s]), h3.Cell(want))
			}
			if directedEdge(uint64(c), uint8(dir)) != e {
				t.Fatalf("%s direction %d: edge index %#x, h3 says %#x", c, dir, uint64(directedEdge(uint64(c), uint8(dir))), uint64(e))
			}
		}
		var disk []uint64
		for _, d := range h3.GridDisk(c, 1) {
			if d != 0 && d != c {
				disk = append(disk, uint64(d))
			}
		}
		got := slices.Clone(nb[:n])
		slices.Sort(got)
		slices.Sort(disk)
		if !slices.Equal(got, disk) {
			t.Fatalf("%s: neighbours %x, GridDisk %x", c, got, disk)
		}
		if local {
			for s := range 6 {
				if baseCell(nb[s]) != baseCell(uint64(c)) {
					t.Fatalf("%s: local neighbour %s in another base cell", c, h3.Cell(nb[s]))
				}
				var back [6]uint64
				neighbors(nb[s], &pentBase, &back)
				if back[oppositeSlot(s)] != uint64(c) {
					t.Fatalf("%s: neighbour %s in slot %d does not see it back in slot %d", c, h3.Cell(nb[s]), s, oppositeSlot(s))
				}
			}
		}
	}
	if locals == 0 || others == 0 {
		t.Fatalf("sample has %d local and %d non-local cells; both paths must be exercised", locals, others)
	}
	t.Logf("%d cells: %d local, %d via h3", len(cells), locals, others)
}

// TestSlotOrderIsCounterClockwise checks the assumption the tracing rests
// on: going counter-clockwise round a cell, the edge in slot s ends where the
// edge in slot s+1 starts.
func TestSlotOrderIsCounterClockwise(t *testing.T) {
	pentBase := pentagonBaseCells()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range sampleCells(rng, 60) {
		dirs := hexSlotDir[:]
		if isPentagon(uint64(c), &pentBase) {
			dirs = pentSlotDir[:]
		}
		var ring Ring
		for s := range dirs {
			b := directedEdge(uint64(c), dirs[s]).Boundary()
			next := directedEdge(uint64(c), dirs[(s+1)%len(dirs)]).Boundary()
			if !samePoint(b[len(b)-1], next[0]) {
				t.Fatalf("%s: edge in slot %d ends at %v, slot %d starts at %v", c, s, b[len(b)-1], (s+1)%len(dirs), next[0])
			}
			for _, p := range b[:len(b)-1] {
				ring = appendUnwrapped(ring, p)
			}
		}
		ring = append(ring, ring[0])
		if ring.Area() <= 0 {
			t.Fatalf("%s: edges in slot order turn clockwise (area %g)", c, ring.Area())
		}
	}
}

func TestValidCellMatchesH3(t *testing.T) {
	pentBase := pentagonBaseCells()
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(c uint64) {
		t.Helper()
		if got, want := validCell(c, &pentBase), h3.Cell(c).IsValid(); got != want {
			t.Fatalf("validCell(%#x) = %v, h3 says %v", c, got, want)
		}
	}
	check(0)
	check(^uint64(0))
	for range 100000 {
		check(rng.Uint64())
	}
	valid := 0
	for _, c := range sampleCells(rng, 50) {
		check(uint64(c))
		valid++
		for range 20 {
			check(uint64(c) ^ 1<<rng.IntN(64))
			// A random digit set to another value, including 7 and, in
			// pentagon base cells, the deleted K digit.
			r := 1 + rng.IntN(maxRes)
			sh := digitShift(r)
			check(uint64(c)&^(7<<sh) | uint64(rng.IntN(8))<<sh)
		}
	}
	for _, p := range h3.Pentagons(5) {
		// Leading digit K in a pentagon base cell: invalid.
		check(uint64(p)&^(7<<digitShift(1)) | 1<<digitShift(1))
	}
}
