package schools

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"reach/graph"
)

// FuzzReaders feeds arbitrary bytes to the directory, offer and locations
// readers and to the join: none may panic, every kept row must be valid,
// every row must be either kept or counted, and the joined Places must
// pass Validate. Seeds: the fixtures and testdata/fuzz/FuzzReaders.
func FuzzReaders(f *testing.F) {
	for _, name := range []string{"annuaire-fixture.csv", "affelnet-1re-pro-fixture.csv", "affelnet-2nde-fixture.csv",
		"locations-fixture.csv", "locations-semicolon.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir, derr := readDirectory(bytes.NewReader(data), "dir.csv")
		if derr == nil {
			checkDirectory(t, dir)
		}
		offers, oerr := readOffers(bytes.NewReader(data), "offers.csv", offerAuto)
		if oerr == nil {
			checkOffers(t, offers)
		}
		if derr == nil {
			if _, _, err := Join(dir, offers); err != nil {
				t.Fatalf("join: %v", err)
			}
		}
		loc, lerr := readLocations(bytes.NewReader(data), "loc.csv")
		if lerr == nil {
			checkDirectory(t, loc)
			checkOffers(t, loc.Offers)
			if _, _, err := Join(loc); err != nil {
				t.Fatalf("join locations: %v", err)
			}
		}
	})
}

func checkDirectory(t *testing.T, d *Directory) {
	t.Helper()
	ids := map[string]bool{}
	for i := range d.Schools {
		s := &d.Schools[i]
		if ids[s.ID] || s.ID == "" {
			t.Fatalf("school id %q empty or repeated", s.ID)
		}
		ids[s.ID] = true
		if d.Format == "annuaire" {
			if r, _ := checkUAI(s.ID); r != "" {
				t.Fatalf("kept school with %s %q", r, s.ID)
			}
		}
		if s.HasCoord && !validLatLon(s.Lat, s.Lon, d.Format == "annuaire" && isMetropolitan(s.Dept)) {
			t.Fatalf("school %q kept with coordinates %v,%v", s.ID, s.Lat, s.Lon)
		}
	}
	if d.Stats.Schools != len(d.Schools) {
		t.Fatalf("stats count %d schools, list has %d", d.Stats.Schools, len(d.Schools))
	}
	if d.Format == "annuaire" {
		dropped := Count(d.Drops, "bad_uai") + Count(d.Drops, "bad_uai_key") + Count(d.Drops, "duplicate_uai_merged")
		if d.Stats.Rows != len(d.Schools)+dropped {
			t.Fatalf("%d rows but %d schools and %d dropped", d.Stats.Rows, len(d.Schools), dropped)
		}
	}
}

func checkOffers(t *testing.T, l *OfferList) {
	t.Helper()
	dropped := 0
	for _, d := range l.Drops {
		dropped += d.Count
	}
	if l.Rows != len(l.Offers)+dropped {
		t.Fatalf("%d offer rows but %d offers and %d dropped", l.Rows, len(l.Offers), dropped)
	}
	for _, o := range l.Offers {
		if o.Capacity < -1 || o.Voie > graph.VoieApprentissage || o.Label == "" {
			t.Fatalf("bad offer kept: %+v", o)
		}
		if l.Source != graph.OfferFromCSV {
			if r, _ := checkUAI(o.UAI); r != "" {
				t.Fatalf("kept offer with %s %q", r, o.UAI)
			}
		}
	}
}
