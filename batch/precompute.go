package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/uber/h3-go/v4"

	"reach/engine"
	"reach/graph"
)

// PrecomputeOptions control the computation of the precomputed index.
type PrecomputeOptions struct {
	// Routing is the request run from every cell (its origin is ignored).
	// The index holds the schools with training offers, or every school
	// of the graph when Routing.Params.AllLocations is set (or when the
	// graph has no offer).
	Routing engine.Routing
	// Resolution of the index cells, 7 to 12 (0: the graph's).
	Resolution int
	// Shard of Shards: the cells k with k mod Shards = Shard.
	Shard, Shards int
	// Workers is the number of concurrent requests; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is told the cells done and their total.
	Progress func(done, total int)
}

// Precompute computes one shard of the precomputed index: the arrive-by
// request run from every H3 cell of the chosen resolution that the walking
// streets cross, starting from the street point of the cell nearest its
// centre (homes are on streets).
func Precompute(ctx context.Context, e *engine.Engine, opt PrecomputeOptions) (*graph.Index, error) {
	g := e.Graph()
	if opt.Shards < 1 || opt.Shard < 0 || opt.Shard >= opt.Shards {
		return nil, &engine.ParamError{Param: "shard", Detail: fmt.Sprintf("%d/%d: want 0 <= i < n", opt.Shard, opt.Shards)}
	}
	res := opt.Resolution
	if res == 0 {
		res = int(g.Cells.Resolution)
	}
	if res < 7 || res > 12 {
		return nil, &engine.ParamError{Param: "res", Detail: fmt.Sprintf("H3 resolution %d: want 7 to 12", res)}
	}
	if g.Streets.NumNodes() == 0 {
		return nil, errors.New("this graph has no streets: no cells to precompute")
	}
	rt := opt.Routing
	cut := rt.Cutoffs
	if cut == nil {
		cut = engine.DefaultCutoffs
	}
	if last := cut[len(cut)-1]; last > rt.Params.MaxMinutes {
		return nil, &engine.ParamError{Param: "cutoffs", Detail: fmt.Sprintf("last cut-off %d exceeds max_minutes %d", last, rt.Params.MaxMinutes)}
	}
	if err := e.CheckDate(rt.Date); err != nil {
		return nil, err
	}
	all := StreetCellOrigins(g, res)
	var mine []Origin
	for k, o := range all {
		if k%opt.Shards == opt.Shard {
			mine = append(mine, o)
		}
	}
	type entry struct {
		school         int32
		band, modality uint8
	}
	rows := make([][]entry, len(mine))
	done := 0
	mu := make(chan struct{}, 1) // serialises the progress count
	err := forEach(ctx, len(mine), opt.Workers, func(k int) error {
		q := rt.Params
		q.Lat, q.Lon = mine[k].Lat, mine[k].Lon
		r, err := e.Reach(ctx, q)
		if err != nil {
			return fmt.Errorf("cell %s: %w", mine[k].ID, err)
		}
		for i, s := range r.Reached {
			if t := r.Trips[i]; t.Found {
				if b := engine.Band(t.Duration, cut); b < len(cut) {
					rows[k] = append(rows[k], entry{int32(s), uint8(b), uint8(t.Modality)})
				}
			}
		}
		if opt.Progress != nil {
			mu <- struct{}{}
			done++
			opt.Progress(done, len(mine))
			<-mu
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p := rt.Params
	ix := &graph.Index{BuildID: g.Meta.BuildID, Date: g.Meta.Date, ArriveBy: p.ArriveBy, MaxMinutes: p.MaxMinutes,
		Modes: p.Modes.String(), AllLocations: rt.Params.AllLocations, Cutoffs: cut, Resolution: res, Shard: opt.Shard, Shards: opt.Shards,
		UAI: g.Places.SchoolID, Cell: make([]uint64, len(mine)), Start: make([]int32, len(mine)+1)}
	for k, row := range rows {
		ix.Cell[k] = mine[k].Cell
		for _, x := range row {
			ix.School = append(ix.School, x.school)
			ix.Band = append(ix.Band, x.band)
			ix.Modality = append(ix.Modality, x.modality)
		}
		ix.Start[k+1] = int32(len(ix.School))
	}
	return ix, nil
}

// StreetCellOrigins returns one origin per H3 cell of resolution res that
// the walking streets cross (sampled at nodes and every third of a cell
// edge along segments), sorted by cell: the street point of the cell
// nearest its centre, where a home of the cell most likely stands.
func StreetCellOrigins(g *graph.Graph, res int) []Origin {
	s := &g.Streets
	edge := h3.HexagonEdgeLengthAvgM(res)
	type best struct{ lat, lon, d float64 }
	found := map[uint64]*best{}
	consider := func(lat, lon float64) {
		c := h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, res)
		ctr := h3.CellToLatLng(c)
		d := graph.Haversine(lat, lon, ctr.Lat, ctr.Lng)
		if b, ok := found[uint64(c)]; !ok || d < b.d {
			found[uint64(c)] = &best{lat, lon, d}
		}
	}
	for n := range s.NodeLat {
		consider(s.NodeLat[n], s.NodeLon[n])
	}
	for seg := 0; seg < s.NumSegments(); seg++ {
		if s.SegFlags[seg]&graph.StreetWalk == 0 {
			continue
		}
		length := float64(s.SegLength[seg])
		steps := int(length / (edge / 3))
		for k := 1; k <= steps; k++ {
			lat, lon := s.PointAlong(graph.SegIdx(seg), length*float64(k)/float64(steps+1))
			consider(lat, lon)
		}
	}
	cells := make([]uint64, 0, len(found))
	for c := range found {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	out := make([]Origin, len(cells))
	for k, c := range cells {
		out[k] = Origin{ID: h3.Cell(c).String(), Lat: found[c].lat, Lon: found[c].lon, Cell: c}
	}
	return out
}
