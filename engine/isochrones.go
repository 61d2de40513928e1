package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/uber/h3-go/v4"

	"reach/engine/isochrone"
	"reach/graph"
)

// IsochroneAnswer is the /v1/isochrone document: a GeoJSON
// FeatureCollection (RFC 7946), one feature per band, or, with format h3,
// the H3 cell sets.
type IsochroneAnswer struct {
	Type       string       `json:"type"` // "FeatureCollection" or "H3CellSets"
	Features   []IsoFeature `json:"features,omitempty"`
	Resolution int          `json:"resolution,omitempty"`
	Bands      []IsoCells   `json:"bands,omitempty"`
}

// IsoFeature is one band as a GeoJSON feature.
type IsoFeature struct {
	Type       string             `json:"type"` // "Feature"
	Properties IsoProperties      `json:"properties"`
	Geometry   isochrone.Geometry `json:"geometry"`
}

// IsoProperties describe a band.
type IsoProperties struct {
	Band    string  `json:"band"` // "0-15", …
	FromMin int     `json:"from_minutes"`
	ToMin   int     `json:"to_minutes"`
	Cells   int     `json:"cells"`
	AreaKM2 float64 `json:"area_km2"` // rounded to 0.1 km²
	Rings   bool    `json:"rings"`    // disjoint ring (true) or cumulative area
}

// IsoCells is one band as H3 cells.
type IsoCells struct {
	Band  string   `json:"band"`
	Cells []string `json:"cells"` // H3 indexes, hexadecimal
}

// Isochrone runs the request and outlines the reachable cells per band.
func (e *Engine) Isochrone(ctx context.Context, req IsochroneRequest) (*IsochroneAnswer, error) {
	if err := e.checkRequest(req.Params, req.Date); err != nil {
		return nil, err
	}
	cut := req.Cutoffs
	if cut == nil {
		cut = defaultCutoffs(req.Params.MaxMinutes)
	}
	if err := checkCutoffs(cut, req.Params.MaxMinutes); err != nil {
		return nil, err
	}
	switch req.Format {
	case "", "geojson", "h3":
	default:
		return nil, fmt.Errorf("engine: isochrone format %q", req.Format)
	}
	if e.g.Cells.NumCells() == 0 {
		return nil, ErrNoCells
	}
	r, err := e.ReachCells(ctx, req.Params)
	if err != nil {
		return nil, err
	}
	sets := e.bandCells(r.Cells, cut, req.Rings)
	if req.Format == "h3" {
		a := &IsochroneAnswer{Type: "H3CellSets", Resolution: int(e.g.Cells.Resolution)}
		for i, set := range sets {
			b := IsoCells{Band: isoBandLabel(i, cut, req.Rings), Cells: make([]string, len(set))}
			for k, c := range set {
				b.Cells[k] = c.String()
			}
			a.Bands = append(a.Bands, b)
		}
		return a, nil
	}
	a := &IsochroneAnswer{Type: "FeatureCollection", Features: []IsoFeature{}}
	for i, set := range sets {
		e.boundaries.init(e.g.Cells.Cell)
		mp, err := isochrone.OutlineWith(set, &e.boundaries)
		if err != nil {
			return nil, fmt.Errorf("isochrone outline: %w", err)
		}
		lo := 0
		if req.Rings && i > 0 {
			lo = cut[i-1]
		}
		area := round1(mp.Area() / 1e6)
		for _, poly := range mp {
			for _, ring := range poly {
				for k := range ring {
					ring[k] = [2]float64{round6(ring[k][0]), round6(ring[k][1])}
				}
			}
		}
		a.Features = append(a.Features, IsoFeature{
			Type: "Feature",
			Properties: IsoProperties{Band: isoBandLabel(i, cut, req.Rings), FromMin: lo, ToMin: cut[i], Cells: len(set),
				AreaKM2: area, Rings: req.Rings},
			Geometry: mp.GeoJSONGeometry(),
		})
	}
	return a, nil
}

// isoBandLabel names band i of an isochrone by the travel times it covers:
// "0-30" for a cumulative band, "15-30" for a ring.
func isoBandLabel(i int, cut []int, rings bool) string {
	if rings {
		return graph.BandLabel(i, cut)
	}
	return fmt.Sprintf("0-%d", cut[i])
}

// bandCells groups the reached cells by band, cumulatively or as rings.
func (e *Engine) bandCells(times []CellTime, cut []int, rings bool) [][]h3.Cell {
	sets := make([][]h3.Cell, len(cut))
	for _, ct := range times {
		b := Band(ct.Seconds, cut)
		if b == len(cut) {
			continue
		}
		c := h3.Cell(e.g.Cells.Cell[ct.Cell])
		if rings {
			sets[b] = append(sets[b], c)
			continue
		}
		for k := b; k < len(cut); k++ {
			sets[k] = append(sets[k], c)
		}
	}
	return sets
}

// cellBoundaries holds the boundaries of the graph's H3 cells, computed
// once on the first isochrone: outlines ask for them again and again.
type cellBoundaries struct {
	once  sync.Once
	cells []uint64 // the graph's cells, sorted
	start []int32  // CSR over cells into pts
	pts   []h3.LatLng
}

func (b *cellBoundaries) init(cells []uint64) {
	b.once.Do(func() {
		b.cells = cells
		b.start = make([]int32, len(cells)+1)
		for i, c := range cells {
			b.pts = append(b.pts, h3.Cell(c).Boundary()...)
			b.start[i+1] = int32(len(b.pts))
		}
	})
}

// Boundary returns the boundary of c, from the table when c is a cell of
// the graph.
func (b *cellBoundaries) Boundary(c h3.Cell) []h3.LatLng {
	if i, ok := slices.BinarySearch(b.cells, uint64(c)); ok {
		return b.pts[b.start[i]:b.start[i+1]:b.start[i+1]]
	}
	return c.Boundary()
}
