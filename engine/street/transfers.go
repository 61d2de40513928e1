package street

import (
	"cmp"
	"fmt"
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
}

// String summarises the report.
func (r TransferReport) String() string {
	return fmt.Sprintf("%d stops (%d linked, %d straight-line): %d street transfers, %d straight-line transfers",
		r.Stops, r.Linked, r.Fallback, r.StreetPairs, r.StraightPairs)
}

// StopTransfers builds the walking transfers between all ordered pairs of
// distinct stops at most maxDist metres apart (DefaultTransferDist when
// maxDist <= 0). links are the stops' links to s and lats/lons their
// coordinates. Two linked stops are joined along the streets (connectors
// included), never by a straight line: a river or railway between them is
// respected. A stop without a link is joined to (and from) every stop whose
// straight-line distance times DetourFactor is within maxDist, with that
// distance. The searches run on GOMAXPROCS goroutines.
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
						out = append(out, pair{i, h.Point, float32(h.Dist)})
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
	rep.StreetPairs = len(all)

	// Straight-line transfers for the stops without a link.
	pts := NewPointIndex(lats, lons)
	var near []Neighbour
	for i := int32(0); int(i) < n; i++ {
		if links.Seg[i] >= 0 {
			rep.Linked++
			continue
		}
		rep.Fallback++
		near = pts.Within(lats[i], lons[i], maxDist/DetourFactor, near[:0])
		for _, nb := range near {
			j := nb.Point
			if j == i {
				continue
			}
			d := float32(nb.Dist * DetourFactor)
			all = append(all, pair{i, j, d})
			rep.StraightPairs++
			if links.Seg[j] >= 0 { // an unlinked j adds j→i itself
				all = append(all, pair{j, i, d})
				rep.StraightPairs++
			}
		}
	}

	// CSR over the origin, each row sorted by distance then destination.
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
		To:    make([]int32, len(all)),
		Dist:  make([]float32, len(all)),
	}
	for k, p := range all {
		f.Start[p.from+1]++
		f.To[k], f.Dist[k] = p.to, p.dist
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
}
