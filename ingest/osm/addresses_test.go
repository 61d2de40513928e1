package osm

import (
	"math"
	"reflect"
	"testing"

	"reach/internal/realdata"
)

func TestReadAddressesFixture(t *testing.T) {
	t.Parallel()
	as, rep, err := ReadAddresses([]string{"testdata/addresses.osm"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Address{
		{Number: "1", Street: "Rue Haute", City: "Villeneuve", Postcode: "35999", Ref: "osm:node/10", Lat: 48.0001, Lon: -0.9999},
		{Number: "3", Street: "Le Bourg", Ref: "osm:node/11", Lat: 48.0002, Lon: -0.9998},
		{Number: "5", Street: "Rue Basse", City: "Villeneuve", Ref: "osm:node/12", Lat: 48.0003, Lon: -0.9997},
		{Number: "2 bis", Street: "Rue Haute", Ref: "osm:node/15", Lat: 48.0006, Lon: -0.9994},
		{Number: "9", Street: "Rue Haute", Ref: "osm:way/200", Lat: 48.0015, Lon: -0.9995},
		{Number: "11", Street: "Rue Basse", City: "Villeneuve", Ref: "osm:way/201", Lat: 48.0035, Lon: -1.0000},
	}
	if len(as) != len(want) {
		t.Fatalf("got %d addresses %+v, want %d", len(as), as, len(want))
	}
	for i := range want {
		got := as[i]
		if math.Abs(got.Lat-want[i].Lat) > 1e-9 || math.Abs(got.Lon-want[i].Lon) > 1e-9 {
			t.Errorf("%s at %v,%v, want %v,%v", got.Ref, got.Lat, got.Lon, want[i].Lat, want[i].Lon)
		}
		got.Lat, got.Lon = want[i].Lat, want[i].Lon
		if got != want[i] {
			t.Errorf("address %d: %+v, want %+v", i, got, want[i])
		}
	}
	if w := (AddressReport{Nodes: 4, Ways: 2, FromRelations: 2, NoStreet: 1, MissingNodes: 1}); *rep != w {
		t.Errorf("report %+v, want %+v", *rep, w)
	}

	// The same extract twice: every element once.
	again, rep2, err := ReadAddresses([]string{"testdata/addresses.osm", "testdata/addresses.osm"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, as) || rep2.Duplicates != 8 {
		t.Errorf("twice: %d addresses, %d duplicates; want the same %d and 8", len(again), rep2.Duplicates, len(as))
	}
	if _, _, err := ReadAddresses([]string{"testdata/missing.osm"}, 0); err == nil {
		t.Error("a missing file is accepted")
	}
	if _, _, err := ReadAddresses([]string{"streets.txt"}, 0); err == nil {
		t.Error("an unknown format is accepted")
	}
}

// TestReadAddressesReal reads central Nantes (full OpenStreetMap data,
// most streets given by associatedStreet relations) and the Rennes
// streets (no address at all).
func TestReadAddressesReal(t *testing.T) {
	t.Parallel()
	as, rep, err := ReadAddresses([]string{realdata.Path(t, "nantes", "centre.osm.pbf")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if w := (AddressReport{Nodes: 7851, Ways: 50, FromRelations: 7023, NoStreet: 2}); *rep != w || len(as) != 7901 {
		t.Errorf("nantes: %d addresses, report %+v, want 7901 and %+v", len(as), *rep, w)
	}
	for _, a := range as {
		if a.Number == "" || a.Street == "" || !(a.Lat > 47.19 && a.Lat < 47.23 && a.Lon > -1.58 && a.Lon < -1.53) {
			t.Fatalf("nantes: %+v", a)
		}
	}
	as, _, err = ReadAddresses([]string{realdata.Path(t, "rennes", "streets.osm.pbf")}, 0)
	if err != nil || len(as) != 0 {
		t.Errorf("rennes: %d addresses, %v", len(as), err)
	}
}
