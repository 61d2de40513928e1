package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"reach/engine"
	"reach/graph"
)

// Diff compares what the same origins reach in two graphs (the one being
// served and a rebuild, most often), each queried at its own service date
// with the same routing parameters.
type Diff struct {
	Old, New *Result // the batch runs, over the same origins
	// Per origin: the training offers reachable (within the last cut-off)
	// in the old graph and no longer in the new one, and the reverse; and
	// the schools with offers likewise. An offer is the same in both graphs
	// when its school has the same UAI and it has the same code (the same
	// label when it has no code) and voie, so that a school reached in
	// both graphs whose offers changed counts its offers gone as lost.
	OffersLost, OffersGained   []int32
	SchoolsLost, SchoolsGained []int32
}

// Compare runs the origins on both engines with the same options (without
// a checkpoint: Options.Checkpoint is not used) and compares the results.
// Progress, when set, counts the origins of both runs.
func Compare(ctx context.Context, oldE, newE *engine.Engine, origins []Origin, opt Options) (*Diff, error) {
	if opt.Params.AllLocations {
		return nil, errors.New("diff: a comparison counts schools with offers; AllLocations does not apply")
	}
	opt.Matrix, opt.Checkpoint = true, ""
	runs := make([]*Result, 2)
	n := len(origins)
	for i, e := range []*engine.Engine{oldE, newE} {
		o := opt
		name := [2]string{"old", "new"}[i]
		if opt.Progress != nil {
			base := i * n
			o.Progress = func(done, _ int) { opt.Progress(base+done, 2*n) }
		}
		r, err := Run(ctx, e, origins, o)
		if err != nil {
			return nil, fmt.Errorf("%s graph: %w", name, err)
		}
		runs[i] = r
	}
	return compareResults(runs[0], runs[1], &oldE.Graph().Places, &newE.Graph().Places)
}

// offerKey identifies an offer across graphs, within its school.
func offerKey(p *graph.Places, o graph.OfferIdx) string {
	id := p.OfferCode[o]
	if id == "" {
		id = "label:" + p.OfferLabel[o]
	}
	return p.OfferVoie[o].String() + "\x00" + id
}

// compareResults compares two runs over the same origins, with matrices.
func compareResults(a, b *Result, pa, pb *graph.Places) (*Diff, error) {
	if a.Matrix == nil || b.Matrix == nil || len(a.Origins) != len(b.Origins) {
		return nil, errors.New("diff: runs without matrices or over other origins")
	}
	// Each school's counterpart by UAI, and the offers both versions share.
	na, nb := pa.NumSchools(), pb.NumSchools()
	toB := make([]graph.SchoolIdx, na)
	toA := make([]graph.SchoolIdx, nb)
	for i := range toA {
		toA[i] = -1
	}
	common := make([]int32, na)
	for s := graph.SchoolIdx(0); s < graph.SchoolIdx(na); s++ {
		t, ok := pb.SchoolByUAI(pa.SchoolID[s])
		if !ok {
			toB[s] = -1
			continue
		}
		toB[s], toA[t] = t, s
		keys := map[string]int32{}
		x, y := pb.OffersOf(t)
		for o := x; o < y; o++ {
			keys[offerKey(pb, o)]++
		}
		x, y = pa.OffersOf(s)
		for o := x; o < y; o++ {
			if k := offerKey(pa, o); keys[k] > 0 {
				keys[k]--
				common[s]++
			}
		}
	}
	offers := func(p *graph.Places, s graph.SchoolIdx) int32 { x, y := p.OffersOf(s); return int32(y - x) }
	n := len(a.Origins)
	d := &Diff{Old: a, New: b, OffersLost: make([]int32, n), OffersGained: make([]int32, n),
		SchoolsLost: make([]int32, n), SchoolsGained: make([]int32, n)}
	// reached lists the schools with offers reachable within the last
	// cut-off from origin o, stamping them.
	reached := func(r *Result, p *graph.Places, o int, stamp []int) []graph.SchoolIdx {
		var out []graph.SchoolIdx
		m := r.Matrix
		for k := m.Start[o]; k < m.Start[o+1]; k++ {
			s := graph.SchoolIdx(m.School[k])
			if offers(p, s) > 0 && engine.Band(m.Duration[k], r.Cutoffs) < len(r.Cutoffs) {
				out = append(out, s)
				stamp[s] = o + 1
			}
		}
		return out
	}
	stampA, stampB := make([]int, na), make([]int, nb)
	for o := 0; o < n; o++ {
		ra := reached(a, pa, o, stampA)
		rb := reached(b, pb, o, stampB)
		for _, s := range ra {
			if t := toB[s]; t >= 0 && stampB[t] == o+1 {
				d.OffersLost[o] += offers(pa, s) - common[s]
			} else {
				d.OffersLost[o] += offers(pa, s)
				d.SchoolsLost[o]++
			}
		}
		for _, t := range rb {
			if s := toA[t]; s >= 0 && stampA[s] == o+1 {
				d.OffersGained[o] += offers(pb, t) - common[s]
			} else {
				d.OffersGained[o] += offers(pb, t)
				d.SchoolsGained[o]++
			}
		}
	}
	return d, nil
}

// reachable returns, per origin, the sum of a per-band figure.
func reachable(arr []int32, nb, n int) []int32 {
	out := make([]int32, n)
	for o := range out {
		for _, v := range arr[o*nb : (o+1)*nb] {
			out[o] += v
		}
	}
	return out
}

// Loser is an origin that loses reachable offers.
type Loser struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Commune   string `json:"commune"`
	OffersOld int32  `json:"offers_old"` // reachable within the last cut-off
	OffersNew int32  `json:"offers_new"`
	Lost      int32  `json:"offers_lost"`
}

// DiffSummary sums a diff up.
type DiffSummary struct {
	Origins int `json:"origins"`
	// Losing counts the origins that lose at least one reachable offer
	// (OffersLost ≥ 1), Gaining those that gain one; Unchanged those that
	// neither lose nor gain any.
	Losing        int     `json:"losing"`
	LosingPercent float64 `json:"losing_percent"`
	Gaining       int     `json:"gaining"`
	Unchanged     int     `json:"unchanged"`
	// MedianChange and MeanChange are those of the net change of the
	// offers reachable from each origin (new − old).
	MedianChange float64 `json:"median_change"`
	MeanChange   float64 `json:"mean_change"`
	// Losers are the origins losing the most offers, most first.
	Losers []Loser `json:"biggest_losers"`
}

// Summary sums the diff up, with the top biggest losers.
func (d *Diff) Summary(top int) DiffSummary {
	n := len(d.Old.Origins)
	s := DiffSummary{Origins: n, Losers: []Loser{}}
	oldR := reachable(d.Old.Offers, len(d.Old.Cutoffs), n)
	newR := reachable(d.New.Offers, len(d.New.Cutoffs), n)
	change := make([]float64, n)
	var sum float64
	for o := 0; o < n; o++ {
		switch {
		case d.OffersLost[o] > 0:
			s.Losing++
		case d.OffersGained[o] == 0:
			s.Unchanged++
		}
		if d.OffersGained[o] > 0 {
			s.Gaining++
		}
		change[o] = float64(newR[o] - oldR[o])
		sum += change[o]
	}
	if n == 0 {
		return s
	}
	s.LosingPercent = 100 * float64(s.Losing) / float64(n)
	s.MeanChange = sum / float64(n)
	sorted := append([]float64(nil), change...)
	sort.Float64s(sorted)
	if n%2 == 1 {
		s.MedianChange = sorted[n/2]
	} else {
		s.MedianChange = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	order := make([]int, 0, s.Losing)
	for o := 0; o < n; o++ {
		if d.OffersLost[o] > 0 {
			order = append(order, o)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if d.OffersLost[a] != d.OffersLost[b] {
			return d.OffersLost[a] > d.OffersLost[b]
		}
		if change[a] != change[b] {
			return change[a] < change[b]
		}
		return d.Old.Origins[a].ID < d.Old.Origins[b].ID
	})
	for _, o := range order[:min(top, len(order))] {
		org := d.Old.Origins[o]
		s.Losers = append(s.Losers, Loser{ID: org.ID, Name: org.Name, Commune: org.Commune,
			OffersOld: oldR[o], OffersNew: newR[o], Lost: d.OffersLost[o]})
	}
	return s
}

// Changes returns, per origin, the net change of the offers reachable
// within minutes (one of the cut-offs): new − old.
func (d *Diff) Changes(minutes int) ([]int32, error) {
	a, err := d.Old.OffersWithin(minutes)
	if err != nil {
		return nil, err
	}
	b, err := d.New.OffersWithin(minutes)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(a))
	for o := range out {
		out[o] = b[o] - a[o]
	}
	return out, nil
}

// columns are the diff table's: the origin's id, name, commune, lat, lon;
// coverage_old and coverage_new; access_stops_old and _new; per band
// schools_<band>_old, _new and _change, then offers likewise; the same for
// schools_reachable and offers_reachable (all bands); schools_lost,
// schools_gained, offers_lost and offers_gained.
func (d *Diff) columns() []column {
	a, b := d.Old, d.New
	nb := len(a.Cutoffs)
	cols := originColumns(a.Origins)
	for _, v := range []struct {
		suffix string
		r      *Result
	}{{"old", a}, {"new", b}} {
		r := v.r
		cols = append(cols, column{name: "coverage_" + v.suffix, doc: "in the " + v.suffix + " graph: " + coverageDoc,
			kind: reflect.String, str: func(o int) string { return r.Coverage[o].String() }})
	}
	for _, v := range []struct {
		suffix string
		r      *Result
	}{{"old", a}, {"new", b}} {
		r := v.r
		cols = append(cols, column{name: "access_stops_" + v.suffix, doc: "stops within max_walk metres of walking, in the " + v.suffix + " graph",
			kind: reflect.Int32, i32: func(o int) int32 { return r.Access[o] }})
	}
	// triple adds name_old, name_new and name_change.
	triple := func(name, doc string, old, new func(o int) int32) {
		cols = append(cols,
			column{name: name + "_old", doc: doc + ", old graph", kind: reflect.Int32, i32: old},
			column{name: name + "_new", doc: doc + ", new graph", kind: reflect.Int32, i32: new},
			column{name: name + "_change", doc: doc + ", new − old", kind: reflect.Int32, i32: func(o int) int32 { return new(o) - old(o) }})
	}
	for _, what := range []string{"schools", "offers"} {
		arrA, arrB, noun := a.Schools, b.Schools, "schools with training offers"
		if what == "offers" {
			arrA, arrB, noun = a.Offers, b.Offers, "training offers"
		}
		for band := range a.Cutoffs {
			label := graph.BandLabel(band, a.Cutoffs)
			triple(what+"_"+strings.ReplaceAll(label, "-", "_"), fmt.Sprintf("%s whose trip lasts %s minutes", noun, label),
				func(o int) int32 { return arrA[o*nb+band] }, func(o int) int32 { return arrB[o*nb+band] })
		}
	}
	n := len(a.Origins)
	for _, what := range []string{"schools", "offers"} {
		ra, rb, noun := reachable(a.Schools, nb, n), reachable(b.Schools, nb, n), "schools with training offers"
		if what == "offers" {
			ra, rb, noun = reachable(a.Offers, nb, n), reachable(b.Offers, nb, n), "training offers"
		}
		triple(what+"_reachable", fmt.Sprintf("%s reachable within %d minutes (all bands)", noun, a.Cutoffs[nb-1]),
			func(o int) int32 { return ra[o] }, func(o int) int32 { return rb[o] })
	}
	for _, c := range []struct {
		name, doc string
		arr       []int32
	}{
		{"schools_lost", "schools with offers reachable in the old graph and not in the new one", d.SchoolsLost},
		{"schools_gained", "schools with offers reachable in the new graph and not in the old one", d.SchoolsGained},
		{"offers_lost", "offers reachable in the old graph and not in the new one (same school UAI, code or label, voie)", d.OffersLost},
		{"offers_gained", "offers reachable in the new graph and not in the old one", d.OffersGained},
	} {
		arr := c.arr
		cols = append(cols, column{name: c.name, doc: c.doc + fmt.Sprintf(", within %d minutes", a.Cutoffs[nb-1]),
			kind: reflect.Int32, i32: func(o int) int32 { return arr[o] }})
	}
	return cols
}

// Columns returns the names of the diff table's columns, in order.
func (d *Diff) Columns() []string { return columnNames(d.columns()) }

// DiffMetadata describes a diff table.
type DiffMetadata struct {
	Tool    string      `json:"tool"`  // "reach diff"
	Table   string      `json:"table"` // "diff"
	Rows    int         `json:"rows"`
	Old     GraphInfo   `json:"old"`
	New     GraphInfo   `json:"new"`
	Request RequestInfo `json:"request"`
	Origins int         `json:"origins"`
	// CoverageOld and CoverageNew count the origins of each coverage in
	// each graph (see Coverage).
	CoverageOld map[string]int `json:"coverage_old"`
	CoverageNew map[string]int `json:"coverage_new"`
	Summary     DiffSummary    `json:"summary"`
	Columns     []ColumnInfo   `json:"columns"`
}

// TopLosers is how many biggest losers the metadata names.
const TopLosers = 10

// Metadata returns the metadata of the diff table.
func (d *Diff) Metadata() *DiffMetadata {
	return d.metadata(d.columns())
}

func (d *Diff) metadata(cols []column) *DiffMetadata {
	req := requestInfo(d.Old.Params, d.Old.Cutoffs, nil)
	if d.Old.Params.Transfers == "" {
		req.Transfers = "each graph's default"
	}
	return &DiffMetadata{Tool: "reach diff", Table: "diff", Rows: len(d.Old.Origins), Old: graphInfo(d.Old.Meta), New: graphInfo(d.New.Meta),
		Request: req, Origins: len(d.Old.Origins), CoverageOld: d.Old.CoverageCounts(), CoverageNew: d.New.CoverageCounts(),
		Summary: d.Summary(TopLosers), Columns: columnInfos(cols)}
}

func (d *Diff) table() *table {
	cols := d.columns()
	return &table{name: "diff", cols: cols, rows: len(d.Old.Origins), meta: d.metadata(cols)}
}

// WriteDiffCSV writes the diff table (see Columns) as CSV, one row per
// origin in origin order.
func WriteDiffCSV(w io.Writer, d *Diff) error { return d.table().writeCSV(w) }

// WriteDiffParquet writes the diff table as Parquet, with its metadata.
func WriteDiffParquet(w io.Writer, d *Diff) error { return d.table().writeParquet(w) }

// WriteDiffTable writes the diff table to path, as CSV (with the sidecar
// MetaPath(path)) or Parquet by its extension.
func WriteDiffTable(path string, d *Diff) error { return d.table().writeFile(path) }

// diffLayer is the layer of a diff map: the net change of the offers
// reachable within minutes of each origin.
func diffLayer(d *Diff, minutes int) (*layer, error) {
	values, err := d.Changes(minutes)
	if err != nil {
		return nil, err
	}
	var maxAbs int32
	for _, v := range values {
		maxAbs = max(maxAbs, v, -v)
	}
	ly := &layer{origins: d.New.Origins, values: values, scale: newDiverging(maxAbs), squares: true,
		label: fmt.Sprintf("Change in training offers reachable within %d min (new − old)", minutes),
		empty: "no origin gains or loses an offer"}
	// Blank: no data around the origin in either graph.
	for o := range values {
		if d.Old.Coverage[o] == CoverageOutside && d.New.Coverage[o] == CoverageOutside {
			if ly.outside == nil {
				ly.outside = make([]bool, len(values))
			}
			ly.outside[o] = true
		}
	}
	for _, v := range []struct {
		name string
		r    *Result
	}{{"Old", d.Old}, {"New", d.New}} {
		gi := graphInfo(v.r.Meta)
		ly.caption = append(ly.caption, fmt.Sprintf("%s graph (%s, build %s): stops and schools %s.", v.name, gi.Date, gi.BuildID, gi.StraightLines.Sentence()))
	}
	return ly, nil
}

// buildDiffMap lays out the map of a diff; opt.Minutes 0 is the last
// cut-off.
func buildDiffMap(d *Diff, opt MapOptions, f *fonts) (*scene, *projection, error) {
	if opt.Minutes == 0 {
		opt.Minutes = d.Old.Cutoffs[len(d.Old.Cutoffs)-1]
	}
	ly, err := diffLayer(d, opt.Minutes)
	if err != nil {
		return nil, nil, err
	}
	return drawMap(ly, opt, f)
}

// RenderDiffMap draws the map of a diff's gains and losses, as "png" or
// "svg": each origin coloured by the net change of the offers reachable
// within opt.Minutes (0: the last cut-off), losses red, gains blue; origins
// without data in either graph are left blank.
func RenderDiffMap(w io.Writer, format string, d *Diff, opt MapOptions) error {
	if format != "png" && format != "svg" {
		return fmt.Errorf("map format %q: want png or svg", format)
	}
	f, err := loadFonts()
	if err != nil {
		return err
	}
	sc, _, err := buildDiffMap(d, opt, f)
	if err != nil {
		return err
	}
	return renderScene(w, format, sc, f)
}

// WriteDiffMap writes the diff map to path, as PNG or SVG by its extension.
func WriteDiffMap(path string, d *Diff, opt MapOptions) error {
	format, err := MapFormat(path)
	if err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error { return RenderDiffMap(w, format, d, opt) })
}
