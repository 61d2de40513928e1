package graph

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
)

// DefaultMaxShrink is the largest fall of a graph's figures, as a
// fraction, that a replacement graph is allowed without being accepted
// explicitly (see CompareShrink).
const DefaultMaxShrink = 0.3

// Shrink is a figure that fell from one graph to the next.
type Shrink struct {
	Figure string  // "scheduled trips", "linked stops" or "placed offers"
	Old    int     // its value in the old graph
	New    int     // its value in the new graph
	Fall   float64 // (Old-New)/Old, in (0, 1]
}

// String reads "scheduled trips 3748 → 1000 (-73.3 %)".
func (s Shrink) String() string {
	return fmt.Sprintf("%s %d → %d (-%.1f %%)", s.Figure, s.Old, s.New, 100*s.Fall)
}

// CompareShrink compares the figures that tell a graph's worth (scheduled
// trips over all feeds, stops linked to the streets, offers placed at
// schools) between the graph being replaced, old, and its replacement,
// new, and returns those that fell by more than maxShrink, a fraction
// (0.3: more than 30 %), in that order. A figure absent from a report
// (no streets, no schools) counts as 0; a figure that was 0 cannot fall.
// A nil Meta compares as nothing fell. It is the release gate of builds
// and reloads: a graph that lost a third of its trips is most likely
// built from a broken or partial source.
func CompareShrink(old, new *Meta, maxShrink float64) []Shrink {
	if old == nil || new == nil {
		return nil
	}
	a, b := old.shrinkFigures(), new.shrinkFigures()
	var out []Shrink
	for i, name := range shrinkFigureNames {
		if a[i] <= 0 || b[i] >= a[i] {
			continue
		}
		fall := float64(a[i]-b[i]) / float64(a[i])
		if fall > maxShrink+1e-12 {
			out = append(out, Shrink{Figure: name, Old: a[i], New: b[i], Fall: fall})
		}
	}
	return out
}

// shrinkFigureNames name the figures of Meta.shrinkFigures.
var shrinkFigureNames = [...]string{"scheduled trips", "linked stops", "placed offers"}

// shrinkFigures returns the figures CompareShrink compares.
func (m *Meta) shrinkFigures() [len(shrinkFigureNames)]int {
	var f [len(shrinkFigureNames)]int
	for _, r := range m.Feeds {
		f[0] += r.Scheduled.Trips
	}
	if m.Linking != nil {
		f[1] = m.Linking.Stops.Linked
	}
	if m.Places != nil {
		f[2] = m.Places.OffersPlaced
	}
	return f
}

// ReadMeta reads the Meta of the graph file at path without keeping the
// rest of the graph in memory, and checks the whole file as Read does: its
// errors are Read's. Use it to look at a graph that may be large, such as
// the one a build is about to replace.
func ReadMeta(path string) (*Meta, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read graph: %w", err)
	}
	defer file.Close()
	var m Meta
	if err := readMeta(bufio.NewReaderSize(file, 1<<20), &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// readMeta decodes the first field of a graph payload, Meta, into m, then
// reads the rest of the payload only to check its length and checksum.
func readMeta(r *bufio.Reader, m *Meta) error {
	return decodeStream(r, hostLittleEndian(), graphFormat, 0, func(d *decoder) error {
		if err := d.decodeFirstField(reflect.ValueOf(m).Elem(), "Meta"); err != nil {
			return err
		}
		d.scratch = make([]byte, scratchSize)
		for d.remaining > 0 {
			if err := d.read(d.scratch[:min(d.remaining, uint64(len(d.scratch)))]); err != nil {
				return err
			}
		}
		return nil
	})
}

// decodeFirstField decodes the first field of the payload's top-level
// struct, which must be named name and have the type of v.
func (d *decoder) decodeFirstField(v reflect.Value, name string) error {
	nf, err := d.uint32()
	if err != nil {
		return withPath(err, "Graph")
	}
	if nf == 0 {
		return &layoutError{path: name, msg: "the file's Graph has no fields"}
	}
	ln, err := d.byte()
	if err != nil {
		return withPath(err, name)
	}
	if err := d.need(uint64(ln), name); err != nil {
		return err
	}
	got := d.name[:ln]
	if err := d.read(got); err != nil {
		return err
	}
	if string(got) != name {
		return &layoutError{path: name, msg: fmt.Sprintf("the file has field %q instead", got)}
	}
	k, err := d.byte()
	if err != nil {
		return withPath(err, name)
	}
	want, err := kindOf(v.Type(), name)
	if err != nil {
		return err
	}
	if k != want {
		return &layoutError{path: name, msg: fmt.Sprintf("the file stores %s, this program expects %s", kindName(k), kindName(want))}
	}
	return d.decodeValue(v, k, name)
}
