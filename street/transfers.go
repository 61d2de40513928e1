package street

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"reach/graph"
)

// DefaultTransferDist is the default longest walking transfer between two
// stops, in metres.
const DefaultTransferDist = 1000.0

// DetourFactor multiplies straight-line distances where no street path is
// known (points not linked to the network), as an estimate of the walking
// distance: streets rarely run straight, and 1.3 is the usual urban ratio
// of network to crow-fly distance.
const DetourFactor = 1.3

// TransferReport counts the transfers built.
type TransferReport struct {
	Stops         int
	Linked        int // stops linked to the streets
	Fallback      int // stops reached by straight line only
	StreetPairs   int // ordered stop pairs joined along the streets
	StraightPairs int // ordered stop pairs joined by a straight line × DetourFactor
	ShortcutPairs int // linked stop pairs joined by a straight line × DetourFactor, see StopTransfers
}

// String summarises the report.
func (r TransferReport) String() string {
	return fmt.Sprintf("%d stops (%d linked, %d straight-line): %d street transfers, %d straight-line transfers, %d shortcuts",
		r.Stops, r.Linked, r.Fallback, r.StreetPairs, r.StraightPairs, r.ShortcutPairs)
}

// StopTransfers builds the walking transfers between all ordered pairs of
// distinct stops at most maxDist metres apart (DefaultTransferDist when
// maxDist <= 0). links are the stops' links to s and lats/lons their
// coordinates. Two linked stops are joined along the streets (connectors
// included), so that a river or railway between them is respected — unless
// one of them is nearer to the other (straight line) than to its own
// street: it walks its connector straight across country, and may as well
// walk straight to that stop ("shortcut", at the straight-line distance
// times DetourFactor, when shorter than the street path). This matters for
// stops beyond the edge of the street extract, linked by long connectors
// to its outermost street. A stop without a link is joined to (and from)
// every stop whose straight-line distance times DetourFactor is within
// maxDist, with that distance. Each ordered pair gets its shortest
// footpath. The searches run on GOMAXPROCS goroutines.
func StopTransfers(s *graph.Streets, links *graph.Links, lats, lons []float64, maxDist float64) (graph.Footpaths, TransferReport, error) {
	n := links.Len()
	if len(lats) != n || len(lons) != n {
		return graph.Footpaths{}, TransferReport{}, fmt.Errorf("street: stop transfers: %d links for %d latitudes and %d longitudes", n, len(lats), len(lons))
	}
	if err := links.Validate(s); err != nil {
		return graph.Footpaths{}, TransferReport{}, fmt.Errorf("street: stop transfers: %w", err)
	}
	if maxDist <= 0 {
		maxDist = DefaultTransferDist
	}
	rep := TransferReport{Stops: n}
	targets := NewTargets(s, links)

	// Street transfers, one search per linked stop, shared out among workers.
	workers := max(1, min(runtime.GOMAXPROCS(0), n/64+1))
	parts := make([][]pair, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := NewSearcher(s)
			var out []pair
			for {
				i := int32(next.Add(1) - 1)
				if int(i) >= n {
					break
				}
				g := links.Seg[i]
				if g < 0 {
					continue
				}
				q.Reset()
				q.AddLink(g, float64(links.Offset[i]), float64(links.Dist[i]))
				q.Run(maxDist)
				for _, h := range q.ReachTargets(targets, maxDist) {
					if h.Point != i {
						out = append(out, pair{i, h.Point, float32(h.Dist), streetPair})
					}
				}
			}
			parts[w] = out
		}()
	}
	wg.Wait()
	var all []pair
	for _, p := range parts {
		all = append(all, p...)
	}

	pts := NewPointIndex(lats, lons)
	var near []Neighbour
	for i := int32(0); int(i) < n; i++ {
		if links.Seg[i] < 0 {
			// Straight-line transfers for a stop without a link.
			rep.Fallback++
			near = pts.Within(lats[i], lons[i], maxDist/DetourFactor, near[:0])
			for _, nb := range near {
				j := nb.Point
				if j == i {
					continue
				}
				d := float32(nb.Dist * DetourFactor)
				all = append(all, pair{i, j, d, straightPair})
				if links.Seg[j] >= 0 { // an unlinked j adds j→i itself
					all = append(all, pair{j, i, d, straightPair})
				}
			}
			continue
		}
		// Shortcuts: a linked stop nearer (straight line) to another
		// linked stop than to its street may walk to it directly, as it
		// walks its connector.
		rep.Linked++
		r := math.Min(float64(links.Dist[i]), maxDist/DetourFactor)
		if r <= 0 {
			continue
		}
		near = pts.Within(lats[i], lons[i], r, near[:0])
		for _, nb := range near {
			if j := nb.Point; j != i && links.Seg[j] >= 0 {
				d := float32(nb.Dist * DetourFactor)
				all = append(all, pair{i, j, d, shortcutPair}, pair{j, i, d, shortcutPair})
			}
		}
	}

	// One footpath per ordered pair, the shortest; then CSR over the
	// origin, each row sorted by distance then destination.
	slices.SortFunc(all, func(a, b pair) int {
		if c := cmp.Compare(a.from, b.from); c != 0 {
			return c
		}
		if c := cmp.Compare(a.to, b.to); c != 0 {
			return c
		}
		return cmp.Compare(a.dist, b.dist)
	})
	all = slices.CompactFunc(all, func(a, b pair) bool { return a.from == b.from && a.to == b.to })
	for _, p := range all {
		switch p.kind {
		case streetPair:
			rep.StreetPairs++
		case straightPair:
			rep.StraightPairs++
		case shortcutPair:
			rep.ShortcutPairs++
		}
	}
	slices.SortFunc(all, func(a, b pair) int {
		if c := cmp.Compare(a.from, b.from); c != 0 {
			return c
		}
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(a.to, b.to)
	})
	f := graph.Footpaths{
		Start: make([]int32, n+1),
		To:    make([]graph.StopIdx, len(all)),
		Dist:  make([]float32, len(all)),
	}
	for k, p := range all {
		f.Start[p.from+1]++
		f.To[k], f.Dist[k] = graph.StopIdx(p.to), p.dist
	}
	for i := range n {
		f.Start[i+1] += f.Start[i]
	}
	return f, rep, nil
}

// pair is one footpath before the CSR layout.
type pair struct {
	from, to int32
	dist     float32
	kind     uint8
}

// Kinds of footpaths.
const (
	streetPair   uint8 = iota // along the streets
	straightPair              // straight line, from or to a stop without a link
	shortcutPair              // straight line between linked stops nearer than their street
	stationPair               // straight line between stops of one station, see AddStationTransfers
)
