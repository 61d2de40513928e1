package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"reach/graph"
	"reach/ingest/synth"
)

// zipFeedDir returns a zip of the files of a GTFS directory.
func zipFeedDir(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// From a sources list in the service's format, three rows of which carry
// a comment instead of a URL, to a graph: reach fetch --region, then
// reach build --manifest on the manifest it wrote.
func TestFetchRegionThenBuild(t *testing.T) {
	src := t.TempDir()
	if _, err := synth.Generate(src, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	streets, err := os.ReadFile(filepath.Join(src, synth.StreetsFile))
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		"/bus.zip":      zipFeedDir(t, filepath.Join(src, synth.FeedDir)),
		"/scolaire.zip": zipFeedDir(t, filepath.Join(src, synth.SchoolFeedDir)),
		"/streets.osm":  streets,
	}
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()

	dir := t.TempDir()
	list := filepath.Join(dir, "transports.csv")
	csv := `Région,Type,Nom,"ID Transport Data","URL Transport Data","Nom GTFS","ID GTFS","URL GTFS","Commentaire"` + "\n" +
		`Bretagne,Scolaire,"Réseau scolaire A",id1,"https://transport.data.example/a","a.zip",,"Fichier nécessitant une connexion"` + "\n" +
		`Bretagne,Transport,"Réseau urbain B",id2,"https://transport.data.example/b","b.zip",,"Fichier nécessitant une connexion"` + "\n" +
		`Normandie,Transport,"Réseau urbain C",id3,"https://transport.data.example/c","c.zip",,"Fichier invalide après traitement"` + "\n" +
		`Bretagne,Transport,"Réseau urbain de Sancerval",id4,"https://transport.data.example/d","bus.zip",1,"` + srv.URL + `/bus.zip",` + "\n" +
		`Bretagne,Scolaire,"Cars scolaires de la Vauvre",id5,"https://transport.data.example/e","scolaire.zip",2,"` + srv.URL + `/scolaire.zip",` + "\n" +
		`Bretagne,OSM,"Rues de Sancerval",,,,,"` + srv.URL + `/streets.osm",` + "\n" +
		`Normandie,Transport,"Réseau urbain D",id6,"https://transport.data.example/f","d.zip",3,"` + srv.URL + `/normandie.zip",` + "\n"
	if err := os.WriteFile(list, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")

	code, stdout, stderr := reach("fetch", "--sources", list, "--dir", data, "--region", "BRETAGNE", "--retries", "-1")
	if code != 0 {
		t.Fatalf("fetch exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	manifest := filepath.Join(data, "region.json")
	for _, want := range []string{
		"Bretagne: 3 sources (2 GTFS, 1 OSM)",
		`bad_url: ` + list + `:2: "Fichier nécessitant une connexion" (URL GTFS of Réseau scolaire A)`,
		`bad_url: ` + list + `:3: "Fichier nécessitant une connexion" (URL GTFS of Réseau urbain B)`,
		"Build manifest " + manifest + ": 1 GTFS feeds, 1 school feeds, 1 OSM extracts, date ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Réseau urbain C") {
		t.Errorf("a row of another region is reported:\n%s", stdout)
	}
	mu.Lock()
	if strings.Join(asked, " ") == "" || strings.Contains(strings.Join(asked, " "), "normandie") {
		t.Errorf("requests %v: want Bretagne's sources only", asked)
	}
	mu.Unlock()

	out := filepath.Join(dir, "region.graph")
	code, stdout, stderr = reach("build", "--manifest", manifest, "--out", out)
	if code != 0 {
		t.Fatalf("build exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, stdout, stderr = reach("inspect", "--json", out)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, stderr)
	}
	var s graph.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Feeds) != 2 || s.Feeds[0].Name != "reseau-urbain-de-sancerval" || s.Feeds[1].Name != "cars-scolaires-de-la-vauvre" ||
		!s.Feeds[1].School || s.Feeds[0].School || s.Streets == nil || s.Streets.WaysKept == 0 || s.Timetable.Trips == 0 {
		t.Errorf("graph: %+v", s)
	}

	// An unknown region is an error naming the regions of the list.
	code, _, stderr = reach("fetch", "--sources", list, "--dir", data, "--region", "Corse")
	if code != 1 || !strings.Contains(stderr, `region "Corse" is not in the list; its regions are: Bretagne (5 rows), Normandie (2 rows)`) {
		t.Errorf("unknown region: exit %d, stderr %s", code, stderr)
	}

	// --manifest-out puts the manifest elsewhere, its paths relative to it.
	other := filepath.Join(dir, "manifests", "bretagne.json")
	if code, _, stderr := reach("fetch", "--sources", list, "--dir", data, "--region", "bretagne", "--manifest-out", other); code != 0 {
		t.Fatalf("fetch --manifest-out: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(other)
	if err != nil || !bytes.Contains(b, []byte(`"path": "../data/reseau-urbain-de-sancerval.zip"`)) {
		t.Errorf("manifest at %s: %v\n%s", other, err, b)
	}
}
