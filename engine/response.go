package engine

import (
	"fmt"
)

// Request is a whole /v1/reachable request: routing parameters, offer
// filter, bands and paging. `reach query` and the HTTP server both build
// one and call Answer, so they print the same JSON.
type Request struct {
	Params             Params
	Date               string // service date asked for ("" = the graph's)
	Filter             Filter
	Cutoffs            []int // minutes; nil = DefaultCutoffs
	Page, PerPage      int   // 1-based page; PerPage 0 = 20
	IncludeUnreachable bool
}

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

// CheckDate refuses a date the graph cannot answer for.
func (e *Engine) CheckDate(date string) error {
	if date == "" || date == e.g.Meta.Date {
		return nil
	}
	return &ParamError{"date", fmt.Sprintf("%s: this graph holds the timetable of %s (build a graph for %s)", date, e.g.Meta.Date, date)}
}

// Answer runs a request and builds its document.
func (e *Engine) Answer(req Request) (*Answer, error) {
	if err := e.CheckDate(req.Date); err != nil {
		return nil, err
	}
	cut := req.Cutoffs
	if cut == nil {
		cut = DefaultCutoffs
	}
	if cut[len(cut)-1] > req.Params.MaxMinutes {
		return nil, &ParamError{"cutoffs", fmt.Sprintf("last cut-off %d exceeds max_minutes %d", cut[len(cut)-1], req.Params.MaxMinutes)}
	}
	if req.Page == 0 {
		req.Page = 1
	}
	if req.PerPage == 0 {
		req.PerPage = 20
	}
	if req.Page < 1 || req.Page > 10000 {
		return nil, &ParamError{"page", "want 1..10000"}
	}
	if req.PerPage < 1 || req.PerPage > 500 {
		return nil, &ParamError{"per_page", "want 1..500"}
	}
	for _, u := range req.Filter.UAIs {
		if _, ok := e.g.Places.SchoolByUAI(u); !ok {
			return nil, &NotFoundError{"uai", u}
		}
	}
	r, err := e.Reach(req.Params)
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
		s.Bands[i].Band = BandLabel(i, cut)
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
	s.ArriveBy = Clock(req.Params.ArriveBy)
	s.MaxMinutes = req.Params.MaxMinutes
	s.Modes = req.Params.Modes.String()
	s.BuildID = e.g.Meta.BuildID
	for _, f := range e.g.Meta.Feeds {
		s.Feeds = append(s.Feeds, FeedDate{Feed: f.Name, ServiceDate: f.ServiceDate, Substituted: f.Substituted})
	}
	start := (req.Page - 1) * req.PerPage
	end := min(start+req.PerPage, len(ranked))
	walk := map[int32]float64{}
	for i := start; i < end; i++ {
		x := ranked[i]
		d := e.resultDoc(x, cut)
		if x.Trip.Found && x.Band < len(cut) {
			m, ok := walk[x.School]
			if !ok {
				if j, err := e.Journey(req.Params, x.School, x.Trip); err == nil {
					m = j.WalkM
				}
				walk[x.School] = m
			}
			d.WalkM = m
		}
		a.Results = append(a.Results, d)
	}
	return a, nil
}

// NotFoundError names an unknown identifier in a request.
type NotFoundError struct {
	Param, Value string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s: %q not found in this graph", e.Param, e.Value)
}

// BandLabel names band i of the cut-offs: "0-15", "15-30", …
func BandLabel(i int, cut []int) string {
	lo := 0
	if i > 0 {
		lo = cut[i-1]
	}
	return fmt.Sprintf("%d-%d", lo, cut[i])
}

// SchoolDoc describes school s.
func (e *Engine) SchoolDoc(s int32) SchoolDoc {
	p := &e.g.Places
	return SchoolDoc{UAI: p.SchoolID[s], Name: p.SchoolName[s], Kind: p.SchoolKind[s], Sector: p.SchoolSector[s].String(),
		Lat: p.SchoolLat[s], Lon: p.SchoolLon[s], Address: p.SchoolAddress[s], Postcode: p.SchoolPostcode[s], Commune: p.SchoolCommune[s]}
}

func (e *Engine) resultDoc(x Ranked, cut []int) ResultDoc {
	p := &e.g.Places
	o := x.Offer
	d := ResultDoc{
		School: e.SchoolDoc(x.School),
		Offer: OfferDoc{Label: p.OfferLabel[o], Level: p.OfferLevel[o], Voie: p.OfferVoie[o].String(), Code: p.OfferCode[o],
			Capacity: max(p.OfferCapacity[o], 0), Source: p.OfferSource[o].String()},
		BandIndex: x.Band, Modality: ModalityNone.String(), DistanceM: round1(x.Distance),
	}
	t := x.Trip
	if t.Found && x.Band < len(cut) {
		d.Reachable = true
		d.DurationS = t.Duration
		d.Band = BandLabel(x.Band, cut)
		d.Modality = t.Modality.String()
		d.Depart, d.Arrive = Clock(t.Depart), Clock(t.Arrive)
		d.Transfers = max(t.Trips-1, 0)
		d.SchoolOnly = t.Modality == ModalitySchool
		if t.Min != Unreachable {
			d.MinS = t.Min
		}
		if t.Median != Unreachable {
			d.MedianS = t.Median
		}
	}
	return d
}
