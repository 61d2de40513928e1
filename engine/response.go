package engine

import (
	"context"
	"fmt"

	"reach/graph"
)

// SchoolDoc describes a school in answers.
type SchoolDoc struct {
	UAI      string  `json:"uai"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind,omitempty"`
	Sector   string  `json:"sector"` // public, private, unknown
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Address  string  `json:"address,omitempty"`
	Postcode string  `json:"postcode,omitempty"`
	Commune  string  `json:"commune,omitempty"`
}

// OfferDoc describes a training offer in answers.
type OfferDoc struct {
	Label    string `json:"label"`
	Level    string `json:"diploma,omitempty"`
	Voie     string `json:"voie"`
	Code     string `json:"code,omitempty"`
	Capacity int32  `json:"capacity,omitempty"`
	Source   string `json:"source"`
}

// ResultDoc is one ranked offer of an answer.
type ResultDoc struct {
	School     SchoolDoc `json:"school"`
	Offer      OfferDoc  `json:"offer"`
	Reachable  bool      `json:"reachable"`
	DurationS  int32     `json:"duration_s,omitempty"`
	Band       string    `json:"band,omitempty"` // "0-15", "15-30", …
	BandIndex  int       `json:"band_index"`     // index of the band; number of bands when unreachable
	Modality   string    `json:"modality"`       // walk, transit, school, none
	Depart     string    `json:"depart,omitempty"`
	Arrive     string    `json:"arrive,omitempty"`
	Transfers  int       `json:"transfers"`
	WalkM      float64   `json:"walk_m"`
	DistanceM  float64   `json:"distance_m"`
	MinS       int32     `json:"min_s,omitempty"`    // shortest travel time over the window
	MedianS    int32     `json:"median_s,omitempty"` // median travel time over the window
	SchoolOnly bool      `json:"school_bus_only"`
}

// FeedDate says which date of a feed an answer used.
type FeedDate struct {
	Feed        string `json:"feed"`
	ServiceDate string `json:"service_date"`
	Substituted bool   `json:"substituted"`
}

// Summary sums up an answer.
type Summary struct {
	Bands      []BandCount `json:"bands"`
	Reachable  int         `json:"reachable_offers"`
	Total      int         `json:"total_offers"` // offers passing the filter, reachable or not
	Schools    int         `json:"reachable_schools"`
	AccessStop int         `json:"access_stops"` // stops within walking distance of the origin
	Date       string      `json:"date"`
	ArriveBy   string      `json:"arrive_by"`
	MaxMinutes int         `json:"max_minutes"`
	Modes      string      `json:"modes"`
	Feeds      []FeedDate  `json:"feeds"`
	BuildID    string      `json:"build_id"`
}

// BandCount counts the offers in one band.
type BandCount struct {
	Band   string `json:"band"`
	Offers int    `json:"offers"`
}

// Answer is the /v1/reachable document.
type Answer struct {
	Summary Summary     `json:"summary"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
	Results []ResultDoc `json:"results"`
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
	if req.Page < 1 || req.PerPage < 1 {
		return nil, fmt.Errorf("engine: page %d of %d results", req.Page, req.PerPage)
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
	ranked, err := e.Join(r, req.Filter, cut, req.IncludeUnreachable)
	if err != nil {
		return nil, err
	}
	a := &Answer{Page: req.Page, PerPage: req.PerPage, Results: []ResultDoc{}}
	s := &a.Summary
	s.Bands = make([]BandCount, len(cut))
	for i := range cut {
		s.Bands[i].Band = graph.BandLabel(i, cut)
	}
	schools := map[int32]bool{}
	for _, x := range ranked {
		if x.Band < len(cut) {
			s.Bands[x.Band].Offers++
			s.Reachable++
			schools[x.School] = true
		}
	}
	s.Total = len(ranked)
	if !req.IncludeUnreachable {
		s.Total = -1 // unknown: unreachable offers were not listed
	}
	s.Schools = len(schools)
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
	end := min(start+req.PerPage, len(ranked))
	for i := start; i < end; i++ {
		x := ranked[i]
		d := e.resultDoc(x, cut)
		if x.Trip.Found && x.Band < len(cut) {
			d.WalkM = round1(r.walkMetres(e, x.School))
		}
		a.Results = append(a.Results, d)
	}
	return a, nil
}

// SchoolDoc describes school s.
func (e *Engine) SchoolDoc(s int32) SchoolDoc {
	p := &e.g.Places
	return SchoolDoc{UAI: p.SchoolID[s], Name: p.SchoolName[s], Kind: p.SchoolKind[s], Sector: p.SchoolSector[s].String(),
		Lat: p.SchoolLat[s], Lon: p.SchoolLon[s], Address: p.SchoolAddress[s], Postcode: p.SchoolPostcode[s], Commune: p.SchoolCommune[s]}
}

// OfferDoc describes offer o.
func (e *Engine) OfferDoc(o int32) OfferDoc {
	p := &e.g.Places
	return OfferDoc{Label: p.OfferLabel[o], Level: p.OfferLevel[o], Voie: p.OfferVoie[o].String(), Code: p.OfferCode[o],
		Capacity: max(p.OfferCapacity[o], 0), Source: p.OfferSource[o].String()}
}

func (e *Engine) resultDoc(x Ranked, cut []int) ResultDoc {
	d := ResultDoc{
		School: e.SchoolDoc(x.School), Offer: e.OfferDoc(x.Offer),
		BandIndex: x.Band, Modality: graph.ModalityNone.String(), DistanceM: round1(x.Distance),
	}
	t := x.Trip
	if t.Found && x.Band < len(cut) {
		d.Reachable = true
		d.DurationS = t.Duration
		d.Band = graph.BandLabel(x.Band, cut)
		d.Modality = t.Modality.String()
		d.Depart, d.Arrive = graph.FormatClock(t.Depart), graph.FormatClock(t.Arrive)
		d.Transfers = max(t.Trips-1, 0)
		d.SchoolOnly = t.Modality == graph.ModalitySchool
		if t.Min != Unreachable {
			d.MinS = t.Min
		}
		if t.Median != Unreachable {
			d.MedianS = t.Median
		}
	}
	return d
}
