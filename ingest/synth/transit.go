package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// line is an urban bus or tram line of the town. It runs along the
// streets through its waypoints (each leg along a row, a column or a
// diagonal avenue) and back, stopping at every waypoint and at every
// second intersection in between.
type line struct {
	route     route
	waypoints []cell
	tram      bool
	peak      int32   // headway from 07:00 to 09:00 on weekdays, seconds
	offPeak   int32   // headway otherwise, seconds
	speed     float64 // commercial speed, stops included, m/s
}

// Timetable bounds, seconds since midnight.
const (
	weekdayFirst  = 5*3600 + 30*60 // 05:30
	saturdayFirst = 6 * 3600       // 06:00
	lastDeparture = 24 * 3600      // 24:00, i.e. midnight, of the same service day
	peakStart     = 7 * 3600
	peakEnd       = 9 * 3600
	tramDwell     = 20 // seconds between arrival and departure at a tram stop
)

// lines of the town: five bus lines and one tram line. The tram meets bus
// lines 1 and 2 at Place de la République and line 3 at Porte de Mareuil,
// stations whose stops are linked by transfers. Trip ids read
// ROUTE-SERVICE-DIRECTION-HHMM, e.g. "1-SEM-0-0737".
func lines() []line {
	bus := func(id, color string, waypoints ...cell) line {
		return line{route: route{id: id, short: id, routeType: 3, color: color, textColor: "FFFFFF"},
			waypoints: waypoints, peak: 10 * 60, offPeak: 20 * 60, speed: 5}
	}
	tram := line{route: route{id: "A", short: "A", routeType: 0, color: "0055A4", textColor: "FFFFFF"},
		waypoints: []cell{{5, 15}, {centreCol, centreRow}, {centreCol, 0}},
		tram:      true, peak: 8 * 60, offPeak: 15 * 60, speed: 6}
	return []line{
		bus("1", "E4002B", cell{0, centreRow}, cell{20, centreRow}),
		bus("2", "F4A300", cell{centreCol, centreRow}, cell{13, 7}, cell{16, 7}, cell{16, 0}),
		bus("3", "00A651", cell{0, 14}, cell{4, 14}, cell{4, riverRow}, cell{10, 0}),
		bus("4", "8E44AD", cell{0, 7}, cell{20, 7}),
		bus("5", "795548", cell{0, 5}, cell{20, 5}),
		tram,
	}
}

// pathCell is one intersection of a line's path.
type pathCell struct {
	c        cell
	waypoint bool
	alongRow bool // the leg through this cell runs along a row
}

// path expands a line's waypoints into the intersections it passes.
func (l *line) path() []pathCell {
	var p []pathCell
	for k := 1; k < len(l.waypoints); k++ {
		a, b := l.waypoints[k-1], l.waypoints[k]
		alongRow := a.j == b.j
		cells := straightPath(a, b)
		if k > 1 {
			cells = cells[1:] // a was the end of the previous leg
		}
		for _, c := range cells {
			p = append(p, pathCell{c: c, alongRow: alongRow, waypoint: c == a || c == b})
		}
	}
	return p
}

// stopNamer names stops once per intersection, so that every line and
// mode stopping there agrees, and never gives two places the same name.
type stopNamer struct {
	byCell map[cell]string
	used   map[string]bool
}

// name returns the name of the stop at c: a landmark's name when there is
// one; elsewhere the street the line crosses there (the column for a line
// running along a row, the row otherwise), else the other street, else
// both ("Voltaire / Quai des Mariniers").
func (n *stopNamer) name(c cell, alongRow bool) string {
	if name, ok := n.byCell[c]; ok {
		return name
	}
	crossing, other := rowName(c.j).short, columnName(c.i).short
	if alongRow {
		crossing, other = other, crossing
	}
	var name string
	switch {
	case c == cell{centreCol, centreRow}:
		name = "République"
	case c == cell{centreCol, 0}:
		name = "Porte de Mareuil"
	case !n.used[crossing]:
		name = crossing
	case !n.used[other]:
		name = other
	default:
		name = crossing + " / " + other
	}
	n.byCell[c], n.used[name] = name, true
	return name
}

// buildTransit builds the town's bus and tram feed.
func buildTransit(rng *rand.Rand, s *streets) (*feed, error) {
	f := &feed{
		agency:   agency{id: "VV", name: "Vauvre Bus & Tram", url: "https://transport.example.org/"},
		services: []service{newService("SEM", false, weekdays()...), newService("SAM", false, time.Saturday)},
	}
	namer := &stopNamer{byCell: map[cell]string{}, used: map[string]bool{}}
	type stopKey struct {
		tram bool
		c    cell
	}
	stopIndex := map[stopKey]int32{}
	var order []stopKey // in creation order
	stopAt := func(tram bool, pc pathCell) int32 {
		k := stopKey{tram, pc.c}
		if i, ok := stopIndex[k]; ok {
			return i
		}
		// Bus stops stand on the pavement at the corner, tram platforms
		// in the middle of the avenue.
		id, p := fmt.Sprintf("B%02d-%02d", pc.c.i, pc.c.j), s.at(pc.c).add(9, 9)
		if tram {
			id, p = fmt.Sprintf("T%02d-%02d", pc.c.i, pc.c.j), s.at(pc.c).add(-6, 6)
		}
		i := int32(len(f.stops))
		f.stops = append(f.stops, stop{id: id, name: namer.name(pc.c, pc.alongRow), p: p})
		stopIndex[k] = i
		order = append(order, k)
		return i
	}

	for _, l := range lines() {
		path := l.path()
		// Stops, and the distance along the streets from the first stop.
		var stops []int32
		var dist []float64
		along, since := 0.0, 0
		for k, pc := range path {
			if k > 0 {
				a, b := path[k-1].c, pc.c
				hw := s.seg[segKey(s.grid[a.i][a.j], s.grid[b.i][b.j])]
				if hw == "" || hw == "footway" || hw == "pedestrian" {
					return nil, fmt.Errorf("synth: line %s: no road from %v to %v (%q)", l.route.id, a, b, hw)
				}
				along += s.at(a).dist(s.at(b))
			}
			since++
			if k == 0 || pc.waypoint || since >= 2 {
				stops = append(stops, stopAt(l.tram, pc))
				dist = append(dist, along)
				since = 0
			}
		}
		r := l.route
		r.long = f.stops[stops[0]].name + " – " + f.stops[stops[len(stops)-1]].name
		f.routes = append(f.routes, r)

		for dir := 0; dir < 2; dir++ {
			ds, dd := stops, dist
			if dir == 1 {
				ds, dd = reversed(stops), make([]float64, len(dist))
				for k := range dist {
					dd[k] = dist[len(dist)-1] - dist[len(dist)-1-k]
				}
			}
			run := runningTimes(dd, l.speed)
			offset := int32(rng.IntN(10)) * 60 // lines do not all leave on the hour
			for _, sv := range f.services {
				first, peak := int32(weekdayFirst), true
				if sv.id == "SAM" {
					first, peak = saturdayFirst, false
				}
				for _, t0 := range departures(first+offset, lastDeparture+offset, l.peak, l.offPeak, peak) {
					tr := trip{
						id:        fmt.Sprintf("%s-%s-%d-%02d%02d", r.id, sv.id, dir, t0/3600, t0/60%60),
						route:     r.id,
						service:   sv.id,
						headsign:  f.stops[ds[len(ds)-1]].name,
						direction: dir,
						stops:     ds,
					}
					for k, rt := range run {
						arr, dep := t0+rt, t0+rt
						if l.tram && k > 0 && k < len(run)-1 {
							dep += tramDwell
						}
						tr.arr, tr.dep = append(tr.arr, arr), append(tr.dep, dep)
					}
					f.trips = append(f.trips, tr)
				}
			}
		}
	}

	// Where the tram and a bus stop at the same intersection (République,
	// Porte de Mareuil), both stops join a parent station and changing between
	// them takes 3 minutes; changing buses at the bus stop, 2.
	for _, k := range order {
		bi, ok := stopIndex[stopKey{false, k.c}]
		if !k.tram || !ok {
			continue
		}
		ti := stopIndex[k]
		station := fmt.Sprintf("S%02d-%02d", k.c.i, k.c.j)
		f.stops = append(f.stops, stop{id: station, name: f.stops[ti].name, p: s.at(k.c), station: true})
		f.stops[ti].parent, f.stops[bi].parent = station, station
		b, t := f.stops[bi].id, f.stops[ti].id
		f.transfers = append(f.transfers,
			transfer{from: t, to: b, seconds: 180},
			transfer{from: b, to: t, seconds: 180},
			transfer{from: b, to: b, seconds: 120})
	}
	return f, nil
}

// runningTimes returns the times from the first stop to each stop, given
// the distances along the line: whole minutes at the line's speed, at
// least one minute between stops.
func runningTimes(dist []float64, speed float64) []int32 {
	run := make([]int32, len(dist))
	for k := 1; k < len(dist); k++ {
		run[k] = max(int32(math.Round(dist[k]/speed/60))*60, run[k-1]+60)
	}
	return run
}

// departures lists the times trips leave the first stop: from first to
// last, every peak headway between 07:00 and 09:00 when peak is set, every
// off-peak headway otherwise.
func departures(first, last, peakHeadway, offPeakHeadway int32, peak bool) []int32 {
	var out []int32
	for t := first; t <= last; {
		out = append(out, t)
		if peak && t >= peakStart && t < peakEnd {
			t += peakHeadway
		} else {
			t += offPeakHeadway
		}
	}
	return out
}

// reversed returns a reversed copy of v.
func reversed(v []int32) []int32 {
	r := make([]int32, len(v))
	for k := range v {
		r[k] = v[len(v)-1-k]
	}
	return r
}

// A school-bus line links a village to lycées: in the morning from the
// village to the schools, in the afternoon back.
type schoolBusLine struct {
	id      string
	village int      // index into streets.villages
	schools []string // keys of the schools served, in the morning order
	morning int32    // departure from the village
	evening int32    // departure from the first school of the way back
}

// Speed of the school buses, m/s, over straight-line distances lengthened
// by roadDetour.
const (
	schoolBusSpeed = 10.0
	roadDetour     = 1.3
)

func schoolBusLines() []schoolBusLine {
	return []schoolBusLine{
		{id: "S1", village: 0, schools: []string{"ormes", "curie", "jeanne", "sand", "moulin"},
			morning: 7 * 3600, evening: 17*3600 + 5*60},
		{id: "S2", village: 1, schools: []string{"cfa", "exupery", "tanneries", "sand"},
			morning: 7*3600 + 5*60, evening: 17*3600 + 10*60},
	}
}

// buildSchoolBus builds the school-bus feed: every line has one morning
// trip (pupils board in the village and alight at the schools) and one
// afternoon trip back, on school days only.
func buildSchoolBus(s *streets, schools []school) (*feed, error) {
	f := &feed{
		agency:   agency{id: "TSV", name: "Transports scolaires du Val de Vauvre", url: "https://scolaire.example.org/"},
		services: []service{newService("SCOL", true, weekdays()...)},
	}
	stopIndex := map[string]int32{}
	addStop := func(st stop) int32 {
		if i, ok := stopIndex[st.id]; ok {
			return i
		}
		stopIndex[st.id] = int32(len(f.stops))
		f.stops = append(f.stops, st)
		return int32(len(f.stops) - 1)
	}
	for _, bl := range schoolBusLines() {
		v := s.villages[bl.village]
		// Morning order: the village centre, the hamlet on the road, then
		// the schools.
		stops := []int32{
			addStop(stop{id: fmt.Sprintf("V%d-BOURG", bl.village+1), name: v.name + " – Mairie", p: s.nodes[v.centreNode].p.add(8, 8)}),
			addStop(stop{id: fmt.Sprintf("V%d-HAMEAU", bl.village+1), name: v.hamlet, p: s.nodes[v.hamletNode].p.add(8, 8)}),
		}
		villageStops := len(stops)
		for _, key := range bl.schools {
			sc, ok := findSchool(schools, key)
			if !ok {
				return nil, fmt.Errorf("synth: school-bus line %s serves unknown school %q", bl.id, key)
			}
			stops = append(stops, addStop(stop{id: "L-" + sc.uai, name: sc.name, p: sc.busStop}))
		}
		f.routes = append(f.routes, route{id: bl.id, short: bl.id, routeType: 712,
			long: v.name + " – Lycées de Sancerval", color: "FFCC00", textColor: "000000"})

		for dir, start := range []int32{bl.morning, bl.evening} {
			ts := stops
			if dir == 1 {
				ts = reversed(stops)
			}
			tr := trip{id: bl.id + []string{"-MATIN", "-SOIR"}[dir], route: bl.id, service: "SCOL",
				headsign: f.stops[ts[len(ts)-1]].name, direction: dir, stops: ts,
				noPickup: make([]bool, len(ts)), noDropoff: make([]bool, len(ts))}
			t := start
			for k, si := range ts {
				if k > 0 {
					d := f.stops[ts[k-1]].p.dist(f.stops[si].p) * roadDetour
					t += max(60, int32(math.Round(d/schoolBusSpeed/60))*60)
				}
				tr.arr, tr.dep = append(tr.arr, t), append(tr.dep, t)
				// Pupils board at home in the morning and at school in the
				// afternoon, and alight at the other end, never the other
				// way round.
				atHome := (dir == 0 && k < villageStops) || (dir == 1 && k >= len(ts)-villageStops)
				boarding := atHome == (dir == 0)
				tr.noDropoff[k], tr.noPickup[k] = boarding, !boarding
			}
			f.trips = append(f.trips, tr)
		}
	}
	return f, nil
}
