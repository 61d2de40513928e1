package batch

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/uber/h3-go/v4"

	"reach/graph"
)

// Origin is one place a batch computes reachability from.
type Origin struct {
	ID       string  // the caller's identifier, a UAI, or the H3 index in hexadecimal
	Name     string  // what the origin is called ("" when unknown, as for cells)
	Commune  string  // the commune (town) it lies in ("" when unknown)
	Lat, Lon float64 // WGS84 degrees
	Cell     uint64  // H3 cell the origin stands for; 0 when it is a point
}

// MaxCells bounds the number of H3 cells one batch may take as origins.
const MaxCells = 2_000_000

// ReadOrigins reads origins from CSV with a header naming the columns id,
// lat and lon, and optionally name and commune (in any order, other columns
// ignored; a UTF-8 byte order mark and `;` separators are accepted). name
// is used in errors. Ids must be unique and coordinates within WGS84
// ranges.
func ReadOrigins(r io.Reader, name string) ([]Origin, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	first, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file, want a header id,lat,lon", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{"id": -1, "lat": -1, "lon": -1, "name": -1, "commune": -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, ok := col[h]; ok && col[h] < 0 {
			col[h] = i
		}
	}
	for _, c := range []string{"id", "lat", "lon"} {
		if col[c] < 0 {
			return nil, fmt.Errorf("%s:1: no %q column in header %q (want id,lat,lon)", name, c, strings.Join(header, ","))
		}
	}
	var out []Origin
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		field := func(c string) (string, error) {
			if col[c] >= len(rec) {
				return "", fmt.Errorf("%s:%d: %d fields, no %s", name, line, len(rec), c)
			}
			return strings.TrimSpace(rec[col[c]]), nil
		}
		id, err := field("id")
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty id", name, line)
		}
		if prev, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: id %q already on line %d", name, line, id, prev)
		}
		seen[id] = line
		var ll [2]float64
		for k, c := range []string{"lat", "lon"} {
			s, err := field(c)
			if err != nil {
				return nil, err
			}
			v, err := strconv.ParseFloat(s, 64)
			limit := 90.0
			if c == "lon" {
				limit = 180
			}
			if err != nil || math.IsNaN(v) || v < -limit || v > limit {
				return nil, fmt.Errorf("%s:%d: %s %q: want a number in -%v..%v", name, line, c, s, limit, limit)
			}
			ll[k] = v
		}
		o := Origin{ID: id, Lat: ll[0], Lon: ll[1]}
		if c := col["name"]; c >= 0 && c < len(rec) {
			o.Name = strings.TrimSpace(rec[c])
		}
		if c := col["commune"]; c >= 0 && c < len(rec) {
			o.Commune = strings.TrimSpace(rec[c])
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no origins after the header", name)
	}
	return out, nil
}

// BBox is a WGS84 bounding box, in the order of GeoJSON and of the --bbox
// flag: minimum longitude, minimum latitude, maximum longitude, maximum
// latitude.
type BBox [4]float64

// ParseBBox reads "minLon,minLat,maxLon,maxLat".
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, fmt.Errorf("bbox %q: want minLon,minLat,maxLon,maxLat", s)
	}
	var b BBox
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return BBox{}, fmt.Errorf("bbox %q: value %d %q is not a number", s, i+1, p)
		}
		b[i] = v
	}
	return b, b.Check()
}

// Check reports whether the box is well formed.
func (b BBox) Check() error {
	if !(b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90 && b[0] < b[2] && b[1] < b[3]) {
		return fmt.Errorf("bbox %v: want minLon < maxLon in -180..180 and minLat < maxLat in -90..90", [4]float64(b))
	}
	return nil
}

// CellOrigins returns one origin per H3 cell of resolution res, at the cell's
// centre, sorted by cell index. With a box, the cells are those whose centre
// lies in it; without one (nil), they are the graph's cells (the area its
// walking network covers) taken to resolution res: their parents when res is
// coarser, their children when it is finer.
func CellOrigins(g *graph.Graph, res int, box *BBox) ([]Origin, error) {
	if res < 0 || res > 15 {
		return nil, fmt.Errorf("H3 resolution %d: want 0..15", res)
	}
	var cells []h3.Cell
	if box != nil {
		if err := box.Check(); err != nil {
			return nil, err
		}
		b := *box
		// Refuse boxes with too many cells before asking h3 for them.
		w := graph.Haversine((b[1]+b[3])/2, b[0], (b[1]+b[3])/2, b[2])
		h := graph.Haversine(b[1], b[0], b[3], b[0])
		if n := w * h / h3.HexagonAreaAvgM2(res); n > MaxCells {
			return nil, fmt.Errorf("bbox %v at resolution %d holds about %.0f cells, more than %d", [4]float64(b), res, n, MaxCells)
		}
		loop := h3.GeoLoop{{Lat: b[1], Lng: b[0]}, {Lat: b[1], Lng: b[2]}, {Lat: b[3], Lng: b[2]}, {Lat: b[3], Lng: b[0]}}
		cells = h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, res)
	} else {
		gc := &g.Cells
		if gc.NumCells() == 0 {
			return nil, errors.New("the graph has no H3 cells (built without streets?): give a bbox")
		}
		gres := int(gc.Resolution)
		if res > gres && float64(gc.NumCells())*math.Pow(7, float64(res-gres)) > MaxCells {
			return nil, fmt.Errorf("resolution %d: the graph's %d cells of resolution %d have more than %d children", res, gc.NumCells(), gres, MaxCells)
		}
		seen := map[h3.Cell]bool{}
		for _, c := range gc.Cell {
			cell := h3.Cell(c)
			switch {
			case res == gres:
				cells = append(cells, cell)
			case res < gres:
				if p := cell.Parent(res); !seen[p] {
					seen[p] = true
					cells = append(cells, p)
				}
			default:
				cells = append(cells, cell.Children(res)...)
			}
		}
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("no H3 cell of resolution %d has its centre in the area", res)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i] < cells[j] })
	out := make([]Origin, len(cells))
	for i, c := range cells {
		ll := h3.CellToLatLng(c)
		out[i] = Origin{ID: c.String(), Lat: ll.Lat, Lon: ll.Lng, Cell: uint64(c)}
	}
	return out, nil
}

// SchoolOrigins returns the graph's schools of a kind as origins, by UAI:
// "college" (collèges, where most pupils choosing a vocational training
// study), "vocational" (schools with a vocational track), "offers" (schools
// with training offers) or "all".
func SchoolOrigins(g *graph.Graph, kind string) ([]Origin, error) {
	p := &g.Places
	var keep func(s graph.SchoolIdx) bool
	switch kind {
	case "college":
		keep = func(s graph.SchoolIdx) bool { return p.SchoolCollege[s] }
	case "vocational":
		keep = func(s graph.SchoolIdx) bool { return p.SchoolVocational[s] }
	case "offers":
		keep = func(s graph.SchoolIdx) bool { a, b := p.OffersOf(s); return b > a }
	case "all":
		keep = func(graph.SchoolIdx) bool { return true }
	default:
		return nil, fmt.Errorf("school kind %q: want college, vocational, offers or all", kind)
	}
	var out []Origin
	for _, s := range p.SchoolOrder { // by UAI, for a stable order
		if keep(s) {
			out = append(out, Origin{ID: p.SchoolID[s], Name: p.SchoolName[s], Commune: p.SchoolCommune[s],
				Lat: p.SchoolLat[s], Lon: p.SchoolLon[s]})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the graph has no school of kind %q", kind)
	}
	return out, nil
}
