package batch

import (
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"
)

func TestReadOrigins(t *testing.T) {
	// BOM, semicolons, columns in another order, extra column, blank line,
	// the optional name and commune (this one missing on the last line).
	in := "\ufeffname;lon;ID;lat;note;Commune\nA;-1.68;a1;48.11;x;Rennes\n\nB;2.5;b2;-3.25\n"
	got, err := ReadOrigins(strings.NewReader(in), "o.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Origin{{ID: "a1", Name: "A", Commune: "Rennes", Lat: 48.11, Lon: -1.68}, {ID: "b2", Name: "B", Lat: -3.25, Lon: 2.5}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, c := range []struct{ in, err string }{
		{"", "empty file"},
		{"id,lat\n1,2\n", `no "lon" column`},
		{"id,lat,lon\n", "no origins"},
		{"id,lat,lon\na,48,-1\nb,91,2\n", "o.csv:3: lat \"91\""},
		{"id,lat,lon\na,48,x\n", "o.csv:2: lon \"x\""},
		{"id,lat,lon\na,48,1\na,47,1\n", `o.csv:3: id "a" already on line 2`},
		{"id,lat,lon\n,48,1\n", "o.csv:2: empty id"},
		{"lat,lon,id\n48,1\n", "o.csv:2: 2 fields, no id"},
		{"id,lat,lon\na,NaN,1\n", "lat \"NaN\""},
	} {
		_, err := ReadOrigins(strings.NewReader(c.in), "o.csv")
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.err)
		}
	}
}

func TestParseBBox(t *testing.T) {
	b, err := ParseBBox("-1.75, 48.07,-1.6,48.16")
	if err != nil || b != (BBox{-1.75, 48.07, -1.6, 48.16}) {
		t.Errorf("got %v, %v", b, err)
	}
	for _, s := range []string{"1,2,3", "a,1,2,3", "2,1,1,3", "1,3,2,1", "-181,0,0,1", "0,-91,1,0"} {
		if _, err := ParseBBox(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func TestCellOrigins(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	gres := int(g.Cells.Resolution)

	same, err := CellOrigins(g, gres, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(same) != g.Cells.NumCells() {
		t.Fatalf("%d origins at the graph's resolution, want its %d cells", len(same), g.Cells.NumCells())
	}
	for i, o := range same {
		if o.Cell != g.Cells.Cell[i] || o.ID != h3.Cell(o.Cell).String() {
			t.Fatalf("origin %d: %+v, want cell %x", i, o, g.Cells.Cell[i])
		}
		if h3.LatLngToCell(h3.NewLatLng(o.Lat, o.Lon), gres) != h3.Cell(o.Cell) {
			t.Fatalf("origin %s is not at its cell's centre", o.ID)
		}
	}
	parents := map[h3.Cell]bool{}
	for _, c := range g.Cells.Cell {
		parents[h3.Cell(c).Parent(gres-1)] = true
	}
	coarse, err := CellOrigins(g, gres-1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(coarse) != len(parents) {
		t.Errorf("%d origins at resolution %d, want %d parents", len(coarse), gres-1, len(parents))
	}
	fine, err := CellOrigins(g, gres+1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fine) != 7*len(same) {
		t.Errorf("%d origins at resolution %d, want 7 × %d children", len(fine), gres+1, len(same))
	}

	box := BBox{1.98, 46.99, 2.02, 47.01}
	in, err := CellOrigins(g, 9, &box)
	if err != nil {
		t.Fatal(err)
	}
	// About 3 × 2.2 km of 0.105 km² cells.
	if len(in) < 40 || len(in) > 90 {
		t.Errorf("%d cells of resolution 9 in %v, want about 63", len(in), box)
	}
	for i, o := range in {
		if o.Lon < box[0] || o.Lon > box[2] || o.Lat < box[1] || o.Lat > box[3] {
			t.Errorf("cell %s centre %v,%v outside the box", o.ID, o.Lat, o.Lon)
		}
		if i > 0 && in[i-1].Cell >= o.Cell {
			t.Fatal("cells not sorted")
		}
	}

	for _, c := range []struct {
		res int
		box *BBox
		err string
	}{
		{16, nil, "want 0..15"},
		{15, &BBox{-5, 41, 10, 51}, "more than"},
		{gres + 5, nil, "children"},
		{9, &BBox{1, 2, 0, 3}, "bbox"},
	} {
		if _, err := CellOrigins(g, c.res, c.box); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("resolution %d box %v: error %v, want one containing %q", c.res, c.box, err, c.err)
		}
	}
}

func TestSchoolOrigins(t *testing.T) {
	g := synthEngine(t).Graph()
	p := &g.Places
	colleges, err := SchoolOrigins(g, "college")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s := range p.SchoolID {
		if p.SchoolCollege[s] {
			n++
		}
	}
	if len(colleges) != n || n == 0 {
		t.Errorf("%d collège origins, the graph has %d", len(colleges), n)
	}
	for i, o := range colleges {
		s, ok := p.SchoolByUAI(o.ID)
		if !ok || !p.SchoolCollege[s] || p.SchoolLat[s] != o.Lat || p.SchoolLon[s] != o.Lon ||
			o.Name != p.SchoolName[s] || o.Commune != p.SchoolCommune[s] || o.Name == "" {
			t.Errorf("origin %+v is not a collège of the graph", o)
		}
		if i > 0 && colleges[i-1].ID >= o.ID {
			t.Error("origins not sorted by UAI")
		}
	}
	all, err := SchoolOrigins(g, "all")
	if err != nil || len(all) != p.NumSchools() {
		t.Errorf("all: %d origins, %v; want %d", len(all), err, p.NumSchools())
	}
	if _, err := SchoolOrigins(g, "lycee"); err == nil {
		t.Error("kind lycee: no error")
	}
}
