package engine

import (
	"context"
	"fmt"
	"math"

	"reach/graph"
)

// SchoolDoc describes a school in answers.
type SchoolDoc struct {
	UAI            string  `json:"uai"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind,omitempty"`
	Sector         string  `json:"sector"` // public, private, unknown
	Lat            float64 `json:"lat"`
	Lon            float64 `json:"lon"`
	Address        string  `json:"address,omitempty"`
	Postcode       string  `json:"postcode,omitempty"`
	Commune        string  `json:"commune,omitempty"`
	Boarding       bool    `json:"boarding"`             // offers board and lodging (internat)
	Apprenticeship bool    `json:"apprenticeship"`       // trains apprentices
	OnisepURL      string  `json:"onisep_url,omitempty"` // the school's page on onisep.fr
}

// OfferDoc describes a training offer in answers.
type OfferDoc struct {
	Label    string `json:"label"`
	Level    string `json:"diploma,omitempty"`
	Track    string `json:"track"` // scolaire or apprentissage
	Code     string `json:"code,omitempty"`
	Capacity int32  `json:"capacity,omitempty"`
	Source   string `json:"source"`
}

// TripDoc is the arrive-by trip to a school, as answers show it.
type TripDoc struct {
	Reachable bool    `json:"reachable"`
	DurationS int32   `json:"duration_s,omitempty"`
	Band      string  `json:"band,omitempty"` // "0-15", "15-30", …
	BandIndex int     `json:"band_index"`     // index of the band; number of bands when unreachable
	Modality  string  `json:"modality"`       // walk, bike, transit, bike+transit, school, none
	Depart    string  `json:"depart,omitempty"`
	Arrive    string  `json:"arrive,omitempty"`
	Transfers int     `json:"transfers"`
	WalkM     float64 `json:"walk_m"`
	BikeM     float64 `json:"bike_m,omitempty"`   // metres ridden (straight to the school, or to the first stop)
	MinS      int32   `json:"min_s,omitempty"`    // shortest travel time over the window
	MedianS   int32   `json:"median_s,omitempty"` // median travel time over the window
	// PercentileS is the travel time at the request's percentile
	// (Params.Percentile) over the window.
	PercentileS int32 `json:"percentile_s,omitempty"`
	SchoolOnly  bool  `json:"school_bus_only"`
}

// ResultDoc is one ranked offer of an answer (group=offer). Offer is
// absent on a graph without offers, whose schools are the destinations.
type ResultDoc struct {
	School SchoolDoc `json:"school"`
	Offer  *OfferDoc `json:"offer,omitempty"`
	TripDoc
	DistanceM float64 `json:"distance_m"`
}

// SchoolResult is one ranked school of an answer grouped by school
// (group=school), with its offers passing the filter.
type SchoolResult struct {
	School    SchoolDoc  `json:"school"`
	Best      TripDoc    `json:"best"`
	DistanceM float64    `json:"distance_m"`
	Offers    []OfferDoc `json:"offers"`
}

// FeedDate says which date of a feed an answer used.
type FeedDate struct {
	Feed        string `json:"feed"`
	ServiceDate string `json:"service_date"`
	Substituted bool   `json:"substituted"`
}

// Summary sums up an answer.
type Summary struct {
	Bands          []BandCount `json:"bands"`
	Reachable      int         `json:"reachable_offers"`
	Total          int         `json:"total_offers"`      // offers passing the filter, reachable or not
	Schools        int         `json:"reachable_schools"` // schools with a reachable offer passing the filter
	MatchedSchools int         `json:"matching_schools"`  // schools with an offer passing the filter, reachable or not
	AccessStop     int         `json:"access_stops"`      // stops within walking distance of the origin
	Date           string      `json:"date"`
	ArriveBy       string      `json:"arrive_by"`
	MaxMinutes     int         `json:"max_minutes"`
	Modes          string      `json:"modes"`
	Feeds          []FeedDate  `json:"feeds"`
	BuildID        string      `json:"build_id"`
}

// BandCount counts the offers and schools in one band.
type BandCount struct {
	Band    string `json:"band"`
	Offers  int    `json:"offers"`
	Schools int    `json:"schools"`
}

// Answer is the /v1/reachable document: ranked offers (Results), or
// ranked schools with their offers (Schools) when grouped by school.
type Answer struct {
	Summary Summary        `json:"summary"`
	Group   string         `json:"group"` // "offer" or "school"
	Page    int            `json:"page"`
	PerPage int            `json:"per_page"` // results, or schools when grouped by school
	Results []ResultDoc    `json:"results,omitempty"`
	Schools []SchoolResult `json:"schools,omitempty"`
}

// Answer runs a request and builds its document.
func (e *Engine) Answer(ctx context.Context, req Request) (*Answer, error) {
	if err := e.checkRequest(req.Params, req.Date); err != nil {
		return nil, err
	}
	cut := req.Cutoffs
	if cut == nil {
		cut = defaultCutoffs(req.Params.MaxMinutes)
	}
	if err := checkCutoffs(cut, req.Params.MaxMinutes); err != nil {
		return nil, err
	}
	if req.Page == 0 {
		req.Page = 1
	}
	if req.PerPage == 0 {
		req.PerPage = 20
	}
	if req.Group == "" {
		req.Group = GroupOffer
	}
	if req.Page < 1 || req.PerPage < 1 || (req.Group != GroupOffer && req.Group != GroupSchool) {
		return nil, fmt.Errorf("engine: page %d of %d results grouped by %q", req.Page, req.PerPage, req.Group)
	}
	for _, u := range req.Filter.UAIs {
		if _, ok := e.g.Places.SchoolByUAI(u); !ok {
			return nil, &NotFoundError{"uai", u}
		}
	}
	r, err := e.Reach(ctx, req.Params)
	if err != nil {
		return nil, err
	}
	ranked := e.Join(r, req.Filter, cut, req.IncludeUnreachable)
	a := &Answer{Group: req.Group, Page: req.Page, PerPage: req.PerPage}
	s := &a.Summary
	s.Bands = make([]BandCount, len(cut))
	for i := range cut {
		s.Bands[i].Band = graph.BandLabel(i, cut)
	}
	// Schools in ranking order: the offers of one school are consecutive.
	type run struct{ first, end int }
	var schools []run
	for i, x := range ranked {
		if i == 0 || x.School != ranked[i-1].School {
			schools = append(schools, run{i, i + 1})
		} else {
			schools[len(schools)-1].end = i + 1
		}
		if x.Band < len(cut) {
			s.Bands[x.Band].Offers++
			s.Reachable++
		}
	}
	for _, sr := range schools {
		if b := ranked[sr.first].Band; b < len(cut) {
			s.Bands[b].Schools++
			s.Schools++
		}
	}
	s.Total, s.MatchedSchools = e.countMatching(req.Filter)
	s.AccessStop = r.Access
	s.Date = e.g.Meta.Date
	s.ArriveBy = graph.FormatClock(req.Params.ArriveBy)
	s.MaxMinutes = req.Params.MaxMinutes
	s.Modes = req.Params.Modes.String()
	s.BuildID = e.g.Meta.BuildID
	for _, f := range e.g.Meta.Feeds {
		s.Feeds = append(s.Feeds, FeedDate{Feed: f.Name, ServiceDate: f.ServiceDate, Substituted: f.Substituted})
	}
	start := (req.Page - 1) * req.PerPage
	if req.Group == GroupSchool {
		a.Schools = []SchoolResult{}
		for _, sr := range schools[min(start, len(schools)):min(start+req.PerPage, len(schools))] {
			x := ranked[sr.first]
			res := SchoolResult{School: e.SchoolDoc(x.School), Best: e.tripDoc(r, x, cut), DistanceM: round1(x.Distance), Offers: []OfferDoc{}}
			for _, y := range ranked[sr.first:sr.end] {
				if y.Offer >= 0 {
					res.Offers = append(res.Offers, e.OfferDoc(y.Offer))
				}
			}
			a.Schools = append(a.Schools, res)
		}
		return a, nil
	}
	a.Results = []ResultDoc{}
	for _, x := range ranked[min(start, len(ranked)):min(start+req.PerPage, len(ranked))] {
		d := ResultDoc{School: e.SchoolDoc(x.School), TripDoc: e.tripDoc(r, x, cut), DistanceM: round1(x.Distance)}
		if x.Offer >= 0 {
			o := e.OfferDoc(x.Offer)
			d.Offer = &o
		}
		a.Results = append(a.Results, d)
	}
	return a, nil
}

// Groupings of an answer.
const (
	GroupOffer  = "offer"  // one result per training offer
	GroupSchool = "school" // one result per school, with its offers
)

// SchoolDoc describes school s.
func (e *Engine) SchoolDoc(s graph.SchoolIdx) SchoolDoc {
	p := &e.g.Places
	return SchoolDoc{UAI: p.SchoolID[s], Name: p.SchoolName[s], Kind: p.SchoolKind[s], Sector: p.SchoolSector[s].String(),
		Lat: round6(p.SchoolLat[s]), Lon: round6(p.SchoolLon[s]), Address: p.SchoolAddress[s], Postcode: p.SchoolPostcode[s],
		Commune: p.SchoolCommune[s], Boarding: p.SchoolBoarding[s], Apprenticeship: p.SchoolApprentissage[s],
		OnisepURL: p.SchoolOnisepURL[s]}
}

// OfferDoc describes offer o.
func (e *Engine) OfferDoc(o graph.OfferIdx) OfferDoc {
	p := &e.g.Places
	return OfferDoc{Label: p.OfferLabel[o], Level: p.OfferLevel[o], Track: p.OfferVoie[o].String(), Code: p.OfferCode[o],
		Capacity: max(p.OfferCapacity[o], 0), Source: p.OfferSource[o].String()}
}

// tripDoc describes the trip of a ranked destination.
func (e *Engine) tripDoc(r *Reachability, x Ranked, cut []int) TripDoc {
	d := TripDoc{BandIndex: x.Band, Modality: graph.ModalityNone.String()}
	t := x.Trip
	if !t.Found || x.Band >= len(cut) {
		return d
	}
	d.Reachable = true
	d.DurationS = t.Duration
	d.Band = graph.BandLabel(x.Band, cut)
	d.Modality = t.Modality.String()
	d.Depart, d.Arrive = graph.FormatClock(t.Depart), graph.FormatClock(t.Arrive)
	d.Transfers = max(t.Trips-1, 0)
	d.SchoolOnly = t.Modality == graph.ModalitySchool
	d.WalkM = round1(r.walkMetres(e, x.School))
	d.BikeM = round1(r.bikeMetres(x.School))
	if t.Min != Unreachable {
		d.MinS = t.Min
	}
	if t.Median != Unreachable {
		d.MedianS = t.Median
	}
	if t.Percentile != Unreachable {
		d.PercentileS = t.Percentile
	}
	return d
}

// round6 rounds degrees to 6 decimals (about 0.1 m).
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
