package street

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"reach/graph"
)

// Straight-line distances, in metres, within which AddStationTransfers
// joins stops that have no footpath.
const (
	// StationDist joins the stops of one station: same name, or same
	// parent station (or one the other's parent).
	StationDist = 300.0
	// NeighbourDist joins any two stops.
	NeighbourDist = 150.0
)

// StationKey returns the form of a stop name that AddStationTransfers
// compares: lower case, accents removed, ß, æ and œ spelt out, and every
// run of characters other than letters and digits turned into one space
// ("Saint-Étienne, Gare" → "saint etienne gare"). An empty key matches
// nothing.
func StationKey(name string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			switch r = unicode.ToLower(r); r {
			case 'ß':
				b.WriteString("ss")
			case 'æ':
				b.WriteString("ae")
			case 'œ':
				b.WriteString("oe")
			default:
				b.WriteRune(r)
			}
		default:
			space = true
		}
	}
	return b.String()
}

// AddStationTransfers returns the footpaths f between stops completed by
// straight-line footpaths (the distance times DetourFactor) for the
// ordered pairs of distinct stops that have none and are at most
// NeighbourDist apart, or at most StationDist apart with the same
// StationKey of their names or the same parent station (or one the
// other's parent). Such stops are platforms of one station, or the stops
// of several feeds serving it, that the streets do not join within the
// transfer limit: street extracts without footways, stations whose
// platforms lie across tracks. No footpath longer than maxDist is added
// (DefaultTransferDist when maxDist <= 0). names, parents (a stop index or
// -1), lats and lons describe the stops; f is not modified. Rows of the
// result are sorted by distance then stop, as StopTransfers leaves them.
// It also returns the number of footpaths added.
func AddStationTransfers(f graph.Footpaths, names []string, parents []graph.StopIdx, lats, lons []float64, maxDist float64) (graph.Footpaths, int, error) {
	n := len(names)
	if len(parents) != n || len(lats) != n || len(lons) != n || len(f.Start) != n+1 {
		return graph.Footpaths{}, 0, fmt.Errorf("street: station transfers: %d names, %d parents, %d latitudes, %d longitudes and footpaths of %d stops",
			n, len(parents), len(lats), len(lons), len(f.Start)-1)
	}
	if err := f.Validate(n); err != nil {
		return graph.Footpaths{}, 0, fmt.Errorf("street: station transfers: %w", err)
	}
	if maxDist <= 0 {
		maxDist = DefaultTransferDist
	}
	keys := make([]string, n)
	for i, s := range names {
		keys[i] = StationKey(s)
	}
	parent := func(i int32) int32 {
		if p := parents[i]; p >= 0 && int(p) < n {
			return int32(p)
		}
		return -1
	}
	sameStation := func(i, j int32) bool {
		if keys[i] != "" && keys[i] == keys[j] {
			return true
		}
		pi, pj := parent(i), parent(j)
		return (pi >= 0 && pi == pj) || pi == j || pj == i
	}
	radius := min(StationDist, maxDist/DetourFactor)
	pts := NewPointIndex(lats, lons)
	has := make([]int32, n) // has[j] == i+1: i → j already has a footpath
	var near []Neighbour
	var added []pair
	for i := range int32(n) {
		to, _ := f.From(i)
		for _, j := range to {
			has[j] = i + 1
		}
		near = pts.Within(lats[i], lons[i], radius, near[:0])
		for _, nb := range near {
			j := nb.Point
			if j == i || has[j] == i+1 || (nb.Dist > NeighbourDist && !sameStation(i, j)) {
				continue
			}
			added = append(added, pair{i, j, float32(nb.Dist * DetourFactor), stationPair})
		}
	}
	if len(added) == 0 {
		return f, 0, nil
	}
	out := graph.Footpaths{
		Start: make([]int32, n+1),
		To:    make([]graph.StopIdx, 0, len(f.To)+len(added)),
		Dist:  make([]float32, 0, len(f.To)+len(added)),
	}
	var row []pair
	k := 0 // next of added, which is grouped by origin
	for i := range int32(n) {
		row = row[:0]
		to, dist := f.From(i)
		for m := range to {
			row = append(row, pair{i, int32(to[m]), dist[m], streetPair})
		}
		for ; k < len(added) && added[k].from == i; k++ {
			row = append(row, added[k])
		}
		slices.SortFunc(row, func(a, b pair) int {
			if c := cmp.Compare(a.dist, b.dist); c != 0 {
				return c
			}
			return cmp.Compare(a.to, b.to)
		})
		for _, p := range row {
			out.To = append(out.To, graph.StopIdx(p.to))
			out.Dist = append(out.Dist, p.dist)
		}
		out.Start[i+1] = int32(len(out.To))
	}
	return out, len(added), nil
}
