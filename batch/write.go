package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/uber/h3-go/v4"

	"reach/engine"
	"reach/graph"
)

// column is one column of a table.
type column struct {
	name string
	doc  string       // what the column holds, for the metadata
	kind reflect.Kind // reflect.String, reflect.Float64, reflect.Int32, or reflect.Pointer for an optional int32
	// The value of row o, by kind: str for strings, f64 for floats, i32 for
	// integers (optional ones are null when negative).
	str func(o int) string
	f64 func(o int) float64
	i32 func(o int) int32
}

// Columns returns the names of the per-origin table's columns, in order:
// id, name, commune, lat, lon, coverage, access_stops, schools_<band>… and
// offers_<band>… (for bands "0_15", "15_30"…), schools_reachable and
// offers_reachable (all bands), and nearest_<level>_s per diploma level.
func (r *Result) Columns() []string {
	return columnNames(r.columns())
}

func columnNames(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

// originColumns are the columns that say which origin a row is about.
func originColumns(origins []Origin) []column {
	return []column{
		{name: "id", doc: "the origin's identifier: its UAI, the H3 cell in hexadecimal, or the id of the origins file",
			kind: reflect.String, str: func(o int) string { return origins[o].ID }},
		{name: "name", doc: "the origin's name (a school's, or the origins file's name column; empty for cells)",
			kind: reflect.String, str: func(o int) string { return origins[o].Name }},
		{name: "commune", doc: "the origin's commune (a school's, or the origins file's commune column; empty for cells)",
			kind: reflect.String, str: func(o int) string { return origins[o].Commune }},
		{name: "lat", doc: "latitude of the origin, WGS84 degrees (a cell's centre)",
			kind: reflect.Float64, f64: func(o int) float64 { return origins[o].Lat }},
		{name: "lon", doc: "longitude of the origin, WGS84 degrees",
			kind: reflect.Float64, f64: func(o int) float64 { return origins[o].Lon }},
	}
}

// coverageDoc documents a coverage column.
const coverageDoc = "network: a stop within max_walk; walk_only: no stop within max_walk, on the streets (inside their bounding box, " +
	"within the link limit of a street); outside: no stop within max_walk and off the streets or outside their bounding box (no data)"

func (r *Result) columns() []column {
	nb, nl := len(r.Cutoffs), len(r.Levels)
	cols := originColumns(r.Origins)
	cols = append(cols,
		column{name: "coverage", doc: coverageDoc, kind: reflect.String, str: func(o int) string { return r.Coverage[o].String() }},
		column{name: "access_stops", doc: "stops within max_walk metres of walking from the origin",
			kind: reflect.Int32, i32: func(o int) int32 { return r.Access[o] }})
	for _, what := range []string{"schools", "offers"} {
		arr, noun := r.Schools, "schools with training offers"
		if what == "offers" {
			arr, noun = r.Offers, "training offers"
		}
		for b := range r.Cutoffs {
			label := graph.BandLabel(b, r.Cutoffs)
			cols = append(cols, column{name: what + "_" + strings.ReplaceAll(label, "-", "_"),
				doc:  fmt.Sprintf("%s whose trip from the origin lasts %s minutes (more than the lower bound, at most the upper)", noun, label),
				kind: reflect.Int32, i32: func(o int) int32 { return arr[o*nb+b] }})
		}
	}
	for _, what := range []string{"schools", "offers"} {
		arr, noun := r.Schools, "schools with training offers"
		if what == "offers" {
			arr, noun = r.Offers, "training offers"
		}
		cols = append(cols, column{name: what + "_reachable", doc: fmt.Sprintf("%s reachable within %d minutes (all bands)", noun, r.Cutoffs[nb-1]),
			kind: reflect.Int32, i32: func(o int) int32 {
				var n int32
				for _, v := range arr[o*nb : (o+1)*nb] {
					n += v
				}
				return n
			}})
	}
	used := map[string]bool{}
	for _, c := range cols {
		used[c.name] = true
	}
	for l, level := range r.Levels {
		name := "nearest_" + slug(level) + "_s"
		for k := 2; used[name]; k++ {
			name = fmt.Sprintf("nearest_%s_%d_s", slug(level), k)
		}
		used[name] = true
		cols = append(cols, column{name: name, doc: fmt.Sprintf("seconds to the nearest school offering a %s training (empty or null: none within %d minutes)", level, r.Cutoffs[nb-1]),
			kind: reflect.Pointer, i32: func(o int) int32 { return r.Nearest[o*nl+l] }})
	}
	return cols
}

// slug turns a diploma level into a column name part: "Bac Pro" → "bac_pro".
func slug(s string) string {
	var b strings.Builder
	under := false
	for _, c := range strings.ToLower(fold(s)) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(c)
		} else {
			under = true
		}
	}
	if b.Len() == 0 {
		return "level"
	}
	return b.String()
}

// fold replaces the accented letters of French diploma names.
func fold(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "É", "E", "à", "a", "ô", "o", "ç", "c", "î", "i", "û", "u").Replace(s)
}

// formatFloat writes coordinates with the digits they were given with.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// table is a table ready to be written: its columns, rows and metadata.
type table struct {
	name string // the Parquet schema's name
	cols []column
	rows int
	meta any // JSON-encodable metadata
}

// writeCSV writes the table as CSV, a header and one line per row; an
// optional value below zero leaves its cell empty.
func (t *table) writeCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	rec := columnNames(t.cols)
	if err := cw.Write(rec); err != nil {
		return err
	}
	for o := 0; o < t.rows; o++ {
		for i, c := range t.cols {
			switch c.kind {
			case reflect.String:
				rec[i] = c.str(o)
			case reflect.Float64:
				rec[i] = formatFloat(c.f64(o))
			case reflect.Int32:
				rec[i] = strconv.Itoa(int(c.i32(o)))
			default:
				rec[i] = ""
				if v := c.i32(o); v >= 0 {
					rec[i] = strconv.Itoa(int(v))
				}
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// parquetSchema returns a schema whose columns keep the given order: a
// struct type built at run time (a parquet.Group would sort them by name).
func parquetSchema(name string, cols []column) *parquet.Schema {
	fields := make([]reflect.StructField, len(cols))
	for i, c := range cols {
		var t reflect.Type
		switch c.kind {
		case reflect.String:
			t = reflect.TypeFor[string]()
		case reflect.Float64:
			t = reflect.TypeFor[float64]()
		case reflect.Int32:
			t = reflect.TypeFor[int32]()
		default:
			t = reflect.TypeFor[*int32]()
		}
		tag := c.name
		if c.kind == reflect.Pointer {
			tag += ",optional"
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	s := parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
	return parquet.NewSchema(name, s)
}

// writeParquet writes the table as Parquet, its metadata flattened into
// the footer's key/value metadata (see KeyValues); optional columns are
// null below zero.
func (t *table) writeParquet(w io.Writer) error {
	cols := t.cols
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Snappy), parquet.CreatedBy("reach", "1", "-")}
	if t.meta != nil {
		kv, err := KeyValues(t.meta)
		if err != nil {
			return err
		}
		for _, p := range kv {
			opts = append(opts, parquet.KeyValueMetadata(p[0], p[1]))
		}
	}
	pw := parquet.NewGenericWriter[any](w, append([]parquet.WriterOption{parquetSchema(t.name, cols)}, opts...)...)
	const chunk = 1024
	rows := make([]parquet.Row, 0, chunk)
	for o := 0; o < t.rows; o++ {
		row := make(parquet.Row, len(cols))
		for i, c := range cols {
			var v parquet.Value
			switch c.kind {
			case reflect.String:
				v = parquet.ByteArrayValue([]byte(c.str(o))).Level(0, 0, i)
			case reflect.Float64:
				v = parquet.DoubleValue(c.f64(o)).Level(0, 0, i)
			case reflect.Int32:
				v = parquet.Int32Value(c.i32(o)).Level(0, 0, i)
			default:
				if x := c.i32(o); x >= 0 {
					v = parquet.Int32Value(x).Level(0, 1, i)
				} else {
					v = parquet.NullValue().Level(0, 0, i)
				}
			}
			row[i] = v
		}
		rows = append(rows, row)
		if len(rows) == chunk || o == t.rows-1 {
			if _, err := pw.WriteRows(rows); err != nil {
				return fmt.Errorf("parquet: %w", err)
			}
			rows = rows[:0]
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// writeFile writes the table to path, as CSV or Parquet by its extension;
// a CSV file gets its metadata in the sidecar file MetaPath(path).
func (t *table) writeFile(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		if err := WriteFile(path, t.writeCSV); err != nil {
			return err
		}
		if t.meta == nil {
			return nil
		}
		return WriteFile(MetaPath(path), func(w io.Writer) error { return writeJSON(w, t.meta) })
	case ".parquet":
		return WriteFile(path, t.writeParquet)
	}
	return fmt.Errorf("%s: want a .csv or .parquet file name", path)
}

// originsTable is the per-origin table.
func (r *Result) originsTable() *table {
	cols := r.columns()
	return &table{name: "origins", cols: cols, rows: len(r.Origins), meta: r.metadata("origins", cols, len(r.Origins))}
}

// matrixTable is the origin × school matrix.
func (r *Result) matrixTable() (*table, error) {
	origin, err := r.matrixOrigins()
	if err != nil {
		return nil, err
	}
	cols := r.matrixColumns(origin)
	return &table{name: "matrix", cols: cols, rows: len(origin), meta: r.metadata("matrix", cols, len(origin))}, nil
}

// WriteCSV writes the per-origin table (see Columns) as CSV, one row per
// origin in origin order; an unreachable level leaves its cell empty.
func WriteCSV(w io.Writer, r *Result) error { return r.originsTable().writeCSV(w) }

// WriteParquet writes the per-origin table (see Columns) as Parquet, with
// nearest_* columns optional (null when unreachable) and the metadata
// (Result.Metadata) as key/value metadata.
func WriteParquet(w io.Writer, r *Result) error { return r.originsTable().writeParquet(w) }

// matrixColumns are the columns of the matrix: origin_id, origin_name,
// school_id, school_name, school_commune, duration_s, band (label, empty
// beyond the last cut-off), modality (walk, bike, transit, bike+transit,
// school) and vehicles, one row per reachable pair, by origin then school
// index.
func (r *Result) matrixColumns(origin []int32) []column {
	m := r.Matrix
	name := func(names []string) func(k int) string {
		return func(k int) string {
			if names == nil {
				return ""
			}
			return names[m.School[k]]
		}
	}
	return []column{
		{name: "origin_id", doc: "the origin's identifier (the id of the per-origin table)",
			kind: reflect.String, str: func(k int) string { return r.Origins[origin[k]].ID }},
		{name: "origin_name", doc: "the origin's name (empty for cells)",
			kind: reflect.String, str: func(k int) string { return r.Origins[origin[k]].Name }},
		{name: "school_id", doc: "the school's UAI (or the locations file's id)",
			kind: reflect.String, str: func(k int) string { return r.SchoolIDs[m.School[k]] }},
		{name: "school_name", doc: "the school's name", kind: reflect.String, str: name(r.SchoolNames)},
		{name: "school_commune", doc: "the school's commune", kind: reflect.String, str: name(r.SchoolCommunes)},
		{name: "duration_s", doc: "door-to-door seconds of the trip arriving by the deadline",
			kind: reflect.Int32, i32: func(k int) int32 { return m.Duration[k] }},
		{name: "band", doc: "the trip's band in minutes (\"0-15\"…; empty beyond the last cut-off)",
			kind: reflect.String, str: func(k int) string {
				if b := engine.Band(m.Duration[k], r.Cutoffs); b < len(r.Cutoffs) {
					return graph.BandLabel(b, r.Cutoffs)
				}
				return ""
			}},
		{name: "modality", doc: "walk, transit, or school (needs a school bus)",
			kind: reflect.String, str: func(k int) string { return m.Modality[k].String() }},
		{name: "vehicles", doc: "vehicles taken (0 when walking)",
			kind: reflect.Int32, i32: func(k int) int32 { return m.Vehicles[k] }},
	}
}

// matrixOrigins returns the origin of every matrix entry.
func (r *Result) matrixOrigins() ([]int32, error) {
	m := r.Matrix
	if m == nil {
		return nil, fmt.Errorf("the batch was run without the matrix")
	}
	origin := make([]int32, len(m.School))
	for o := range r.Origins {
		for k := m.Start[o]; k < m.Start[o+1]; k++ {
			origin[k] = int32(o)
		}
	}
	return origin, nil
}

// WriteMatrixCSV writes the origin × school matrix as CSV (see
// matrixColumns), one row per reachable pair.
func WriteMatrixCSV(w io.Writer, r *Result) error {
	t, err := r.matrixTable()
	if err != nil {
		return err
	}
	return t.writeCSV(w)
}

// WriteMatrixParquet writes the matrix as Parquet (see WriteMatrixCSV),
// with its metadata.
func WriteMatrixParquet(w io.Writer, r *Result) error {
	t, err := r.matrixTable()
	if err != nil {
		return err
	}
	return t.writeParquet(w)
}

// WriteGeoJSON writes the origins as a GeoJSON FeatureCollection (RFC 7946),
// one feature per origin in origin order: the hexagon of cell origins, the
// point otherwise, with the table's columns as properties (nearest_* null
// when unreachable) and offers_within_<m> for every cut-off m (offers
// reachable within m minutes, all bands up to it). The table's metadata
// is the FeatureCollection's foreign member "reach".
func WriteGeoJSON(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	cols := r.columns()
	nb := len(r.Cutoffs)
	meta, err := json.Marshal(r.metadata("origins", cols, len(r.Origins)))
	if err != nil {
		return err
	}
	bw.WriteString(`{"type":"FeatureCollection","reach":`)
	bw.Write(meta)
	bw.WriteString(`,"features":[`)
	var buf bytes.Buffer
	for o, org := range r.Origins {
		buf.Reset()
		if o > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n{\"type\":\"Feature\",\"properties\":{")
		for i, c := range cols {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Quote(c.name))
			buf.WriteByte(':')
			switch c.kind {
			case reflect.String:
				b, _ := json.Marshal(c.str(o))
				buf.Write(b)
			case reflect.Float64:
				buf.WriteString(formatFloat(c.f64(o)))
			case reflect.Int32:
				buf.WriteString(strconv.Itoa(int(c.i32(o))))
			default:
				if v := c.i32(o); v >= 0 {
					buf.WriteString(strconv.Itoa(int(v)))
				} else {
					buf.WriteString("null")
				}
			}
		}
		var within int32
		for b, m := range r.Cutoffs {
			within += r.Offers[o*nb+b]
			fmt.Fprintf(&buf, ",\"offers_within_%d\":%d", m, within)
		}
		buf.WriteString("},\"geometry\":")
		if org.Cell != 0 {
			buf.WriteString(`{"type":"Polygon","coordinates":[[`)
			bd := h3.CellToBoundary(h3.Cell(org.Cell))
			for k := 0; k <= len(bd); k++ { // closed ring, counter-clockwise as h3 gives it
				ll := bd[k%len(bd)]
				if k > 0 {
					buf.WriteByte(',')
				}
				fmt.Fprintf(&buf, "[%s,%s]", strconv.FormatFloat(ll.Lng, 'f', 7, 64), strconv.FormatFloat(ll.Lat, 'f', 7, 64))
			}
			buf.WriteString("]]}")
		} else {
			fmt.Fprintf(&buf, `{"type":"Point","coordinates":[%s,%s]}`, formatFloat(org.Lon), formatFloat(org.Lat))
		}
		buf.WriteByte('}')
		if _, err := bw.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// WriteFile writes a file atomically: into a temporary file beside it,
// renamed over path once complete.
func WriteFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteTable writes the per-origin table to path, as CSV or Parquet by its
// extension (.csv, .parquet). A CSV file gets its metadata in the sidecar
// MetaPath(path); a Parquet file carries it.
func WriteTable(path string, r *Result) error {
	return r.originsTable().writeFile(path)
}

// WriteMatrix writes the origin × school matrix to path, as CSV or Parquet
// by its extension, with its metadata as WriteTable does.
func WriteMatrix(path string, r *Result) error {
	t, err := r.matrixTable()
	if err != nil {
		return err
	}
	return t.writeFile(path)
}

// CheckExtension reports whether path names a .csv or .parquet file, for
// checking flags before a long run.
func CheckExtension(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".parquet":
		return nil
	}
	return fmt.Errorf("%s: want a .csv or .parquet file name", path)
}
