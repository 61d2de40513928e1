package graph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// shrinkMeta returns a Meta with the figures CompareShrink compares:
// scheduled trips split over two feeds, linked stops and placed offers
// (negative: that report absent).
func shrinkMeta(trips, linked, offers int) *Meta {
	m := &Meta{Feeds: []FeedReport{{Name: "a"}, {Name: "b"}}}
	m.Feeds[0].Scheduled.Trips = trips / 2
	m.Feeds[1].Scheduled.Trips = trips - trips/2
	if linked >= 0 {
		m.Linking = &LinkingReport{Stops: LinkCounts{Linked: linked}}
	}
	if offers >= 0 {
		m.Places = &PlacesReport{OffersPlaced: offers}
	}
	return m
}

func TestCompareShrink(t *testing.T) {
	for _, c := range []struct {
		name     string
		old, new *Meta
		max      float64
		want     []Shrink
	}{
		{"same", shrinkMeta(1000, 500, 280), shrinkMeta(1000, 500, 280), 0.3, nil},
		{"growth", shrinkMeta(1000, 500, 280), shrinkMeta(5000, 900, 300), 0.3, nil},
		{"small falls", shrinkMeta(1000, 500, 280), shrinkMeta(700, 350, 196), 0.3, nil},
		{"trips fell", shrinkMeta(1000, 500, 280), shrinkMeta(699, 500, 280), 0.3,
			[]Shrink{{Figure: "scheduled trips", Old: 1000, New: 699, Fall: 0.301}}},
		{"all fell", shrinkMeta(3748, 733, 280), shrinkMeta(1000, 0, 10), 0.3, []Shrink{
			{Figure: "scheduled trips", Old: 3748, New: 1000, Fall: 2748.0 / 3748},
			{Figure: "linked stops", Old: 733, New: 0, Fall: 1},
			{Figure: "placed offers", Old: 280, New: 10, Fall: 270.0 / 280}}},
		{"reports gone", shrinkMeta(1000, 500, 280), shrinkMeta(1000, -1, -1), 0.3, []Shrink{
			{Figure: "linked stops", Old: 500, New: 0, Fall: 1},
			{Figure: "placed offers", Old: 280, New: 0, Fall: 1}}},
		{"nothing before", shrinkMeta(0, -1, -1), shrinkMeta(0, -1, -1), 0.3, nil},
		{"zero tolerance", shrinkMeta(1000, 500, 280), shrinkMeta(999, 500, 280), 0,
			[]Shrink{{Figure: "scheduled trips", Old: 1000, New: 999, Fall: 0.001}}},
	} {
		got := CompareShrink(c.old, c.new, c.max)
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			g, w := got[i], c.want[i]
			if g.Figure != w.Figure || g.Old != w.Old || g.New != w.New || g.Fall < w.Fall-1e-9 || g.Fall > w.Fall+1e-9 {
				t.Errorf("%s: got %+v, want %+v", c.name, g, w)
			}
		}
	}
	if CompareShrink(nil, shrinkMeta(1, 1, 1), 0.3) != nil || CompareShrink(shrinkMeta(1, 1, 1), nil, 0.3) != nil {
		t.Error("a nil Meta compares as nothing fell")
	}
	s := Shrink{Figure: "scheduled trips", Old: 3748, New: 1000, Fall: 2748.0 / 3748}
	if got, want := s.String(), "scheduled trips 3748 → 1000 (-73.3 %)"; got != want {
		t.Errorf("String: %q, want %q", got, want)
	}
}

func TestReadMeta(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.graph")
	g := testGraph()
	g.Meta.Linking = &LinkingReport{Stops: LinkCounts{Points: 3, Linked: 2}}
	if err := Write(path, g); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMeta(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*m, g.Meta) {
		t.Errorf("ReadMeta:\n%+v\nwant\n%+v", *m, g.Meta)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A flipped bit near the end, past Meta, is still found.
	bad := bytes.Clone(data)
	bad[len(bad)-6] ^= 0xff
	if _, err := ReadMeta(write("bad.graph", bad)); err == nil || !(errors.Is(err, ErrChecksum) || errors.Is(err, ErrCorrupt)) {
		t.Errorf("corrupted tail: %v", err)
	}
	if _, err := ReadMeta(write("cut.graph", data[:len(data)-10])); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	other := bytes.Clone(data)
	binary.LittleEndian.PutUint32(other[8:], FormatVersion+1)
	var ve *VersionError
	if _, err := ReadMeta(write("v.graph", other)); !errors.As(err, &ve) {
		t.Errorf("other version: %v", err)
	}
	if _, err := ReadMeta(write("text.graph", []byte("not a graph at all, just text"))); !errors.Is(err, ErrNotGraph) {
		t.Errorf("not a graph: %v", err)
	}
	if _, err := ReadMeta(filepath.Join(dir, "missing.graph")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
