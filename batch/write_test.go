package batch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"

	"reach/engine"
)

// readParquet returns the column names and the rows of a Parquet file as
// CSV would print them (null as "").
func readParquet(t *testing.T, data []byte) ([]string, [][]string) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range f.Schema().Columns() {
		names = append(names, c[0])
	}
	var out [][]string
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 64)
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				rec := make([]string, len(row))
				for _, v := range row {
					var s string
					switch {
					case v.IsNull():
					case v.Kind() == parquet.ByteArray:
						s = string(v.ByteArray())
					case v.Kind() == parquet.Double:
						s = formatFloat(v.Double())
					case v.Kind() == parquet.Int32:
						s = strconv.Itoa(int(v.Int32()))
					default:
						t.Fatalf("unexpected value kind %v", v.Kind())
					}
					rec[v.Column()] = s
				}
				out = append(out, rec)
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return names, out
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestParquetMatchesCSV reads the Parquet files back and finds the CSV's
// columns, in order, and values.
func TestParquetMatchesCSV(t *testing.T) {
	e := synthEngine(t)
	origins, err := CellOrigins(e.Graph(), 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0), Matrix: true})
	if err != nil {
		t.Fatal(err)
	}
	out := outputs(t, res)
	for _, name := range []string{"table", "matrix"} {
		rows := readCSV(t, out[name+".csv"])
		names, prows := readParquet(t, out[name+".parquet"])
		if len(rows) < 2 {
			t.Fatalf("%s: empty CSV", name)
		}
		if !equalStrings(names, rows[0]) {
			t.Errorf("%s: parquet columns %q, CSV header %q", name, names, rows[0])
		}
		if len(prows) != len(rows)-1 {
			t.Fatalf("%s: %d parquet rows, %d CSV rows", name, len(prows), len(rows)-1)
		}
		for i, r := range prows {
			if !equalStrings(r, rows[i+1]) {
				t.Fatalf("%s row %d: parquet %q, CSV %q", name, i+1, r, rows[i+1])
			}
		}
	}
	if names := res.Columns(); !equalStrings(names, readCSV(t, out["table.csv"])[0]) {
		t.Errorf("Columns() %q differs from the CSV header", names)
	}
	// The footer carries the build id and the request.
	for name, rows := range map[string]int{"table": len(origins), "matrix": len(res.Matrix.School)} {
		data := out[name+".parquet"]
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		g := e.Graph()
		for key, want := range map[string]string{
			"reach.tool": "reach batch", "reach.graph.date": g.Meta.Date, "reach.graph.build_id": g.Meta.BuildID,
			"reach.request.arrive_by": "08:30:00", "reach.request.max_walk": "1250", "reach.request.cutoffs": "[15,30,45,60,90]",
			"reach.request.modes": "walk,transit,school", "reach.rows": strconv.Itoa(rows),
			"reach.graph.straight_lines.stops_total": strconv.Itoa(g.Timetable.NumStops()),
		} {
			if got, ok := f.Lookup(key); !ok || got != want {
				t.Errorf("%s.parquet: metadata %s = %q (%v), want %q", name, key, got, ok, want)
			}
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGeoJSON decodes the GeoJSON and checks its features against the
// result.
func TestGeoJSON(t *testing.T) {
	e := synthEngine(t)
	g := e.Graph()
	cells, err := CellOrigins(g, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	schools, err := SchoolOrigins(g, "college")
	if err != nil {
		t.Fatal(err)
	}
	origins := append(cells, schools...)
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteGeoJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Type     string
		Features []struct {
			Type       string
			Properties map[string]any
			Geometry   struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Type != "FeatureCollection" || len(doc.Features) != len(origins) {
		t.Fatalf("type %q, %d features; want FeatureCollection, %d", doc.Type, len(doc.Features), len(origins))
	}
	within, err := res.OffersWithin(45)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range doc.Features {
		if f.Properties["id"] != origins[i].ID {
			t.Fatalf("feature %d is %v, want %s", i, f.Properties["id"], origins[i].ID)
		}
		if got := f.Properties["offers_within_45"].(float64); int32(got) != within[i] {
			t.Errorf("feature %s: offers_within_45 %v, want %d", origins[i].ID, got, within[i])
		}
		if origins[i].Cell != 0 {
			var rings [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
				t.Fatal(err)
			}
			if f.Geometry.Type != "Polygon" || len(rings) != 1 || len(rings[0]) != 7 || rings[0][0] != rings[0][6] {
				t.Errorf("cell %s: geometry %s %v, want a closed hexagon", origins[i].ID, f.Geometry.Type, rings)
			}
			if ringArea(rings[0]) <= 0 {
				t.Errorf("cell %s: ring not counter-clockwise", origins[i].ID)
			}
		} else if f.Geometry.Type != "Point" {
			t.Errorf("school %s: geometry %s, want Point", origins[i].ID, f.Geometry.Type)
		}
	}
}

// ringArea is the signed area of a lon/lat ring (positive counter-clockwise).
func ringArea(r [][2]float64) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// TestWriteFiles writes through the file helpers and checks the extension
// dispatch and that no temporary file is left.
func TestWriteFiles(t *testing.T) {
	e := synthEngine(t)
	origins, err := SchoolOrigins(e.Graph(), "college")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), e, origins, Options{Params: engine.DefaultParams(0, 0), Matrix: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := outputs(t, res)
	for _, c := range []struct {
		name  string
		write func(string, *Result) error
		key   string
	}{
		{"t.csv", WriteTable, "table.csv"}, {"t.parquet", WriteTable, "table.parquet"},
		{"m.CSV", WriteMatrix, "matrix.csv"}, {"m.parquet", WriteMatrix, "matrix.parquet"},
	} {
		p := filepath.Join(dir, c.name)
		if err := c.write(p, res); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want[c.key]) {
			t.Errorf("%s differs from %s written to memory", c.name, c.key)
		}
	}
	if err := WriteTable(filepath.Join(dir, "t.json"), res); err == nil {
		t.Error("t.json: no error")
	}
	noMatrix := *res
	noMatrix.Matrix = nil
	if err := WriteMatrix(filepath.Join(dir, "x.csv"), &noMatrix); err == nil {
		t.Error("matrix of a run without it: no error")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"m.CSV", "m.meta.json", "m.parquet", "t.csv", "t.meta.json", "t.parquet"}; !equalStrings(names, want) {
		t.Errorf("files left: %q, want %q (the 4 written and the CSV files' metadata)", names, want)
	}
	// The CSV table's sidecar describes it, as the Parquet footer does.
	var meta Metadata
	b, err := os.ReadFile(filepath.Join(dir, "t.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Table != "origins" || meta.Rows != len(origins) || meta.Graph.BuildID != e.Graph().Meta.BuildID || meta.Graph.Date != e.Graph().Meta.Date ||
		len(meta.Columns) != len(res.Columns()) || meta.Request.ArriveBy != "08:30:00" || meta.Request.MaxWalk != 1250 {
		t.Errorf("t.meta.json: %+v", meta)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "m.meta.json"))
	if err := json.Unmarshal(b, &meta); err != nil || meta.Table != "matrix" || meta.Rows != len(res.Matrix.School) {
		t.Errorf("m.meta.json: %v %+v", err, meta)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Bac Pro": "bac_pro", "CAP": "cap", "Mention complémentaire": "mention_complementaire", "BP/BT": "bp_bt", "!!": "level"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
