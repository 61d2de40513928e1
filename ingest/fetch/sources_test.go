package fetch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSourcesFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sources.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sources, skipped, err := ReadSources(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line       int
		name, typ  string
		kind       Kind
		file, path string
	}{
		{2, "Réseau STAR (Rennes)", "Transport", KindGTFS, "reseau-star-rennes.zip", "/feeds/clean.zip"},
		{3, "Cars scolaires d'Ille-et-Vilaine", "Scolaire", KindGTFS, "cars-scolaires-d-ille-et-vilaine.zip", "/feeds/nested.zip"},
		{4, `Réseau "MAT" ; Saint-Malo`, "Mixte", KindGTFS, "reseau-mat-saint-malo.zip", "/feeds/flaky.zip"},
		{5, "Rapport d'activité", "Transport", KindGTFS, "rapport-d-activite.zip", "/feeds/notgtfs.zip"},
		{6, "Ligne fermée", "Transport", KindGTFS, "ligne-fermee.zip", "/feeds/missing.zip"},
		{7, "Vitré Communauté", "Mixte", KindGTFS, "vitre-communaute.zip", "/feeds/busy.zip"},
		{8, "Bretagne (extrait OSM)", "OSM", KindOSM, "bretagne-extrait-osm.osm.pbf", "/osm/bretagne-latest.osm.pbf"},
		{9, "Ille-et-Vilaine", "Transport", KindOSM, "ille-et-vilaine.osm.pbf", "/osm/ille-et-vilaine.osm.pbf"},
	}
	if len(sources) != len(want) {
		t.Fatalf("%d sources, want %d: %+v", len(sources), len(want), sources)
	}
	for i, w := range want {
		s := sources[i]
		if s.Line != w.line || s.Name != w.name || s.Type != w.typ || s.Kind != w.kind || s.File != w.file ||
			s.URL != "https://transport.data.example"+w.path || s.Region != "Bretagne" {
			t.Errorf("source %d: %+v, want %+v", i, s, w)
		}
	}
	if got := sources[0].Meta; got["Exploitant"] != "Keolis Rennes" || got["Licence"] != "ODbL" || len(got) != 2 {
		t.Errorf("metadata %v, want Exploitant and Licence", got)
	}
	if len(skipped) != 1 || skipped[0].Line != 11 || skipped[0].Reason != "no URL" {
		t.Errorf("skipped %+v, want line 11 without URL", skipped)
	}
}

func TestReadSourcesVariants(t *testing.T) {
	csv := "region,type,nom,url_gtfs,url_osm,commentaire\n" +
		"Normandie,Transport,Twisto,https://h.example/twisto.zip,https://h.example/caen.osm.pbf,\"avec, virgule\"\n" +
		"Normandie,Transport,Twisto,https://h.example/twisto2.zip,,\n" +
		"Normandie,Transport,,https://h.example/path/Nomad%20Cars.zip,,\n" +
		"Normandie,Transport,,https://h.example/,,\n"
	sources, skipped, err := ReadSources(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, s := range sources {
		files = append(files, string(s.Kind)+":"+s.File)
	}
	if got, want := strings.Join(files, " "), "gtfs:twisto.zip osm:twisto.osm.pbf gtfs:twisto-2.zip gtfs:nomad-cars.zip gtfs:source-5.zip"; got != want {
		t.Errorf("files %q, want %q", got, want)
	}
	if sources[0].Meta["commentaire"] != "avec, virgule" {
		t.Errorf("quoted metadata: %v", sources[0].Meta)
	}
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}

	// A plain URL column; .pbf URLs are OSM extracts even without Type OSM.
	sources, _, err = ReadSources(strings.NewReader("Name\tURL\nX\thttps://h.example/x.osm.pbf\nY\thttps://h.example/y.gtfs\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 2 || sources[0].Kind != KindOSM || sources[1].Kind != KindGTFS || sources[1].File != "y.zip" {
		t.Errorf("tab-separated with URL column: %+v", sources)
	}
}

func TestReadSourcesErrors(t *testing.T) {
	for _, in := range []string{"", "\uFEFF\n", "Région;Nom;Exploitant\nB;X;Y\n"} {
		if _, _, err := ReadSources(strings.NewReader(in)); err == nil {
			t.Errorf("ReadSources(%q) succeeded", in)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Réseau STAR (Rennes)":          "reseau-star-rennes",
		"  Cœur d'Ostrevent  ":          "coeur-d-ostrevent",
		"ÉCOLE—Saint-Brieuc/Agglo":      "ecole-saint-brieuc-agglo",
		"北京":                            "",
		strings.Repeat("ab-", 40):       strings.TrimRight(strings.Repeat("ab-", 27), "-"),
		"Transports de l'Agglomération": "transports-de-l-agglomeration",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzReadSources(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "sources.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("nom,url\n\"a,b\",http://x/y.zip\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sources, _, err := ReadSources(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range sources {
			if s.File == "" || seen[s.File] || strings.ContainsAny(s.File, `/\`) || strings.HasPrefix(s.File, ".") {
				t.Fatalf("bad or duplicate file name %q", s.File)
			}
			seen[s.File] = true
		}
	})
}
