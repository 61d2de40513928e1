package graph

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"

	"github.com/uber/h3-go/v4"
)

// IndexFormatVersion is the version of the index file format. Bump it
// whenever the exported fields of Index change.
const IndexFormatVersion = 3

// indexFormat is the index file's: the graph file's framing (header with
// magic, version and checksums, one zstd frame, atomic writes) around the
// encoding of Index.
var indexFormat = fileFormat{"REACHIDX", IndexFormatVersion, "index", ErrNotIndex}

// Index is the precomputed answer for frontends that want a table lookup:
// for every H3 cell of an area, the schools reachable from it arriving by a
// deadline, with their band and modality. It is computed by running the
// arrive-by request from every cell (see the batch package), sharded by
// cell so that shards run on separate machines, and merged with
// MergeIndexes.
type Index struct {
	BuildID    string // graph the index was computed on
	Date       string // its service date
	ArriveBy   int32  // deadline, seconds since midnight
	MaxMinutes int
	Modes      string // TravelModes.String()
	// AllLocations: the entries cover every school of the graph; otherwise
	// only the schools with training offers (all of them on a graph
	// without offers).
	AllLocations bool
	Cutoffs      []int // band limits, minutes
	Resolution   int   // H3 resolution of the cells
	Shard        int   // this part's number, 0-based; 0 of 1 when complete
	Shards       int
	UAI          []string // school ids, by school index of the graph

	Cell     []uint64 // cells of this part, sorted
	Start    []int32  // CSR over Cell into the entries, len(Cell)+1
	School   []int32  // school index (into UAI)
	Band     []uint8  // index into Cutoffs
	Modality []uint8  // Modality (values below NumModalities)
}

// Validate checks the invariants readers of the index rely on.
func (ix *Index) Validate() error {
	switch {
	case ix.Shards < 1 || ix.Shard < 0 || ix.Shard >= ix.Shards:
		return fmt.Errorf("index: shard %d of %d", ix.Shard, ix.Shards)
	case ix.Resolution < 0 || ix.Resolution > 15:
		return fmt.Errorf("index: H3 resolution %d", ix.Resolution)
	case len(ix.Cutoffs) == 0 || len(ix.Cutoffs) > 255:
		return fmt.Errorf("index: %d cut-offs", len(ix.Cutoffs))
	case len(ix.Start) != len(ix.Cell)+1 || ix.Start[0] != 0 || int(ix.Start[len(ix.Cell)]) != len(ix.School):
		return errors.New("index: cell offsets do not span the entries")
	case len(ix.Band) != len(ix.School) || len(ix.Modality) != len(ix.School):
		return errors.New("index: entry arrays of unequal lengths")
	}
	for i := 1; i < len(ix.Cutoffs); i++ {
		if ix.Cutoffs[i] <= ix.Cutoffs[i-1] {
			return fmt.Errorf("index: cut-offs %v do not increase", ix.Cutoffs)
		}
	}
	for k := range ix.Cell {
		if k > 0 && ix.Cell[k] <= ix.Cell[k-1] {
			return fmt.Errorf("index: cells not sorted at %d", k)
		}
		if ix.Start[k+1] < ix.Start[k] {
			return fmt.Errorf("index: cell offsets decrease at %d", k)
		}
	}
	for i, s := range ix.School {
		if s < 0 || int(s) >= len(ix.UAI) || int(ix.Band[i]) >= len(ix.Cutoffs) {
			return fmt.Errorf("index: entry %d out of range", i)
		}
		if m := ix.Modality[i]; m >= NumModalities {
			return fmt.Errorf("index: entry %d has modality %d, unknown to this program (written by a later one?)", i, m)
		}
	}
	return nil
}

// WriteIndex stores the index at path, atomically, as Write stores a graph.
func WriteIndex(path string, ix *Index) error {
	if ix == nil {
		return fmt.Errorf("write index %s: nil *Index", path)
	}
	if err := ix.Validate(); err != nil {
		return fmt.Errorf("write index %s: %w", path, err)
	}
	return writeFile(path, reflect.ValueOf(ix).Elem(), indexFormat)
}

// ReadIndex reads an index file. Its errors name the path and wrap
// ErrNotIndex, *VersionError, ErrTruncated, ErrChecksum, ErrCorrupt or
// ErrLayout when the file is at fault; an intact file whose content is
// inconsistent is refused too.
func ReadIndex(path string) (*Index, error) {
	ix := new(Index)
	if err := readFile(path, reflect.ValueOf(ix).Elem(), indexFormat); err != nil {
		return nil, err
	}
	if err := ix.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ix, nil
}

// IndexEntry is one school reachable from a cell.
type IndexEntry struct {
	UAI      string `json:"uai"`
	Band     string `json:"band"`
	Modality string `json:"modality"`
}

// CellOf returns the index's cell of (lat, lon).
func (ix *Index) CellOf(lat, lon float64) uint64 {
	return uint64(h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, ix.Resolution))
}

// Entries returns the schools reachable from a cell, and whether the index
// holds the cell.
func (ix *Index) Entries(cell uint64) ([]IndexEntry, bool) {
	k, found := slices.BinarySearch(ix.Cell, cell)
	if !found {
		return nil, false
	}
	out := make([]IndexEntry, 0, ix.Start[k+1]-ix.Start[k])
	for i := ix.Start[k]; i < ix.Start[k+1]; i++ {
		out = append(out, IndexEntry{UAI: ix.UAI[ix.School[i]], Band: BandLabel(int(ix.Band[i]), ix.Cutoffs),
			Modality: Modality(ix.Modality[i]).String()})
	}
	return out, true
}

// LookupRadius is how far from an address, in metres, Lookup looks for a
// covered cell when the index does not hold the address's own cell (it
// holds the cells the walking streets cross, and an address may lie a few
// metres off its street, in a cell of its own).
const LookupRadius = 100

// LookupResult is the answer of the index for an address.
type LookupResult struct {
	Cell uint64 // the address's cell
	// Covered says whether the index holds the address's cell; Entries are
	// then the schools reachable from it.
	Covered bool
	// Nearest is, when the address's cell is not covered, the covered
	// cell whose centre lies nearest the address within LookupRadius
	// metres (0 when none does), Distance that distance in metres;
	// Entries are then the schools reachable from Nearest.
	Nearest  uint64
	Distance float64
	Entries  []IndexEntry
}

// Lookup returns the schools reachable from the cell of (lat, lon): from
// the address's own cell when the index holds it, otherwise from the
// covered cell whose centre is nearest the address within LookupRadius
// metres; none when there is no such cell.
func (ix *Index) Lookup(lat, lon float64) LookupResult {
	res := LookupResult{Cell: ix.CellOf(lat, lon)}
	if e, ok := ix.Entries(res.Cell); ok {
		res.Covered, res.Entries = true, e
		return res
	}
	if c, d, ok := ix.NearestCovered(lat, lon, LookupRadius); ok {
		res.Nearest, res.Distance = c, d
		res.Entries, _ = ix.Entries(c)
	}
	return res
}

// NearestCovered returns the cell of the index whose centre is nearest
// (lat, lon), within radius metres, and that distance (ties go to the
// lower cell index); ok is false when no cell lies that near.
func (ix *Index) NearestCovered(lat, lon, radius float64) (cell uint64, metres float64, ok bool) {
	if len(ix.Cell) == 0 || !(radius >= 0) {
		return 0, 0, false
	}
	home := h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, ix.Resolution)
	// Rings enough to hold every cell whose centre lies within radius: the
	// address is within one edge of its cell's centre, and the centres of
	// cells k rings apart are at least 1.5·k edges apart, edges varying
	// about twofold over the globe around their average.
	edge := h3.HexagonEdgeLengthAvgM(ix.Resolution)
	k := int(math.Ceil((radius+2*edge)/(0.75*edge))) + 1
	best := math.Inf(1)
	for _, c := range h3.GridDisk(home, k) {
		if _, found := slices.BinarySearch(ix.Cell, uint64(c)); !found {
			continue
		}
		ll := h3.CellToLatLng(c)
		d := Haversine(lat, lon, ll.Lat, ll.Lng)
		if d <= radius && (d < best || d == best && uint64(c) < cell) {
			cell, best, ok = uint64(c), d, true
		}
	}
	if !ok {
		return 0, 0, false
	}
	return cell, best, true
}

// MergeIndexes joins the shards of one computation into a complete index.
// Every shard must be present once, computed on the same graph with the
// same request.
func MergeIndexes(parts []*Index) (*Index, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no shard given")
	}
	a := parts[0]
	n := a.Shards
	seen := make([]bool, n)
	for _, p := range parts {
		if p.BuildID != a.BuildID || p.ArriveBy != a.ArriveBy || p.MaxMinutes != a.MaxMinutes || p.Modes != a.Modes || p.AllLocations != a.AllLocations ||
			!slices.Equal(p.Cutoffs, a.Cutoffs) || p.Shards != n || p.Resolution != a.Resolution || !slices.Equal(p.UAI, a.UAI) {
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
	out := &Index{BuildID: a.BuildID, Date: a.Date, ArriveBy: a.ArriveBy, MaxMinutes: a.MaxMinutes, Modes: a.Modes,
		AllLocations: a.AllLocations, Cutoffs: a.Cutoffs, Resolution: a.Resolution, Shard: 0, Shards: 1, UAI: a.UAI}
	type ref struct{ part, k int }
	var refs []ref
	for pi, p := range parts {
		for k := range p.Cell {
			refs = append(refs, ref{pi, k})
		}
	}
	slices.SortFunc(refs, func(x, y ref) int {
		cx, cy := parts[x.part].Cell[x.k], parts[y.part].Cell[y.k]
		switch {
		case cx < cy:
			return -1
		case cx > cy:
			return 1
		}
		return 0
	})
	out.Start = []int32{0}
	for i, r := range refs {
		p := parts[r.part]
		if i > 0 && p.Cell[r.k] == out.Cell[len(out.Cell)-1] {
			return nil, fmt.Errorf("merge: cell %x is in two shards", p.Cell[r.k])
		}
		out.Cell = append(out.Cell, p.Cell[r.k])
		for e := p.Start[r.k]; e < p.Start[r.k+1]; e++ {
			out.School = append(out.School, p.School[e])
			out.Band = append(out.Band, p.Band[e])
			out.Modality = append(out.Modality, p.Modality[e])
		}
		out.Start = append(out.Start, int32(len(out.School)))
	}
	return out, nil
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

// BandLabel names band i of the cut-offs (minutes): "0-15", "15-30", …
func BandLabel(i int, cutoffs []int) string {
	lo := 0
	if i > 0 {
		lo = cutoffs[i-1]
	}
	return fmt.Sprintf("%d-%d", lo, cutoffs[i])
}
