package isochrone

import (
	"slices"

	h3 "github.com/uber/h3-go/v4"
)

// Difference returns the cells of a that are not in b, without duplicates,
// in increasing index order: with travel-time bands given as cumulative cell
// sets, Difference(band[i], band[i-1]) is the ring of cells first reached in
// band i.
func Difference(a, b []h3.Cell) []h3.Cell {
	exclude := make(map[h3.Cell]struct{}, len(b))
	for _, c := range b {
		exclude[c] = struct{}{}
	}
	out := make([]h3.Cell, 0, len(a))
	for _, c := range a {
		if _, ok := exclude[c]; !ok {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
