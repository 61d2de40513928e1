package isochrone

import (
	"sync"

	h3 "github.com/uber/h3-go/v4"
)

// H3 index bit layout (see h3Index.h): mode at bit 59, reserved/edge
// direction at 56, resolution at 52, base cell at 45, then fifteen 3-bit
// digits, the digit of resolution r at bit 3*(15-r).
const (
	modeOffset     = 59
	reservedOffset = 56
	resOffset      = 52
	baseCellOffset = 45
	modeMask       = uint64(15) << modeOffset
	reservedMask   = uint64(7) << reservedOffset
	cellMode       = 1
	edgeMode       = 2
	maxRes         = 15
	numBaseCells   = 122
)

// H3 digits (directions): 0 centre, 1 K, 2 J, 3 JK, 4 I, 5 IK, 6 IJ.

// hexSlotDir lists a hexagon's neighbour directions in counter-clockwise
// order: the edge towards hexSlotDir[s] ends at the vertex it shares with the
// edge towards hexSlotDir[s+1]. This is the order of directionToVertexNumHex
// in h3's vertex.c (vertex numbers grow counter-clockwise).
var hexSlotDir = [6]uint8{6, 2, 3, 1, 5, 4}

// pentSlotDir is hexSlotDir without the deleted K direction (pentagons).
var pentSlotDir = [5]uint8{6, 2, 3, 5, 4}

// dirSlotHex and dirSlotPent invert hexSlotDir and pentSlotDir (-1: none).
var (
	dirSlotHex  = [7]int8{-1, 3, 1, 2, 5, 4, 0}
	dirSlotPent = [7]int8{-1, -1, 1, 2, 4, 3, 0}
)

// neighborStep packs the digit tables of h3's h3NeighborRotations
// (algos.c): neighborStep[r&1][digit][dir] holds, for a move in direction dir
// from a cell whose digit at resolution r is digit, the new digit in its low
// nibble and the move to carry to resolution r-1 (0: none) in its high
// nibble. As in h3, odd (class III) resolutions use the tables h3 calls
// NEW_DIGIT_II and NEW_ADJUSTMENT_II. The arrays are 8 wide so that 3-bit
// indexes need no bounds check; row and column 7 are never used.
var neighborStep = [2][8][8]uint8{
	packSteps(
		// NEW_DIGIT_III
		[7][7]uint8{
			{0, 1, 2, 3, 4, 5, 6},
			{1, 2, 3, 4, 5, 6, 0},
			{2, 3, 4, 5, 6, 0, 1},
			{3, 4, 5, 6, 0, 1, 2},
			{4, 5, 6, 0, 1, 2, 3},
			{5, 6, 0, 1, 2, 3, 4},
			{6, 0, 1, 2, 3, 4, 5},
		},
		// NEW_ADJUSTMENT_III
		[7][7]uint8{
			{0, 0, 0, 0, 0, 0, 0},
			{0, 1, 0, 3, 0, 1, 0},
			{0, 0, 2, 2, 0, 0, 6},
			{0, 3, 2, 3, 0, 0, 0},
			{0, 0, 0, 0, 4, 5, 4},
			{0, 1, 0, 0, 5, 5, 0},
			{0, 0, 6, 0, 4, 0, 6},
		}),
	packSteps(
		// NEW_DIGIT_II
		[7][7]uint8{
			{0, 1, 2, 3, 4, 5, 6},
			{1, 4, 3, 6, 5, 2, 0},
			{2, 3, 1, 4, 6, 0, 5},
			{3, 6, 4, 5, 0, 1, 2},
			{4, 5, 6, 0, 2, 3, 1},
			{5, 2, 0, 1, 3, 6, 4},
			{6, 0, 5, 2, 1, 4, 3},
		},
		// NEW_ADJUSTMENT_II
		[7][7]uint8{
			{0, 0, 0, 0, 0, 0, 0},
			{0, 1, 0, 1, 0, 5, 0},
			{0, 0, 2, 3, 0, 0, 2},
			{0, 1, 3, 3, 0, 0, 0},
			{0, 0, 0, 0, 4, 4, 6},
			{0, 5, 0, 0, 4, 5, 0},
			{0, 0, 2, 0, 6, 0, 6},
		}),
}

func packSteps(digit, adjust [7][7]uint8) [8][8]uint8 {
	var t [8][8]uint8
	for i := range 7 {
		for j := range 7 {
			t[i][j] = digit[i][j] | adjust[i][j]<<4
		}
	}
	return t
}

// pentagonBaseCells reports which of the 122 base cells are pentagons. It is
// read from h3 once and never modified.
var pentagonBaseCells = sync.OnceValue(func() [numBaseCells]bool {
	var p [numBaseCells]bool
	for _, c := range h3.Pentagons(0) {
		p[baseCell(uint64(c))] = true
	}
	return p
})

func resolution(c uint64) int { return int(c>>resOffset) & 15 }

func baseCell(c uint64) int { return int(c>>baseCellOffset) & 127 }

func digitShift(r int) uint { return uint(maxRes-r) * 3 }

// validCell reports whether c is a valid H3 cell index, replaying h3's
// isValidCell (h3Index.c) without a cgo call.
func validCell(c uint64, pentBase *[numBaseCells]bool) bool {
	if c>>63 != 0 || (c>>modeOffset)&15 != cellMode || (c>>reservedOffset)&7 != 0 {
		return false
	}
	bc := baseCell(c)
	if bc >= numBaseCells {
		return false
	}
	res := resolution(c)
	unused := uint64(1)<<digitShift(res) - 1
	if c&unused != unused {
		return false // digits finer than res must all be 7
	}
	leading := true
	for r := 1; r <= res; r++ {
		d := (c >> digitShift(r)) & 7
		if d == 7 {
			return false
		}
		if leading && d != 0 {
			leading = false
			if d == 1 && pentBase[bc] {
				return false // the K sub-sequence of pentagons is deleted
			}
		}
	}
	return true
}

// isPentagon reports whether the valid cell c is a pentagon: a cell of a
// pentagon base cell whose digits are all zero.
func isPentagon(c uint64, pentBase *[numBaseCells]bool) bool {
	if !pentBase[baseCell(c)] {
		return false
	}
	res := resolution(c)
	digits := (c & (uint64(1)<<digitShift(0) - 1)) >> digitShift(res)
	return digits == 0
}

// directedEdge returns the h3 directed edge from cell c in direction dir.
func directedEdge(c uint64, dir uint8) h3.DirectedEdge {
	e := c&^(modeMask|reservedMask) | edgeMode<<modeOffset | uint64(dir)<<reservedOffset
	return h3.DirectedEdge(e)
}

// neighborInBaseCell returns the neighbour of c in direction dir when it lies
// in the same base cell, replaying the digit arithmetic of h3's
// h3NeighborRotations. It returns false when the move leaves the base cell;
// the caller must then ask h3. It must not be used in pentagon base cells,
// where h3 applies extra rotations.
func neighborInBaseCell(c uint64, dir uint8) (uint64, bool) {
	for r := resolution(c); r >= 1; r-- {
		sh := digitShift(r)
		step := neighborStep[r&1][(c>>sh)&7][dir&7]
		c = c&^(7<<sh) | uint64(step&15)<<sh
		if step < 16 {
			return c, true
		}
		dir = step >> 4
	}
	return 0, false
}

// neighbors writes the neighbours of the valid cell c into out in
// counter-clockwise slot order (hexSlotDir or pentSlotDir) and returns their
// number, 6 or 5. local reports that c lies in a hexagon base cell together
// with all its neighbours: they were then computed in Go, by pure digit
// arithmetic. Otherwise (pentagon base cells, cells on the edge of their base
// cell) h3 computes them.
func neighbors(c uint64, pentBase *[numBaseCells]bool, out *[6]uint64) (count int, local bool) {
	if !pentBase[baseCell(c)] {
		local = true
		for s, dir := range hexSlotDir {
			n, inBase := neighborInBaseCell(c, dir)
			if !inBase {
				local = false
				break
			}
			out[s] = n
		}
		if local {
			return 6, true
		}
	}
	slots := dirSlotHex[:]
	count = 6
	if isPentagon(c, pentBase) {
		slots, count = dirSlotPent[:], 5
	}
	for _, e := range h3.Cell(c).DirectedEdges() {
		dir := (uint64(e) >> reservedOffset) & 7
		if s := slots[dir]; s >= 0 {
			out[s] = uint64(e.Destination())
		}
	}
	return count, false
}

// oppositeSlot returns the slot of the direction opposite to slot s of a
// hexagon (direction d and 7-d are opposite in H3).
func oppositeSlot(s int) int { return (s + 3) % 6 }

// cellSet is an open-addressing hash table from cell index to its position in
// the deduplicated cell list. Cell indexes are never zero, so zero marks an
// empty bucket.
type cellSet struct {
	keys  []uint64
	pos   []int32
	shift uint
	mask  uint64
}

func newCellSet(n int) *cellSet {
	size, bits := 16, uint(4)
	for 2*size < 3*n {
		size, bits = size*2, bits+1
	}
	return &cellSet{
		keys:  make([]uint64, size),
		pos:   make([]int32, size),
		shift: 64 - bits,
		mask:  uint64(size - 1),
	}
}

func (s *cellSet) bucket(c uint64) uint64 { return (c * 0x9E3779B97F4A7C15) >> s.shift }

// insert adds c with position p unless present; it reports whether c was new.
func (s *cellSet) insert(c uint64, p int32) bool {
	for b := s.bucket(c); ; b = (b + 1) & s.mask {
		switch s.keys[b] {
		case 0:
			s.keys[b], s.pos[b] = c, p
			return true
		case c:
			return false
		}
	}
}

// find returns the position of c, or -1 when c is not in the set.
func (s *cellSet) find(c uint64) int32 {
	for b := s.bucket(c); ; b = (b + 1) & s.mask {
		switch s.keys[b] {
		case 0:
			return -1
		case c:
			return s.pos[b]
		}
	}
}
