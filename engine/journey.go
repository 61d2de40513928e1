package engine

import (
	"errors"
	"fmt"

	"reach/engine/raptor"
	"reach/graph"
)

// Leg is one part of a door-to-door journey, as shown to a person.
type Leg struct {
	Mode     string  `json:"mode"` // "walk", or the vehicle's mode: "bus", "tram", "rail", …
	School   bool    `json:"school_bus,omitempty"`
	From     string  `json:"from"` // place name: "origin", a stop name, or the school's name
	To       string  `json:"to"`
	FromStop string  `json:"from_stop,omitempty"` // stop id NAME:ID
	ToStop   string  `json:"to_stop,omitempty"`
	Depart   string  `json:"depart"` // HH:MM:SS
	Arrive   string  `json:"arrive"`
	Metres   float64 `json:"distance_m,omitempty"` // walks only
	Line     string  `json:"line,omitempty"`       // short name of the line
	LineName string  `json:"line_name,omitempty"`  // long name
	Headsign string  `json:"headsign,omitempty"`
	TripID   string  `json:"trip_id,omitempty"`
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
	Legs      []Leg   `json:"legs"`
}

// ErrNotReachable is returned for a journey to a school no trip reaches.
var ErrNotReachable = errors.New("not reachable within the limits")

// Journey reconstructs the journey behind trip, the answer of Reach for
// school s under p.
func (e *Engine) Journey(p Params, s int32, trip Trip) (*Journey, error) {
	if !trip.Found {
		return nil, ErrNotReachable
	}
	pl := &e.g.Places
	tt := &e.g.Timetable
	j := &Journey{School: pl.SchoolID[s], Modality: trip.Modality.String(), Depart: graph.FormatClock(trip.Depart),
		Arrive: graph.FormatClock(trip.Arrive), Duration: trip.Duration}
	school := pl.SchoolName[s]
	if trip.Modality == graph.ModalityWalk {
		metres := float64(trip.Duration) * p.WalkSpeed
		j.WalkM = round1(metres)
		j.Legs = []Leg{{Mode: "walk", From: "origin", To: school, Depart: j.Depart, Arrive: j.Arrive, Metres: round1(metres)}}
		return j, nil
	}
	near := e.StopsNear(p.Lat, p.Lon, p.MaxWalk, p.WalkSpeed)
	access := make(map[int32]StopNear, len(near))
	q := raptor.Query{MaxTransfers: p.MaxTransfers, AllowSchool: trip.Modality == graph.ModalitySchool}
	for _, n := range near {
		q.Sources = append(q.Sources, raptor.Source{Stop: n.Stop, Time: trip.Depart + n.Seconds})
		access[n.Stop] = n
	}
	tr, err := e.Transfers(p.Transfers, p.WalkSpeed)
	if err != nil {
		return nil, err
	}
	q.Transfers = tr
	egress := e.egress(nil, s, p)
	rj, err := e.router.Journey(q, egress)
	if err != nil {
		return nil, fmt.Errorf("journey to %s: %w", pl.SchoolID[s], err)
	}
	// Access walk.
	a := access[rj.Source]
	j.Legs = append(j.Legs, Leg{Mode: "walk", From: "origin", To: tt.StopName[rj.Source], ToStop: tt.StopID[rj.Source],
		Depart: graph.FormatClock(trip.Depart), Arrive: graph.FormatClock(rj.Start), Metres: round1(a.Metres)})
	j.WalkM += a.Metres
	for _, l := range rj.Legs {
		switch l.Kind {
		case raptor.LegVehicle:
			line := tt.RouteLine[l.Route]
			j.Legs = append(j.Legs, Leg{
				Mode: tt.LineMode[line].String(), School: tt.LineSchool[line],
				From: tt.StopName[l.FromStop], To: tt.StopName[l.ToStop], FromStop: tt.StopID[l.FromStop], ToStop: tt.StopID[l.ToStop],
				Depart: graph.FormatClock(l.Depart), Arrive: graph.FormatClock(l.Arrive),
				Line: tt.LineShortName[line], LineName: tt.LineLongName[line], Headsign: tt.TripHeadsign[l.Trip], TripID: tt.TripID[l.Trip],
			})
		default:
			m := float64(l.Arrive-l.Depart) * p.WalkSpeed
			if d, ok := e.pathMetres(l.FromStop, l.ToStop); ok {
				m = d
			}
			j.Legs = append(j.Legs, Leg{Mode: "walk", From: tt.StopName[l.FromStop], To: tt.StopName[l.ToStop],
				FromStop: tt.StopID[l.FromStop], ToStop: tt.StopID[l.ToStop], Depart: graph.FormatClock(l.Depart), Arrive: graph.FormatClock(l.Arrive), Metres: round1(m)})
			j.WalkM += m
		}
	}
	// Egress walk.
	eg := &e.g.SchoolEgress
	for k := eg.Start[s]; k < eg.Start[s+1]; k++ {
		if eg.To[k] == rj.Stop {
			m := float64(eg.Dist[k])
			j.Legs = append(j.Legs, Leg{Mode: "walk", From: tt.StopName[rj.Stop], FromStop: tt.StopID[rj.Stop], To: school,
				Depart: graph.FormatClock(rj.Arrival - rj.Egress), Arrive: graph.FormatClock(rj.Arrival), Metres: round1(m)})
			j.WalkM += m
			break
		}
	}
	j.WalkM = round1(j.WalkM)
	j.Transfers = max(rj.Trips-1, 0)
	return j, nil
}

// pathMetres returns the street footpath length between two stops.
func (e *Engine) pathMetres(from, to int32) (float64, bool) {
	ts, ds := e.g.StopPaths.From(from)
	for i, t := range ts {
		if t == to {
			return float64(ds[i]), true
		}
	}
	return 0, false
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

// JourneyTo answers a journey request: the journey to the school and the
// school's index.
func (e *Engine) JourneyTo(req JourneyRequest) (*Journey, int32, error) {
	if err := e.checkRequest(req.Params, req.Date); err != nil {
		return nil, -1, err
	}
	s, ok := e.g.Places.SchoolByUAI(req.UAI)
	if !ok {
		return nil, -1, &NotFoundError{Param: "uai", Value: req.UAI}
	}
	r, err := e.Reach(req.Params)
	if err != nil {
		return nil, -1, err
	}
	j, err := e.Journey(req.Params, s, r.Schools[s])
	return j, s, err
}
