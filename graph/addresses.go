package graph

import "fmt"

// AddressKind says what an entry of the address index is.
type AddressKind uint8

// Address kinds. The zero value is no kind: every stored entry has one of
// these.
const (
	AddressHouseNumber AddressKind = 1 // a numbered address: "12 Rue de Strasbourg"
	AddressStreet      AddressKind = 2 // a named street, one per (name, commune)
	AddressSchool      AddressKind = 3 // a school of the directory
	AddressStop        AddressKind = 4 // a public-transport stop (same-named platforms merged)
)

// String returns "housenumber", "street", "school" or "stop", the type
// names of the address API.
func (k AddressKind) String() string {
	switch k {
	case AddressHouseNumber:
		return "housenumber"
	case AddressStreet:
		return "street"
	case AddressSchool:
		return "school"
	case AddressStop:
		return "stop"
	}
	return fmt.Sprintf("AddressKind(%d)", uint8(k))
}

// Addresses is the address index searched by the geocoder: house
// numbers, named streets, schools and stops, each a point with a display
// name and a commune, and an inverted index of their normalised words
// (see package geocode, which builds and searches it).
//
// Entries are addressed by an int32 index into the entry slices. Token
// holds every distinct normalised word, sorted in byte order, so that the
// words starting with a prefix form one range [lo, hi) found by binary
// search. The entries holding token t are Posting[TokenStart[t]:
// TokenStart[t+1]], increasing; the words of entry e are the token ids
// EntryToken[EntryTokenStart[e]:EntryTokenStart[e+1]], those of its name
// first (EntryNameTokens[e] of them), then those of its commune, postcode
// and identifiers.
type Addresses struct {
	Kind        []AddressKind
	Name        []string  // "12 Rue de Strasbourg", "Rue de Strasbourg", "Lycée Jules Verne", "République"
	HouseNumber []string  // "12", "12 bis" for house numbers; "" for the other kinds
	City        []string  // commune name ("" when unknown)
	Postcode    []string  // postal code ("" when unknown)
	Ref         []string  // identifier: "osm:node/123", the national base's id, a UAI, a stop id
	Lat         []float64 // WGS84 degrees
	Lon         []float64

	Token           []string // distinct normalised words, sorted
	TokenStart      []int32  // CSR offsets into Posting, len(Token)+1
	Posting         []int32  // entry indexes, grouped by token, increasing within a token
	EntryTokenStart []int32  // CSR offsets into EntryToken, NumEntries()+1
	EntryToken      []int32  // token ids of each entry, distinct, name words first
	EntryNameTokens []uint8  // how many of an entry's tokens come from its name
}

// NumEntries returns the number of entries.
func (a *Addresses) NumEntries() int { return len(a.Kind) }

// Validate checks the invariants the geocoder relies on: equal lengths of
// the entry slices, valid kinds and coordinates, tokens strictly
// increasing, CSR offsets spanning their arrays, ids in range, postings
// increasing, and postings and entry tokens describing the same pairs.
// It is linear in the size of the index. An empty Addresses is valid.
func (a *Addresses) Validate() error {
	n := len(a.Kind)
	for name, m := range map[string]int{
		"Name": len(a.Name), "HouseNumber": len(a.HouseNumber), "City": len(a.City), "Postcode": len(a.Postcode),
		"Ref": len(a.Ref), "Lat": len(a.Lat), "Lon": len(a.Lon), "EntryNameTokens": len(a.EntryNameTokens),
	} {
		if m != n {
			return fmt.Errorf("addresses: %s has %d entries for %d", name, m, n)
		}
	}
	if n == 0 && len(a.Token) == 0 && len(a.Posting) == 0 && len(a.EntryToken) == 0 &&
		len(a.TokenStart) <= 1 && len(a.EntryTokenStart) <= 1 {
		return nil
	}
	for e := 0; e < n; e++ {
		if a.Kind[e] < AddressHouseNumber || a.Kind[e] > AddressStop {
			return fmt.Errorf("addresses: entry %d has kind %d", e, a.Kind[e])
		}
		if lat, lon := a.Lat[e], a.Lon[e]; !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
			return fmt.Errorf("addresses: entry %d (%q) has coordinates %v,%v out of range", e, a.Name[e], lat, lon)
		}
	}
	nt := len(a.Token)
	for t := 1; t < nt; t++ {
		if a.Token[t-1] >= a.Token[t] {
			return fmt.Errorf("addresses: tokens not strictly increasing at %d (%q)", t, a.Token[t])
		}
	}
	if err := checkSpan("addresses: TokenStart", a.TokenStart, nt, len(a.Posting)); err != nil {
		return err
	}
	if err := checkSpan("addresses: EntryTokenStart", a.EntryTokenStart, n, len(a.EntryToken)); err != nil {
		return err
	}
	// Count, per token, the entries that list it; it must match the
	// postings, and each posting's entry must list its token.
	count := make([]int32, nt)
	for e := 0; e < n; e++ {
		ts := a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]]
		if int(a.EntryNameTokens[e]) > len(ts) {
			return fmt.Errorf("addresses: entry %d has %d name tokens of %d", e, a.EntryNameTokens[e], len(ts))
		}
		for i, t := range ts {
			if t < 0 || int(t) >= nt {
				return fmt.Errorf("addresses: entry %d has token %d out of range", e, t)
			}
			for _, u := range ts[:i] {
				if u == t {
					return fmt.Errorf("addresses: entry %d lists token %q twice", e, a.Token[t])
				}
			}
			count[t]++
		}
	}
	for t := 0; t < nt; t++ {
		ps := a.Posting[a.TokenStart[t]:a.TokenStart[t+1]]
		if int32(len(ps)) != count[t] {
			return fmt.Errorf("addresses: token %q has %d postings for %d entries listing it", a.Token[t], len(ps), count[t])
		}
		for i, e := range ps {
			if e < 0 || int(e) >= n || (i > 0 && ps[i-1] >= e) {
				return fmt.Errorf("addresses: postings of token %q out of range or not increasing at %d", a.Token[t], i)
			}
			found := false
			for _, u := range a.EntryToken[a.EntryTokenStart[e]:a.EntryTokenStart[e+1]] {
				if int(u) == t {
					found = true
					break
				}
			}
			if !found {
				return fmt.Errorf("addresses: token %q lists entry %d, which does not list it", a.Token[t], e)
			}
		}
	}
	return nil
}

// checkSpan checks CSR offsets of n rows over m items.
func checkSpan(name string, off []int32, n, m int) error {
	if len(off) != n+1 || off[0] != 0 || int(off[n]) != m {
		return fmt.Errorf("%s has %d offsets and does not span 0..%d for %d rows", name, len(off), m, n)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return fmt.Errorf("%s decreases at %d", name, i)
		}
	}
	return nil
}

// AddressesReport says what the address index was built from, entries per
// source, as stored in the build report.
type AddressesReport struct {
	Entries int `json:"entries"`
	Tokens  int `json:"tokens"` // distinct normalised words

	// OSMHouseNumbers counts the house numbers of the OpenStreetMap
	// extracts: nodes and ways (at their centroid) with addr:housenumber
	// and a street (addr:street, addr:place, or an associatedStreet
	// relation). OSMDuplicates counts those found twice (same number,
	// street and commune), kept once; OSMNoStreet those without a street.
	OSMHouseNumbers int `json:"osm_housenumbers"`
	OSMDuplicates   int `json:"osm_duplicates"`
	OSMNoStreet     int `json:"osm_no_street"`
	// Files are the national address base files read (--addresses).
	Files []AddressFileReport `json:"files,omitempty"`
	// Streets counts the named streets of the network, one entry per
	// (name, commune); StreetsFromAddresses the streets only known from
	// house numbers (no named way of the network near them).
	Streets              int `json:"streets"`
	StreetsFromAddresses int `json:"streets_from_addresses"`
	// How the communes of streets and stops were found: from the
	// addresses near them, from the schools near them, or not at all.
	CommuneFromAddresses int `json:"commune_from_addresses"`
	CommuneFromSchools   int `json:"commune_from_schools"`
	CommuneUnknown       int `json:"commune_unknown"`
	Schools              int `json:"schools"`
	// Stops counts the stop entries: same-named stops within 400 m of
	// one another are one entry.
	Stops int `json:"stops"`
}

// AddressFileReport says what one national address base file gave.
type AddressFileReport struct {
	Path  string `json:"path"`
	Rows  int    `json:"rows"`
	Kept  int    `json:"kept"` // house numbers kept
	Drops []Drop `json:"drops"`
}
