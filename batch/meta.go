package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"reach/engine"
	"reach/graph"
)

// Every table comes with its metadata: which graph and request gave it,
// how much of the area the graph really covers, what each column holds.
// Parquet files carry it as key/value metadata (flattened keys under
// "reach.", see KeyValues); a CSV file cannot, so it gets a sidecar JSON
// file (MetaPath) that any tool reads; GeoJSON carries it as the foreign
// member "reach" of the FeatureCollection.

// GraphInfo identifies the graph an output was computed on.
type GraphInfo struct {
	BuildID string   `json:"build_id"`
	Date    string   `json:"date"`     // service date, YYYY-MM-DD
	BuiltAt string   `json:"built_at"` // RFC 3339, UTC
	Feeds   []string `json:"feeds"`    // GTFS feed names
	// StraightLines counts the stops and schools linked by straight lines.
	StraightLines StraightLines `json:"straight_lines"`
}

// StraightLines counts the stops and schools farther than the link limit
// from every walkable street (outside the street extract, most often):
// walks to and from them are straight lines × 1.3, so the figures around
// them are rougher than elsewhere.
type StraightLines struct {
	LinkLimitM   float64 `json:"link_limit_m"`
	Stops        int     `json:"stops"`
	StopsTotal   int     `json:"stops_total"`
	Schools      int     `json:"schools"`
	SchoolsTotal int     `json:"schools_total"`
}

// Sentence says it in words, for a map's caption.
func (s StraightLines) Sentence() string {
	return fmt.Sprintf("farther than %s m from every street, hence reached by straight lines × 1.3: %s of %s stops, %s of %s schools",
		thousands(int(s.LinkLimitM)), thousands(s.Stops), thousands(s.StopsTotal), thousands(s.Schools), thousands(s.SchoolsTotal))
}

// RequestInfo are the routing parameters of an output's requests.
type RequestInfo struct {
	ArriveBy      string  `json:"arrive_by"` // HH:MM:SS on the graph's service date
	MaxMinutes    int     `json:"max_minutes"`
	Cutoffs       []int   `json:"cutoffs"` // band limits, minutes
	Modes         string  `json:"modes"`
	WalkSpeed     float64 `json:"walk_speed"` // m/s
	MaxWalk       float64 `json:"max_walk"`   // metres
	MaxDirectWalk int     `json:"max_direct_walk"`
	MaxTransfers  int     `json:"max_transfers"`
	Transfers     string  `json:"transfers"`
	Percentile    float64 `json:"percentile"`
}

// ColumnInfo says what a column holds.
type ColumnInfo struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// Metadata describes a table of a batch run.
type Metadata struct {
	Tool    string      `json:"tool"`  // "reach batch"
	Table   string      `json:"table"` // "origins" (per-origin figures) or "matrix"
	Rows    int         `json:"rows"`
	Graph   GraphInfo   `json:"graph"`
	Request RequestInfo `json:"request"`
	Origins int         `json:"origins"`
	// Coverage counts the origins of each coverage (see Coverage).
	Coverage map[string]int `json:"coverage"`
	Columns  []ColumnInfo   `json:"columns"`
}

// graphInfo describes a graph from its metadata.
func graphInfo(m *graph.Meta) GraphInfo {
	if m == nil {
		return GraphInfo{}
	}
	gi := GraphInfo{BuildID: m.BuildID, Date: m.Date, Feeds: []string{}}
	if !m.BuiltAt.IsZero() {
		gi.BuiltAt = m.BuiltAt.UTC().Format(time.RFC3339)
	}
	for _, f := range m.Feeds {
		gi.Feeds = append(gi.Feeds, f.Name)
	}
	gi.StraightLines.LinkLimitM = m.LinkLimit
	if l := m.Linking; l != nil {
		gi.StraightLines.Stops, gi.StraightLines.StopsTotal = l.Stops.Fallback, l.Stops.Points
		gi.StraightLines.Schools, gi.StraightLines.SchoolsTotal = l.Schools.Fallback, l.Schools.Points
	}
	return gi
}

// requestInfo describes routing parameters; transfers "" is the graph's
// default, named.
func requestInfo(p engine.Params, cutoffs []int, m *graph.Meta) RequestInfo {
	tr := string(p.Transfers)
	if tr == "" && m != nil {
		tr = string(m.Transfers)
	}
	if tr == "" {
		tr = string(graph.TransfersBoth)
	}
	return RequestInfo{ArriveBy: graph.FormatClock(p.ArriveBy), MaxMinutes: p.MaxMinutes, Cutoffs: cutoffs,
		Modes: p.Modes.String(), WalkSpeed: p.WalkSpeed, MaxWalk: p.MaxWalk, MaxDirectWalk: p.MaxDirectWalk,
		MaxTransfers: p.MaxTransfers, Transfers: tr, Percentile: p.Percentile}
}

func columnInfos(cols []column) []ColumnInfo {
	out := make([]ColumnInfo, len(cols))
	for i, c := range cols {
		out[i] = ColumnInfo{Name: c.name, Doc: c.doc}
	}
	return out
}

// metadata describes one of the result's tables.
func (r *Result) metadata(table string, cols []column, rows int) *Metadata {
	return &Metadata{Tool: "reach batch", Table: table, Rows: rows, Graph: graphInfo(r.Meta),
		Request: requestInfo(r.Params, r.Cutoffs, r.Meta), Origins: len(r.Origins), Coverage: r.CoverageCounts(),
		Columns: columnInfos(cols)}
}

// Metadata returns the metadata of the per-origin table.
func (r *Result) Metadata() *Metadata {
	cols := r.columns()
	return r.metadata("origins", cols, len(r.Origins))
}

// MetaPath returns the sidecar metadata file of a table file: the same name
// with its extension replaced by .meta.json (colleges.csv →
// colleges.meta.json).
func MetaPath(table string) string {
	return strings.TrimSuffix(table, filepath.Ext(table)) + ".meta.json"
}

// writeJSON writes v as indented JSON with a final newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// KeyValues flattens metadata (any value that encodes as a JSON object)
// into the key/value pairs of a Parquet footer, sorted by key: nested
// objects give dotted keys under "reach." ("reach.graph.build_id"),
// strings their text, and numbers, booleans and arrays their JSON.
func KeyValues(meta any) ([][2]string, error) {
	b, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var root map[string]any
	if err := d.Decode(&root); err != nil {
		return nil, fmt.Errorf("metadata is not a JSON object: %w", err)
	}
	var out [][2]string
	var walk func(prefix string, v any) error
	walk = func(prefix string, v any) error {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if err := walk(prefix+"."+k, y); err != nil {
					return err
				}
			}
			return nil
		case string:
			out = append(out, [2]string{prefix, x})
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out = append(out, [2]string{prefix, string(b)})
		return nil
	}
	if err := walk("reach", root); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

// thousands writes an integer with comma separators: 1365 → "1,365".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
