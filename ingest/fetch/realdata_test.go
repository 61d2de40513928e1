package fetch

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"reach/internal/realdata"
)

// Real feeds served by a local server: STAR 2012-05 and TER 2017 share no
// date, the Ajaccio feed (2019) sits in a GTFS/ sub-folder of its zip.
func TestFetchRealFeeds(t *testing.T) {
	files := map[string]string{
		"/star.zip":    realdata.Path(t, "rennes", "star-gtfs-2012-05.zip"),
		"/ter.zip":     realdata.Path(t, "ter", "sncf-ter-gtfs-2017.zip"),
		"/ajaccio.zip": realdata.Path(t, "quirks", "ajaccio-subfolder-plus-coords.zip"),
		"/rennes.pbf":  realdata.Path(t, "rennes", "streets.osm.pbf"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, p)
	}))
	defer srv.Close()

	tmp := t.TempDir()
	csv := "\uFEFFRégion;Type;Nom;URL GTFS;URL OSM\n" +
		"Bretagne;Transport;STAR;" + srv.URL + "/star.zip;" + srv.URL + "/rennes.pbf\n" +
		"France;Transport;TER SNCF;" + srv.URL + "/ter.zip;\n" +
		"Corse;Mixte;Muvitarra Ajaccio;" + srv.URL + "/ajaccio.zip;\n"
	csvPath := filepath.Join(tmp, "sources.csv")
	if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "data")
	res, err := Fetch(context.Background(), csvPath, dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	var report bytes.Buffer
	if err := res.Report(&report); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + report.String())

	star := bySource(t, res, "star.zip")
	if star.Validity == nil || star.Validity.String() != "2012-05-21..2012-06-17" || star.Repaired {
		t.Errorf("STAR: %+v", star)
	}
	if star.SHA256 != fileSHA(t, files["/star.zip"]) {
		t.Error("STAR: the stored file differs from the served one")
	}
	if ter := bySource(t, res, "ter-sncf.zip"); ter.Validity == nil || !strings.HasPrefix(ter.Validity.String(), "2017-11-06..2018-") {
		t.Errorf("TER: %+v", ter)
	}
	if aj := bySource(t, res, "muvitarra-ajaccio.zip"); !aj.Repaired || aj.Validity == nil || !strings.HasPrefix(aj.Validity.String(), "2019-") {
		t.Errorf("Ajaccio: %+v", aj)
	}
	if osm := bySource(t, res, "star.osm.pbf"); osm.Kind != KindOSM || osm.SHA256 != fileSHA(t, files["/rennes.pbf"]) {
		t.Errorf("Rennes streets: %+v", osm)
	}

	ov := res.Overlap
	if !ov.Common.Empty() || len(ov.Groups) != 3 {
		t.Errorf("overlap %+v, want no common date and three groups", ov)
	}
	slices.Sort(ov.Isolated)
	if got := strings.Join(ov.Isolated, ","); got != "Muvitarra Ajaccio,STAR,TER SNCF" {
		t.Errorf("isolated %q", got)
	}
	if !strings.Contains(report.String(), "NO DATE IS COMMON TO ALL FEEDS") {
		t.Error("the report does not say that no date is common")
	}
}

// The service's real list: 287 rows, of which 3 have eight fields and a
// comment instead of a URL in "URL GTFS".
func TestReadSourcesRealList(t *testing.T) {
	f, err := os.Open(realdata.Path(t, "sources", "transports.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sources, skipped, err := ReadSources(f)
	if err != nil {
		t.Fatal(err)
	}
	checkBadURLRows(t, skipped)
	if len(sources) != 284 {
		t.Errorf("%d sources, want 284 (287 rows less the 3 without URL)", len(sources))
	}
	slugs := map[string]int{}
	mobigo := 0
	for _, s := range sources {
		if !httpURL(s.URL) || s.Kind != KindGTFS {
			t.Errorf("line %d: %s source with URL %q", s.Line, s.Kind, s.URL)
		}
		if l, dup := slugs[s.Slug]; dup || s.Slug == "" || len(s.Slug) > maxSlug+3 {
			t.Errorf("line %d: slug %q (also line %d)", s.Line, s.Slug, l)
		}
		slugs[s.Slug] = s.Line
		if strings.HasPrefix(s.Slug, "reseau-interurbain-mobigo-") {
			mobigo++
		}
	}
	// Seven rows share the name "Réseau interurbain Mobigo", one per
	// département: named by it, not numbered.
	for _, d := range []string{"haute-saone", "nievre", "saone-et-loire", "doubs", "jura", "cote-d-or", "yonne"} {
		if _, ok := slugs["reseau-interurbain-mobigo-"+d]; !ok {
			t.Errorf("no feed named reseau-interurbain-mobigo-%s", d)
		}
	}
	if mobigo != 7 {
		t.Errorf("%d Mobigo feeds, want 7", mobigo)
	}
}
