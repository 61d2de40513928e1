package graph

import (
	"strings"
	"testing"
)

func TestParseClock(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int32
		ok   bool
		err  bool
	}{
		{"08:30:00", 8*3600 + 30*60, true, false},
		{"5:30:00", 5*3600 + 30*60, true, false},
		{" 25:01:02 ", 25*3600 + 62, true, false},
		{"100:00:00", 100 * 3600, true, false},
		{"07:45", 7*3600 + 45*60, true, false},
		{"07:45\r", 7*3600 + 45*60, true, false},
		{"", 0, false, false},
		{"   ", 0, false, false},
		{"8:60:00", 0, false, true},
		{"8:00:61", 0, false, true},
		{"1O:10:00", 0, false, true},
		{"10", 0, false, true},
		{"10:00:00:00", 0, false, true},
		{"-1:00:00", 0, false, true},
		{"1000:00:00", 0, false, true},
		{"168:00:00", 0, false, true},
		{"::", 0, false, true},
	} {
		got, ok, err := ParseClock(c.in)
		if got != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("ParseClock(%q) = %d %v %v", c.in, got, ok, err)
		}
	}
	for _, c := range []struct {
		in   int32
		want string
	}{{25*3600 + 62, "25:01:02"}, {-600, "-00:10:00"}, {0, "00:00:00"}, {30600, "08:30:00"}} {
		if s := FormatClock(c.in); s != c.want {
			t.Errorf("FormatClock(%d) = %q, want %q", c.in, s, c.want)
		}
	}
}

// FuzzParseClock checks that accepted times are in range and format back.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:30:00", "5:30:00", "25:00:00", "07:45", "", "1O:00:00", "::", "999:59:59", " 1:2:3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, ok, err := ParseClock(in)
		if err != nil || !ok {
			if ok || v != 0 {
				t.Fatalf("rejected %q but returned %d %v", in, v, ok)
			}
			return
		}
		if v < 0 || v >= 168*3600 {
			t.Fatalf("%q → %d out of range", in, v)
		}
		back, ok2, err2 := ParseClock(FormatClock(v))
		if back != v || !ok2 || err2 != nil {
			t.Fatalf("%q → %d → %q → %d", in, v, FormatClock(v), back)
		}
	})
}

func TestTravelModes(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      bool
	}{
		{"walk", "walk", false}, {"transit, walk", "walk,transit", false}, {"walk,transit,school", "walk,transit,school", false},
		{"bike", "bike", false}, {"transit,bike", "bike,transit", false}, {"school,bike,transit,walk", "walk,bike,transit,school", false},
		{"bike,school", "", true}, {"bicycle", "", true},
		{"school", "", true}, {"", "", true}, {",", "", true}, {"bus", "", true},
	} {
		m, err := ParseTravelModes(c.in)
		if (err != nil) != c.err || (err == nil && m.String() != c.want) {
			t.Errorf("ParseTravelModes(%q) = %v, %v", c.in, m, err)
		}
	}
	if ModalitySchool.String() != "school" || ModalityBike.String() != "bike" || ModalityBikeTransit.String() != "bike+transit" ||
		Modality(NumModalities).String() != "unknown" {
		t.Error("modality names")
	}
	// Stored values never change.
	if ModalitySchool != 3 || ModalityBike != 4 || ModalityBikeTransit != 5 || NumModalities != 6 {
		t.Error("modality values renumbered")
	}
	if DefaultTravelModes.String() != "walk,transit,school" {
		t.Errorf("default modes %s", DefaultTravelModes)
	}
	for _, s := range []string{"", "street", "gtfs", "both", "none"} {
		if m, err := ParseTransferMode(s); err != nil || string(m) != s {
			t.Errorf("ParseTransferMode(%q) = %q, %v", s, m, err)
		}
	}
	if _, err := ParseTransferMode("walk"); err == nil {
		t.Error("ParseTransferMode(walk) accepted")
	}
}

// TestIndexModalities: an index may hold every modality this program
// knows, and is refused with a clear error when it holds a later one.
func TestIndexModalities(t *testing.T) {
	ix := &Index{Cutoffs: []int{15, 30}, Resolution: 9, Shards: 1, UAI: []string{"0350030T"},
		Cell: []uint64{0x891f1d48b3fffff}, Start: []int32{0, 2}, School: []int32{0, 0}, Band: []uint8{0, 1},
		Modality: []uint8{uint8(ModalityBike), uint8(ModalityBikeTransit)}}
	if err := ix.Validate(); err != nil {
		t.Fatalf("bike modalities: %v", err)
	}
	if e, ok := ix.Entries(ix.Cell[0]); !ok || len(e) != 2 || e[0].Modality != "bike" || e[1].Modality != "bike+transit" {
		t.Errorf("entries %+v", e)
	}
	ix.Modality[1] = NumModalities
	if err := ix.Validate(); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("modality %d: %v", NumModalities, err)
	}
}
