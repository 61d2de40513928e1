package graph

import "fmt"

// Cells are the H3 cells where people live, as reachability targets: the
// cells the walking network covers, and for every stop the cells reachable
// on foot from it (the egress table, stop-major, as R5's egress cost
// tables). Street nodes know their cell, for walks straight from an origin.
type Cells struct {
	Resolution int32    // H3 resolution (8, 9 or 10)
	Cell       []uint64 // H3 index of each cell, sorted
	// Egress from stop s: cells StopCell[StopCellStart[s]:StopCellStart[s+1]]
	// at StopCellDist metres walking, sorted by distance.
	StopCellStart []int32 // len NumStops+1
	StopCell      []int32 // index into Cell
	StopCellDist  []float32
	// NodeCell is the cell of each street node (index into Cell).
	NodeCell []int32
}

// NumCells returns the number of cells.
func (c *Cells) NumCells() int { return len(c.Cell) }

// From returns the cells reachable from stop s and their walking distances.
func (c *Cells) From(s int32) (cells []int32, dist []float32) {
	a, b := c.StopCellStart[s], c.StopCellStart[s+1]
	return c.StopCell[a:b], c.StopCellDist[a:b]
}

// Validate checks the cell tables against the numbers of stops and nodes.
func (c *Cells) Validate(stops, nodes int) error {
	if len(c.Cell) == 0 && len(c.StopCellStart) == 0 {
		return nil // a graph without cells
	}
	if c.Resolution < 0 || c.Resolution > 15 {
		return fmt.Errorf("cells: resolution %d", c.Resolution)
	}
	for i := 1; i < len(c.Cell); i++ {
		if c.Cell[i] <= c.Cell[i-1] {
			return fmt.Errorf("cells: cell list not sorted at %d", i)
		}
	}
	if len(c.StopCellStart) != stops+1 || len(c.StopCell) != len(c.StopCellDist) {
		return fmt.Errorf("cells: egress table of the wrong size")
	}
	if err := checkCSR("StopCellStart", c.StopCellStart, len(c.StopCell)); err != nil {
		return err
	}
	n := int32(len(c.Cell))
	for i, x := range c.StopCell {
		if x < 0 || x >= n || !(c.StopCellDist[i] >= 0) {
			return fmt.Errorf("cells: egress entry %d out of range", i)
		}
	}
	if len(c.NodeCell) != nodes {
		return fmt.Errorf("cells: %d node cells for %d nodes", len(c.NodeCell), nodes)
	}
	for _, x := range c.NodeCell {
		if x < 0 || x >= n {
			return fmt.Errorf("cells: node cell %d out of range", x)
		}
	}
	return nil
}
