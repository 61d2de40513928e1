package ban

import (
	"reflect"
	"strings"
	"testing"

	"reach/graph"
)

func TestReadFixture(t *testing.T) {
	t.Parallel()
	as, rep, err := Read("testdata/adresses-35-fixture.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 9 || rep.Kept != 5 || len(as) != 5 {
		t.Fatalf("rows %d, kept %d (%d addresses), want 9 and 5", rep.Rows, rep.Kept, len(as))
	}
	want := Address{ID: "35238_1120_00012_bis", Number: "12 bis", Street: "Boulevard de la Liberté", Postcode: "35000",
		City: "Rennes", Lat: 48.107290, Lon: -1.678850}
	if as[1] != want {
		t.Errorf("second address %+v, want %+v", as[1], want)
	}
	if l := as[1].Label(); l != "12 bis Boulevard de la Liberté" {
		t.Errorf("label %q", l)
	}
	if as[3].Street != "Rue de l'Horloge" || as[4].City != "Cesson-Sévigné" {
		t.Errorf("quoted street or accented commune: %+v %+v", as[3], as[4])
	}
	got := map[string]int{}
	for _, d := range rep.Drops {
		got[d.Reason] = d.Count
		if len(d.Examples) == 0 || !strings.HasPrefix(d.Examples[0], "testdata/adresses-35-fixture.csv:") {
			t.Errorf("%s: examples %q", d.Reason, d.Examples)
		}
	}
	if w := map[string]int{dropNoNumber: 1, dropBadCoordinates: 1, dropNoStreet: 1, dropShortRow: 1}; !reflect.DeepEqual(got, w) {
		t.Errorf("drops %v, want %v", got, w)
	}
}

func TestReadHeader(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, err string }{
		{"", "empty file"},
		{"uai;nom;lat;lon\n", "no column numero, nom_voie"},
		{"numero;nom_voie;lat\n", "no column lon"},
	} {
		var rep graph.AddressFileReport
		_, err := read(strings.NewReader(c.in), "x.csv", &rep)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		}
	}
	// Any column order, extra columns, only the required ones.
	var rep graph.AddressFileReport
	as, err := read(strings.NewReader("lat;extra;lon;nom_voie;numero\n47.2;x;-1.55;Rue de Strasbourg;3\n"), "x.csv", &rep)
	if err != nil || len(as) != 1 || as[0] != (Address{Number: "3", Street: "Rue de Strasbourg", Lat: 47.2, Lon: -1.55}) {
		t.Errorf("minimal file: %+v, %v", as, err)
	}
}

func TestReadHostile(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3*maxRowBytes)
	in := "numero;nom_voie;lon;lat\n" +
		"1;" + long + ";-1.5;47.2\n" + // cut into pieces: dropped, never held whole
		"2;Rue \"du\" Port;-1.5;47.2\n" + // a stray quote
		"3;Rue\xff;-1.5;47.2\n" + // not UTF-8
		"4;Rue Haute;NaN;47.2\n" +
		"5;Rue Basse;0;0\n" +
		"6;Rue Neuve;-1.5;47.2\n"
	var rep graph.AddressFileReport
	as, err := read(strings.NewReader(in), "x.csv", &rep)
	if err != nil {
		t.Fatal(err)
	}
	var streets []string
	for _, a := range as {
		streets = append(streets, a.Street)
	}
	if !reflect.DeepEqual(streets, []string{"Rue \"du\" Port", "Rue Neuve"}) {
		t.Errorf("kept %q", streets)
	}
	for _, d := range rep.Drops {
		for _, ex := range d.Examples {
			if len(ex) > graph.MaxExampleBytes {
				t.Errorf("example of %d bytes", len(ex))
			}
		}
	}
}
