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

// column is one column of the per-origin table.
type column struct {
	name string
	kind reflect.Kind // reflect.String, reflect.Float64, reflect.Int32, or reflect.Pointer for an optional int32
	// The value of row o, by kind: str for strings, f64 for floats, i32 for
	// integers (optional ones are null when negative).
	str func(o int) string
	f64 func(o int) float64
	i32 func(o int) int32
}

// Columns returns the names of the per-origin table's columns, in order:
// id, lat, lon, access_stops, schools_<band>… and offers_<band>… (for bands
// "0_15", "15_30"…), schools_reachable and offers_reachable (all bands), and
// nearest_<level>_s per diploma level.
func (r *Result) Columns() []string {
	cols := r.columns()
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

func (r *Result) columns() []column {
	nb, nl := len(r.Cutoffs), len(r.Levels)
	cols := []column{
		{name: "id", kind: reflect.String, str: func(o int) string { return r.Origins[o].ID }},
		{name: "lat", kind: reflect.Float64, f64: func(o int) float64 { return r.Origins[o].Lat }},
		{name: "lon", kind: reflect.Float64, f64: func(o int) float64 { return r.Origins[o].Lon }},
		{name: "access_stops", kind: reflect.Int32, i32: func(o int) int32 { return r.Access[o] }},
	}
	for _, what := range []string{"schools", "offers"} {
		arr := r.Schools
		if what == "offers" {
			arr = r.Offers
		}
		for b := range r.Cutoffs {
			cols = append(cols, column{name: what + "_" + strings.ReplaceAll(graph.BandLabel(b, r.Cutoffs), "-", "_"),
				kind: reflect.Int32, i32: func(o int) int32 { return arr[o*nb+b] }})
		}
	}
	for _, what := range []string{"schools", "offers"} {
		arr := r.Schools
		if what == "offers" {
			arr = r.Offers
		}
		cols = append(cols, column{name: what + "_reachable", kind: reflect.Int32, i32: func(o int) int32 {
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
		cols = append(cols, column{name: name, kind: reflect.Pointer, i32: func(o int) int32 { return r.Nearest[o*nl+l] }})
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

// WriteCSV writes the per-origin table (see Columns) as CSV, one row per
// origin in origin order; an unreachable level leaves its cell empty.
func WriteCSV(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cols := r.columns()
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for o := range r.Origins {
		for i, c := range cols {
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

// writeParquet writes n rows of the columns.
func writeParquet(w io.Writer, name string, cols []column, n int) error {
	schema := parquetSchema(name, cols)
	pw := parquet.NewGenericWriter[any](w, schema, parquet.Compression(&parquet.Snappy),
		parquet.CreatedBy("reach batch", "1", "-"))
	const chunk = 1024
	rows := make([]parquet.Row, 0, chunk)
	for o := 0; o < n; o++ {
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
		if len(rows) == chunk || o == n-1 {
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

// WriteParquet writes the per-origin table (see Columns) as Parquet, with
// nearest_* columns optional (null when unreachable).
func WriteParquet(w io.Writer, r *Result) error {
	return writeParquet(w, "origins", r.columns(), len(r.Origins))
}

// matrixColumns are the columns of the matrix: origin_id, school_id,
// duration_s, band (label, empty beyond the last cut-off), modality (walk,
// bike, transit, bike+transit, school) and vehicles, one row per reachable
// pair, by origin then school index.
func (r *Result) matrixColumns(origin []int32) []column {
	m := r.Matrix
	return []column{
		{name: "origin_id", kind: reflect.String, str: func(k int) string { return r.Origins[origin[k]].ID }},
		{name: "school_id", kind: reflect.String, str: func(k int) string { return r.SchoolIDs[m.School[k]] }},
		{name: "duration_s", kind: reflect.Int32, i32: func(k int) int32 { return m.Duration[k] }},
		{name: "band", kind: reflect.String, str: func(k int) string {
			if b := engine.Band(m.Duration[k], r.Cutoffs); b < len(r.Cutoffs) {
				return graph.BandLabel(b, r.Cutoffs)
			}
			return ""
		}},
		{name: "modality", kind: reflect.String, str: func(k int) string { return m.Modality[k].String() }},
		{name: "vehicles", kind: reflect.Int32, i32: func(k int) int32 { return m.Vehicles[k] }},
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

// WriteMatrixCSV writes the origin × school matrix as CSV (columns
// origin_id, school_id, duration_s, band, modality, vehicles), one row per
// reachable pair.
func WriteMatrixCSV(w io.Writer, r *Result) error {
	origin, err := r.matrixOrigins()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cols := r.matrixColumns(origin)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for k := range origin {
		for i, c := range cols {
			if c.kind == reflect.String {
				rec[i] = c.str(k)
			} else {
				rec[i] = strconv.Itoa(int(c.i32(k)))
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

// WriteMatrixParquet writes the matrix as Parquet (see WriteMatrixCSV).
func WriteMatrixParquet(w io.Writer, r *Result) error {
	origin, err := r.matrixOrigins()
	if err != nil {
		return err
	}
	return writeParquet(w, "matrix", r.matrixColumns(origin), len(origin))
}

// WriteGeoJSON writes the origins as a GeoJSON FeatureCollection (RFC 7946),
// one feature per origin in origin order: the hexagon of cell origins, the
// point otherwise, with the table's columns as properties (nearest_* null
// when unreachable) and offers_within_<m> for every cut-off m (offers
// reachable within m minutes, all bands up to it).
func WriteGeoJSON(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	cols := r.columns()
	nb := len(r.Cutoffs)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
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
// extension (.csv, .parquet).
func WriteTable(path string, r *Result) error {
	write, err := byExtension(path, WriteCSV, WriteParquet)
	if err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error { return write(w, r) })
}

// WriteMatrix writes the origin × school matrix to path, as CSV or Parquet
// by its extension.
func WriteMatrix(path string, r *Result) error {
	write, err := byExtension(path, WriteMatrixCSV, WriteMatrixParquet)
	if err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error { return write(w, r) })
}

// byExtension picks the writer for a file name.
func byExtension(path string, csvW, parquetW func(io.Writer, *Result) error) (func(io.Writer, *Result) error, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return csvW, nil
	case ".parquet":
		return parquetW, nil
	}
	return nil, fmt.Errorf("%s: want a .csv or .parquet file name", path)
}

// CheckExtension reports whether path names a .csv or .parquet file, for
// checking flags before a long run.
func CheckExtension(path string) error {
	_, err := byExtension(path, WriteCSV, WriteParquet)
	return err
}
