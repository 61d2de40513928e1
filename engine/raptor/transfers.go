package raptor

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"reach/graph"
)

// MaxFootpath is the longest footpath accepted, in seconds (about 6 days);
// longer times would risk overflowing the int32 label arithmetic.
const MaxFootpath = 1 << 19

// Transfers are footpaths between distinct stops as a CSR over the origin
// stop: the footpaths leaving stop s go to To[Start[s]:Start[s+1]] and take
// Time[Start[s]:Start[s+1]] seconds. The constructors return one footpath
// per (origin, destination) pair, sorted by destination, never a loop.
//
// The zero value has no footpaths. A Transfers is read-only once built and
// may be shared by concurrent queries.
//
// Footpaths may be walks given in metres (Metres, when not nil, holds one
// entry per footpath): an entry m ≥ 0 takes WalkSeconds(m, speed) at the
// query's walking speed and is not walked beyond the query's MaxWalk, so
// that one set serves every speed; an entry < 0 is a footpath of fixed
// Time (transfers.txt).
type Transfers struct {
	Start  []int32 // len NumStops()+1
	To     []graph.StopIdx
	Time   []int32
	Metres []float32 // nil, or len(To): metres of walks, -1 for fixed times
}

// NumStops returns the number of origin stops the CSR covers.
func (t *Transfers) NumStops() int {
	if len(t.Start) == 0 {
		return 0
	}
	return len(t.Start) - 1
}

// From returns the footpaths leaving stop s: destinations and seconds.
func (t *Transfers) From(s graph.StopIdx) (to []graph.StopIdx, seconds []int32) {
	if s < 0 || int(s) >= t.NumStops() {
		return nil, nil
	}
	a, b := t.Start[s], t.Start[s+1]
	return t.To[a:b], t.Time[a:b]
}

// Validate checks that the CSR covers numStops stops and that every
// footpath leads to a stop in range in 0..MaxFootpath seconds. The zero
// value is valid for any number of stops.
func (t *Transfers) Validate(numStops int) error {
	if len(t.Start) == 0 && len(t.To) == 0 && len(t.Time) == 0 {
		return nil
	}
	if len(t.Start) != numStops+1 {
		return fmt.Errorf("raptor: transfers cover %d stops, the timetable has %d", t.NumStops(), numStops)
	}
	if len(t.To) != len(t.Time) {
		return fmt.Errorf("raptor: transfers have %d destinations and %d times", len(t.To), len(t.Time))
	}
	if t.Start[0] != 0 || int(t.Start[numStops]) != len(t.To) {
		return fmt.Errorf("raptor: transfer offsets do not span 0..%d", len(t.To))
	}
	for s := 1; s <= numStops; s++ {
		if t.Start[s] < t.Start[s-1] {
			return fmt.Errorf("raptor: transfer offsets decrease at stop %d", s)
		}
	}
	if t.Metres != nil && len(t.Metres) != len(t.To) {
		return fmt.Errorf("raptor: transfers have %d destinations and %d walk lengths", len(t.To), len(t.Metres))
	}
	for i, u := range t.To {
		if u < 0 || int(u) >= numStops {
			return fmt.Errorf("raptor: transfer %d leads to stop %d, out of range", i, u)
		}
		if t.Metres != nil && float64(t.Metres[i]) > MaxFootpath {
			return fmt.Errorf("raptor: transfer %d is a walk of %v m", i, t.Metres[i])
		}
		if f := t.Time[i]; f < 0 || f > MaxFootpath {
			return fmt.Errorf("raptor: transfer %d takes %d s, outside 0..%d", i, f, MaxFootpath)
		}
	}
	return nil
}

// GTFSTransfers returns the timetable's transfers.txt footpaths between
// distinct stops (transfers from a stop to itself are the stops' minimum
// transfer times, used when changing at a stop). Duplicate pairs keep the
// shortest time; entries that graph.Timetable.Validate would reject are
// skipped.
func GTFSTransfers(tt *graph.Timetable) Transfers {
	n := tt.NumStops()
	if len(tt.TransferStart) != n+1 || len(tt.TransferTo) != len(tt.TransferTime) {
		return normalize(n, make([]int32, n+1), nil, nil)
	}
	return normalize(n, tt.TransferStart, tt.TransferTo, tt.TransferTime)
}

// MergeTransfers returns the union of two sets of footpaths, keeping the
// shorter time for a pair present in both. The result covers as many stops
// as the larger input.
func MergeTransfers(a, b Transfers) Transfers {
	n := max(a.NumStops(), b.NumStops())
	if a.Metres == nil && b.Metres == nil {
		start := make([]int32, n+1)
		to := make([]graph.StopIdx, 0, len(a.To)+len(b.To))
		secs := make([]int32, 0, len(a.To)+len(b.To))
		for s := graph.StopIdx(0); int(s) < n; s++ {
			for _, x := range []*Transfers{&a, &b} {
				u, f := x.From(s)
				to, secs = append(to, u...), append(secs, f...)
			}
			start[s+1] = int32(len(to))
		}
		return normalize(n, start, to, secs)
	}
	// A stop whose footpaths all come from one side keeps them as they
	// are (the constructors normalised them); a stop with footpaths on
	// both sides has them merged and normalised again.
	m := len(a.To) + len(b.To)
	out := Transfers{Start: make([]int32, n+1), To: make([]graph.StopIdx, 0, m), Time: make([]int32, 0, m), Metres: make([]float32, 0, m)}
	var seg []pathEntry
	for s := graph.StopIdx(0); int(s) < n; s++ {
		seg = seg[:0]
		sides := 0
		for _, x := range []*Transfers{&a, &b} {
			u, f := x.From(s)
			if len(u) == 0 {
				continue
			}
			sides++
			for i := range u {
				metres := float32(-1)
				if x.Metres != nil {
					metres = x.Metres[x.Start[s]+int32(i)]
				}
				seg = append(seg, pathEntry{u[i], f[i], metres})
			}
		}
		if sides == 2 {
			seg = normalizeStop(s, n, seg)
		}
		for _, e := range seg {
			out.To, out.Time, out.Metres = append(out.To, e.to), append(out.Time, e.secs), append(out.Metres, e.m)
		}
		out.Start[s+1] = int32(len(out.To))
	}
	return out
}

// pathEntry is a footpath to stop to, of fixed time secs when m < 0, else
// a walk of m metres.
type pathEntry struct {
	to   graph.StopIdx
	secs int32
	m    float32
}

// normalizeStop normalises the footpaths seg leaving stop s of n (see
// normalizeMetres), in place: loops and invalid entries dropped, walks
// with time 0 and fixed times with metres -1, for each destination the
// shortest walk and the shortest fixed time kept, sorted by destination
// then metres (fixed times first).
func normalizeStop(s graph.StopIdx, n int, seg []pathEntry) []pathEntry {
	seg = slices.DeleteFunc(seg, func(e pathEntry) bool {
		if e.to == s || e.to < 0 || int(e.to) >= n {
			return true
		}
		if e.m >= 0 {
			return !(float64(e.m) <= MaxFootpath)
		}
		return e.secs < 0 || e.secs > MaxFootpath
	})
	for i := range seg {
		if seg[i].m >= 0 {
			seg[i].secs = 0
		} else {
			seg[i].m = -1
		}
	}
	slices.SortFunc(seg, func(x, y pathEntry) int {
		if c := cmp.Compare(x.to, y.to); c != 0 {
			return c
		}
		if c := cmp.Compare(x.m, y.m); c != 0 {
			return c
		}
		return cmp.Compare(x.secs, y.secs)
	})
	return slices.CompactFunc(seg, func(x, y pathEntry) bool { return x.to == y.to && (x.m >= 0) == (y.m >= 0) })
}

// StreetTransfers returns street footpaths given in metres (a CSR over the
// origin stop: destinations to[start[s]:start[s+1]] at dist metres) as
// walks whose times follow each query's walking speed (see Transfers).
// Loops are dropped and duplicate pairs keep the shortest walk.
func StreetTransfers(start []int32, to []graph.StopIdx, dist []float32) (Transfers, error) {
	n, err := checkDistances(start, to, dist)
	if err != nil {
		return Transfers{}, err
	}
	for i, d := range dist {
		if !(d >= 0) || float64(d) > MaxFootpath {
			return Transfers{}, fmt.Errorf("raptor: footpath %d of %v m", i, d)
		}
	}
	if sortedCSR(n, start, to) {
		// Already one walk per pair, sorted by destination (graphs built
		// by ingest): the graph's arrays are shared, not copied.
		if dist == nil {
			dist = []float32{}
		}
		return Transfers{Start: start, To: to, Time: make([]int32, len(to)), Metres: dist}, nil
	}
	return normalizeMetres(n, start, to, make([]int32, len(to)), dist), nil
}

// sortedCSR reports whether each origin's destinations are in range,
// never the origin itself and strictly increasing (so without duplicates).
func sortedCSR(n int, start []int32, to []graph.StopIdx) bool {
	for s := graph.StopIdx(0); int(s) < n; s++ {
		prev := graph.StopIdx(-1)
		for _, u := range to[start[s]:start[s+1]] {
			if u <= prev || u == s || int(u) >= n {
				return false
			}
			prev = u
		}
	}
	return true
}

// checkDistances checks a CSR of footpaths in metres and returns its
// number of stops.
func checkDistances(start []int32, to []graph.StopIdx, dist []float32) (int, error) {
	if len(start) == 0 {
		return 0, fmt.Errorf("raptor: distance CSR has no offsets")
	}
	n := len(start) - 1
	if len(to) != len(dist) {
		return 0, fmt.Errorf("raptor: distance CSR has %d destinations and %d distances", len(to), len(dist))
	}
	if start[0] != 0 || int(start[n]) != len(to) {
		return 0, fmt.Errorf("raptor: distance offsets do not span 0..%d", len(to))
	}
	for s := 1; s <= n; s++ {
		if start[s] < start[s-1] {
			return 0, fmt.Errorf("raptor: distance offsets decrease at stop %d", s)
		}
	}
	for i, u := range to {
		if u < 0 || int(u) >= n {
			return 0, fmt.Errorf("raptor: footpath %d leads to stop %d, out of range 0..%d", i, u, n-1)
		}
	}
	return n, nil
}

// FromDistances converts street footpaths given in metres (a CSR over the
// origin stop: destinations to[start[s]:start[s+1]] at dist metres) into
// Transfers at walkSpeed metres per second, rounding times up to the
// second. Loops are dropped and duplicate pairs keep the shortest time.
func FromDistances(start []int32, to []graph.StopIdx, dist []float32, walkSpeed float64) (Transfers, error) {
	if !(walkSpeed > 0) || math.IsInf(walkSpeed, 0) {
		return Transfers{}, fmt.Errorf("raptor: walk speed %v m/s is not a positive finite number", walkSpeed)
	}
	n, err := checkDistances(start, to, dist)
	if err != nil {
		return Transfers{}, err
	}
	secs := make([]int32, len(dist))
	for i, d := range dist {
		f := math.Ceil(float64(d) / walkSpeed)
		if !(f >= 0 && f <= MaxFootpath) {
			return Transfers{}, fmt.Errorf("raptor: footpath %d of %v m takes %v s at %v m/s, outside 0..%d",
				i, d, f, walkSpeed, MaxFootpath)
		}
		secs[i] = int32(f)
	}
	return normalize(n, start, to, secs), nil
}

// normalize copies a CSR over n stops, dropping loops, out-of-range
// destinations and times, keeping the shortest time per pair and sorting
// each origin's footpaths by destination.
func normalize(n int, start []int32, to []graph.StopIdx, secs []int32) Transfers {
	out := Transfers{Start: make([]int32, n+1), To: make([]graph.StopIdx, 0, len(to)), Time: make([]int32, 0, len(to))}
	at := make([]int32, n) // position in out of the pair (s, u), valid when ≥ first
	for i := range at {
		at[i] = -1
	}
	type edge struct {
		to   graph.StopIdx
		secs int32
	}
	var seg []edge
	for s := graph.StopIdx(0); int(s) < n; s++ {
		first := int32(len(out.To))
		a, b := start[s], start[s+1]
		if a < 0 || b < a || int(b) > len(to) {
			a, b = 0, 0
		}
		for i := a; i < b; i++ {
			u, f := to[i], secs[i]
			if u == s || u < 0 || int(u) >= n || f < 0 || f > MaxFootpath {
				continue
			}
			if j := at[u]; j >= first {
				out.Time[j] = min(out.Time[j], f)
				continue
			}
			at[u] = int32(len(out.To))
			out.To = append(out.To, u)
			out.Time = append(out.Time, f)
		}
		seg = seg[:0]
		for j := first; j < int32(len(out.To)); j++ {
			seg = append(seg, edge{out.To[j], out.Time[j]})
		}
		slices.SortFunc(seg, func(x, y edge) int { return int(x.to - y.to) })
		for j, e := range seg {
			out.To[int(first)+j], out.Time[int(first)+j] = e.to, e.secs
		}
		out.Start[s+1] = int32(len(out.To))
	}
	return out
}

// normalizeMetres is normalize for footpaths of which some are walks in
// metres (metres[i] ≥ 0) and others fixed times (metres[i] < 0): for a
// pair, the shortest walk and the shortest fixed time are kept, the two
// kinds apart (which is faster depends on the query's speed).
func normalizeMetres(n int, start []int32, to []graph.StopIdx, secs []int32, metres []float32) Transfers {
	out := Transfers{Start: make([]int32, n+1), To: make([]graph.StopIdx, 0, len(to)), Time: make([]int32, 0, len(to)),
		Metres: make([]float32, 0, len(to))}
	var seg []pathEntry
	for s := graph.StopIdx(0); int(s) < n; s++ {
		a, b := start[s], start[s+1]
		if a < 0 || b < a || int(b) > len(to) {
			a, b = 0, 0
		}
		seg = seg[:0]
		for i := a; i < b; i++ {
			seg = append(seg, pathEntry{to[i], secs[i], metres[i]})
		}
		for _, e := range normalizeStop(s, n, seg) {
			out.To, out.Time, out.Metres = append(out.To, e.to), append(out.Time, e.secs), append(out.Metres, e.m)
		}
		out.Start[s+1] = int32(len(out.To))
	}
	return out
}
