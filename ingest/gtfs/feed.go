package gtfs

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"reach/graph"
)

// maxExamples is the number of example lines kept per drop reason.
const maxExamples = 3

// feed is one GTFS feed read into memory, validated, with ids resolved to
// feed-local int32 indexes. Only the compact stop-time rows grow with the
// size of the feed.
type feed struct {
	name   string
	school bool
	src    *Source
	rep    *graph.FeedReport
	drops  graph.Drops
	opt    *BuildOptions

	// stops.txt (kept rows only)
	stopIndex  map[string]int32
	stopID     []string
	stopName   []string
	stopLat    []float64
	stopLon    []float64
	stopParent []int32
	stopIsStn  []bool
	parentRaw  []string
	minChange  []int32 // from transfers.txt with from == to; 0 if none

	// routes.txt
	routeIndex  map[string]int32
	routeID     []string
	routeShort  []string
	routeLong   []string
	routeMode   []graph.Mode
	routeSchool []bool

	// calendar.txt and calendar_dates.txt
	serviceIndex map[string]int32
	calendars    []calendar // by service; zero value = no calendar row
	exceptions   map[exceptionKey]int8
	validFrom    time.Time
	validTo      time.Time

	// trips.txt
	tripIndex    map[string]int32
	tripID       []string
	tripRoute    []int32
	tripService  []int32
	tripHeadsign []string
	tripHasTimes []bool
	tripValid    []bool // validated stop times (set after stop_times)
	tripFirst    []int32
	tripCount    []int32 // rows of the trip in rows, after sorting

	// frequencies.txt
	freqs []frequency

	// transfers.txt between distinct stops, one per pair (the shortest)
	transfers  []transfer
	transferAt map[[2]int32]int // index in transfers by (from, to)

	// stop_times.txt, compact rows
	rows      []stopTimeRow
	compactAt int // compact rows when they reach this many
}

// defaultCompactAt is the number of stop_times rows held before they are
// first compacted, and the most made room for before the file shows how
// many of its rows it keeps.
const defaultCompactAt = 1 << 20

type calendar struct {
	present    bool
	days       [7]bool // indexed by time.Weekday
	start, end time.Time
}

type exceptionKey struct {
	service int32
	day     int32 // days since the Unix epoch
}

type frequency struct {
	trip              int32
	start, end, headw int32
}

type transfer struct {
	from, to int32
	seconds  int32
}

type stopTimeRow struct {
	trip, seq, stop int32
	arr, dep        int32 // -1 when missing
	line            int32
	flags           uint8
}

func dayNumber(t time.Time) int32 { return int32(t.Unix() / 86400) }

// maxEcho bounds each value of a row (an id, a time…) echoed in a drop
// example, so that one huge value does not hide the others.
const maxEcho = 64

// text is a detail this package wrote itself, echoed whole in an example.
type text string

// at is a line of a file, formatted "file:line" only when an example needs it.
type at struct {
	file string
	line int
}

func (a at) String() string { return fmt.Sprintf("%s:%d", a.file, a.line) }

// where returns the place of the current row of t.
func where(t *Table) at { return at{t.File(), t.Line()} }

// drop counts one dropped row (or trip) for a reason. The example
// ("file:line: detail"), formatted only when it is kept, comes from format
// and args; string arguments are values of the row, cut to maxEcho bytes.
func (f *feed) drop(file, reason, format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = graph.Clip(s, maxEcho)
		}
	}
	f.drops.Max = maxExamples
	f.drops.Addf(file, reason, format, args...)
}

// required opens a mandatory table and checks that it has the given columns.
func (f *feed) required(name string, cols ...string) (*Table, error) {
	t, err := f.src.OpenTable(name)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if !t.HasCol(c) {
			t.Close()
			return nil, fmt.Errorf("gtfs: %s: %s has no %q column", f.src.Path(), name, c)
		}
	}
	return t, nil
}

func (f *feed) readStops() error {
	t, err := f.required("stops.txt", "stop_id")
	if err != nil {
		return err
	}
	cID, cName, cLat, cLon := t.Col("stop_id"), t.Col("stop_name"), t.Col("stop_lat"), t.Col("stop_lon")
	cType, cParent := t.Col("location_type"), t.Col("parent_station")
	f.stopIndex = map[string]int32{}
	if err := f.eachRow(t, &f.rep.Read.Stops, func() {
		id := t.Get(cID)
		if id == "" {
			f.drop("stops.txt", "missing_stop_id", "%v: empty stop_id", where(t))
			return
		}
		if _, dup := f.stopIndex[id]; dup {
			f.drop("stops.txt", "duplicate_id", "%v: stop_id %q already defined", where(t), id)
			return
		}
		lt, err := parseInt(t.Get(cType), 0)
		if err != nil {
			f.drop("stops.txt", "bad_location_type", "%v: stop %q: location_type %q", where(t), id, t.Get(cType))
			return
		}
		if lt != 0 && lt != 1 {
			// Entrances, generic nodes and boarding areas are not stops.
			f.drop("stops.txt", "not_a_stop", "%v: stop %q has location_type %d", where(t), id, lt)
			return
		}
		lat, err1 := ParseCoord(t.Get(cLat), 90)
		lon, err2 := ParseCoord(t.Get(cLon), 180)
		if err1 != nil || err2 != nil || (lat == 0 && lon == 0) {
			f.drop("stops.txt", "bad_coordinates", "%v: stop %q: lat %q lon %q", where(t), id, t.Get(cLat), t.Get(cLon))
			return
		}
		f.stopIndex[id] = int32(len(f.stopID))
		f.stopID = append(f.stopID, id)
		f.stopName = append(f.stopName, t.Get(cName))
		f.stopLat = append(f.stopLat, lat)
		f.stopLon = append(f.stopLon, lon)
		f.stopIsStn = append(f.stopIsStn, lt == 1)
		f.parentRaw = append(f.parentRaw, t.Get(cParent))
	}); err != nil {
		return err
	}
	f.stopParent = make([]int32, len(f.stopID))
	for i, p := range f.parentRaw {
		f.stopParent[i] = -1
		if p == "" {
			continue
		}
		if j, ok := f.stopIndex[p]; ok && j != int32(i) {
			f.stopParent[i] = j
		}
	}
	f.parentRaw = nil
	f.minChange = make([]int32, len(f.stopID))
	f.rep.Kept.Stops = len(f.stopID)
	return nil
}

// routeMode maps a basic or extended GTFS route_type onto a basic mode. The
// second result tells a school bus (712); ok is false for unknown types.
func routeMode(rt int) (m graph.Mode, school, ok bool) {
	switch {
	case rt >= 0 && rt <= 7, rt == 11, rt == 12:
		return graph.Mode(rt), false, true
	case rt >= 100 && rt < 200, rt >= 300 && rt < 400: // railway, suburban railway
		return graph.ModeRail, false, true
	case rt >= 200 && rt < 300: // coach
		return graph.ModeBus, false, true
	case rt == 405: // monorail
		return graph.ModeMonorail, false, true
	case rt >= 400 && rt < 700: // urban railway, metro, underground
		return graph.ModeSubway, false, true
	case rt >= 700 && rt < 800: // bus; 712 is a school bus
		return graph.ModeBus, rt == 712, true
	case rt >= 800 && rt < 900:
		return graph.ModeTrolleybus, false, true
	case rt >= 900 && rt < 1000:
		return graph.ModeTram, false, true
	case rt >= 1000 && rt < 1100, rt >= 1200 && rt < 1300:
		return graph.ModeFerry, false, true
	case rt >= 1300 && rt < 1400:
		return graph.ModeAerial, false, true
	case rt >= 1400 && rt < 1500:
		return graph.ModeFunicular, false, true
	case rt >= 1500 && rt < 1800: // taxi, self drive, miscellaneous: road vehicles
		return graph.ModeBus, false, true
	}
	return 0, false, false
}

func (f *feed) readRoutes() error {
	t, err := f.required("routes.txt", "route_id")
	if err != nil {
		return err
	}
	cID, cShort, cLong, cType := t.Col("route_id"), t.Col("route_short_name"), t.Col("route_long_name"), t.Col("route_type")
	f.routeIndex = map[string]int32{}
	if err := f.eachRow(t, &f.rep.Read.Routes, func() {
		id := t.Get(cID)
		if _, dup := f.routeIndex[id]; dup {
			f.drop("routes.txt", "duplicate_id", "%v: route_id %q already defined", where(t), id)
			return
		}
		rt, err := parseInt(t.Get(cType), -1)
		if err != nil || rt < 0 {
			f.drop("routes.txt", "bad_route_type", "%v: route %q: route_type %q", where(t), id, t.Get(cType))
			return
		}
		mode, school, ok := routeMode(rt)
		if !ok {
			f.drop("routes.txt", "unknown_route_type", "%v: route %q: route_type %d", where(t), id, rt)
			return
		}
		f.routeIndex[id] = int32(len(f.routeID))
		f.routeID = append(f.routeID, id)
		f.routeShort = append(f.routeShort, t.Get(cShort))
		f.routeLong = append(f.routeLong, t.Get(cLong))
		f.routeMode = append(f.routeMode, mode)
		f.routeSchool = append(f.routeSchool, school || f.school)
	}); err != nil {
		return err
	}
	f.rep.Kept.Routes = len(f.routeID)
	return nil
}

func (f *feed) service(id string) int32 {
	if i, ok := f.serviceIndex[id]; ok {
		return i
	}
	i := int32(len(f.calendars))
	f.serviceIndex[id] = i
	f.calendars = append(f.calendars, calendar{})
	return i
}

func (f *feed) widen(d time.Time) {
	if f.validFrom.IsZero() || d.Before(f.validFrom) {
		f.validFrom = d
	}
	if f.validTo.IsZero() || d.After(f.validTo) {
		f.validTo = d
	}
}

func (f *feed) readCalendars() error {
	f.serviceIndex = map[string]int32{}
	f.exceptions = map[exceptionKey]int8{}
	if !f.src.Has("calendar.txt") && !f.src.Has("calendar_dates.txt") {
		return fmt.Errorf("gtfs: %s: neither calendar.txt nor calendar_dates.txt: no service dates", f.src.Path())
	}
	if f.src.Has("calendar.txt") {
		t, err := f.required("calendar.txt", "service_id", "start_date", "end_date")
		if err != nil {
			return err
		}
		days := [7]int{}
		for i, n := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
			days[i] = t.Col(n)
		}
		cID, cStart, cEnd := t.Col("service_id"), t.Col("start_date"), t.Col("end_date")
		if err := f.eachRow(t, nil, func() {
			start, err1 := ParseDate(t.Get(cStart))
			end, err2 := ParseDate(t.Get(cEnd))
			if err1 != nil || err2 != nil || end.Before(start) {
				f.drop("calendar.txt", "bad_date", "%v: start_date %q end_date %q", where(t), t.Get(cStart), t.Get(cEnd))
				return
			}
			c := calendar{present: true, start: start, end: end}
			for wd, col := range days {
				v, err := parseInt(t.Get(col), 0)
				if err != nil || v < 0 || v > 1 {
					f.drop("calendar.txt", "bad_weekday", "%v: service %q: %q", where(t), t.Get(cID), t.Get(col))
					c.present = false
					break
				}
				c.days[wd] = v == 1
			}
			if !c.present {
				return
			}
			s := f.service(t.Get(cID))
			f.calendars[s] = c
			f.widen(start)
			f.widen(end)
		}); err != nil {
			return err
		}
	}
	if f.src.Has("calendar_dates.txt") {
		t, err := f.required("calendar_dates.txt", "service_id", "date", "exception_type")
		if err != nil {
			return err
		}
		cID, cDate, cType := t.Col("service_id"), t.Col("date"), t.Col("exception_type")
		if err := f.eachRow(t, nil, func() {
			d, err := ParseDate(t.Get(cDate))
			if err != nil {
				f.drop("calendar_dates.txt", "bad_date", "%v: bad date %q (want YYYYMMDD)", where(t), t.Get(cDate))
				return
			}
			et, err := parseInt(t.Get(cType), 0)
			if err != nil || (et != 1 && et != 2) {
				f.drop("calendar_dates.txt", "bad_exception_type", "%v: exception_type %q", where(t), t.Get(cType))
				return
			}
			s := f.service(t.Get(cID))
			f.exceptions[exceptionKey{s, dayNumber(d)}] = int8(et)
			if et == 1 {
				f.widen(d)
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// active reports whether service s runs on date d.
func (f *feed) active(s int32, d time.Time) bool {
	switch f.exceptions[exceptionKey{s, dayNumber(d)}] {
	case 1:
		return true
	case 2:
		return false
	}
	c := &f.calendars[s]
	return c.present && !d.Before(c.start) && !d.After(c.end) && c.days[d.Weekday()]
}

func (f *feed) readTrips() error {
	t, err := f.required("trips.txt", "trip_id", "route_id", "service_id")
	if err != nil {
		return err
	}
	cID, cRoute, cService, cHead := t.Col("trip_id"), t.Col("route_id"), t.Col("service_id"), t.Col("trip_headsign")
	f.tripIndex = map[string]int32{}
	if err := f.eachRow(t, &f.rep.Read.Trips, func() {
		id := t.Get(cID)
		if id == "" {
			f.drop("trips.txt", "missing_trip_id", "%v: empty trip_id", where(t))
			return
		}
		if _, dup := f.tripIndex[id]; dup {
			f.drop("trips.txt", "duplicate_id", "%v: trip_id %q already defined", where(t), id)
			return
		}
		r, ok := f.routeIndex[t.Get(cRoute)]
		if !ok {
			f.drop("trips.txt", "unknown_route", "%v: trip %q: route_id %q", where(t), id, t.Get(cRoute))
			return
		}
		s, ok := f.serviceIndex[t.Get(cService)]
		if !ok {
			f.drop("trips.txt", "unknown_service", "%v: trip %q: service_id %q in neither calendar file", where(t), id, t.Get(cService))
			return
		}
		f.tripIndex[id] = int32(len(f.tripID))
		f.tripID = append(f.tripID, id)
		f.tripRoute = append(f.tripRoute, r)
		f.tripService = append(f.tripService, s)
		f.tripHeadsign = append(f.tripHeadsign, t.Get(cHead))
	}); err != nil {
		return err
	}
	n := len(f.tripID)
	f.tripHasTimes = make([]bool, n)
	f.tripValid = make([]bool, n)
	f.tripFirst = make([]int32, n)
	f.tripCount = make([]int32, n)
	return nil
}

func (f *feed) readFrequencies() error {
	if !f.src.Has("frequencies.txt") {
		return nil
	}
	t, err := f.required("frequencies.txt", "trip_id", "start_time", "end_time", "headway_secs")
	if err != nil {
		return err
	}
	cTrip, cStart, cEnd, cHead := t.Col("trip_id"), t.Col("start_time"), t.Col("end_time"), t.Col("headway_secs")
	if err := f.eachRow(t, nil, func() {
		tr, ok := f.tripIndex[t.Get(cTrip)]
		if !ok {
			f.drop("frequencies.txt", "unknown_trip", "%v: trip_id %q", where(t), t.Get(cTrip))
			return
		}
		start, ok1, err1 := graph.ParseClock(t.Get(cStart))
		end, ok2, err2 := graph.ParseClock(t.Get(cEnd))
		h, err3 := parseInt(t.Get(cHead), 0)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || err3 != nil || h <= 0 || end <= start {
			f.drop("frequencies.txt", "bad_frequency", "%v: start %q end %q headway %q", where(t), t.Get(cStart), t.Get(cEnd), t.Get(cHead))
			return
		}
		f.freqs = append(f.freqs, frequency{trip: tr, start: start, end: end, headw: int32(h)})
	}); err != nil {
		return err
	}
	return nil
}

// stationChildren returns the stops whose parent is station s, or s itself
// when it has none (a transfer may name a station for all its platforms).
func (f *feed) expandStation(s int32, children map[int32][]int32) []int32 {
	if c, ok := children[s]; ok && f.stopIsStn[s] {
		return c
	}
	return []int32{s}
}

// addTransfer records a transfer between two distinct stops; of repeated
// pairs, the shortest is held only.
func (f *feed) addTransfer(from, to, secs int32) {
	if f.transferAt == nil {
		f.transferAt = map[[2]int32]int{}
	}
	key := [2]int32{from, to}
	if i, ok := f.transferAt[key]; ok {
		f.transfers[i].seconds = min(f.transfers[i].seconds, secs)
		return
	}
	f.transferAt[key] = len(f.transfers)
	f.transfers = append(f.transfers, transfer{from: from, to: to, seconds: secs})
}

func (f *feed) readTransfers() error {
	if !f.src.Has("transfers.txt") {
		return nil
	}
	t, err := f.required("transfers.txt", "from_stop_id", "to_stop_id")
	if err != nil {
		return err
	}
	children := map[int32][]int32{}
	for i, p := range f.stopParent {
		if p >= 0 {
			children[p] = append(children[p], int32(i))
		}
	}
	cFrom, cTo, cType, cMin := t.Col("from_stop_id"), t.Col("to_stop_id"), t.Col("transfer_type"), t.Col("min_transfer_time")
	if err := f.eachRow(t, nil, func() {
		from, ok1 := f.stopIndex[t.Get(cFrom)]
		to, ok2 := f.stopIndex[t.Get(cTo)]
		if !ok1 || !ok2 {
			f.drop("transfers.txt", "unknown_stop", "%v: from %q to %q", where(t), t.Get(cFrom), t.Get(cTo))
			return
		}
		tt, err := parseInt(t.Get(cType), 0)
		if err != nil || tt < 0 || tt > 5 {
			f.drop("transfers.txt", "bad_transfer_type", "%v: transfer_type %q", where(t), t.Get(cType))
			return
		}
		if tt == 3 || tt == 5 {
			return // not possible: simply not stored
		}
		secs, err := parseInt(t.Get(cMin), 0)
		if err != nil || secs < 0 {
			f.drop("transfers.txt", "bad_min_transfer_time", "%v: min_transfer_time %q", where(t), t.Get(cMin))
			return
		}
		if tt == 4 {
			return // in-seat transfers are trip-to-trip, not stop-to-stop
		}
		for _, a := range f.expandStation(from, children) {
			for _, b := range f.expandStation(to, children) {
				if a == b {
					if int32(secs) > f.minChange[a] {
						f.minChange[a] = int32(secs)
					}
					continue
				}
				f.addTransfer(a, b, int32(secs))
			}
		}
	}); err != nil {
		return err
	}
	f.transferAt = nil
	return nil
}

// readStopTimes streams stop_times.txt into compact rows. progress, when not
// nil, is told the bytes read so far.
func (f *feed) readStopTimes(progress func(read int64)) error {
	t, err := f.required("stop_times.txt", "trip_id", "stop_id")
	if err != nil {
		return err
	}
	cTrip, cStop, cSeq := t.Col("trip_id"), t.Col("stop_id"), t.Col("stop_sequence")
	cArr, cDep := t.Col("arrival_time"), t.Col("departure_time")
	cPick, cDrop := t.Col("pickup_type"), t.Col("drop_off_type")
	// Memory follows the rows kept, not the size of the file: rows of
	// unknown trips or with bad values are never held, repeated (trip,
	// stop_sequence) pairs are compacted away whenever the rows double, and
	// room is made for the rows the file has kept so far, projected over
	// its size.
	f.compactAt = defaultCompactAt
	if f.opt != nil && f.opt.rowsCompactAt > 0 {
		f.compactAt = f.opt.rowsCompactAt
	}
	minCompact := f.compactAt
	size := f.src.Size("stop_times.txt")
	f.rows = make([]stopTimeRow, 0, min(max(size/48, 16), int64(f.compactAt)))
	lastTrip, lastTripID := int32(-1), ""
	n := 0
	if err := f.eachRow(t, &f.rep.Read.StopTimes, func() {
		if n++; progress != nil && n&0x3fff == 0 {
			progress(t.BytesRead())
		}
		tid := t.Get(cTrip)
		tr := lastTrip
		if tid != lastTripID {
			var ok bool
			if tr, ok = f.tripIndex[tid]; !ok {
				f.drop("stop_times.txt", "unknown_trip", "%v: trip_id %q", where(t), tid)
				return
			}
			lastTrip, lastTripID = tr, tid
		}
		stop, ok := f.stopIndex[t.Get(cStop)]
		if !ok {
			f.drop("stop_times.txt", "unknown_stop", "%v: trip %q: stop_id %q", where(t), tid, t.Get(cStop))
			return
		}
		if f.stopIsStn[stop] {
			f.drop("stop_times.txt", "station_in_stop_times", "%v: trip %q: stop_id %q is a station", where(t), tid, t.Get(cStop))
			return
		}
		seq, err := parseInt(t.Get(cSeq), -1)
		if err != nil || seq < 0 {
			f.drop("stop_times.txt", "bad_stop_sequence", "%v: trip %q: stop_sequence %q", where(t), tid, t.Get(cSeq))
			return
		}
		arr, okA, errA := graph.ParseClock(t.Get(cArr))
		dep, okD, errD := graph.ParseClock(t.Get(cDep))
		if errA != nil || errD != nil {
			f.drop("stop_times.txt", "bad_time", "%v: trip %q: arrival %q departure %q", where(t), tid, t.Get(cArr), t.Get(cDep))
			return
		}
		if !okA {
			arr = -1
		}
		if !okD {
			dep = -1
		}
		if arr < 0 {
			arr = dep
		}
		if dep < 0 {
			dep = arr
		}
		var flags uint8
		if p, _ := parseInt(t.Get(cPick), 0); p == 1 {
			flags |= graph.NoPickup
		}
		if d, _ := parseInt(t.Get(cDrop), 0); d == 1 {
			flags |= graph.NoDropoff
		}
		if len(f.rows) >= f.compactAt {
			f.compactRows()
			f.compactAt = max(minCompact, 2*len(f.rows))
		}
		if len(f.rows) == cap(f.rows) {
			f.growRows(t.BytesRead(), size)
		}
		f.rows = append(f.rows, stopTimeRow{trip: tr, seq: int32(seq), stop: stop, arr: arr, dep: dep, line: int32(t.Line()), flags: flags})
		f.tripHasTimes[tr] = true
	}); err != nil {
		return err
	}
	if progress != nil {
		progress(t.BytesRead())
	}
	return nil
}

// growRows makes room for more rows: as many as the rows kept so far over
// the bytes read project for the whole file (8 times the rows at most), and
// a quarter more at least.
func (f *feed) growRows(read, size int64) {
	n := len(f.rows)
	room := n + n/4 + 16
	if read > 0 && size > read {
		projected := float64(n) * float64(size) / float64(read) * 1.05
		room = max(room, int(min(projected, float64(8*n))))
	}
	rows := make([]stopTimeRow, n, room)
	copy(rows, f.rows)
	f.rows = rows
}

// compactRows sorts the rows held by trip and stop_sequence and drops the
// repeated (trip, stop_sequence) pairs, keeping the first read, as
// validateTrips would: a file of one row repeated millions of times holds
// one row.
func (f *feed) compactRows() {
	f.sortRows()
	rows := f.rows
	out := rows[:0]
	for i := range rows {
		if n := len(out); n > 0 && out[n-1].trip == rows[i].trip && out[n-1].seq == rows[i].seq {
			f.drop("stop_times.txt", "duplicate_stop_sequence", "%v: trip %q: stop_sequence %d repeated",
				at{"stop_times.txt", int(rows[i].line)}, f.tripID[rows[i].trip], rows[i].seq)
			continue
		}
		out = append(out, rows[i])
	}
	f.rows = out
}

// sortRows sorts the rows by trip, stop_sequence and line: rows repeating a
// (trip, stop_sequence) pair stay in the order of the file.
func (f *feed) sortRows() {
	cmp := func(a, b stopTimeRow) int {
		if a.trip != b.trip {
			return int(a.trip) - int(b.trip)
		}
		if a.seq != b.seq {
			return int(a.seq) - int(b.seq)
		}
		return int(a.line) - int(b.line)
	}
	if !slices.IsSortedFunc(f.rows, cmp) {
		slices.SortFunc(f.rows, cmp)
	}
}

// validateTrips groups rows by trip, interpolates missing times and drops
// the trips that cannot be used.
func (f *feed) validateTrips() {
	f.compactRows()
	rows := f.rows
	for i := range f.tripFirst {
		f.tripFirst[i] = -1
	}
	out := rows[:0]
	for a := 0; a < len(rows); {
		b := a + 1
		for b < len(rows) && rows[b].trip == rows[a].trip {
			b++
		}
		tr := rows[a].trip
		seg := rows[a:b]
		a = b
		if reason, detail := f.checkTrip(seg); reason != "" {
			f.drop("trips.txt", reason, "%v: trip %q: %s", at{"stop_times.txt", int(seg[0].line)}, f.tripID[tr], text(detail))
			continue
		}
		f.tripFirst[tr] = int32(len(out))
		f.tripCount[tr] = int32(len(seg))
		f.tripValid[tr] = true
		out = append(out, seg...)
	}
	f.rows = out
	for tr, has := range f.tripHasTimes {
		if !has {
			f.drop("trips.txt", "no_stop_times", "trips.txt trip %q: trip has no stop_times", f.tripID[tr])
		}
	}
	for tr, ok := range f.tripValid {
		if ok {
			f.rep.Kept.Trips++
			f.rep.Kept.StopTimes += int(f.tripCount[tr])
		}
	}
}

// checkTrip interpolates missing intermediate times of one trip in place and
// returns a drop reason when the trip cannot be used.
func (f *feed) checkTrip(seg []stopTimeRow) (reason, detail string) {
	if len(seg) < 2 {
		return "too_few_stops", fmt.Sprintf("%d stop time(s)", len(seg))
	}
	last := len(seg) - 1
	if seg[0].dep < 0 || seg[last].arr < 0 {
		return "missing_end_times", "first or last stop has no time"
	}
	// Interpolate runs of missing times by the straight-line distance along
	// the stops (equal spacing when stops coincide).
	for i := 1; i < last; i++ {
		if seg[i].arr >= 0 {
			continue
		}
		j := i
		for seg[j].arr < 0 {
			j++
		}
		prev := i - 1
		t0, t1 := seg[prev].dep, seg[j].arr
		dist := make([]float64, j-prev+1)
		for k := prev + 1; k <= j; k++ {
			dist[k-prev] = dist[k-prev-1] + graph.Haversine(f.stopLat[seg[k-1].stop], f.stopLon[seg[k-1].stop], f.stopLat[seg[k].stop], f.stopLon[seg[k].stop])
		}
		total := dist[len(dist)-1]
		for k := i; k < j; k++ {
			frac := float64(k-prev) / float64(j-prev)
			if total > 0 {
				frac = dist[k-prev] / total
			}
			v := t0 + int32(math.Round(frac*float64(t1-t0)))
			seg[k].arr, seg[k].dep = v, v
		}
		i = j
	}
	for i := range seg {
		if seg[i].dep < seg[i].arr {
			return "non_monotonic_times", fmt.Sprintf("departure %s before arrival %s at stop_sequence %d",
				graph.FormatClock(seg[i].dep), graph.FormatClock(seg[i].arr), seg[i].seq)
		}
		if i > 0 && seg[i].arr < seg[i-1].dep {
			return "non_monotonic_times", fmt.Sprintf("arrival %s at stop_sequence %d before departure %s at %d",
				graph.FormatClock(seg[i].arr), seg[i].seq, graph.FormatClock(seg[i-1].dep), seg[i-1].seq)
		}
	}
	return "", ""
}

// validity formats the feed's validity range.
func (f *feed) validity() (from, to string) {
	if f.validFrom.IsZero() {
		return "", ""
	}
	return f.validFrom.Format("2006-01-02"), f.validTo.Format("2006-01-02")
}

// chooseServiceDate returns the date whose services are used for the
// requested date: the date itself when it lies within the feed's validity,
// else the same weekday inside the validity with the most trips (closest to
// the requested date on ties).
func (f *feed) chooseServiceDate(date time.Time, strict bool) (time.Time, bool, error) {
	if f.validFrom.IsZero() {
		return date, false, fmt.Errorf("gtfs: feed %s (%s) has no service dates", f.name, f.src.Path())
	}
	if !date.Before(f.validFrom) && !date.After(f.validTo) {
		return date, false, nil
	}
	from, to := f.validity()
	if strict {
		return date, false, fmt.Errorf("gtfs: feed %s (%s) runs %s to %s, not on %s (--strict-dates)",
			f.name, f.src.Path(), from, to, date.Format("2006-01-02"))
	}
	tripsPerService := make([]int, len(f.calendars))
	for tr, ok := range f.tripValid {
		if ok {
			tripsPerService[f.tripService[tr]]++
		}
	}
	best, bestTrips := time.Time{}, -1
	d := f.validFrom
	for d.Weekday() != date.Weekday() {
		d = d.AddDate(0, 0, 1)
	}
	for ; !d.After(f.validTo); d = d.AddDate(0, 0, 7) {
		n := 0
		for s, c := range tripsPerService {
			if c > 0 && f.active(int32(s), d) {
				n += c
			}
		}
		if n > bestTrips || (n == bestTrips && absDays(d, date) < absDays(best, date)) {
			best, bestTrips = d, n
		}
	}
	if best.IsZero() {
		return date, false, fmt.Errorf("gtfs: feed %s (%s) runs %s to %s: no %s inside it", f.name, f.src.Path(), from, to, date.Weekday())
	}
	return best, true, nil
}

func absDays(a, b time.Time) int64 {
	d := a.Sub(b).Hours() / 24
	if d < 0 {
		d = -d
	}
	return int64(d)
}

// dropList returns the drops sorted by file and reason.
func (f *feed) dropList() []graph.Drop {
	out := f.drops.List()
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// namespaced prefixes an id with the feed name.
func (f *feed) namespaced(id string) string { return f.name + ":" + id }

// feedName derives a feed name from a path: the file name without extension,
// reduced to letters, digits, '-' and '_'.
func feedName(path string) string {
	base := path
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		if i == len(base)-1 { // trailing slash on a directory
			return feedName(base[:i])
		}
		base = base[i+1:]
	}
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".zip"), ".ZIP")
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "feed"
	}
	return b.String()
}

// eachRow calls row for every row of t, then closes t. Lines too long to
// be read are dropped. read, when not nil, counts both.
func (f *feed) eachRow(t *Table, read *int, row func()) error {
	defer t.Close()
	t.LongLine = func(line int, size int64, head []byte) {
		if read != nil {
			*read++
		}
		f.drop(t.File(), "line_too_long", "%v: line of %d bytes (limit %d) skipped: %q",
			at{t.File(), line}, size, t.MaxLine(), text(head))
	}
	for {
		ok, err := t.Next()
		if err != nil {
			return fmt.Errorf("gtfs: %s: %w", f.src.Path(), err)
		}
		if !ok {
			return nil
		}
		if read != nil {
			*read++
		}
		row()
	}
}
