package graph

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"
)

// testIndex returns an index of the given cells, each with one entry: the
// school whose index is the cell's rank.
func testIndex(cells []h3.Cell, res int) *Index {
	ix := &Index{Cutoffs: []int{15, 30}, Resolution: res, Shards: 1, Start: []int32{0}}
	sorted := append([]h3.Cell(nil), cells...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	for i, c := range sorted {
		ix.UAI = append(ix.UAI, c.String())
		ix.Cell = append(ix.Cell, uint64(c))
		ix.School, ix.Band, ix.Modality = append(ix.School, int32(i)), append(ix.Band, 0), append(ix.Modality, 0)
		ix.Start = append(ix.Start, int32(len(ix.School)))
	}
	return ix
}

// offset returns the point metres away from (lat, lon) towards bearing
// degrees.
func offset(lat, lon, metres, bearing float64) (float64, float64) {
	b := bearing * math.Pi / 180
	dLat := metres * math.Cos(b) / 111195
	dLon := metres * math.Sin(b) / (111195 * math.Cos(lat*math.Pi/180))
	return lat + dLat, lon + dLon
}

// TestLookupFromTheNearestCoveredCell: an address in a covered cell is
// answered from it; in an uncovered cell, from the covered cell whose centre
// is nearest within LookupRadius metres, saying so; farther, not at all.
func TestLookupFromTheNearestCoveredCell(t *testing.T) {
	const res = 11
	lat0, lon0 := 48.1096, -1.6794
	home := h3.LatLngToCell(h3.LatLng{Lat: lat0, Lng: lon0}, res)
	ctr := h3.CellToLatLng(home)
	// Cover two cells about 2 and 3 rings east of the home cell (not the
	// home cell itself).
	var near, far h3.Cell
	for _, m := range []float64{70, 110} {
		la, lo := offset(ctr.Lat, ctr.Lng, m, 90)
		c := h3.LatLngToCell(h3.LatLng{Lat: la, Lng: lo}, res)
		if near == 0 {
			near = c
		} else {
			far = c
		}
	}
	if near == far || near == home {
		t.Fatal("test cells coincide")
	}
	ix := testIndex([]h3.Cell{far, near}, res)

	r := ix.Lookup(ctr.Lat, ctr.Lng)
	nc := h3.CellToLatLng(near)
	want := Haversine(ctr.Lat, ctr.Lng, nc.Lat, nc.Lng)
	if r.Covered || r.Cell != uint64(home) || r.Nearest != uint64(near) || math.Abs(r.Distance-want) > 0.01 || len(r.Entries) != 1 || r.Entries[0].UAI != near.String() {
		t.Errorf("home cell: %+v, want answered from %s at %.1f m", r, near, want)
	}
	if want > LookupRadius || want < 40 {
		t.Fatalf("the near cell is %.0f m away: the test does not test the radius", want)
	}

	// In the near cell itself: covered.
	if r := ix.Lookup(nc.Lat, nc.Lng); !r.Covered || r.Nearest != 0 || r.Cell != uint64(near) || r.Entries[0].UAI != near.String() {
		t.Errorf("near cell: %+v", r)
	}

	// West of home, farther than the radius from both covered cells.
	la, lo := offset(ctr.Lat, ctr.Lng, 80, 270)
	if r := ix.Lookup(la, lo); r.Covered || r.Nearest != 0 || r.Entries != nil {
		t.Errorf("80 m west of home, about 150 m from the nearest covered cell: %+v", r)
	}

	if c, d, ok := ix.NearestCovered(ctr.Lat, ctr.Lng, 1000); !ok || c != uint64(near) || math.Abs(d-want) > 0.01 {
		t.Errorf("NearestCovered within 1 km: %x at %.1f m, %v", c, d, ok)
	}
	if _, _, ok := ix.NearestCovered(ctr.Lat, ctr.Lng, 10); ok {
		t.Error("a covered cell within 10 m")
	}
	if _, _, ok := (&Index{Resolution: res}).NearestCovered(ctr.Lat, ctr.Lng, 100); ok {
		t.Error("an empty index has a covered cell")
	}
	// Every cell within the radius is found, whatever the direction.
	for bearing := 0.0; bearing < 360; bearing += 15 {
		la, lo := offset(lat0, lon0, 95, bearing)
		c := h3.LatLngToCell(h3.LatLng{Lat: la, Lng: lo}, res)
		one := testIndex([]h3.Cell{c}, res)
		cc := h3.CellToLatLng(c)
		d := Haversine(lat0, lon0, cc.Lat, cc.Lng)
		got, _, ok := one.NearestCovered(lat0, lon0, LookupRadius)
		if (d <= LookupRadius) != ok || ok && got != uint64(c) {
			t.Errorf("bearing %v: cell %s at %.1f m: found %v", bearing, c, d, ok)
		}
	}
}

// TestIndexRoundTripAndMerge: AllLocations survives the file, and shards
// computed with and without it do not merge.
func TestIndexRoundTripAndMerge(t *testing.T) {
	home := h3.LatLngToCell(h3.LatLng{Lat: 48.11, Lng: -1.68}, 10)
	ix := testIndex(h3.GridDisk(home, 1), 10)
	ix.AllLocations = true
	path := filepath.Join(t.TempDir(), "x.idx")
	if err := WriteIndex(path, ix); err != nil {
		t.Fatal(err)
	}
	back, err := ReadIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ix) {
		t.Errorf("read back %+v, want %+v", back, ix)
	}
	a, b := *ix, *ix
	a.Shards, b.Shards, b.Shard = 2, 2, 1
	b.AllLocations = false
	b.Cell, b.Start, b.School, b.Band, b.Modality = nil, []int32{0}, nil, nil, nil
	if _, err := MergeIndexes([]*Index{&a, &b}); err == nil {
		t.Error("shards with and without all locations merged")
	}
	b.AllLocations = true
	if m, err := MergeIndexes([]*Index{&a, &b}); err != nil || !m.AllLocations || len(m.Cell) != 7 {
		t.Errorf("merge: %v", err)
	}
}

// TestIndexFileRefusesEveryBitFlip flips one bit at 80 places of an index
// file spread over it: every damaged file is refused with a clear error
// (before, a gob file without checksum accepted 38 of 80 and gave wrong
// UAIs), and the error names the file.
func TestIndexFileRefusesEveryBitFlip(t *testing.T) {
	home := h3.LatLngToCell(h3.LatLng{Lat: 48.11, Lng: -1.68}, 10)
	ix := testIndex(h3.GridDisk(home, 3), 10)
	dir := t.TempDir()
	path := filepath.Join(dir, "good.idx")
	if err := WriteIndex(path, ix); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for i := 0; i < 80; i++ {
		at := i * len(data) / 80
		bad := slices.Clone(data)
		bad[at] ^= 1 << (i % 8)
		p := filepath.Join(dir, fmt.Sprintf("flip-%d.idx", i))
		if err := os.WriteFile(p, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadIndex(p)
		switch {
		case err == nil:
			t.Errorf("bit %d of byte %d flipped: accepted (%d cells)", i%8, at, len(got.Cell))
		case !strings.Contains(err.Error(), p):
			t.Errorf("byte %d: error %q does not name the file", at, err)
		default:
			refused++
		}
	}
	if refused != 80 {
		t.Errorf("%d of 80 damaged files refused", refused)
	}
}
