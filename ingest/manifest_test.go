package ingest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reach/ingest/synth"
)

// writeTestFile writes text to dir/name and returns its path.
func writeTestFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// gridOSM is an OSM XML extract of an n × n grid of residential streets
// about 100 m apart from (lat, lon), with ids from idBase+1.
func gridOSM(n int, lat, lon float64, idBase int64) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n")
	node := func(i, j int) int64 { return idBase + 1 + int64(i*n+j) }
	for i := range n {
		for j := range n {
			fmt.Fprintf(&b, "<node id=\"%d\" lat=\"%.6f\" lon=\"%.6f\"/>\n", node(i, j), lat+float64(i)*0.0009, lon+float64(j)*0.0013)
		}
	}
	for k := range n {
		for v := range 2 {
			fmt.Fprintf(&b, "<way id=\"%d\">", idBase+int64(2*k+v)+1)
			for m := range n {
				if v == 0 {
					fmt.Fprintf(&b, "<nd ref=\"%d\"/>", node(k, m))
				} else {
					fmt.Fprintf(&b, "<nd ref=\"%d\"/>", node(m, k))
				}
			}
			b.WriteString("<tag k=\"highway\" v=\"residential\"/></way>\n")
		}
	}
	b.WriteString("</osm>\n")
	return b.String()
}

const testDirectoryHeader = "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Code_departement;Voie_professionnelle;latitude;longitude\n"

// TestManifestWithSeveralExtractsAndDirectories builds the synthetic
// region with a second street extract and two school directories, named
// by lists in the manifest.
func TestManifestWithSeveralExtractsAndDirectories(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	// A second town 30 km north, with its own streets and schools.
	writeTestFile(t, dir, "north.osm", gridOSM(10, 47.27, 2.0, 1_000_000_000))
	writeTestFile(t, dir, "schools-a.csv", testDirectoryHeader+
		"0180901G;Lycée du Centre;Lycée;Public;018;1;47.0;2.0\n"+
		"0180902H;Collège Est;Collège;Public;018;0;47.001;2.01\n")
	writeTestFile(t, dir, "schools-b.csv", testDirectoryHeader+
		"0450901K;Lycée du Nord;Lycée;Privé;045;1;47.274;2.005\n"+
		"0180901G;Lycée du Centre;Lycée;Public;018;1;47.0;2.0\n")
	writeTestFile(t, dir, "offers.csv", "Académie;ID_ETAB;CO_MEFSTAT;CO_STA;FL_VRECENS;VAL_CARSCO\n"+
		"Orléans-Tours;0180901G;23810033605;ST;N;24\n"+
		"Orléans-Tours;0450901K;23810033605;ST;N;12\n"+
		"Orléans-Tours;0450901K;24710022110;AP;N;10\n")
	man := writeTestFile(t, dir, "two.json", `{"name": "two towns", "date": "`+synth.Date+`",
		"gtfs": [{"name": "bus", "path": "gtfs"}],
		"osm": ["streets.osm", "north.osm"],
		"schools": ["schools-a.csv", "schools-b.csv"],
		"offers": ["offers.csv"]}`)
	m, err := ReadManifest(man)
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(src.OSM) != 2 || src.OSM[1] != filepath.Join(dir, "north.osm") || len(src.Schools) != 2 || src.Schools[0] != filepath.Join(dir, "schools-a.csv") {
		t.Fatalf("sources %+v", src)
	}
	d, _ := time.Parse("2006-01-02", m.Date)
	g, err := Build(src, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	// The same region with the synthetic streets alone.
	alone, err := Build(Sources{GTFS: src.GTFS, OSM: []string{filepath.Join(dir, "streets.osm")}}, Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	st := g.Meta.Streets
	if st.Nodes != alone.Meta.Streets.Nodes+100 || st.WaysRead != alone.Meta.Streets.WaysRead+20 || st.MaxLat < 47.27 {
		t.Errorf("streets %+v, alone %+v", st, alone.Meta.Streets)
	}
	p := g.Meta.Places
	if p.Rows != 4 || p.Schools != 3 || g.Places.NumSchools() != 3 || p.OffersPlaced != 3 || p.Offers[0].JoinedSchools != 2 {
		t.Fatalf("places %+v", p)
	}
	if n := g.Places.SchoolOfferStart[3] - g.Places.SchoolOfferStart[2]; g.Places.SchoolID[2] != "0450901K" || n != 2 {
		t.Errorf("school %s has %d offers, want 0450901K with 2", g.Places.SchoolID[2], n)
	}
	// The northern lycée is linked to the northern streets.
	if !g.SchoolLinks.Linked(2) || g.SchoolLinks.Dist[2] > 100 {
		t.Errorf("northern lycée: linked %v at %v m", g.SchoolLinks.Linked(2), g.SchoolLinks.Dist[2])
	}
}

func TestManifestPaths(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		json          string
		osm, schools  []string
		wantErr       string
		roundTripJSON string
	}{
		{`{"gtfs": [{"path": "f.zip"}], "osm": "a.osm.pbf", "schools": "d.csv"}`, []string{"a.osm.pbf"}, []string{"d.csv"}, "", `"osm":"a.osm.pbf","schools":"d.csv"`},
		{`{"gtfs": [{"path": "f.zip"}], "osm": ["a.osm.pbf", "/abs/b.osm"]}`, []string{"a.osm.pbf", "/abs/b.osm"}, nil, "", `"osm":["a.osm.pbf","/abs/b.osm"]`},
		{`{"gtfs": [{"path": "f.zip"}], "osm": ""}`, nil, nil, "", ``},
		{`{"gtfs": [{"path": "f.zip"}], "osm": 3}`, nil, nil, "want a path or a list of paths", ""},
		{`{"gtfs": [{"path": "f.zip"}], "schools": ["a.csv", ""]}`, nil, nil, "empty path", ""},
	} {
		p := writeTestFile(t, dir, "m.json", c.json)
		m, err := ReadManifest(p)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "m.json") {
				t.Errorf("%s: %v, want %q", c.json, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		abs := func(l []string) []string {
			var out []string
			for _, x := range l {
				if !filepath.IsAbs(x) {
					x = filepath.Join(dir, x)
				}
				out = append(out, x)
			}
			return out
		}
		if fmt.Sprint(m.OSM) != fmt.Sprint(abs(c.osm)) || fmt.Sprint(m.Schools) != fmt.Sprint(abs(c.schools)) {
			t.Errorf("%s: osm %v schools %v", c.json, m.OSM, m.Schools)
		}
		// Written back, one path stays a string and a list a list.
		var raw Manifest
		if err := json.Unmarshal([]byte(c.json), &raw); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		if c.roundTripJSON != "" && !strings.Contains(string(b), c.roundTripJSON) || c.roundTripJSON == "" && strings.Contains(string(b), `"osm"`) {
			t.Errorf("%s marshals as %s", c.json, b)
		}
	}
}
