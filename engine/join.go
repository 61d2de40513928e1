package engine

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"reach/graph"
)

// Filter selects training offers. The zero value selects every offer.
type Filter struct {
	Levels []string    // diploma levels ("CAP", "Bac Pro"…), any of them; case and accents ignored
	Voie   string      // "scolaire" or "apprentissage"; "" for both
	UAIs   []string    // schools, any of them
	Text   string      // words that must all appear in the label or the school's name
	BBox   *[4]float64 // minLat, minLon, maxLat, maxLon of the school
}

// Ranked is one training offer with the trip to its school.
type Ranked struct {
	Offer, School int32
	Trip          Trip
	Band          int     // index into the cut-offs; len(cutoffs) when beyond them or unreachable
	Distance      float64 // straight line from the origin to the school, metres
}

// Join ranks the offers that pass the filter: reachable ones by travel
// time, then public before private, then distance; unreachable ones (only
// when includeUnreachable) after them, by distance.
func (e *Engine) Join(r *Reachability, f Filter, cutoffs []int, includeUnreachable bool) ([]Ranked, error) {
	p := &e.g.Places
	var schools []int32 // candidate schools
	if f.BBox != nil {
		schools = e.index.InBBox(f.BBox[0], f.BBox[1], f.BBox[2], f.BBox[3])
	} else if len(f.UAIs) > 0 {
		seen := map[int32]bool{}
		for _, u := range f.UAIs {
			if s, ok := p.SchoolByUAI(u); ok && !seen[s] {
				seen[s] = true
				schools = append(schools, s)
			}
		}
	} else if includeUnreachable {
		schools = make([]int32, p.NumSchools())
		for i := range schools {
			schools[i] = int32(i)
		}
	} else {
		schools = r.Reached // the others have no reachable offer
	}
	uais := map[string]bool{}
	for _, u := range f.UAIs {
		uais[u] = true
	}
	levels := map[string]bool{}
	for _, l := range f.Levels {
		levels[fold(l)] = true
	}
	words := strings.Fields(fold(f.Text))
	var out []Ranked
	maxD := int32(r.Params.MaxMinutes) * 60
	for _, s := range schools {
		if len(uais) > 0 && !uais[p.SchoolID[s]] {
			continue
		}
		trip := r.Trip(s)
		if !trip.Found && !includeUnreachable {
			continue
		}
		dist := graph.Haversine(r.Params.Lat, r.Params.Lon, p.SchoolLat[s], p.SchoolLon[s])
		name := fold(p.SchoolName[s])
		a, b := p.OffersOf(s)
		for o := a; o < b; o++ {
			if len(levels) > 0 && !levels[fold(p.OfferLevel[o])] {
				continue
			}
			if f.Voie != "" && p.OfferVoie[o].String() != f.Voie {
				continue
			}
			if len(words) > 0 {
				label := fold(p.OfferLabel[o]) + " " + name
				ok := true
				for _, w := range words {
					ok = ok && strings.Contains(label, w)
				}
				if !ok {
					continue
				}
			}
			bd := len(cutoffs)
			if trip.Found && trip.Duration <= maxD {
				bd = Band(trip.Duration, cutoffs)
			}
			out = append(out, Ranked{Offer: o, School: s, Trip: trip, Band: bd, Distance: dist})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Trip.Found != b.Trip.Found {
			return a.Trip.Found
		}
		if a.Trip.Found && a.Trip.Duration != b.Trip.Duration {
			return a.Trip.Duration < b.Trip.Duration
		}
		pa, pb := p.SchoolSector[a.School] == graph.SectorPublic, p.SchoolSector[b.School] == graph.SectorPublic
		if pa != pb {
			return pa
		}
		if a.Distance != b.Distance {
			return a.Distance < b.Distance
		}
		return a.Offer < b.Offer
	})
	return out, nil
}

// fold lowercases and strips accents, for matching.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}
