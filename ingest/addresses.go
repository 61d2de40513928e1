package ingest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"reach/geocode"
	"reach/graph"
	"reach/ingest/ban"
	"reach/ingest/osm"
)

// The geocoder's entries are gathered here, after the streets, stops and
// schools are read (see buildAddresses):
//
//   - house numbers: the national address base files (--addresses) first,
//     then the OpenStreetMap extracts' (nodes and building ways with
//     addr:housenumber, see osm.ReadAddresses); one found again (same
//     number, street and commune within 500 m) is kept once;
//   - streets: the named ways of the walking network, one entry per
//     (name, commune) at the point of the street nearest the middle of its
//     ways; ways whose commune is unknown are grouped with the ways of the
//     same name less than 600 m away instead (a street cut by a park or a
//     square stays one entry). Streets that only house numbers name (no way of
//     that name within 1.5 km) get an entry at their middle house number;
//   - schools: name, UAI and commune from the directory;
//   - stops: same-named stops within 400 m of one another are one entry,
//     at their mean position (stops with a parent station are left to
//     the station).
//
// Communes. A house number keeps its addr:city or nom_commune ("Cedex…"
// removed, one spelling per commune); without one it takes the commune
// most often written with its postcode (in the house numbers and the
// school directory), else that of the nearest house number within 1 km
// that has one (and a postcode, which a house number without postcode
// takes from the nearest one of its commune). A street or a stop takes the commune of the nearest house
// number of the same street within 1 km (streets only), else of the
// nearest house number within 150 m, else the most frequent commune of
// the five nearest schools within 3 km, else none.

// Distances of the rules above, in metres.
const (
	addrDuplicateDist  = 500.0
	addrCommuneDist    = 1000.0 // a house number without commune, a street's own house numbers
	addrNearDist       = 150.0  // any house number near a street or stop
	schoolCommuneDist  = 3000.0
	schoolCommuneVotes = 5
	streetJoinDist     = 600.0  // ways of a street without commune closer than this are one street
	streetCoveredDist  = 1500.0 // a street of house numbers already on the network
	stopMergeDist      = 400.0
)

// houseNumber is a house number of any source.
type houseNumber struct {
	number, street, city, postcode, ref string
	lat, lon                            float64
	streetKey                           string // normalised street name
	osm                                 bool
}

// nameKey is the normalised form of a name, for grouping.
func nameKey(s string) string { return strings.Join(geocode.Normalize(s), " ") }

// buildAddresses gathers the entries and indexes them into g.Addresses.
func buildAddresses(g *graph.Graph, banPaths []string, osmAddrs []osm.Address, osmRep *osm.AddressReport, logf func(string, ...any)) error {
	rep := &graph.AddressesReport{}
	var hns []houseNumber
	for _, p := range banPaths {
		as, fr, err := ban.Read(p)
		if err != nil {
			return fmt.Errorf("build: %w", err)
		}
		rep.Files = append(rep.Files, fr)
		logf("addresses: %s: %d rows, %d house numbers kept", p, fr.Rows, fr.Kept)
		for _, a := range as {
			hns = append(hns, houseNumber{number: a.Number, street: a.Street, city: a.City, postcode: a.Postcode,
				ref: a.ID, lat: a.Lat, lon: a.Lon})
		}
	}
	if osmRep != nil {
		rep.OSMNoStreet = osmRep.NoStreet
	}
	for _, a := range osmAddrs {
		hns = append(hns, houseNumber{number: a.Number, street: a.Street, city: a.City, postcode: a.Postcode,
			ref: a.Ref, lat: a.Lat, lon: a.Lon, osm: true})
	}
	pl := &g.Places
	cities := newCityNames()
	for i := range hns {
		hns[i].city = cities.add(hns[i].city)
		hns[i].streetKey = nameKey(hns[i].street)
	}
	for s := range pl.SchoolCommune {
		cities.add(pl.SchoolCommune[s])
	}
	cityOf := func(s string) string { return cities.canonical(cleanCity(s)) }
	for i := range hns {
		hns[i].city = cityOf(hns[i].city)
	}
	fillCities(hns, pl, cityOf)
	hns = dedupeHouseNumbers(hns, rep)

	var entries []geocode.Entry
	for _, h := range hns {
		if h.osm {
			rep.OSMHouseNumbers++
		}
		entries = append(entries, geocode.Entry{Kind: graph.AddressHouseNumber, Name: h.number + " " + h.street,
			HouseNumber: h.number, City: h.city, Postcode: h.postcode, Ref: h.ref, Lat: h.lat, Lon: h.lon})
	}
	near := newCommuneFinder(hns, g, cityOf)
	streets := streetEntries(&g.Streets, near, rep)
	entries = append(entries, streets...)
	entries = append(entries, addressStreets(hns, streets, rep)...)
	for s := range pl.SchoolID {
		entries = append(entries, geocode.Entry{Kind: graph.AddressSchool, Name: pl.SchoolName[s], City: cityOf(pl.SchoolCommune[s]),
			Postcode: pl.SchoolPostcode[s], Ref: pl.SchoolID[s], Lat: pl.SchoolLat[s], Lon: pl.SchoolLon[s], Words: []string{pl.SchoolID[s]}})
		rep.Schools++
	}
	entries = append(entries, stopEntries(&g.Timetable, near, rep)...)

	// Entries without any word (a name of punctuation) cannot be found.
	kept := entries[:0]
	for _, e := range entries {
		if len(geocode.Normalize(e.Name)) > 0 {
			kept = append(kept, e)
		}
	}
	a, err := geocode.Build(kept)
	if err != nil {
		return fmt.Errorf("build: addresses: %w", err)
	}
	g.Addresses = a
	rep.Entries, rep.Tokens = a.NumEntries(), len(a.Token)
	g.Meta.Addresses = rep
	logf("addresses: %d entries (%d house numbers from OpenStreetMap, %d from address files, %d streets, %d streets of house numbers only, %d schools, %d stops), %d words",
		rep.Entries, rep.OSMHouseNumbers, len(hns)-rep.OSMHouseNumbers, rep.Streets, rep.StreetsFromAddresses, rep.Schools, rep.Stops, rep.Tokens)
	return nil
}

// cleanCity trims a commune name and removes a "Cedex" suffix
// ("Nantes Cedex 1" → "Nantes").
func cleanCity(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(strings.ToLower(s), " cedex"); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// cityNames chooses one spelling per commune: the most frequent, a
// spelling in capitals only when there is no other.
type cityNames struct {
	counts map[string]map[string]int // key → spelling → count
}

func newCityNames() *cityNames { return &cityNames{counts: map[string]map[string]int{}} }

// add counts a spelling and returns it cleaned.
func (c *cityNames) add(s string) string {
	s = cleanCity(s)
	if s == "" {
		return ""
	}
	k := nameKey(s)
	if c.counts[k] == nil {
		c.counts[k] = map[string]int{}
	}
	c.counts[k][s]++
	return s
}

// canonical returns the chosen spelling of a commune.
func (c *cityNames) canonical(s string) string {
	if s == "" {
		return ""
	}
	best, bestN := s, -1
	for sp, n := range c.counts[nameKey(s)] {
		if capsOnly(sp) {
			n -= 1 << 30 // any other spelling first
		}
		if n > bestN || (n == bestN && sp < best) {
			best, bestN = sp, n
		}
	}
	return best
}

// capsOnly reports whether s has letters and none in lower case.
func capsOnly(s string) bool {
	letters := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		letters = letters || unicode.IsLetter(r)
	}
	return letters
}

// fillCities gives a commune to the house numbers without one: the one
// most often written with their postcode, else that of the nearest house
// number within addrCommuneDist having a commune and a postcode. A house
// number without postcode takes that of the nearest such house number
// of its commune.
func fillCities(hns []houseNumber, pl *graph.Places, cityOf func(string) string) {
	votes := map[string]map[string]int{} // postcode → commune → count
	vote := func(pc, city string) {
		if pc == "" || city == "" {
			return
		}
		if votes[pc] == nil {
			votes[pc] = map[string]int{}
		}
		votes[pc][city]++
	}
	for _, h := range hns {
		vote(h.postcode, h.city)
	}
	for s := range pl.SchoolPostcode {
		vote(pl.SchoolPostcode[s], cityOf(pl.SchoolCommune[s]))
	}
	byPostcode := map[string]string{}
	for pc, m := range votes {
		best, n := "", 0
		for c, k := range m {
			if k > n || (k == n && c < best) {
				best, n = c, k
			}
		}
		byPostcode[pc] = best
	}
	var rest []int
	for i := range hns {
		if hns[i].city == "" {
			hns[i].city = byPostcode[hns[i].postcode]
		}
		if hns[i].city == "" || hns[i].postcode == "" {
			rest = append(rest, i)
		}
	}
	if len(rest) == 0 {
		return
	}
	grid := newPointGrid(len(hns))
	for i, h := range hns {
		if h.city != "" && h.postcode != "" {
			grid.add(int32(i), h.lat, h.lon)
		}
	}
	for _, i := range rest {
		h := &hns[i]
		// The nearest with both; of the same commune when h has one.
		j := grid.nearest(h.lat, h.lon, addrCommuneDist, func(j int32) bool { return h.city == "" || hns[j].city == h.city })
		if j < 0 {
			continue
		}
		if h.city == "" {
			h.city = hns[j].city
		}
		if h.postcode == "" {
			h.postcode = hns[j].postcode
		}
	}
}

// dedupeHouseNumbers keeps the first of the house numbers with the same
// number, street and commune within addrDuplicateDist, counting the OSM
// ones left out.
func dedupeHouseNumbers(hns []houseNumber, rep *graph.AddressesReport) []houseNumber {
	seen := map[string][]int32{}
	out := hns[:0]
	for _, h := range hns {
		k := nameKey(h.number) + "|" + h.streetKey + "|" + nameKey(h.city)
		dup := false
		for _, j := range seen[k] {
			if approxDist(h.lat, h.lon, out[j].lat, out[j].lon) < addrDuplicateDist {
				dup = true
				break
			}
		}
		if dup {
			if h.osm {
				rep.OSMDuplicates++
			}
			continue
		}
		seen[k] = append(seen[k], int32(len(out)))
		out = append(out, h)
	}
	return out
}

// communeFinder finds the commune of a street or a stop (see the rules at
// the top of this file).
type communeFinder struct {
	hns     []houseNumber
	grid    *pointGrid // house numbers with a commune
	schools *graph.SchoolIndex
	pl      *graph.Places
	cityOf  func(string) string
}

// Sources of a commune.
const (
	communeNone = iota
	communeFromAddresses
	communeFromSchools
)

func newCommuneFinder(hns []houseNumber, g *graph.Graph, cityOf func(string) string) *communeFinder {
	f := &communeFinder{hns: hns, grid: newPointGrid(len(hns)), pl: &g.Places, cityOf: cityOf}
	for i, h := range hns {
		if h.city != "" {
			f.grid.add(int32(i), h.lat, h.lon)
		}
	}
	if g.Places.NumSchools() > 0 {
		f.schools = g.Places.Index()
	}
	return f
}

// at returns the commune and postcode at a point; street is the
// normalised name of the street there ("" for a stop).
func (f *communeFinder) at(lat, lon float64, street string) (city, postcode string, source int) {
	if street != "" {
		if j := f.grid.nearest(lat, lon, addrNearDist, func(j int32) bool { return f.hns[j].streetKey == street }); j >= 0 {
			return f.hns[j].city, f.hns[j].postcode, communeFromAddresses
		}
		if j := f.grid.nearest(lat, lon, addrCommuneDist, func(j int32) bool { return f.hns[j].streetKey == street }); j >= 0 {
			return f.hns[j].city, f.hns[j].postcode, communeFromAddresses
		}
	}
	if j := f.grid.nearest(lat, lon, addrNearDist, nil); j >= 0 {
		return f.hns[j].city, f.hns[j].postcode, communeFromAddresses
	}
	if f.schools != nil {
		type vote struct {
			city, postcode string
			n              int
		}
		var votes []vote
		for _, sd := range f.schools.Nearest(lat, lon, schoolCommuneVotes) {
			if sd.Meters > schoolCommuneDist {
				break
			}
			c := f.cityOf(f.pl.SchoolCommune[sd.School])
			if c == "" {
				continue
			}
			i := slices.IndexFunc(votes, func(v vote) bool { return v.city == c })
			if i < 0 {
				votes = append(votes, vote{city: c, postcode: f.pl.SchoolPostcode[sd.School]})
				i = len(votes) - 1
			}
			votes[i].n++
		}
		best := -1
		for i, v := range votes { // nearest first among equal counts
			if best < 0 || v.n > votes[best].n {
				best = i
			}
		}
		if best >= 0 {
			return votes[best].city, votes[best].postcode, communeFromSchools
		}
	}
	return "", "", communeNone
}

// countCommune records where a commune came from.
func countCommune(rep *graph.AddressesReport, source int) {
	switch source {
	case communeFromAddresses:
		rep.CommuneFromAddresses++
	case communeFromSchools:
		rep.CommuneFromSchools++
	default:
		rep.CommuneUnknown++
	}
}

// streetEntries groups the named ways of the network into one entry per
// (name, commune).
func streetEntries(s *graph.Streets, near *communeFinder, rep *graph.AddressesReport) []geocode.Entry {
	nw := len(s.WayOSM)
	if nw == 0 {
		return nil
	}
	// Which ways are streets (not only platforms, corridors or lifts),
	// and the mean of their shape points.
	street := make([]bool, nw)
	for e, g := range s.EdgeSeg {
		switch s.EdgeClass[e] {
		case graph.ClassPlatform, graph.ClassCorridor, graph.ClassElevator:
		default:
			street[s.SegWay[g]] = true
		}
	}
	sumLat, sumLon, nPts := make([]float64, nw), make([]float64, nw), make([]int, nw)
	box := make([][4]float64, nw) // minLat, minLon, maxLat, maxLon
	for w := range box {
		box[w] = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	}
	for g := range s.SegFrom {
		w := s.SegWay[g]
		for k := s.SegShapeStart[g]; k < s.SegShapeStart[g+1]; k++ {
			lat, lon := s.ShapeLat[k], s.ShapeLon[k]
			sumLat[w] += lat
			sumLon[w] += lon
			nPts[w]++
			b := &box[w]
			b[0], b[1], b[2], b[3] = min(b[0], lat), min(b[1], lon), max(b[2], lat), max(b[3], lon)
		}
	}

	// The commune of each named way; ways without one are grouped with
	// the ways of the same name near them (union-find).
	keys := make([]string, nw)
	city, postcode := make([]string, nw), make([]string, nw)
	source := make([]int, nw)
	parent := make([]int32, nw)
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	cells := map[string][]int32{} // name and square → unplaced ways touching it
	for w := 0; w < nw; w++ {
		parent[w] = int32(w)
		name := strings.TrimSpace(s.WayName[w])
		if name == "" || !street[w] || nPts[w] == 0 {
			continue
		}
		if keys[w] = nameKey(name); keys[w] == "" {
			continue
		}
		lat, lon := sumLat[w]/float64(nPts[w]), sumLon[w]/float64(nPts[w])
		city[w], postcode[w], source[w] = near.at(lat, lon, keys[w])
		if city[w] != "" {
			continue
		}
		b := box[w]
		pad := streetJoinDist / 111320
		lo, hi := gridKey(b[0]-pad, b[1]-2*pad), gridKey(b[2]+pad, b[3]+2*pad)
		for i := lo[0] / streetCells; i <= hi[0]/streetCells; i++ {
			for j := lo[1] / streetCells; j <= hi[1]/streetCells; j++ {
				k := fmt.Sprintf("%s\x00%d,%d", keys[w], i, j)
				for _, v := range cells[k] {
					if boxGap(box[v], b) < streetJoinDist {
						if rv, rw := find(v), find(int32(w)); rv != rw {
							parent[max(rv, rw)] = min(rv, rw)
						}
					}
				}
				cells[k] = append(cells[k], int32(w))
			}
		}
	}
	type group struct {
		names            map[string]int // spellings
		city, postcode   string
		lat, lon         float64 // sums, then the centroid
		n                int
		osm              int64
		bestLat, bestLon float64
		bestDist         float64
	}
	var groups []*group
	index := map[string]int32{}
	wayGroup := make([]int32, nw)
	for w := 0; w < nw; w++ {
		wayGroup[w] = -1
		if keys[w] == "" {
			continue
		}
		gk := keys[w] + "\x00" + city[w]
		if city[w] == "" {
			gk += fmt.Sprintf("\x00%d", find(int32(w)))
		}
		gi, ok := index[gk]
		if !ok {
			gi = int32(len(groups))
			index[gk] = gi
			groups = append(groups, &group{names: map[string]int{}, city: city[w], postcode: postcode[w], osm: s.WayOSM[w], bestDist: math.Inf(1)})
			countCommune(rep, source[w])
		}
		gr := groups[gi]
		gr.names[strings.TrimSpace(s.WayName[w])]++
		gr.lat += sumLat[w]
		gr.lon += sumLon[w]
		gr.n += nPts[w]
		gr.osm = min(gr.osm, s.WayOSM[w])
		wayGroup[w] = gi
	}
	for _, gr := range groups {
		gr.lat /= float64(gr.n)
		gr.lon /= float64(gr.n)
	}
	// The representative point: the shape point nearest the centroid.
	for g := range s.SegFrom {
		gi := wayGroup[s.SegWay[g]]
		if gi < 0 {
			continue
		}
		gr := groups[gi]
		for k := s.SegShapeStart[g]; k < s.SegShapeStart[g+1]; k++ {
			if d := approxDist(gr.lat, gr.lon, s.ShapeLat[k], s.ShapeLon[k]); d < gr.bestDist {
				gr.bestDist, gr.bestLat, gr.bestLon = d, s.ShapeLat[k], s.ShapeLon[k]
			}
		}
	}
	out := make([]geocode.Entry, 0, len(groups))
	for _, gr := range groups {
		out = append(out, geocode.Entry{Kind: graph.AddressStreet, Name: mostFrequent(gr.names), City: gr.city, Postcode: gr.postcode,
			Ref: fmt.Sprintf("osm:way/%d", gr.osm), Lat: gr.bestLat, Lon: gr.bestLon})
	}
	rep.Streets = len(out)
	return out
}

// mostFrequent returns the most frequent key (the smallest among ties).
func mostFrequent(m map[string]int) string {
	best, n := "", 0
	for k, c := range m {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

// addressStreets returns an entry for each (street, commune) of the house
// numbers that no street of the network of the same name within
// streetCoveredDist stands for, at its house number nearest the mean of
// them all.
func addressStreets(hns []houseNumber, streets []geocode.Entry, rep *graph.AddressesReport) []geocode.Entry {
	network := map[string][]int{} // street key → entries
	for i, e := range streets {
		k := nameKey(e.Name)
		network[k] = append(network[k], i)
	}
	type group struct {
		names     map[string]int
		postcodes map[string]int
		members   []int32
		lat, lon  float64
	}
	var order []string
	groups := map[string]*group{}
	for i, h := range hns {
		k := h.streetKey + "\x00" + h.city
		gr := groups[k]
		if gr == nil {
			gr = &group{names: map[string]int{}, postcodes: map[string]int{}}
			groups[k] = gr
			order = append(order, k)
		}
		gr.names[h.street]++
		if h.postcode != "" {
			gr.postcodes[h.postcode]++
		}
		gr.members = append(gr.members, int32(i))
		gr.lat += h.lat
		gr.lon += h.lon
	}
	var out []geocode.Entry
	for _, k := range order {
		gr := groups[k]
		n := float64(len(gr.members))
		lat, lon := gr.lat/n, gr.lon/n
		key, city, _ := strings.Cut(k, "\x00")
		covered := false
		for _, i := range network[key] {
			if approxDist(lat, lon, streets[i].Lat, streets[i].Lon) < streetCoveredDist {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		best, bd := gr.members[0], math.Inf(1)
		for _, m := range gr.members {
			if d := approxDist(lat, lon, hns[m].lat, hns[m].lon); d < bd {
				best, bd = m, d
			}
		}
		out = append(out, geocode.Entry{Kind: graph.AddressStreet, Name: mostFrequent(gr.names), City: city,
			Postcode: mostFrequent(gr.postcodes), Ref: streetRef(hns[best].ref), Lat: hns[best].lat, Lon: hns[best].lon})
	}
	rep.StreetsFromAddresses = len(out)
	return out
}

// streetRef is the identifier of a street known from its house numbers:
// the street part of a national address base id ("35238_1120_00012_bis"
// → "35238_1120"), else the house number's own.
func streetRef(ref string) string {
	if parts := strings.SplitN(ref, "_", 3); len(parts) == 3 && !strings.Contains(ref, ":") {
		return parts[0] + "_" + parts[1]
	}
	return ref
}

// stopEntries returns one entry per group of same-named stops within
// stopMergeDist of the group's first stop.
func stopEntries(t *graph.Timetable, near *communeFinder, rep *graph.AddressesReport) []geocode.Entry {
	type group struct {
		first    int32
		lat, lon float64 // sums
		n        int
	}
	var groups []*group
	byName := map[string][]int{}
	for s := int32(0); int(s) < t.NumStops(); s++ {
		if t.StopParent[s] >= 0 {
			continue
		}
		k := nameKey(t.StopName[s])
		if k == "" {
			continue
		}
		joined := false
		for _, gi := range byName[k] {
			gr := groups[gi]
			if approxDist(t.StopLat[gr.first], t.StopLon[gr.first], t.StopLat[s], t.StopLon[s]) < stopMergeDist {
				gr.lat += t.StopLat[s]
				gr.lon += t.StopLon[s]
				gr.n++
				joined = true
				break
			}
		}
		if !joined {
			byName[k] = append(byName[k], len(groups))
			groups = append(groups, &group{first: s, lat: t.StopLat[s], lon: t.StopLon[s], n: 1})
		}
	}
	out := make([]geocode.Entry, 0, len(groups))
	for _, gr := range groups {
		lat, lon := gr.lat/float64(gr.n), gr.lon/float64(gr.n)
		city, pc, src := near.at(lat, lon, "")
		countCommune(rep, src)
		out = append(out, geocode.Entry{Kind: graph.AddressStop, Name: strings.TrimSpace(t.StopName[gr.first]), City: city, Postcode: pc,
			Ref: t.StopID[gr.first], Lat: lat, Lon: lon})
	}
	rep.Stops = len(out)
	return out
}

// boxGap is the distance in metres between two boxes (minLat, minLon,
// maxLat, maxLon), 0 when they overlap.
func boxGap(a, b [4]float64) float64 {
	dLat := max(0, max(a[0], b[0])-min(a[2], b[2]))
	dLon := max(0, max(a[1], b[1])-min(a[3], b[3]))
	return approxDist(0, 0, dLat, dLon*math.Cos((a[0]+b[2])/2*math.Pi/180))
}

// approxDist is the equirectangular distance in metres, good to a few
// metres over the distances compared here.
func approxDist(lat1, lon1, lat2, lon2 float64) float64 {
	const m = graph.EarthRadius * math.Pi / 180
	x := (lon2 - lon1) * math.Cos((lat1+lat2)/2*math.Pi/180)
	y := lat2 - lat1
	return m * math.Sqrt(x*x+y*y)
}

// pointGrid buckets points into squares of about gridCell metres for
// nearest-point searches within a radius.
type pointGrid struct {
	cells map[[2]int32][]int32 // square → positions in pts
	pts   [][2]float64         // lat, lon
	ids   []int32              // the id of each point
}

// gridCell is the side of a grid square, in degrees of latitude (about
// 220 m); longitude squares are as many degrees (narrower in metres).
const gridCell = 0.002

// streetCells is the side, in grid squares, of the squares in which ways
// of the same name are compared (about 1 km).
const streetCells = 5

func newPointGrid(n int) *pointGrid {
	return &pointGrid{cells: map[[2]int32][]int32{}, pts: make([][2]float64, 0, n)}
}

func gridKey(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat / gridCell)), int32(math.Floor(lon / gridCell))}
}

// add adds point id at lat, lon.
func (p *pointGrid) add(id int32, lat, lon float64) {
	k := gridKey(lat, lon)
	p.cells[k] = append(p.cells[k], int32(len(p.pts)))
	p.pts = append(p.pts, [2]float64{lat, lon})
	p.ids = append(p.ids, id)
}

// nearest returns the id of the nearest point within r metres that ok
// accepts (nil: any), or -1.
func (p *pointGrid) nearest(lat, lon, r float64, ok func(id int32) bool) int32 {
	dLat := r / 111320
	dLon := r / (111320 * math.Max(math.Cos(lat*math.Pi/180), 0.01))
	lo, hi := gridKey(lat-dLat, lon-dLon), gridKey(lat+dLat, lon+dLon)
	best, bd := int32(-1), r
	for i := lo[0]; i <= hi[0]; i++ {
		for j := lo[1]; j <= hi[1]; j++ {
			for _, k := range p.cells[[2]int32{i, j}] {
				pt := p.pts[k]
				if d := approxDist(lat, lon, pt[0], pt[1]); d <= bd && (ok == nil || ok(p.ids[k])) {
					if d < bd || best < 0 || p.ids[k] < best {
						best, bd = p.ids[k], d
					}
				}
			}
		}
	}
	return best
}
