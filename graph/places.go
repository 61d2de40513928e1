package graph

import (
	"fmt"
	"math"
	"sort"

	"github.com/tidwall/rtree"
)

// Sector says whether a school is public or private.
type Sector uint8

// Sectors.
const (
	SectorUnknown Sector = 0
	SectorPublic  Sector = 1
	SectorPrivate Sector = 2
)

// String returns "public", "private" or "unknown".
func (s Sector) String() string {
	switch s {
	case SectorPublic:
		return "public"
	case SectorPrivate:
		return "private"
	}
	return "unknown"
}

// Voie is the way a training is followed: at school or as an apprentice.
type Voie uint8

// Voies.
const (
	VoieScolaire      Voie = 0 // pupil status (Affelnet status "ST")
	VoieApprentissage Voie = 1 // apprentice status (Affelnet status "AP")
)

// String returns "scolaire" or "apprentissage".
func (v Voie) String() string {
	if v == VoieApprentissage {
		return "apprentissage"
	}
	return "scolaire"
}

// OfferSource names the list a training offer was read from.
type OfferSource uint8

// Offer sources.
const (
	OfferFromCSV            OfferSource = 0 // plain locations CSV with a training column
	OfferFromAffelnet1rePro OfferSource = 1 // Affelnet "1re pro" offer list
	OfferFromAffelnet2nde   OfferSource = 2 // Affelnet "2nde" offer list
)

// String returns "csv", "affelnet-1re-pro" or "affelnet-2nde".
func (s OfferSource) String() string {
	switch s {
	case OfferFromAffelnet1rePro:
		return "affelnet-1re-pro"
	case OfferFromAffelnet2nde:
		return "affelnet-2nde"
	}
	return "csv"
}

// Places are the training locations: schools (lycées, collèges,
// apprenticeship centres, or any located establishment of a plain CSV) and
// the training offers they host. Every school has valid WGS84 coordinates.
//
// Schools are addressed by an int32 index into the School* slices. Offers
// are grouped by school: the offers of school s are the indexes
// SchoolOfferStart[s] .. SchoolOfferStart[s+1]-1 of the Offer* slices.
// SchoolOrder holds the school indexes sorted by SchoolID, for binary
// search, so that nothing has to be built or mutated after loading.
type Places struct {
	// Schools.
	SchoolID         []string    // UAI ("0350005R") or the plain CSV's id; unique
	SchoolName       []string    // establishment name
	SchoolKind       []string    // type: "Lycée", "Collège", "Ecole", … ("" when unknown)
	SchoolNature     []string    // nature label, e.g. "LYCEE PROFESSIONNEL" ("" when unknown)
	SchoolSector     []Sector    // public / private
	SchoolLat        []float64   // WGS84 latitude, degrees
	SchoolLon        []float64   // WGS84 longitude, degrees
	SchoolAddress    []string    // street address line
	SchoolPostcode   []string    // postal code
	SchoolCommune    []string    // commune (town) name
	SchoolDept       []string    // département code, e.g. "035" ("" outside France)
	SchoolVocational []bool      // has a vocational track (voie professionnelle)
	SchoolCollege    []bool      // is a collège (a typical origin for batch queries)
	SchoolOrder      []SchoolIdx // schools sorted by SchoolID
	SchoolOfferStart []int32     // CSR offsets into the offers, len NumSchools()+1

	// Schools: details of the directory (false / "" when not given).
	SchoolBoarding      []bool   // offers board and lodging (internat; the directory's Hebergement)
	SchoolOnisepURL     []string // the school's page on onisep.fr, the national guidance agency (Fiche_onisep)
	SchoolApprentissage []bool   // trains apprentices (Apprentissage); OfferVoie tells which trainings

	// Offers, sorted by school.
	OfferSchool   []SchoolIdx   // school of the offer
	OfferLabel    []string      // readable label: the nomenclature's name, the list's label, or one built from the code
	OfferCode     []string      // MEF / MEFSTAT11 / CFD code ("" when unknown)
	OfferLevel    []string      // diploma: "CAP", "Bac Pro", "BP", "BTS", … ("" when not derivable)
	OfferVoie     []Voie        // scolaire / apprentissage
	OfferCapacity []int32       // places, -1 when unknown
	OfferSource   []OfferSource // list the offer was read from
}

// NumSchools returns the number of schools.
func (p *Places) NumSchools() int { return len(p.SchoolID) }

// NumOffers returns the number of training offers.
func (p *Places) NumOffers() int { return len(p.OfferSchool) }

// OffersOf returns the range [first, end) of the offers of school s.
func (p *Places) OffersOf(s SchoolIdx) (first, end OfferIdx) {
	return OfferIdx(p.SchoolOfferStart[s]), OfferIdx(p.SchoolOfferStart[s+1])
}

// SchoolByUAI returns the index of the school with the given id (a UAI for
// French schools), by binary search over SchoolOrder.
func (p *Places) SchoolByUAI(id string) (SchoolIdx, bool) {
	i := sort.Search(len(p.SchoolOrder), func(i int) bool {
		return p.SchoolID[p.SchoolOrder[i]] >= id
	})
	if i < len(p.SchoolOrder) && p.SchoolID[p.SchoolOrder[i]] == id {
		return p.SchoolOrder[i], true
	}
	return -1, false
}

// Validate checks the invariants the readers of Places rely on: equal
// lengths of the parallel slices, ids unique and sorted through
// SchoolOrder, coordinates in WGS84 range, offers grouped by school with
// consistent CSR offsets. It is linear and meant to run on every load.
func (p *Places) Validate() error {
	ns := len(p.SchoolID)
	for name, n := range map[string]int{
		"SchoolName": len(p.SchoolName), "SchoolKind": len(p.SchoolKind), "SchoolNature": len(p.SchoolNature),
		"SchoolSector": len(p.SchoolSector), "SchoolLat": len(p.SchoolLat), "SchoolLon": len(p.SchoolLon),
		"SchoolAddress": len(p.SchoolAddress), "SchoolPostcode": len(p.SchoolPostcode),
		"SchoolCommune": len(p.SchoolCommune), "SchoolDept": len(p.SchoolDept),
		"SchoolVocational": len(p.SchoolVocational), "SchoolCollege": len(p.SchoolCollege),
		"SchoolBoarding": len(p.SchoolBoarding), "SchoolOnisepURL": len(p.SchoolOnisepURL),
		"SchoolApprentissage": len(p.SchoolApprentissage), "SchoolOrder": len(p.SchoolOrder),
	} {
		if n != ns {
			return fmt.Errorf("places: %s has %d entries for %d schools", name, n, ns)
		}
	}
	no := len(p.OfferSchool)
	for name, n := range map[string]int{
		"OfferLabel": len(p.OfferLabel), "OfferCode": len(p.OfferCode), "OfferLevel": len(p.OfferLevel),
		"OfferVoie": len(p.OfferVoie), "OfferCapacity": len(p.OfferCapacity), "OfferSource": len(p.OfferSource),
	} {
		if n != no {
			return fmt.Errorf("places: %s has %d entries for %d offers", name, n, no)
		}
	}
	for s := 0; s < ns; s++ {
		lat, lon := p.SchoolLat[s], p.SchoolLon[s]
		if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
			return fmt.Errorf("places: school %d (%s) has coordinates %v,%v out of range", s, p.SchoolID[s], lat, lon)
		}
	}
	seen := make([]bool, ns)
	for i, s := range p.SchoolOrder {
		if s < 0 || int(s) >= ns || seen[s] {
			return fmt.Errorf("places: SchoolOrder[%d] = %d is out of range or repeated", i, s)
		}
		seen[s] = true
		if i > 0 && p.SchoolID[p.SchoolOrder[i-1]] >= p.SchoolID[s] {
			return fmt.Errorf("places: school ids not strictly increasing in SchoolOrder at %d (%q)", i, p.SchoolID[s])
		}
	}
	off := p.SchoolOfferStart
	if len(off) != ns+1 || off[0] != 0 || int(off[ns]) != no {
		return fmt.Errorf("places: SchoolOfferStart has %d entries and does not span offers 0..%d for %d schools", len(off), no, ns)
	}
	for s := 0; s < ns; s++ {
		if off[s+1] < off[s] {
			return fmt.Errorf("places: SchoolOfferStart decreases at school %d", s)
		}
		for o := off[s]; o < off[s+1]; o++ {
			if p.OfferSchool[o] != SchoolIdx(s) {
				return fmt.Errorf("places: offer %d belongs to school %d but lies in the range of school %d", o, p.OfferSchool[o], s)
			}
		}
	}
	for o, c := range p.OfferCapacity {
		if c < -1 {
			return fmt.Errorf("places: offer %d has capacity %d", o, c)
		}
	}
	return nil
}

// SchoolIndex is an R-tree over the schools of a Places, for bounding-box
// and nearest-neighbour queries. Build it once with Places.Index after
// loading; it is read-only afterwards and its methods are safe for
// concurrent use. It keeps a pointer to the Places, which must not change.
type SchoolIndex struct {
	p    *Places
	tree rtree.RTreeGN[float64, SchoolIdx] // points {lon, lat}, data = school
}

// SchoolDistance is a school found by SchoolIndex.Nearest, with its great-circle
// distance from the query point.
type SchoolDistance struct {
	School SchoolIdx
	Meters float64
}

// Index builds the R-tree over the schools' coordinates.
func (p *Places) Index() *SchoolIndex {
	ix := &SchoolIndex{p: p}
	for s := range p.SchoolID {
		pt := [2]float64{p.SchoolLon[s], p.SchoolLat[s]}
		ix.tree.Insert(pt, pt, SchoolIdx(s))
	}
	return ix
}

// Len returns the number of schools in the index.
func (ix *SchoolIndex) Len() int { return ix.tree.Len() }

// InBBox returns the schools inside the box (bounds included), in
// increasing index order. A box with minLon > maxLon crosses the
// antimeridian. An empty or inverted latitude range gives no school.
func (ix *SchoolIndex) InBBox(minLat, minLon, maxLat, maxLon float64) []SchoolIdx {
	if !(minLat <= maxLat) || math.IsNaN(minLon) || math.IsNaN(maxLon) {
		return nil
	}
	var out []SchoolIdx
	collect := func(_, _ [2]float64, s SchoolIdx) bool {
		out = append(out, s)
		return true
	}
	if minLon <= maxLon {
		ix.tree.Search([2]float64{minLon, minLat}, [2]float64{maxLon, maxLat}, collect)
	} else {
		ix.tree.Search([2]float64{minLon, minLat}, [2]float64{180, maxLat}, collect)
		ix.tree.Search([2]float64{-180, minLat}, [2]float64{maxLon, maxLat}, collect)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	// A school at longitude ±180 may match both halves.
	return placesCompact(out)
}

// Nearest returns the k schools closest to (lat, lon) by great-circle
// distance, closest first; equal distances are ordered by school index, so
// the result is exactly the first k of all schools sorted by (distance,
// index). It returns fewer when the index holds fewer than k schools.
func (ix *SchoolIndex) Nearest(lat, lon float64, k int) []SchoolDistance {
	if k <= 0 || math.IsNaN(lat) || math.IsNaN(lon) {
		return nil
	}
	cosLat := math.Cos(lat * placesDegToRad)
	p := ix.p
	var out []SchoolDistance
	ix.tree.Nearby(
		func(min, max [2]float64, s SchoolIdx, item bool) float64 {
			if item {
				return Haversine(lat, lon, p.SchoolLat[s], p.SchoolLon[s])
			}
			return placesBoxLowerBound(lat, lon, cosLat, min, max)
		},
		func(_, _ [2]float64, s SchoolIdx, d float64) bool {
			// Past k, keep only ties with the k-th distance so that the
			// final order by (distance, index) is deterministic.
			if len(out) >= k && d > out[k-1].Meters {
				return false
			}
			out = append(out, SchoolDistance{School: s, Meters: d})
			return true
		},
	)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Meters != out[j].Meters {
			return out[i].Meters < out[j].Meters
		}
		return out[i].School < out[j].School
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

const placesDegToRad = math.Pi / 180

// placesBoxLowerBound returns a lower bound of the great-circle distance from
// (lat, lon) to any point of the box {min, max} ({lon, lat} corners), as
// the kNN search requires. It is the larger of two bounds: any path must
// cover the latitude gap, R·Δφ; and any point whose longitude differs by
// at least Δλ lies at least asin(cos φ · sin Δλ) away (the cross-track
// distance to the meridian plane at Δλ, valid up to Δλ = 90°, beyond which
// the bound at 90° still holds).
func placesBoxLowerBound(lat, lon, cosLat float64, min, max [2]float64) float64 {
	var dlat float64
	if lat < min[1] {
		dlat = min[1] - lat
	} else if lat > max[1] {
		dlat = lat - max[1]
	}
	b := dlat * placesDegToRad * EarthRadius
	if dlon := placesLonGap(lon, min[0], max[0]); dlon > 0 {
		if dlon > 90 {
			dlon = 90
		}
		if lb := EarthRadius * math.Asin(cosLat*math.Sin(dlon*placesDegToRad)); lb > b {
			b = lb
		}
	}
	return b
}

// placesLonGap returns the angular gap in degrees (0..180) between longitude lon
// and the interval [lo, hi], going either way round the globe.
func placesLonGap(lon, lo, hi float64) float64 {
	if lon >= lo && lon <= hi {
		return 0
	}
	return math.Min(placesCircularDiff(lon, lo), placesCircularDiff(lon, hi))
}

// placesCircularDiff returns |a-b| folded into 0..180 degrees.
func placesCircularDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	if d > 180 {
		d = 360 - d
	}
	return d
}

// placesCompact removes adjacent duplicates of a sorted slice.
func placesCompact(a []SchoolIdx) []SchoolIdx {
	if len(a) < 2 {
		return a
	}
	w := 1
	for i := 1; i < len(a); i++ {
		if a[i] != a[w-1] {
			a[w] = a[i]
			w++
		}
	}
	return a[:w]
}
