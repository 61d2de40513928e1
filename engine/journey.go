package engine

import (
	"context"
	"errors"

	"reach/engine/raptor"
	"reach/graph"
)

// Leg is one part of a door-to-door journey, as shown to a person.
type Leg struct {
	Mode     string  `json:"mode"` // "walk", "bike", or the vehicle's mode: "bus", "tram", "rail", …
	School   bool    `json:"school_bus,omitempty"`
	From     string  `json:"from"` // place name: "origin", a stop name, or the school's name
	To       string  `json:"to"`
	FromStop string  `json:"from_stop,omitempty"` // stop id NAME:ID
	ToStop   string  `json:"to_stop,omitempty"`
	Depart   string  `json:"depart"` // HH:MM:SS
	Arrive   string  `json:"arrive"`
	Metres   float64 `json:"distance_m,omitempty"` // walks and rides only
	Line     string  `json:"line,omitempty"`       // short name of the line
	LineName string  `json:"line_name,omitempty"`  // long name
	Headsign string  `json:"headsign,omitempty"`
	TripID   string  `json:"trip_id,omitempty"`
	// Path is the leg's line on a map, [lon, lat] points (WGS84, 6
	// decimals): a walk is a straight line between its ends (the street
	// path is not kept by the search); a ride goes through the stops of
	// its route from boarding to alighting.
	Path [][2]float64 `json:"path"`
}

// Journey is the arrive-by journey to one school.
type Journey struct {
	School    string  `json:"uai"`
	Modality  string  `json:"modality"`
	Depart    string  `json:"depart"`
	Arrive    string  `json:"arrive"`
	Duration  int32   `json:"duration_s"`
	Transfers int     `json:"transfers"`
	WalkM     float64 `json:"walk_m"`
	BikeM     float64 `json:"bike_m,omitempty"` // metres ridden
	Legs      []Leg   `json:"legs"`
}

// ErrNotReachable is returned for a journey to a school no trip reaches.
var ErrNotReachable = errors.New("not reachable within the limits")

// Journey returns the journey behind the answer for school s, from what the
// search kept: no other search runs. A ride to the first stop is a "bike"
// leg whose arrival includes BikeParkSeconds to park.
func (r *Reachability) Journey(e *Engine, s graph.SchoolIdx) (*Journey, error) {
	trip := r.Trip(s)
	if !trip.Found {
		return nil, ErrNotReachable
	}
	p := &r.Params
	pl := &e.g.Places
	tt := &e.g.Timetable
	j := &Journey{School: pl.SchoolID[s], Modality: trip.Modality.String(), Depart: graph.FormatClock(trip.Depart),
		Arrive: graph.FormatClock(trip.Arrive), Duration: trip.Duration}
	school := pl.SchoolName[s]
	origin := lonLat(p.Lon, p.Lat)
	schoolAt := lonLat(pl.SchoolLon[s], pl.SchoolLat[s])
	stopAt := func(stop graph.StopIdx) [2]float64 { return lonLat(tt.StopLon[stop], tt.StopLat[stop]) }
	switch trip.Modality {
	case graph.ModalityWalk:
		metres := float64(trip.Duration) * p.WalkSpeed
		j.WalkM = round1(metres)
		j.Legs = []Leg{{Mode: "walk", From: "origin", To: school, Depart: j.Depart, Arrive: j.Arrive, Metres: round1(metres),
			Path: [][2]float64{origin, schoolAt}}}
		return j, nil
	case graph.ModalityBike:
		j.BikeM = round1(float64(trip.ride))
		j.Legs = []Leg{{Mode: "bike", From: "origin", To: school, Depart: j.Depart, Arrive: j.Arrive, Metres: j.BikeM,
			Path: [][2]float64{origin, schoolAt}}}
		return j, nil
	}
	if trip.journey < 0 {
		return nil, errors.New("engine: internal error: no journey kept for a transit answer")
	}
	rj := &r.journeys[trip.journey]
	// Access walk or ride.
	a, _ := r.accessAt(rj.Source)
	mode := "walk"
	if a.Bike {
		mode = "bike"
		j.BikeM = round1(a.Metres)
	} else {
		j.WalkM = a.Metres
	}
	j.Legs = append(j.Legs, Leg{Mode: mode, From: "origin", To: tt.StopName[rj.Source], ToStop: tt.StopID[rj.Source],
		Depart: graph.FormatClock(trip.Depart), Arrive: graph.FormatClock(rj.Start),
		Metres: round1(a.Metres), Path: [][2]float64{origin, stopAt(rj.Source)}})
	for _, l := range rj.Legs {
		switch l.Kind {
		case raptor.LegVehicle:
			line := tt.RouteLine[l.Route]
			j.Legs = append(j.Legs, Leg{
				Mode: tt.LineMode[line].String(), School: tt.LineSchool[line],
				From: tt.StopName[l.FromStop], To: tt.StopName[l.ToStop], FromStop: tt.StopID[l.FromStop], ToStop: tt.StopID[l.ToStop],
				Depart: graph.FormatClock(l.Depart), Arrive: graph.FormatClock(l.Arrive),
				Line: tt.LineShortName[line], LineName: tt.LineLongName[line], Headsign: tt.TripHeadsign[l.Trip], TripID: tt.TripID[l.Trip],
				Path: ridePath(tt, l),
			})
		default:
			m := e.footpathMetres(l.FromStop, l.ToStop, float64(l.Arrive-l.Depart)*p.WalkSpeed)
			j.Legs = append(j.Legs, Leg{Mode: "walk", From: tt.StopName[l.FromStop], To: tt.StopName[l.ToStop],
				FromStop: tt.StopID[l.FromStop], ToStop: tt.StopID[l.ToStop], Depart: graph.FormatClock(l.Depart),
				Arrive: graph.FormatClock(l.Arrive), Metres: round1(m), Path: [][2]float64{stopAt(l.FromStop), stopAt(l.ToStop)}})
			j.WalkM += m
		}
	}
	// Egress walk.
	m := e.egressMetres(s, rj.Stop)
	j.Legs = append(j.Legs, Leg{Mode: "walk", From: tt.StopName[rj.Stop], FromStop: tt.StopID[rj.Stop], To: school,
		Depart: graph.FormatClock(rj.Arrival - rj.Egress), Arrive: graph.FormatClock(rj.Arrival), Metres: round1(m),
		Path: [][2]float64{stopAt(rj.Stop), schoolAt}})
	j.WalkM = round1(j.WalkM + m)
	j.Transfers = max(rj.Trips-1, 0)
	return j, nil
}

// JourneyTo answers a journey request: the journey to the school and the
// school's index. It runs one search.
func (e *Engine) JourneyTo(ctx context.Context, req JourneyRequest) (*Journey, graph.SchoolIdx, error) {
	if err := e.checkRequest(req.Params, req.Date); err != nil {
		return nil, -1, err
	}
	s, ok := e.g.Places.SchoolByUAI(req.UAI)
	if !ok {
		return nil, -1, &NotFoundError{Param: "uai", Value: req.UAI}
	}
	p := req.Params
	if a, b := e.g.Places.OffersOf(s); b == a {
		p.AllLocations = true // a school without offers is evaluated only then
	}
	r, err := e.Reach(ctx, p)
	if err != nil {
		return nil, -1, err
	}
	j, err := r.Journey(e, s)
	return j, s, err
}

// ridePath is the line of a ride: the stops of its route from the boarding
// position to the alighting one.
func ridePath(tt *graph.Timetable, l raptor.Leg) [][2]float64 {
	stops := tt.RouteStopsOf(l.Route)
	if l.BoardPos < 0 || l.AlightPos < l.BoardPos || int(l.AlightPos) >= len(stops) {
		// Not a route position: the straight line between the two stops.
		return [][2]float64{lonLat(tt.StopLon[l.FromStop], tt.StopLat[l.FromStop]), lonLat(tt.StopLon[l.ToStop], tt.StopLat[l.ToStop])}
	}
	path := make([][2]float64, 0, l.AlightPos-l.BoardPos+1)
	for _, s := range stops[l.BoardPos : l.AlightPos+1] {
		path = append(path, lonLat(tt.StopLon[s], tt.StopLat[s]))
	}
	return path
}

// lonLat is a GeoJSON position rounded to 6 decimals.
func lonLat(lon, lat float64) [2]float64 { return [2]float64{round6(lon), round6(lat)} }

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
