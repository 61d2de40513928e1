package geocode

import (
	"fmt"
	"slices"
	"strings"

	"reach/graph"
)

// Entry is one place to index.
type Entry struct {
	Kind graph.AddressKind
	// Name is what is shown and searched: "12 Rue de Strasbourg" for a
	// house number (HouseNumber + " " + street), the street's, school's or
	// stop's name otherwise.
	Name        string
	HouseNumber string // "12", "12 bis" ("" unless Kind is AddressHouseNumber)
	City        string
	Postcode    string
	Ref         string // identifier shown as the answer's id
	Lat, Lon    float64
	// Words are other searchable words that are not part of the name
	// (a school's UAI).
	Words []string
}

// maxEntryTokens bounds the indexed words of one entry (name words
// first); a longer name is still shown whole.
const maxEntryTokens = 32

// kindOrder is the order of entries in the index: postings are scanned
// in entry order, so when a query's most selective word is very common,
// streets, schools and stops are seen before house numbers.
func kindOrder(k graph.AddressKind) int {
	switch k {
	case graph.AddressStreet:
		return 0
	case graph.AddressSchool:
		return 1
	case graph.AddressStop:
		return 2
	}
	return 3
}

// Build indexes the entries: streets first, then schools, stops and house
// numbers, each kind in the order given. Entries with an invalid kind or
// coordinates, or without any word, are refused with an error naming the
// first one.
func Build(entries []Entry) (graph.Addresses, error) {
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return kindOrder(entries[a].Kind) - kindOrder(entries[b].Kind) })

	n := len(entries)
	a := graph.Addresses{
		Kind: make([]graph.AddressKind, 0, n), Name: make([]string, 0, n), HouseNumber: make([]string, 0, n),
		City: make([]string, 0, n), Postcode: make([]string, 0, n), Ref: make([]string, 0, n),
		Lat: make([]float64, 0, n), Lon: make([]float64, 0, n), EntryNameTokens: make([]uint8, 0, n),
		EntryTokenStart: make([]int32, 1, n+1),
	}
	ids := map[string]int32{} // word → provisional id, in order of appearance
	var dict []string
	var toks []int32 // provisional ids of every entry, CSR by EntryTokenStart
	var name, extra []string
	for _, i := range order {
		e := &entries[i]
		if e.Kind < graph.AddressHouseNumber || e.Kind > graph.AddressStop {
			return graph.Addresses{}, fmt.Errorf("geocode: entry %q has kind %d", e.Name, e.Kind)
		}
		if !(e.Lat >= -90 && e.Lat <= 90 && e.Lon >= -180 && e.Lon <= 180) {
			return graph.Addresses{}, fmt.Errorf("geocode: entry %q has coordinates %v,%v out of range", e.Name, e.Lat, e.Lon)
		}
		name = append(name[:0], Normalize(e.Name)...)
		if len(name) == 0 {
			return graph.Addresses{}, fmt.Errorf("geocode: entry %q (%s) has no word", e.Name, e.Ref)
		}
		extra = extra[:0]
		for _, s := range append([]string{e.City, e.Postcode}, e.Words...) {
			for _, w := range Normalize(s) {
				if !slices.Contains(name, w) {
					extra = appendUnique(extra, w)
				}
			}
		}
		if len(name) > maxEntryTokens {
			name = name[:maxEntryTokens]
		}
		if len(name)+len(extra) > maxEntryTokens {
			extra = extra[:maxEntryTokens-len(name)]
		}
		for _, w := range append(name, extra...) {
			id, ok := ids[w]
			if !ok {
				id = int32(len(dict))
				ids[w] = id
				dict = append(dict, w)
			}
			toks = append(toks, id)
		}
		a.Kind = append(a.Kind, e.Kind)
		a.Name = append(a.Name, e.Name)
		a.HouseNumber = append(a.HouseNumber, e.HouseNumber)
		a.City = append(a.City, e.City)
		a.Postcode = append(a.Postcode, e.Postcode)
		a.Ref = append(a.Ref, e.Ref)
		a.Lat = append(a.Lat, e.Lat)
		a.Lon = append(a.Lon, e.Lon)
		a.EntryNameTokens = append(a.EntryNameTokens, uint8(len(name)))
		a.EntryTokenStart = append(a.EntryTokenStart, int32(len(toks)))
	}

	// Sort the dictionary and renumber.
	sorted := make([]int32, len(dict))
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(x, y int32) int { return strings.Compare(dict[x], dict[y]) })
	rank := make([]int32, len(dict))
	a.Token = make([]string, len(dict))
	for r, id := range sorted {
		rank[id] = int32(r)
		a.Token[r] = dict[id]
	}
	a.EntryToken = toks
	for i, id := range toks {
		a.EntryToken[i] = rank[id]
	}

	// Postings by counting sort: entries in increasing order.
	a.TokenStart = make([]int32, len(dict)+1)
	for _, t := range a.EntryToken {
		a.TokenStart[t+1]++
	}
	for t := range dict {
		a.TokenStart[t+1] += a.TokenStart[t]
	}
	a.Posting = make([]int32, len(a.EntryToken))
	fill := slices.Clone(a.TokenStart[:len(dict)])
	for e := 0; e < len(a.Kind); e++ {
		for _, t := range a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]] {
			a.Posting[fill[t]] = int32(e)
			fill[t]++
		}
	}
	return a, nil
}
