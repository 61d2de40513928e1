package geocode

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"reach/graph"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Boulevard de la Liberté", []string{"boulevard", "liberte"}},
		{"BD DE LA LIBERTE", []string{"boulevard", "liberte"}},
		{"12 bis, rue Saint-Michel", []string{"12bis", "rue", "saint", "michel"}},
		{"12B R. St Michel", []string{"12b", "rue", "saint", "michel"}},
		{"12 B r de la Paix", []string{"12b", "rue", "paix"}},
		{"Rue r", []string{"rue", "r"}},                              // "r" is "rue" only as the first word
		{"la 12 bis r de la paix", []string{"12bis", "rue", "paix"}}, // articles before the number skipped
		{"de r x", []string{"rue", "x"}},
		{"L'Île-d'Œuvre", []string{"ile", "oeuvre"}},
		{"Av. du Gal de Gaulle", []string{"avenue", "general", "gaulle"}},
		{"Hauptstraße", []string{"hauptstrasse"}},
		{"Łódź Fabryczna", []string{"lodz", "fabryczna"}},
		{"Rue du Général Leclerc Rue", []string{"rue", "general", "leclerc"}}, // each word once
		{"La Des", []string{"la", "des"}},                                     // articles only: kept
		{"e\u0301cole", []string{"ecole"}},                                    // decomposed accent
		{"0350005r", []string{"0350005r"}},
		{"  --  ", []string{}},
	} {
		if got := Normalize(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []queryWord
	}{
		{"bd lib", []queryWord{{text: "boulevard"}, {text: "lib", last: true}}},
		{"boulevard de la liberte rennes", []queryWord{{text: "boulevard"}, {text: "liberte"}, {text: "rennes", last: true}}},
		{"rue de", []queryWord{{text: "rue"}, {text: "de", last: true, optional: true}}},
		{"rue de ", []queryWord{{text: "rue"}}},
		{"st", []queryWord{{text: "st", alt: "saint", last: true}}},
		{"st michel", []queryWord{{text: "saint"}, {text: "michel", last: true}}},
		{"12 bis r", []queryWord{{text: "12bis"}, {text: "r", alt: "rue", last: true}}},
		{"la", []queryWord{{text: "la", last: true}}},
		{"?!", []queryWord{}},
	} {
		if got := parseQuery(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseQuery(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// fixture is a small index over two towns.
func fixture(t testing.TB) *graph.Addresses {
	t.Helper()
	entries := []Entry{
		{Kind: graph.AddressHouseNumber, Name: "12 Boulevard de la Liberté", HouseNumber: "12", City: "Rennes", Postcode: "35000", Ref: "h12", Lat: 48.1050, Lon: -1.6770},
		{Kind: graph.AddressHouseNumber, Name: "120 Boulevard de la Liberté", HouseNumber: "120", City: "Rennes", Postcode: "35000", Ref: "h120", Lat: 48.1040, Lon: -1.6700},
		{Kind: graph.AddressStreet, Name: "Boulevard de la Liberté", City: "Rennes", Postcode: "35000", Ref: "s-rennes", Lat: 48.1047, Lon: -1.6760},
		{Kind: graph.AddressStreet, Name: "Boulevard de la Liberté", City: "Redon", Postcode: "35600", Ref: "s-redon", Lat: 47.6510, Lon: -2.0840},
		{Kind: graph.AddressStreet, Name: "Place de la Liberté", City: "Rennes", Ref: "place", Lat: 48.1000, Lon: -1.6800},
		{Kind: graph.AddressStreet, Name: "Rue de Nantes", City: "Rennes", Ref: "rue-de-nantes", Lat: 48.1200, Lon: -1.6900},
		{Kind: graph.AddressStreet, Name: "Rue de Strasbourg", City: "Nantes", Postcode: "44000", Ref: "strasbourg", Lat: 47.2170, Lon: -1.5520},
		{Kind: graph.AddressHouseNumber, Name: "3 Rue de Strasbourg", HouseNumber: "3", City: "Nantes", Postcode: "44000", Ref: "h3", Lat: 47.2160, Lon: -1.5530},
		{Kind: graph.AddressStreet, Name: "Boulevard de Metz", City: "Rennes", Ref: "metz", Lat: 48.1150, Lon: -1.6600},
		{Kind: graph.AddressSchool, Name: "Lycée Jules Verne", City: "Nantes", Ref: "0440012X", Words: []string{"0440012X"}, Lat: 47.2200, Lon: -1.5600},
		{Kind: graph.AddressStop, Name: "Liberté", City: "Rennes", Ref: "star:1", Lat: 48.1045, Lon: -1.6750},
		{Kind: graph.AddressStreet, Name: "Rue Saint-Michel", City: "Rennes", Ref: "st-michel", Lat: 48.1130, Lon: -1.6810},
		{Kind: graph.AddressStreet, Name: "Rue du Stade", City: "Rennes", Ref: "stade", Lat: 48.1300, Lon: -1.6810},
	}
	a, err := Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("index invalid: %v", err)
	}
	return &a
}

// refs returns the refs of the hits.
func refs(a *graph.Addresses, hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = a.Ref[h.Entry]
	}
	return out
}

func TestSearchRanking(t *testing.T) {
	t.Parallel()
	a := fixture(t)
	for _, c := range []struct {
		q    string
		want []string // the first hits, in order
		only bool     // and no other
	}{
		{"boulevard de la liberte rennes", []string{"s-rennes", "h12", "h120"}, true},
		{"BOULEVARD DE LA LIBERTÉ, Rennes", []string{"s-rennes", "h12", "h120"}, true},
		{"bd liberté", []string{"s-rennes", "s-redon"}, false},
		{"boulevard de la lib", []string{"s-rennes", "s-redon"}, false},
		{"12 boulevard de la liberte", []string{"h12"}, true},
		{"12", []string{"h12", "h120"}, true}, // being typed: 12, 120…
		{"120 boulevard de la liberte", []string{"h120"}, true},
		{"12 bd liberte redon", []string{"s-redon"}, true},   // no house number in Redon: the street
		{"boulevard de la liberte paris", []string{}, true},  // another town's street is never given
		{"boulevard de la liberte cesson", []string{}, true}, // nor one of a town the index lacks
		{"14 boulevard de la liberte rennes", []string{"s-rennes"}, false},
		{"rue de nantes", []string{"rue-de-nantes", "strasbourg"}, false},
		{"rue de strasbourg", []string{"strasbourg", "h3"}, true},
		{"3 rue de strasbourg nantes", []string{"h3"}, true},
		{"boulevard de la liberrte", []string{}, true}, // a typo finds nothing rather than any boulevard
		{"xyzzy rennes", []string{}, true},
		{"0440012x", []string{"0440012X"}, true},
		{"jules ver", []string{"0440012X"}, true},
		{"liberte", []string{"star:1", "s-rennes", "s-redon", "place"}, false}, // the stop's whole name
		{"st michel", []string{"st-michel"}, true},
		{"rue st", []string{"stade", "st-michel", "strasbourg", "h3"}, true}, // "st" being typed: stade, saint, strasbourg
		{"r du stade", []string{"stade"}, true},
		{"44000", []string{"strasbourg", "h3"}, true},
	} {
		hits := Search(a, Query{Text: c.q, Limit: 20})
		got := refs(a, hits)
		n := min(len(c.want), len(got))
		if !reflect.DeepEqual(got[:n], c.want) || len(got) < len(c.want) || (c.only && len(got) != len(c.want)) {
			t.Errorf("%q: got %q, want %q first (only: %v)", c.q, got, c.want, c.only)
		}
		for i, h := range hits {
			if !(h.Score > 0 && h.Score <= 1) || (i > 0 && h.Score > hits[i-1].Score) {
				t.Errorf("%q: scores not in (0, 1] and decreasing: %+v", c.q, hits)
				break
			}
		}
	}
}

func TestSearchScores(t *testing.T) {
	t.Parallel()
	a := fixture(t)
	hit := func(q string) Hit {
		t.Helper()
		hs := Search(a, Query{Text: q})
		if len(hs) == 0 {
			t.Fatalf("%q: no hit", q)
		}
		return hs[0]
	}
	if s := hit("boulevard de la liberte rennes").Score; s != 1 {
		t.Errorf("exact street and city: score %v, want 1", s)
	}
	exact, prefix := hit("boulevard de la liberte").Score, hit("boulevard de la lib").Score
	if !(prefix < exact) {
		t.Errorf("prefix %v not below exact %v", prefix, exact)
	}
	if s := hit("14 boulevard de la liberte rennes").Score; s > 0.6 {
		t.Errorf("a query word missing: score %v, want at most 0.6", s)
	}
}

func TestSearchNear(t *testing.T) {
	t.Parallel()
	a := fixture(t)
	q := Query{Text: "boulevard de la liberte", Limit: 2}
	if got := refs(a, Search(a, q)); got[0] != "s-rennes" {
		t.Fatalf("without a point: %q", got)
	}
	q.Near, q.Lat, q.Lon = true, 47.65, -2.08 // Redon
	hits := Search(a, q)
	if got := refs(a, hits); got[0] != "s-redon" {
		t.Errorf("near Redon: %q", got)
	}
	if d := hits[0].Distance; !(d > 0 && d < 500) {
		t.Errorf("distance to Redon's boulevard %v m", d)
	}
}

func TestSearchLimit(t *testing.T) {
	t.Parallel()
	a := fixture(t)
	for _, c := range []struct{ limit, want int }{{0, DefaultLimit}, {1, 1}, {3, 3}, {100, 9}} {
		// "rennes" is the commune of 9 entries.
		if got := len(Search(a, Query{Text: "rennes", Limit: c.limit})); got != c.want {
			t.Errorf("limit %d: %d hits, want %d", c.limit, got, c.want)
		}
	}
	if hs := Search(a, Query{Text: "!!"}); hs != nil {
		t.Errorf("no word: %v", hs)
	}
	if HasWords("?!") || !HasWords("de") {
		t.Error("HasWords")
	}
	if hs := Search(&graph.Addresses{}, Query{Text: "rue"}); hs != nil {
		t.Errorf("empty index: %v", hs)
	}
}

// TestSearchVisitsEachEntryOnce checks that an entry holding several
// words of a prefix's range ("rue" and "ruelle") is scored once.
func TestSearchVisitsEachEntryOnce(t *testing.T) {
	t.Parallel()
	a, err := Build([]Entry{
		{Kind: graph.AddressStreet, Name: "Ruelle de la Rue", Ref: "a"},
		{Kind: graph.AddressStreet, Name: "Rue Haute", Ref: "b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := refs(&a, Search(&a, Query{Text: "ru", Limit: 10})); len(got) != 2 {
		t.Errorf("ru: %q", got)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	a := fixture(t)
	// Streets first, then schools, stops, house numbers.
	for e := 1; e < a.NumEntries(); e++ {
		if kindOrder(a.Kind[e-1]) > kindOrder(a.Kind[e]) {
			t.Fatalf("entry %d (%s) after a %s", e, a.Kind[e], a.Kind[e-1])
		}
	}
	// The words of an entry: name first, then commune, postcode, words.
	for e := 0; e < a.NumEntries(); e++ {
		if a.Ref[e] != "0440012X" {
			continue
		}
		var ws []string
		for _, t := range a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]] {
			ws = append(ws, a.Token[t])
		}
		if want := []string{"lycee", "jules", "verne", "nantes", "0440012x"}; !reflect.DeepEqual(ws, want) || a.EntryNameTokens[e] != 3 {
			t.Errorf("school words %q (%d of the name), want %q (3)", ws, a.EntryNameTokens[e], want)
		}
	}
	for _, bad := range []Entry{
		{Kind: 0, Name: "x"},
		{Kind: graph.AddressStreet, Name: "x", Lat: math.NaN()},
		{Kind: graph.AddressStreet, Name: "x", Lat: 91},
		{Kind: graph.AddressStreet, Name: " - "},
	} {
		if _, err := Build([]Entry{bad}); err == nil {
			t.Errorf("Build(%+v) accepted", bad)
		}
	}
	if empty, err := Build(nil); err != nil || empty.Validate() != nil || empty.NumEntries() != 0 {
		t.Errorf("empty index: %v", err)
	}
}

// TestValidate corrupts a valid index in every way the checks cover.
func TestValidate(t *testing.T) {
	t.Parallel()
	for name, corrupt := range map[string]func(a *graph.Addresses){
		"short name":         func(a *graph.Addresses) { a.Name = a.Name[1:] },
		"bad kind":           func(a *graph.Addresses) { a.Kind[0] = 9 },
		"bad latitude":       func(a *graph.Addresses) { a.Lat[0] = math.NaN() },
		"unsorted tokens":    func(a *graph.Addresses) { a.Token[0], a.Token[1] = a.Token[1], a.Token[0] },
		"token offsets":      func(a *graph.Addresses) { a.TokenStart[1] = a.TokenStart[len(a.TokenStart)-1] + 1 },
		"entry offsets":      func(a *graph.Addresses) { a.EntryTokenStart = a.EntryTokenStart[1:] },
		"token out of range": func(a *graph.Addresses) { a.EntryToken[0] = int32(len(a.Token)) },
		"repeated token":     func(a *graph.Addresses) { a.EntryToken[1] = a.EntryToken[0] },
		"name tokens":        func(a *graph.Addresses) { a.EntryNameTokens[0] = 40 },
		"posting not listed": func(a *graph.Addresses) {
			// Token 0 is listed by one entry: point its posting at another.
			a.Posting[0] = (a.Posting[0] + 1) % int32(a.NumEntries())
		},
		"posting out of order": func(a *graph.Addresses) {
			for t := 0; t+1 < len(a.TokenStart); t++ {
				if a.TokenStart[t+1]-a.TokenStart[t] >= 2 {
					p := a.Posting[a.TokenStart[t]:]
					p[0], p[1] = p[1], p[0]
					return
				}
			}
		},
	} {
		a := fixture(t)
		corrupt(a)
		if err := a.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "addresses: ") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}

// TestIndexRoundTrip stores an index in a graph file and reads it back.
func TestIndexRoundTrip(t *testing.T) {
	t.Parallel()
	a := fixture(t)
	g := &graph.Graph{Addresses: *a, Places: graph.Places{SchoolOfferStart: []int32{0}}}
	var buf bytes.Buffer
	if err := graph.Encode(&buf, g); err != nil {
		t.Fatal(err)
	}
	back, err := graph.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Addresses, *a) {
		t.Error("addresses differ after a round trip")
	}
}
