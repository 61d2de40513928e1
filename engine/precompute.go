package engine

import (
	"bufio"
	"encoding/csv"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"github.com/uber/h3-go/v4"

	"reach/graph"
)

// Index is the precomputed answer for frontends that want a table lookup:
// for every cell of the graph, the schools reachable from it arriving by a
// deadline, with their band and modality. It is computed by running the
// arrive-by request from the centre of every cell (a cell is a possible
// home), sharded by cell so that shards run on separate machines.
type Index struct {
	BuildID    string // graph the index was computed on
	Date       string
	ArriveBy   int32
	MaxMinutes int
	Modes      string
	Cutoffs    []int
	Resolution int
	Shard      int // this part's number, 0-based; 0 of 1 when complete
	Shards     int
	UAI        []string // school ids, by school index

	Cell     []uint64 // cells of this part, sorted
	Start    []int32  // CSR over Cell into the entries
	School   []int32  // school index
	Band     []uint8  // index into Cutoffs
	Modality []uint8  // Modality
}

// indexMagic starts every index file.
const indexMagic = "REACHIDX1\n"

// Precompute computes shard i of n of the index with the request p (its
// Lat/Lon are ignored) for the H3 cells of resolution res (0: the graph's)
// that the streets cross. progress, when set, is told the cells done.
func (e *Engine) Precompute(p Params, cutoffs []int, res, shard, shards int, progress func(done, total int)) (*Index, error) {
	if shards < 1 || shard < 0 || shard >= shards {
		return nil, &ParamError{"shard", fmt.Sprintf("%d/%d: want 0 <= i < n", shard, shards)}
	}
	if cutoffs == nil {
		cutoffs = DefaultCutoffs
	}
	if cutoffs[len(cutoffs)-1] > p.MaxMinutes {
		return nil, &ParamError{"cutoffs", "last cut-off exceeds max_minutes"}
	}
	if res == 0 {
		res = int(e.g.Cells.Resolution)
	}
	if res < 7 || res > 12 {
		return nil, &ParamError{"res", fmt.Sprintf("H3 resolution %d: want 7 to 12", res)}
	}
	if e.g.Streets.NumNodes() == 0 {
		return nil, errors.New("this graph has no streets: no cells to precompute")
	}
	all, rep := e.cellOrigins(res)
	var mine []uint64
	var origin [][2]float64
	for k, cell := range all {
		if k%shards == shard {
			mine = append(mine, cell)
			origin = append(origin, rep[k])
		}
	}
	ix := &Index{BuildID: e.g.Meta.BuildID, Date: e.g.Meta.Date, ArriveBy: p.ArriveBy, MaxMinutes: p.MaxMinutes,
		Modes: p.Modes.String(), Cutoffs: cutoffs, Resolution: res, Shard: shard, Shards: shards,
		UAI: e.g.Places.SchoolID}
	if err := e.fillIndex(ix, p, mine, origin, progress); err != nil {
		return nil, err
	}
	return ix, nil
}

// fillIndex runs the request from each origin and fills the index rows of
// the given cells, on every core.
func (e *Engine) fillIndex(ix *Index, p Params, mine []uint64, origin [][2]float64, progress func(done, total int)) error {
	cutoffs := ix.Cutoffs
	ix.Cell = mine
	type entry struct {
		school   int32
		band     uint8
		modality uint8
	}
	rows := make([][]entry, len(mine))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(mine) {
					return
				}
				q := p
				q.Lat, q.Lon = origin[k][0], origin[k][1]
				r, err := e.Reach(q)
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("cell %x: %w", mine[k], err) })
					return
				}
				for s, t := range r.Schools {
					if t.Found {
						if b := Band(t.Duration, cutoffs); b < len(cutoffs) {
							rows[k] = append(rows[k], entry{int32(s), uint8(b), uint8(t.Modality)})
						}
					}
				}
				if n := int(done.Add(1)); progress != nil {
					progress(n, len(mine))
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	ix.Start = make([]int32, len(mine)+1)
	for k, row := range rows {
		for _, x := range row {
			ix.School = append(ix.School, x.school)
			ix.Band = append(ix.Band, x.band)
			ix.Modality = append(ix.Modality, x.modality)
		}
		ix.Start[k+1] = int32(len(ix.School))
	}
	return nil
}

// cellOrigins lists the H3 cells of resolution res that the walking
// streets cross (sampled at nodes and every third of a cell edge along
// segments), sorted, and for each the place a request for the cell starts
// from: the street point of the cell nearest to its centre (homes are on
// streets).
func (e *Engine) cellOrigins(res int) ([]uint64, [][2]float64) {
	s := &e.g.Streets
	edge := h3.HexagonEdgeLengthAvgM(res)
	type best struct {
		lat, lon, d float64
	}
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
	for g := 0; g < s.NumSegments(); g++ {
		if s.SegFlags[g]&graph.StreetWalk == 0 {
			continue
		}
		length := float64(s.SegLength[g])
		steps := int(length / (edge / 3))
		for k := 1; k <= steps; k++ {
			lat, lon := s.PointAlong(int32(g), length*float64(k)/float64(steps+1))
			consider(lat, lon)
		}
	}
	cells := make([]uint64, 0, len(found))
	for c := range found {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	origins := make([][2]float64, len(cells))
	for k, c := range cells {
		origins[k] = [2]float64{found[c].lat, found[c].lon}
	}
	return cells, origins
}

// IndexEntry is one school reachable from a cell.
type IndexEntry struct {
	UAI      string `json:"uai"`
	Band     string `json:"band"`
	Modality string `json:"modality"`
}

// Lookup returns the schools reachable from the cell of (lat, lon).
func (ix *Index) Lookup(lat, lon float64) (cell uint64, entries []IndexEntry, ok bool) {
	cell = uint64(h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, ix.Resolution))
	k, found := slices.BinarySearch(ix.Cell, cell)
	if !found {
		return cell, nil, false
	}
	for i := ix.Start[k]; i < ix.Start[k+1]; i++ {
		entries = append(entries, IndexEntry{UAI: ix.UAI[ix.School[i]], Band: BandLabel(int(ix.Band[i]), ix.Cutoffs),
			Modality: Modality(ix.Modality[i]).String()})
	}
	return cell, entries, true
}

// MergeIndexes joins the shards of one computation into a complete index.
// Every shard must be present once, computed on the same graph with the
// same request.
func MergeIndexes(parts []*Index) (*Index, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no shard given")
	}
	n := parts[0].Shards
	seen := make([]bool, n)
	for _, p := range parts {
		a := parts[0]
		if p.BuildID != a.BuildID || p.ArriveBy != a.ArriveBy || p.MaxMinutes != a.MaxMinutes || p.Modes != a.Modes ||
			!slices.Equal(p.Cutoffs, a.Cutoffs) || p.Shards != n || p.Resolution != a.Resolution {
			return nil, fmt.Errorf("merge: shard %d/%d was computed on another graph or with another request", p.Shard, p.Shards)
		}
		if p.Shard < 0 || p.Shard >= n || seen[p.Shard] {
			return nil, fmt.Errorf("merge: shard %d/%d given twice or out of range", p.Shard, n)
		}
		seen[p.Shard] = true
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("merge: shard %d/%d is missing", i, n)
		}
	}
	a := parts[0]
	out := &Index{BuildID: a.BuildID, Date: a.Date, ArriveBy: a.ArriveBy, MaxMinutes: a.MaxMinutes, Modes: a.Modes,
		Cutoffs: a.Cutoffs, Resolution: a.Resolution, Shard: 0, Shards: 1, UAI: a.UAI}
	type ref struct {
		part, k int
	}
	var refs []ref
	for pi, p := range parts {
		for k := range p.Cell {
			refs = append(refs, ref{pi, k})
		}
	}
	slices.SortFunc(refs, func(x, y ref) int {
		cx, cy := parts[x.part].Cell[x.k], parts[y.part].Cell[y.k]
		if cx < cy {
			return -1
		}
		if cx > cy {
			return 1
		}
		return 0
	})
	out.Start = []int32{0}
	for _, r := range refs {
		p := parts[r.part]
		out.Cell = append(out.Cell, p.Cell[r.k])
		for i := p.Start[r.k]; i < p.Start[r.k+1]; i++ {
			out.School = append(out.School, p.School[i])
			out.Band = append(out.Band, p.Band[i])
			out.Modality = append(out.Modality, p.Modality[i])
		}
		out.Start = append(out.Start, int32(len(out.School)))
	}
	return out, nil
}

// WriteIndex writes the index atomically (temporary file, then rename).
func WriteIndex(path string, ix *Index) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".index-*")
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.WriteString(tmp, indexMagic); err != nil {
		return err
	}
	zw, err := zstd.NewWriter(tmp)
	if err != nil {
		return err
	}
	if err = gob.NewEncoder(zw).Encode(ix); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err = zw.Close(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadIndex reads an index file, refusing files that are not one.
func ReadIndex(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic := make([]byte, len(indexMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != indexMagic {
		return nil, fmt.Errorf("%s: not a reach index file (or another version)", path)
	}
	zr, err := zstd.NewReader(br)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var ix Index
	if err := gob.NewDecoder(zr).Decode(&ix); err != nil {
		return nil, fmt.Errorf("%s: corrupted or truncated index: %w", path, err)
	}
	if len(ix.Start) != len(ix.Cell)+1 || len(ix.Band) != len(ix.School) || len(ix.Modality) != len(ix.School) ||
		(len(ix.Cell) > 0 && int(ix.Start[len(ix.Cell)]) != len(ix.School)) {
		return nil, fmt.Errorf("%s: inconsistent index", path)
	}
	for _, s := range ix.School {
		if s < 0 || int(s) >= len(ix.UAI) {
			return nil, fmt.Errorf("%s: inconsistent index", path)
		}
	}
	return &ix, nil
}

// WriteCSV exports the index as cell,uai,band,modality rows for a database.
func (ix *Index) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"cell", "uai", "band", "modality"}); err != nil {
		return err
	}
	for k, c := range ix.Cell {
		hex := strconv.FormatUint(c, 16)
		for i := ix.Start[k]; i < ix.Start[k+1]; i++ {
			if err := cw.Write([]string{hex, ix.UAI[ix.School[i]], BandLabel(int(ix.Band[i]), ix.Cutoffs), Modality(ix.Modality[i]).String()}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
