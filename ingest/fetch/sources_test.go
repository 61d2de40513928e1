package fetch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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
	if len(skipped) != 1 || skipped[0].Line != 11 || skipped[0].Reason != SkipNoURL {
		t.Errorf("skipped %+v, want line 11 without URL", skipped)
	}
}

// The list in the format of the service's own (comma-separated, nine
// columns) where three rows have eight fields: their comment lands in
// "URL GTFS". Those three are skipped as bad_url; the rest are sources.
func TestReadSourcesBadURL(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "transports.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sources, skipped, err := ReadSources(f)
	if err != nil {
		t.Fatal(err)
	}
	checkBadURLRows(t, skipped)
	if len(sources) != 9 {
		t.Errorf("%d sources, want the 9 rows with an http URL", len(sources))
	}
	for _, s := range sources {
		if s.Line < 5 || !strings.HasPrefix(s.URL, "https://transport.data.example/") {
			t.Errorf("source from line %d with URL %q", s.Line, s.URL)
		}
	}
	long := skipped[2].Value
	if len(long) > MaxSkippedValue || !strings.HasSuffix(long, "…") || !utf8.ValidString(long) ||
		!strings.HasPrefix(long, "Fichier invalide après traitement") {
		t.Errorf("long value not cut to %d bytes of valid UTF-8 ending in …: %d bytes %q", MaxSkippedValue, len(long), long)
	}
}

// checkBadURLRows checks that skipped holds exactly the three rows 2, 3
// and 4 of a list whose comment was shifted into "URL GTFS".
func checkBadURLRows(t *testing.T, skipped []Skipped) {
	t.Helper()
	var lines []int
	for _, s := range skipped {
		if s.Reason != SkipBadURL {
			t.Errorf("skipped for %s: %+v", s.Reason, s)
			continue
		}
		lines = append(lines, s.Line)
		if s.Field != "URL GTFS" || !strings.HasPrefix(s.Value, "Fichier ") || s.Column == 0 {
			t.Errorf("bad_url %+v: want the field URL GTFS holding the comment", s)
		}
	}
	if fmt.Sprint(lines) != "[2 3 4]" {
		t.Errorf("bad_url rows at lines %v, want [2 3 4]", lines)
	}
}

func TestReadSourcesURLChecks(t *testing.T) {
	csv := "Nom;Type;URL GTFS;URL OSM\n" +
		"A;Transport; https://h.example/a.zip ;ftp://h.example/a.osm.pbf\n" + // trimmed GTFS URL kept, ftp OSM URL skipped
		"B;Transport;HTTP://H.example/b.zip;\n" + // scheme case does not matter
		"C;Transport;www.example.org/c.zip;\n" + // no scheme
		"D;Transport;https:///c.zip;\n" + // no host
		"E;Transport;https://h.example/un fichier.zip;\n" + // white space inside
		"F;Transport;;\n"
	sources, skipped, err := ReadSources(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sources {
		got = append(got, s.Name+":"+s.URL)
	}
	if strings.Join(got, " ") != "A:https://h.example/a.zip B:HTTP://H.example/b.zip" {
		t.Errorf("sources %q", got)
	}
	got = nil
	for _, s := range skipped {
		got = append(got, fmt.Sprintf("%s:%d:%s:%s", s.Name, s.Line, s.Reason, s.Field))
	}
	if want := "A:2:bad_url:URL OSM C:4:bad_url:URL GTFS D:5:bad_url:URL GTFS E:6:bad_url:URL GTFS F:7:no_url:"; strings.Join(got, " ") != want {
		t.Errorf("skipped %q, want %q", strings.Join(got, " "), want)
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "…"},
		{"abcdef", 5, "ab…"},
		{"aéé", 5, "aéé"},
		{"aééz", 5, "a…"},  // byte 2 is inside the first é: cut before it
		{"éééé", 7, "éé…"}, // 4 + 3 bytes
	} {
		if got := cut(c.in, c.n); got != c.want || len(got) > max(c.n, len(c.want)) || !utf8.ValidString(got) {
			t.Errorf("cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// Rows of the same name are told apart by what differs in their GTFS file
// names; names never depend on downloads, only on the list.
func TestSourceNames(t *testing.T) {
	long := "Réseau urbain de la communauté d'agglomération du Centre Littoral"
	csv := "Région,Type,Nom,Nom GTFS,URL GTFS\n" +
		"BFC,Transport,Réseau interurbain Mobigo,Données du réseau (Nièvre),https://h.example/1\n" +
		"BFC,Transport,Réseau interurbain Mobigo,Données du réseau (Saône et Loire),https://h.example/2\n" +
		"BFC,Transport,Réseau urbain TéA,gtfs-CCGAM.zip,https://h.example/3\n" +
		"BFC,Transport,Réseau urbain TéA,gtfs-20240703-bfc-sud.zip,https://h.example/4\n" +
		"BFC,Transport,Réseau urbain TéA,gtfs-CCGAM.zip,https://h.example/5\n" +
		"ARA,Transport,Réseau urbain TréMA,trema-gtfs.zip,https://h.example/6\n" +
		"BFC,Transport,Réseau urbain TréMA,trema-gtfs.zip,https://h.example/7\n" +
		"X,Transport,,gtfs_lyon_tcl.zip,https://h.example/8\n" +
		"X,Transport,Unique,données statiques,https://h.example/9\n" +
		"X,Transport,Seul,,https://h.example/10\n" +
		"X,Transport,Seul,,https://h.example/11\n" +
		"X,OSM,Seul,,https://h.example/seul.osm.pbf\n" +
		"G,Transport,\"" + long + "\",Ligne 10,https://h.example/12\n" +
		"G,Transport,\"" + long + "\",cacl-l7-obis-l7-2024-gtfs-2024-01-03-08-54-24.zip,https://h.example/13\n"
	sources, _, err := ReadSources(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"reseau-interurbain-mobigo-nievre",
		"reseau-interurbain-mobigo-saone-et-loire",
		"reseau-urbain-tea-ccgam",
		"reseau-urbain-tea-20240703-bfc-sud",
		"reseau-urbain-tea-ccgam-2",
		"reseau-urbain-trema", // same name and GTFS name: numbered in list order
		"reseau-urbain-trema-2",
		"gtfs-lyon-tcl", // no name: the GTFS file name
		"unique",        // a unique name is never qualified
		"seul",          // no GTFS name to tell them apart
		"seul-2",
		"seul", // OSM extracts are named apart from GTFS feeds
		"reseau-urbain-de-la-communaute-d-agglomeration-du-centre-littoral-ligne-10",
		"reseau-urbain-de-la-communaute-d-cacl-l7-obis-l7-2024-gtfs-2024-01-03-08", // qualifier cut to 40 bytes, name to 80
	}
	if len(sources) != len(want) {
		t.Fatalf("%d sources, want %d", len(sources), len(want))
	}
	for i, s := range sources {
		if s.Slug != want[i] {
			t.Errorf("line %d: slug %q, want %q", s.Line, s.Slug, want[i])
		}
		if len(s.Slug) > maxSlug+3 {
			t.Errorf("line %d: slug %q longer than %d bytes", s.Line, s.Slug, maxSlug)
		}
		if ext := map[Kind]string{KindGTFS: ".zip", KindOSM: ".osm.pbf"}[s.Kind]; s.File != s.Slug+ext {
			t.Errorf("line %d: file %q, want %q", s.Line, s.File, s.Slug+ext)
		}
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
			key := string(s.Kind) + ":" + s.Slug
			if s.Slug == "" || seen[key] || strings.Trim(s.Slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || !strings.HasPrefix(s.File, s.Slug+".") {
				t.Fatalf("bad or duplicate slug %q (file %q)", s.Slug, s.File)
			}
			seen[key] = true
			if !httpURL(s.URL) {
				t.Fatalf("source with URL %q", s.URL)
			}
		}
	})
}
