package fetch

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readFixture(t *testing.T, name string) ([]Source, []Skipped) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sources, skipped, err := ReadSources(f)
	if err != nil {
		t.Fatal(err)
	}
	return sources, skipped
}

func TestFilterRegion(t *testing.T) {
	sources, skipped := readFixture(t, "transports.csv")
	for _, c := range []struct {
		region, name string
		lines        string // of the sources kept
		skipped      int
	}{
		{"Bretagne", "Bretagne", "5 6 7 8 9 10", 0},
		{"  bretagne ", "Bretagne", "5 6 7 8 9 10", 0},
		{"ILE DE FRANCE", "Île-de-France", "13", 0},
		{"bourgogne franche comte", "Bourgogne-Franche-Comté", "11 12", 0},
		{"Hauts-de-France", "Hauts-de-France", "", 1}, // its only row has a comment for URL
		{"auvergne-rhone-alpes", "Auvergne-Rhône-Alpes", "", 2},
	} {
		s, k, name, err := FilterRegion(sources, skipped, c.region)
		if err != nil {
			t.Errorf("%q: %v", c.region, err)
			continue
		}
		var lines []string
		for _, src := range s {
			lines = append(lines, strconv.Itoa(src.Line))
		}
		if strings.Join(lines, " ") != c.lines || len(k) != c.skipped || name != c.name {
			t.Errorf("%q: lines %v, %d skipped, name %q; want %q, %d, %q", c.region, lines, len(k), name, c.lines, c.skipped, c.name)
		}
	}
	// Names do not change with the region: they were given over the list.
	s, _, _, _ := FilterRegion(sources, skipped, "Bourgogne-Franche-Comté")
	if s[0].Slug != "reseau-interurbain-mobigo-nievre" || s[1].Slug != "reseau-interurbain-mobigo-yonne" {
		t.Errorf("slugs %q %q", s[0].Slug, s[1].Slug)
	}

	_, _, _, err := FilterRegion(sources, skipped, "Normandie")
	want := `region "Normandie" is not in the list; its regions are: Auvergne-Rhône-Alpes (2 rows), ` +
		`Bourgogne-Franche-Comté (2 rows), Bretagne (6 rows), Hauts-de-France (1 row), Île-de-France (1 row)`
	if err == nil || err.Error() != want {
		t.Errorf("unknown region: %v\nwant %s", err, want)
	}
	if _, _, _, err := FilterRegion(sources, skipped, " - "); err == nil {
		t.Error("empty region name accepted")
	}
	noRegion, _, err := ReadSources(strings.NewReader("Nom,URL\nA,https://h.example/a.zip\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := FilterRegion(noRegion, nil, "Bretagne"); err == nil || !strings.Contains(err.Error(), "no Région column") {
		t.Errorf("list without regions: %v", err)
	}
}

// writeFixtureCSV writes the fixture list name with its URLs pointing to
// base, and returns its path.
func writeFixtureCSV(t testing.TB, dir, name, base string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "https://transport.data.example", base)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Fetch with a region downloads that region's feeds only, under the names
// they have in the whole list; an unknown region downloads nothing.
func TestFetchRegion(t *testing.T) {
	feed := makeZip(t, "", gtfsFiles("20260105", "20260630"), nil)
	rec := newRecorder()
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, content{feed, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	})))
	defer srv.Close()
	tmp := t.TempDir()
	csvPath := writeFixtureCSV(t, tmp, "transports.csv", srv.URL)
	dir := filepath.Join(tmp, "data")

	res, err := Fetch(context.Background(), csvPath, dir, Options{Region: "bourgogne franche comte", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if res.Region != "Bourgogne-Franche-Comté" || len(res.Sources) != 2 || len(res.Skipped) != 0 {
		t.Fatalf("region %q, %d sources, %d skipped; want Bourgogne-Franche-Comté, 2, 0", res.Region, len(res.Sources), len(res.Skipped))
	}
	bySource(t, res, "reseau-interurbain-mobigo-nievre.zip")
	bySource(t, res, "reseau-interurbain-mobigo-yonne.zip")
	rec.mu.Lock()
	for p := range rec.requests {
		if !strings.HasPrefix(p, "/feeds/mobigo-") {
			t.Errorf("requested %s, outside the region", p)
		}
	}
	rec.mu.Unlock()
	var report bytes.Buffer
	if err := res.Report(&report); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(report.String(), "Bourgogne-Franche-Comté: 2 sources (2 GTFS, 0 OSM)") {
		t.Errorf("report:\n%s", report.String())
	}

	other := filepath.Join(tmp, "other")
	res, err = Fetch(context.Background(), csvPath, other, Options{Region: "Normandie", Logf: t.Logf})
	if res != nil || err == nil || !strings.Contains(err.Error(), `region "Normandie" is not in the list; its regions are: Auvergne-Rhône-Alpes (2 rows)`) {
		t.Errorf("unknown region: %v, %v", res, err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("an unknown region created the download directory")
	}
}
