package ban

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"reach/graph"
)

// FuzzRead checks that any file is read or refused without failing, and
// that every address kept is complete, UTF-8 and placed on Earth.
func FuzzRead(f *testing.F) {
	fixture, err := os.ReadFile("testdata/adresses-35-fixture.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte("numero;nom_voie;lon;lat\n1;\"Rue\n2;Rue;1;2\n"))
	f.Add([]byte("numero;nom_voie;lon;lat\r\n3;Rue;-1e3;47\r\n4;\"\";0;0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rep graph.AddressFileReport
		as, err := read(strings.NewReader(string(b)), "f.csv", &rep)
		if err != nil {
			if len(as) != 0 {
				t.Fatalf("error %v with %d addresses", err, len(as))
			}
			return
		}
		if rep.Kept != len(as) || rep.Kept > rep.Rows {
			t.Fatalf("kept %d of %d rows, %d addresses", rep.Kept, rep.Rows, len(as))
		}
		for _, a := range as {
			if a.Number == "" || a.Street == "" || !utf8.ValidString(a.Street+a.City+a.Postcode+a.ID) ||
				!(a.Lat >= -90 && a.Lat <= 90 && a.Lon >= -180 && a.Lon <= 180) {
				t.Fatalf("address %+v", a)
			}
		}
	})
}
