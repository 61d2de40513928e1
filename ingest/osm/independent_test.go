package osm_test

import (
	"container/heap"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"

	"reach/graph"
	ingest "reach/ingest/osm"
	"reach/internal/realdata"
	"reach/street"
)

// This file checks the network against a deliberately naive rebuild: the
// raw ways are read again, filtered by the walking rule written out anew,
// every consecutive node pair becomes an edge of an adjacency map, and a
// textbook Dijkstra runs over it. Node-to-node distances must agree with
// the CSR network searched by street.Searcher.

// naiveWalkable is the walking rule, restated plainly.
func naiveWalkable(tags osm.Tags) bool {
	hw := tags.Find("highway")
	foot := tags.Find("foot")
	access := tags.Find("access")
	footYes := foot == "yes" || foot == "designated" || foot == "permissive" || foot == "official" ||
		foot == "destination" || foot == "customers"
	footNo := foot == "no" || foot == "private" || foot == "use_sidepath" || foot == "dismount"
	if hw == "" {
		if tags.Find("railway") != "platform" && tags.Find("public_transport") != "platform" {
			return false
		}
		hw = "platform"
	}
	switch hw {
	case "motorway", "motorway_link", "trunk", "trunk_link":
		return footYes
	case "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
		"unclassified", "residential", "living_street", "service", "track", "road", "cycleway",
		"path", "bridleway", "footway", "pedestrian", "steps", "corridor", "platform", "elevator":
	default:
		return false
	}
	if footYes {
		return true
	}
	if footNo || access == "no" || access == "private" {
		return false
	}
	return true
}

// naiveHaversine is the great-circle distance, written again.
func naiveHaversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	dφ, dλ := φ2-φ1, (lon2-lon1)*math.Pi/180
	h := math.Pow(math.Sin(dφ/2), 2) + math.Cos(φ1)*math.Cos(φ2)*math.Pow(math.Sin(dλ/2), 2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

type naiveEdge struct {
	to int64
	d  float64
}

// naiveGraph reads the file into an adjacency map of walkable node pairs.
func naiveGraph(t *testing.T, path string) map[int64][]naiveEdge {
	t.Helper()
	return naiveDirected(t, path, func(tags osm.Tags) (bool, bool) {
		w := naiveWalkable(tags)
		return w, w
	})
}

// naiveDirected reads the file (.osm.pbf or .osm) into an adjacency map of
// directed node pairs: along each way, a → b when rule says the way may be
// travelled forward, b → a when backward.
func naiveDirected(t *testing.T, path string, rule func(osm.Tags) (fwd, back bool)) map[int64][]naiveEdge {
	t.Helper()
	coords := map[int64][2]float64{}
	type way struct {
		ids       []int64
		fwd, back bool
	}
	var ways []way
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sc osm.Scanner
	if strings.HasSuffix(path, ".pbf") {
		sc = osmpbf.New(context.Background(), f, 1)
	} else {
		sc = osmxml.New(context.Background(), f)
	}
	defer sc.Close()
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			coords[int64(o.ID)] = [2]float64{o.Lat, o.Lon}
		case *osm.Way:
			if fwd, back := rule(o.Tags); fwd || back {
				var ids []int64
				for _, n := range o.Nodes {
					ids = append(ids, int64(n.ID))
				}
				ways = append(ways, way{ids, fwd, back})
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	adj := map[int64][]naiveEdge{}
	for _, w := range ways {
		for i := 1; i < len(w.ids); i++ {
			a, okA := coords[w.ids[i-1]]
			b, okB := coords[w.ids[i]]
			if !okA || !okB || w.ids[i-1] == w.ids[i] {
				continue
			}
			d := naiveHaversine(a[0], a[1], b[0], b[1])
			if w.fwd {
				adj[w.ids[i-1]] = append(adj[w.ids[i-1]], naiveEdge{w.ids[i], d})
			}
			if w.back {
				adj[w.ids[i]] = append(adj[w.ids[i]], naiveEdge{w.ids[i-1], d})
			}
		}
	}
	return adj
}

type naiveItem struct {
	n int64
	d float64
}
type naiveHeap []naiveItem

func (h naiveHeap) Len() int           { return len(h) }
func (h naiveHeap) Less(i, j int) bool { return h[i].d < h[j].d }
func (h naiveHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *naiveHeap) Push(x any)        { *h = append(*h, x.(naiveItem)) }
func (h *naiveHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// naiveDijkstra returns the distances from src to every reachable node.
func naiveDijkstra(adj map[int64][]naiveEdge, src int64) map[int64]float64 {
	dist := map[int64]float64{src: 0}
	done := map[int64]bool{}
	h := &naiveHeap{{src, 0}}
	for h.Len() > 0 {
		it := heap.Pop(h).(naiveItem)
		if done[it.n] {
			continue
		}
		done[it.n] = true
		for _, e := range adj[it.n] {
			nd := it.d + e.d
			if old, ok := dist[e.to]; !ok || nd < old {
				dist[e.to] = nd
				heap.Push(h, naiveItem{e.to, nd})
			}
		}
	}
	return dist
}

func TestDistancesMatchNaiveGraph(t *testing.T) {
	for _, c := range []struct{ dir, file string }{
		{"rennes", "streets.osm.pbf"},
		{"nantes", "centre.osm.pbf"},
		{"rnv", "rnv.osm.pbf"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			path := realdata.Path(t, c.dir, c.file)
			s, _, err := ingest.Read(path, ingest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			adj := naiveGraph(t, path)
			q := street.NewSearcher(s)
			rng := rand.New(rand.NewPCG(7, 11))
			// Per source: random targets (reachability must agree too) and
			// targets drawn from the nodes the CSR search reached (so that
			// enough pairs are connected where the network is fragmented).
			const sources, targets, reachedTargets = 20, 12, 6
			pairs, finite, worst := 0, 0, 0.0
			for range sources {
				// A source on the walking network (nodes on cycle-only
				// ways are there for cycling alone).
				src := graph.NodeIdx(rng.IntN(s.NumNodes()))
				for !hasEdge(s, src, graph.StreetWalk) {
					src = graph.NodeIdx(rng.IntN(s.NumNodes()))
				}
				want := naiveDijkstra(adj, s.NodeOSM[src])
				q.Reset()
				q.AddNode(src, 0)
				q.Run(math.Inf(1))
				reached := q.Reached()
				for k := range targets + reachedTargets {
					dst := graph.NodeIdx(rng.IntN(s.NumNodes()))
					if k >= targets {
						dst = reached[rng.IntN(len(reached))]
					}
					got := q.Dist(dst)
					w, ok := want[s.NodeOSM[dst]]
					if !ok {
						w = math.Inf(1)
					}
					pairs++
					if math.IsInf(w, 1) && math.IsInf(got, 1) {
						continue
					}
					finite++
					worst = math.Max(worst, math.Abs(got-w))
					if math.Abs(got-w) > math.Max(0.1, 1e-6*w) {
						t.Errorf("OSM nodes %d → %d: CSR %.3f m, naive %.3f m", s.NodeOSM[src], s.NodeOSM[dst], got, w)
					}
				}
			}
			t.Logf("%d pairs compared, %d connected, largest difference %.2g m", pairs, finite, worst)
			if finite < 200 {
				t.Errorf("only %d of %d pairs connected: the comparison is too weak", finite, pairs)
			}
		})
	}
}

// hasEdge reports whether an edge leaving node n has the flag.
func hasEdge(s *graph.Streets, n graph.NodeIdx, flag uint8) bool {
	for e := s.EdgeStart[n]; e < s.EdgeStart[n+1]; e++ {
		if s.EdgeFlags[e]&flag != 0 {
			return true
		}
	}
	return false
}
