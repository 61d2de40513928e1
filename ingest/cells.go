package ingest

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/uber/h3-go/v4"

	"reach/graph"
	"reach/street"
)

// DefaultH3Resolution is the resolution of the reachability cells.
const DefaultH3Resolution = 9

// cellSample is a point of a street segment and its cell.
type cellSample struct {
	offset float32 // metres from SegFrom
	cell   uint64
}

// buildCells computes the stop → cell egress table: for every stop, the H3
// cells whose streets are within limit metres on foot, with the shortest
// distance to a point of the cell's streets. Streets are sampled at node
// positions and every sampleStep metres along segments. A stop off the
// streets reaches, by straight line × DetourFactor, the cells of the street
// samples around it, and its own cell.
func buildCells(g *graph.Graph, res int, limit float64) error {
	if res < 8 || res > 10 {
		return fmt.Errorf("H3 resolution %d: want 8, 9 or 10", res)
	}
	s := &g.Streets
	tt := &g.Timetable
	// Half a cell edge between samples, so that no cell a street crosses
	// is missed: res 8 ≈ 530 m, 9 ≈ 200 m, 10 ≈ 75 m edges.
	step := map[int]float64{8: 200, 9: 75, 10: 30}[res]
	cellOf := func(lat, lon float64) uint64 {
		return uint64(h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, res))
	}

	// Samples per segment, and every cell seen.
	segStart := make([]int32, s.NumSegments()+1)
	var samples []cellSample
	set := map[uint64]struct{}{}
	for gi := 0; gi < s.NumSegments(); gi++ {
		length := float64(s.SegLength[gi])
		n := int(math.Ceil(length / step))
		for k := 0; k <= n; k++ {
			off := length * float64(k) / float64(max(n, 1))
			lat, lon := s.PointAlong(graph.SegIdx(gi), off)
			c := cellOf(lat, lon)
			samples = append(samples, cellSample{offset: float32(off), cell: c})
			set[c] = struct{}{}
		}
		segStart[gi+1] = int32(len(samples))
	}
	for i := range tt.StopLat {
		set[cellOf(tt.StopLat[i], tt.StopLon[i])] = struct{}{}
	}
	cells := make([]uint64, 0, len(set))
	for c := range set {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	index := func(c uint64) int32 {
		i, _ := slices.BinarySearch(cells, c)
		return int32(i)
	}
	nodeCell := make([]int32, s.NumNodes())
	for n := range nodeCell {
		nodeCell[n] = index(cellOf(s.NodeLat[n], s.NodeLon[n]))
	}
	sampleCell := make([]int32, len(samples))
	for i, sm := range samples {
		sampleCell[i] = index(sm.cell)
	}
	// Straight-line fallback uses the sample points as places.
	var pts *street.PointIndex
	var ptLat, ptLon []float64
	var ptCell []int32
	if g.StopLinks.Len() > 0 {
		for gi := 0; gi < s.NumSegments(); gi++ {
			for k := segStart[gi]; k < segStart[gi+1]; k++ {
				lat, lon := s.PointAlong(graph.SegIdx(gi), float64(samples[k].offset))
				ptLat, ptLon, ptCell = append(ptLat, lat), append(ptLon, lon), append(ptCell, sampleCell[k])
			}
		}
		pts = street.NewPointIndex(ptLat, ptLon)
	}

	// Per stop: a street search, then the best distance per cell.
	ns := tt.NumStops()
	rows := make([][]cellDist, ns)
	workers := max(1, runtime.GOMAXPROCS(0))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var q *street.Searcher
			if s.NumNodes() > 0 {
				q = street.NewSearcher(s)
			}
			best := map[int32]float32{}
			var near []street.Neighbour
			for {
				i := int32(next.Add(1) - 1)
				if int(i) >= ns {
					return
				}
				clear(best)
				add := func(c int32, d float64) {
					if d > limit {
						return
					}
					if old, ok := best[c]; !ok || float32(d) < old {
						best[c] = float32(d)
					}
				}
				add(index(cellOf(tt.StopLat[i], tt.StopLon[i])), 0)
				if seg := g.StopLinks.Seg[i]; seg >= 0 {
					q.Reset()
					q.AddLink(seg, float64(g.StopLinks.Offset[i]), float64(g.StopLinks.Dist[i]))
					q.Run(limit)
					for _, n := range q.Reached() {
						dn := q.Dist(n)
						add(nodeCell[n], dn)
						a, b := s.EdgesFrom(n)
						for e := a; e < b; e++ {
							gi := s.EdgeSeg[e]
							if s.SegFlags[gi]&graph.StreetWalk == 0 {
								continue
							}
							from, to := s.SegFrom[gi], s.SegTo[gi]
							df, dt := q.Dist(from), q.Dist(to)
							length := float64(s.SegLength[gi])
							for k := segStart[gi]; k < segStart[gi+1]; k++ {
								off := float64(samples[k].offset)
								add(sampleCell[k], math.Min(df+off, dt+length-off))
							}
						}
					}
				} else if pts != nil {
					near = pts.Within(tt.StopLat[i], tt.StopLon[i], limit/street.DetourFactor, near[:0])
					for _, nb := range near {
						add(ptCell[nb.Point], nb.Dist*street.DetourFactor)
					}
				}
				row := make([]cellDist, 0, len(best))
				for c, d := range best {
					row = append(row, cellDist{c, d})
				}
				slices.SortFunc(row, func(a, b cellDist) int {
					if a.dist != b.dist {
						if a.dist < b.dist {
							return -1
						}
						return 1
					}
					return int(a.cell - b.cell)
				})
				rows[i] = row
			}
		}()
	}
	wg.Wait()
	c := graph.Cells{Resolution: int32(res), Cell: cells, StopCellStart: make([]int32, ns+1), NodeCell: nodeCell}
	for i, row := range rows {
		for _, x := range row {
			c.StopCell = append(c.StopCell, x.cell)
			c.StopCellDist = append(c.StopCellDist, x.dist)
		}
		c.StopCellStart[i+1] = int32(len(c.StopCell))
	}
	g.Cells = c
	return nil
}

type cellDist struct {
	cell int32
	dist float32
}
