// Package batch runs reachability for many origins at once, for
// researchers comparing accessibility across territories: per origin, the
// number of schools and training offers reachable in each travel-time band,
// the travel time to the nearest school offering each diploma level, and
// optionally the whole origin × school matrix.
//
// Origins come from a CSV file (ReadOrigins), from the H3 cells of an area
// (CellOrigins) or from the graph's schools (SchoolOrigins), with their
// names and communes when known. Run spreads them over all cores, records
// every finished origin in a checkpoint file so that an interrupted run
// resumes where it stopped, and returns the results in origin order, so
// that the same inputs give byte-identical output files (WriteTable,
// WriteMatrix, WriteGeoJSON) whatever the number of workers or
// interruptions. Each origin gets a Coverage (network, walk_only, outside)
// that tells a place without data from a place without access; every table
// carries its Metadata (graph, request, coverage, straight-line links,
// columns): in the Parquet footer, or a sidecar JSON file beside a CSV
// file. RenderMap draws the accessibility map of cell or point origins as
// PNG or SVG.
//
// Diff compares two graphs (the serving one and a rebuild) from the same
// origins with the same request: per origin, the schools and offers
// reachable in each graph and the offers lost and gained, a summary, and a
// map of gains and losses.
//
// The counts are those of the /v1/reachable answer (engine.Answer) without a
// filter: an offer is reachable in band i when its school's trip lasts at
// most the i-th cut-off and more than the previous one, and a school is
// counted when it hosts at least one training offer.
package batch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"reach/engine"
	"reach/graph"
)

// Options control a batch run.
type Options struct {
	// Params are the routing parameters of every request; Lat and Lon are
	// replaced by each origin's.
	Params engine.Params
	// Cutoffs are the band limits in minutes; nil means engine.DefaultCutoffs.
	// The last one may not exceed Params.MaxMinutes.
	Cutoffs []int
	// Matrix keeps every reachable (origin, school) pair.
	Matrix bool
	// Workers is the number of concurrent requests; 0 means GOMAXPROCS.
	Workers int
	// Checkpoint names the file recording finished origins ("" for none).
	// A run finding it skips the origins it holds; it must have been written
	// for the same graph, parameters and origins.
	Checkpoint string
	// Progress, when set, is called from one goroutine after every origin
	// with the number done (resumed ones included) and the total.
	Progress func(done, total int)
}

// Result holds a batch's figures in flat arrays, origin-major.
type Result struct {
	Origins    []Origin
	Cutoffs    []int    // band limits, minutes
	MaxMinutes int      // travel-time ceiling of the requests
	Levels     []string // diploma levels of the graph's offers, sorted
	SchoolIDs  []string // the graph's school ids (UAI), by school index
	Resumed    int      // origins read from the checkpoint instead of computed

	// Params are the routing parameters of the requests (origin at 0, 0).
	Params engine.Params
	// Meta describes the graph the figures were computed on.
	Meta *graph.Meta
	// SchoolNames and SchoolCommunes name the graph's schools, by school
	// index.
	SchoolNames, SchoolCommunes []string
	// Coverage says what the graph knows around each origin (see Coverage).
	Coverage []Coverage

	// Access is the number of stops within walking distance of each origin.
	Access []int32
	// Schools[o*len(Cutoffs)+b] counts the schools with training offers
	// whose trip from origin o falls in band b; Offers counts their offers.
	Schools []int32
	Offers  []int32
	// Nearest[o*len(Levels)+l] is the travel time in seconds from origin o
	// to the nearest school (by travel time, within the last cut-off) offering a
	// training of level l, or -1 when none is reachable.
	Nearest []int32
	// Matrix holds the reachable pairs when Options.Matrix was set.
	Matrix *Matrix
}

// Matrix is the origin × school travel-time matrix in compressed rows: the
// schools reachable within MaxMinutes from origin o are the entries
// Start[o] .. Start[o+1]-1, by increasing school index. Pairs absent from it
// are not reachable.
type Matrix struct {
	Start    []int32 // len(Origins)+1
	School   []int32 // school index (Result.SchoolIDs)
	Duration []int32 // door-to-door seconds
	Modality []graph.Modality
	Vehicles []int32 // vehicles taken, 0 when walking
}

// Row returns the figures of origin o as views into the result's arrays.
func (r *Result) Row(o int) (access int32, schools, offers, nearest []int32) {
	nb, nl := len(r.Cutoffs), len(r.Levels)
	return r.Access[o], r.Schools[o*nb : (o+1)*nb], r.Offers[o*nb : (o+1)*nb], r.Nearest[o*nl : (o+1)*nl]
}

// OffersWithin returns, per origin, the number of offers reachable within
// minutes, which must be one of the cut-offs.
func (r *Result) OffersWithin(minutes int) ([]int32, error) {
	last := -1
	for i, c := range r.Cutoffs {
		if c == minutes {
			last = i
		}
	}
	if last < 0 {
		return nil, fmt.Errorf("%d minutes is not a cut-off (%v)", minutes, r.Cutoffs)
	}
	nb := len(r.Cutoffs)
	out := make([]int32, len(r.Origins))
	for o := range out {
		for b := 0; b <= last; b++ {
			out[o] += r.Offers[o*nb+b]
		}
	}
	return out, nil
}

// tally turns a reachability answer into an origin's figures. It is built
// once per graph and read concurrently.
type tally struct {
	cutoffs    []int
	maxD       int32 // MaxMinutes in seconds
	levels     []string
	offers     []int32 // number of offers of each school
	levelStart []int32 // CSR: distinct level indexes of each school's offers
	level      []int32
	// locations counts the schools without offers too: the graph has no
	// offer at all (a plain locations file), so its places are the
	// destinations.
	locations bool
}

func newTally(p *graph.Places, cutoffs []int, maxMinutes int) *tally {
	t := &tally{cutoffs: cutoffs, maxD: int32(maxMinutes) * 60, locations: p.NumOffers() == 0}
	index := map[string]int32{}
	for _, l := range p.OfferLevel {
		if _, ok := index[l]; l != "" && !ok {
			index[l] = 0
			t.levels = append(t.levels, l)
		}
	}
	sort.Strings(t.levels)
	for i, l := range t.levels {
		index[l] = int32(i)
	}
	n := p.NumSchools()
	t.offers = make([]int32, n)
	t.levelStart = make([]int32, n+1)
	seen := make([]int32, len(t.levels)) // school+1 that last listed the level
	for s := int32(0); s < int32(n); s++ {
		a, b := p.OffersOf(graph.SchoolIdx(s))
		t.offers[s] = int32(b - a)
		for o := a; o < b; o++ {
			if l := p.OfferLevel[o]; l != "" {
				if k := index[l]; seen[k] != s+1 {
					seen[k] = s + 1
					t.level = append(t.level, k)
				}
			}
		}
		t.levelStart[s+1] = int32(len(t.level))
	}
	return t
}

// record is one origin's figures, as computed and as kept in the checkpoint.
type record struct {
	I       int        `json:"i"`
	Access  int32      `json:"a"`
	Schools []int32    `json:"s"`
	Offers  []int32    `json:"o"`
	Nearest []int32    `json:"n"`
	Matrix  [][4]int32 `json:"m,omitempty"` // school, seconds, modality, vehicles
}

func (t *tally) record(i int, r *engine.Reachability, matrix bool) record {
	nb := len(t.cutoffs)
	rec := record{I: i, Access: int32(r.Access), Schools: make([]int32, nb), Offers: make([]int32, nb),
		Nearest: make([]int32, len(t.levels))}
	for l := range rec.Nearest {
		rec.Nearest[l] = -1
	}
	for k, s := range r.Reached {
		trip := r.Trips[k]
		if !trip.Found || trip.Duration > t.maxD {
			continue
		}
		d := trip.Duration
		if matrix {
			rec.Matrix = append(rec.Matrix, [4]int32{int32(s), d, int32(trip.Modality), int32(trip.Trips)})
		}
		if t.offers[s] == 0 && !t.locations {
			continue
		}
		b := engine.Band(d, t.cutoffs)
		if b == nb {
			continue // beyond the last cut-off: not reachable for /v1/reachable
		}
		rec.Schools[b]++
		rec.Offers[b] += t.offers[s]
		for _, l := range t.level[t.levelStart[s]:t.levelStart[s+1]] {
			if rec.Nearest[l] < 0 || d < rec.Nearest[l] {
				rec.Nearest[l] = d
			}
		}
	}
	return rec
}

// Run computes the figures of every origin. When ctx is cancelled it stops
// taking new origins, lets the running ones finish into the checkpoint and
// returns an error wrapping ctx.Err(); running it again with the same
// options resumes.
func Run(ctx context.Context, e *engine.Engine, origins []Origin, opt Options) (*Result, error) {
	if len(origins) == 0 {
		return nil, errors.New("no origins")
	}
	cut := opt.Cutoffs
	if cut == nil {
		cut = engine.DefaultCutoffs
	}
	p := opt.Params
	if last := cut[len(cut)-1]; last > p.MaxMinutes {
		return nil, &engine.ParamError{Param: "cutoffs", Detail: fmt.Sprintf("last cut-off %d exceeds max_minutes %d", last, p.MaxMinutes)}
	}
	for i, o := range origins {
		if !(o.Lat >= -90 && o.Lat <= 90 && o.Lon >= -180 && o.Lon <= 180) {
			return nil, fmt.Errorf("origin %d (%q): coordinates %v,%v out of range", i, o.ID, o.Lat, o.Lon)
		}
	}
	g := e.Graph()
	t := newTally(&g.Places, cut, p.MaxMinutes)
	n := len(origins)
	params := p
	params.Lat, params.Lon = 0, 0
	res := &Result{Origins: origins, Cutoffs: cut, MaxMinutes: p.MaxMinutes, Levels: t.levels, SchoolIDs: g.Places.SchoolID,
		Params: params, Meta: &g.Meta, SchoolNames: g.Places.SchoolName, SchoolCommunes: g.Places.SchoolCommune,
		Access: make([]int32, n), Schools: make([]int32, n*len(cut)), Offers: make([]int32, n*len(cut)),
		Nearest: make([]int32, n*len(t.levels)), Coverage: make([]Coverage, n)}
	var pairs [][][4]int32
	if opt.Matrix {
		pairs = make([][][4]int32, n)
	}
	done := make([]bool, n)
	store := func(rec record) {
		done[rec.I] = true
		res.Access[rec.I] = rec.Access
		copy(res.Schools[rec.I*len(cut):], rec.Schools)
		copy(res.Offers[rec.I*len(cut):], rec.Offers)
		copy(res.Nearest[rec.I*len(t.levels):], rec.Nearest)
		if pairs != nil {
			pairs[rec.I] = rec.Matrix
		}
	}

	var ck *checkpoint
	if opt.Checkpoint != "" {
		fp := fingerprint(g.Meta.BuildID, p, cut, opt.Matrix, t.levels, origins)
		var old []record
		var err error
		ck, old, err = openCheckpoint(opt.Checkpoint, fp, n, len(cut), len(t.levels))
		if err != nil {
			return nil, err
		}
		defer ck.close()
		for _, rec := range old {
			store(rec)
		}
		res.Resumed = len(old)
	}
	var todo []int
	for i, d := range done {
		if !d {
			todo = append(todo, i)
		}
	}
	count := res.Resumed
	if opt.Progress != nil {
		opt.Progress(count, n)
	}
	var mu sync.Mutex // guards store, the checkpoint and count
	err := forEach(ctx, len(todo), opt.Workers, func(k int) error {
		i := todo[k]
		q := p
		q.Lat, q.Lon = origins[i].Lat, origins[i].Lon
		r, err := e.Reach(ctx, q)
		if err != nil {
			return fmt.Errorf("origin %q: %w", origins[i].ID, err)
		}
		rec := t.record(i, r, opt.Matrix)
		mu.Lock()
		defer mu.Unlock()
		store(rec)
		count++
		if ck != nil {
			if err := ck.append(rec); err != nil {
				return err
			}
		}
		if opt.Progress != nil {
			opt.Progress(count, n)
		}
		return nil
	})
	if ck != nil {
		if ferr := ck.flush(); err == nil {
			err = ferr
		}
	}
	if err != nil {
		if ctx.Err() != nil && ck != nil {
			return nil, fmt.Errorf("interrupted after %d of %d origins (kept in %s; run again to resume): %w", count, n, opt.Checkpoint, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted after %d of %d origins: %w", count, n, err)
		}
		return nil, err
	}
	for i, o := range origins {
		res.Coverage[i] = coverageOf(e, o, res.Access[i], p)
	}
	if pairs != nil {
		m := &Matrix{Start: make([]int32, n+1)}
		for o, ps := range pairs {
			for _, x := range ps {
				m.School = append(m.School, x[0])
				m.Duration = append(m.Duration, x[1])
				m.Modality = append(m.Modality, graph.Modality(x[2]))
				m.Vehicles = append(m.Vehicles, x[3])
			}
			m.Start[o+1] = int32(len(m.School))
		}
		res.Matrix = m
	}
	return res, nil
}
