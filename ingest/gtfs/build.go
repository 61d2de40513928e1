package gtfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"reach/graph"
)

// FeedSource names one feed of a build.
type FeedSource struct {
	Name   string // namespace of the feed's ids; derived from Path when empty
	Path   string // .zip file or directory
	School bool   // every route of the feed is school transport
}

// ParseFeedArg parses a command-line feed argument "[NAME=]PATH".
func ParseFeedArg(arg string, school bool) (FeedSource, error) {
	name, path := "", arg
	if i := strings.IndexByte(arg, '='); i > 0 {
		name, path = arg[:i], arg[i+1:]
	}
	if path == "" {
		return FeedSource{}, fmt.Errorf("feed %q: empty path", arg)
	}
	if name == "" {
		name = feedName(path)
	}
	if strings.ContainsAny(name, ": \t") {
		return FeedSource{}, fmt.Errorf("feed %q: name %q must not contain ':' or spaces", arg, name)
	}
	return FeedSource{Name: name, Path: path, School: school}, nil
}

// BuildOptions control a timetable build.
type BuildOptions struct {
	// Date is the service date to build (its time of day is ignored).
	Date time.Time
	// StrictDates refuses a feed whose validity does not contain Date
	// instead of using the same weekday inside its validity.
	StrictDates bool
	// Progress, when set, is called with the bytes of stop_times.txt read
	// so far over all feeds and their total.
	Progress func(done, total int64)
	// Logf, when set, receives one line per build step.
	Logf func(format string, args ...any)
	// Limits bound what reading each feed may cost (zero: the defaults).
	Limits Limits

	// rowsCompactAt is the number of stop_times rows held before they are
	// first compacted (0: defaultCompactAt); tests lower it.
	rowsCompactAt int
}

// Build reads the feeds and assembles the timetable of opt.Date. The
// returned graph holds the timetable and, in Meta, one report per feed.
func Build(feeds []FeedSource, opt BuildOptions) (*graph.Graph, error) {
	if len(feeds) == 0 {
		return nil, fmt.Errorf("gtfs: no feed given")
	}
	if opt.Date.IsZero() {
		return nil, fmt.Errorf("gtfs: no service date given")
	}
	date := time.Date(opt.Date.Year(), opt.Date.Month(), opt.Date.Day(), 0, 0, 0, 0, time.UTC)
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	seen := map[string]bool{}
	var total int64
	sources := make([]*Source, len(feeds))
	defer func() {
		for _, s := range sources {
			if s != nil {
				s.Close()
			}
		}
	}()
	for i := range feeds {
		fs := &feeds[i]
		if fs.Name == "" {
			fs.Name = feedName(fs.Path)
		}
		if seen[fs.Name] {
			return nil, fmt.Errorf("gtfs: two feeds are named %q: name them with NAME=PATH", fs.Name)
		}
		seen[fs.Name] = true
		src, err := OpenSourceLimits(fs.Path, opt.Limits)
		if err != nil {
			return nil, err
		}
		sources[i] = src
		total += src.Size("stop_times.txt")
	}
	g := &graph.Graph{Meta: graph.Meta{BuiltAt: time.Now().UTC(), Date: date.Format("2006-01-02")}}
	b := &builder{tt: &g.Timetable}
	var done int64
	for i, fs := range feeds {
		rep := graph.FeedReport{Name: fs.Name, Path: fs.Path, School: fs.School}
		f := &feed{name: fs.Name, school: fs.School, src: sources[i], rep: &rep, opt: &opt}
		logf("feed %s: reading %s", fs.Name, fs.Path)
		var progress func(int64)
		if opt.Progress != nil {
			base := done
			progress = func(n int64) { opt.Progress(base+n, total) }
		}
		if err := f.load(progress); err != nil {
			return nil, err
		}
		done += sources[i].Size("stop_times.txt")
		sd, substituted, err := f.chooseServiceDate(date, opt.StrictDates)
		if err != nil {
			return nil, err
		}
		rep.ValidFrom, rep.ValidTo = f.validity()
		rep.ServiceDate = sd.Format("2006-01-02")
		rep.Substituted = substituted
		if substituted {
			rep.Note = fmt.Sprintf("%s is outside the feed's validity (%s to %s): using %s, the same weekday with the most trips",
				g.Meta.Date, rep.ValidFrom, rep.ValidTo, rep.ServiceDate)
		}
		b.addFeed(f, int32(i), sd)
		rep.Drops = f.dropList()
		logf("feed %s: %d stops, %d routes, %d trips (%d scheduled on %s), %d stop_times kept; %d rows dropped",
			fs.Name, rep.Kept.Stops, rep.Kept.Routes, rep.Kept.Trips, rep.Scheduled.Trips, rep.ServiceDate, rep.Kept.StopTimes, dropped(rep.Drops))
		if rep.Note != "" {
			logf("feed %s: %s", fs.Name, rep.Note)
		}
		g.Meta.Feeds = append(g.Meta.Feeds, rep)
		sources[i].Close()
		sources[i] = nil
	}
	b.finish()
	if g.Timetable.NumTrips() == 0 {
		return nil, emptyTimetableError(g.Meta.Date, g.Meta.Feeds)
	}
	if w := farDateWarning(date, g.Meta.Feeds); w != "" {
		g.Meta.Warnings = append(g.Meta.Warnings, w)
		logf("warning: %s", w)
	}
	return g, nil
}

// farDateWarning returns a warning when date lies more than a year from
// the validity of every feed: the timetables of substituted weekdays are
// then those of other years, which the user most likely did not mean
// (a mistyped year, feeds long out of date). It returns "" otherwise.
func farDateWarning(date time.Time, reps []graph.FeedReport) string {
	var feeds []string
	for _, r := range reps {
		from, err1 := time.Parse("2006-01-02", r.ValidFrom)
		to, err2 := time.Parse("2006-01-02", r.ValidTo)
		if err1 != nil || err2 != nil {
			continue
		}
		if !date.Before(from.AddDate(-1, 0, 0)) && !date.After(to.AddDate(1, 0, 0)) {
			return ""
		}
		feeds = append(feeds, fmt.Sprintf("%s %s to %s", r.Name, r.ValidFrom, r.ValidTo))
	}
	if len(feeds) == 0 {
		return ""
	}
	return fmt.Sprintf("%s is more than a year from the validity of every feed (%s): the graph holds their timetables of other years, on the same weekday",
		date.Format("2006-01-02"), strings.Join(feeds, ", "))
}

// emptyTimetableError tells why no trip runs on the date: what each feed
// held, and the main reasons its rows were dropped. A timetable without
// trips is never what the caller wants, and it would replace a good graph.
func emptyTimetableError(date string, reps []graph.FeedReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "gtfs: no trip runs on %s in any feed, refusing to build an empty timetable:", date)
	for i, r := range reps {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s (%s) read %d stops, %d routes, %d trips and %d stop_times; trips: %d kept, %d scheduled on %s",
			r.Name, r.Path, r.Read.Stops, r.Read.Routes, r.Read.Trips, r.Read.StopTimes, r.Kept.Trips, r.Scheduled.Trips, r.ServiceDate)
		ds := append([]graph.Drop(nil), r.Drops...)
		sort.SliceStable(ds, func(i, j int) bool { return ds[i].Count > ds[j].Count })
		for j, d := range ds[:min(len(ds), 3)] {
			sep := ", "
			if j == 0 {
				sep = " (drops: "
			}
			fmt.Fprintf(&b, "%s%s %d", sep, d.Reason, d.Count)
		}
		if len(ds) > 0 {
			b.WriteString(")")
		}
	}
	return errors.New(b.String())
}

func dropped(ds []graph.Drop) int {
	n := 0
	for _, d := range ds {
		n += d.Count
	}
	return n
}

// load reads and validates every file of the feed.
func (f *feed) load(progress func(int64)) error {
	steps := []func() error{f.readStops, f.readRoutes, f.readCalendars, f.readTrips, f.readFrequencies, f.readTransfers}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if err := f.readStopTimes(progress); err != nil {
		return err
	}
	f.validateTrips()
	return nil
}

// builder accumulates feeds into one timetable.
type builder struct {
	tt        *graph.Timetable
	transfers []transfer           // global stop indexes
	seen      map[uint64][]tripRef // trips of the feeds added so far, by timesKey
}

// tripRef is the k-th trip of a route of the timetable.
type tripRef struct {
	route graph.RouteIdx
	k     int32
}

// duplicateTripMetres is how far apart two feeds may place a stop for a
// trip of one to be the same as a trip of the other. Two trips are the same
// when they have as many stops, the same arrival and departure times at
// every stop, and at every position stops within this distance of each
// other. Identical times all along make a chance likeness implausible, and
// feeds place one station at different points (building, platforms), so
// the distance is generous. Ids, routes and pickup/drop-off types are not
// compared: feeds name and describe the same train each their own way.
const duplicateTripMetres = 100

// timesKey hashes (FNV-1a) the number of stops of a trip and its arrival
// and departure times.
func timesKey(n int, times func(p int) (arr, dep int32)) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint32) {
		for i := 0; i < 32; i += 8 {
			h ^= uint64(byte(v >> i))
			h *= 1099511628211
		}
	}
	mix(uint32(n))
	for p := 0; p < n; p++ {
		a, d := times(p)
		mix(uint32(a))
		mix(uint32(d))
	}
	return h
}

// sameAsEarlier returns the trip of an earlier feed that instance in of f
// runs again (see duplicateTripMetres).
func (b *builder) sameAsEarlier(f *feed, in instance) (tripRef, bool) {
	tt := b.tt
	rows := f.rows[f.tripFirst[in.trip] : f.tripFirst[in.trip]+f.tripCount[in.trip]]
	key := timesKey(len(rows), func(p int) (int32, int32) { return rows[p].arr + in.shift, rows[p].dep + in.shift })
	for _, ref := range b.seen[key] {
		stops := tt.RouteStopsOf(ref.route)
		if len(stops) != len(rows) {
			continue
		}
		same := true
		for p := range rows {
			i := tt.StopTimeIndex(ref.route, ref.k, int32(p))
			s, r := stops[p], &rows[p]
			if tt.Arrivals[i] != r.arr+in.shift || tt.Departures[i] != r.dep+in.shift ||
				graph.Haversine(tt.StopLat[s], tt.StopLon[s], f.stopLat[r.stop], f.stopLon[r.stop]) > duplicateTripMetres {
				same = false
				break
			}
		}
		if same {
			return ref, true
		}
	}
	return tripRef{}, false
}

// remember indexes the trips of the routes from route on, for the feeds
// that follow.
func (b *builder) remember(route graph.RouteIdx) {
	tt := b.tt
	if b.seen == nil {
		b.seen = map[uint64][]tripRef{}
	}
	for r := route; r < graph.RouteIdx(len(tt.RouteLine)); r++ {
		n := len(tt.RouteStopsOf(r))
		for k := int32(0); k < tt.RouteNumTrips(r); k++ {
			key := timesKey(n, func(p int) (int32, int32) {
				i := tt.StopTimeIndex(r, k, int32(p))
				return tt.Arrivals[i], tt.Departures[i]
			})
			b.seen[key] = append(b.seen[key], tripRef{r, k})
		}
	}
}

// instance is one scheduled run of a trip on the service date.
type instance struct {
	trip  int32 // feed-local trip
	shift int32 // seconds added to the trip's times (frequency offset, -86400 for the day before)
	copy  int32 // frequency copy number, -1 for a plain trip
	day   int8  // 0 or -1
}

func (b *builder) addFeed(f *feed, feedIdx int32, sd time.Time) {
	tt := b.tt
	stopBase := int32(len(tt.StopID))
	for i := range f.stopID {
		tt.StopID = append(tt.StopID, f.namespaced(f.stopID[i]))
		tt.StopName = append(tt.StopName, f.stopName[i])
		tt.StopLat = append(tt.StopLat, f.stopLat[i])
		tt.StopLon = append(tt.StopLon, f.stopLon[i])
		p := graph.StopIdx(f.stopParent[i])
		if p >= 0 {
			p += graph.StopIdx(stopBase)
		}
		tt.StopParent = append(tt.StopParent, p)
		tt.StopFeed = append(tt.StopFeed, feedIdx)
		tt.StopMinTransfer = append(tt.StopMinTransfer, f.minChange[i])
	}
	lineBase := int32(len(tt.LineID))
	for i := range f.routeID {
		tt.LineID = append(tt.LineID, f.namespaced(f.routeID[i]))
		tt.LineShortName = append(tt.LineShortName, f.routeShort[i])
		tt.LineLongName = append(tt.LineLongName, f.routeLong[i])
		tt.LineMode = append(tt.LineMode, f.routeMode[i])
		tt.LineSchool = append(tt.LineSchool, f.routeSchool[i])
		tt.LineFeed = append(tt.LineFeed, feedIdx)
	}
	for _, x := range f.transfers {
		b.transfers = append(b.transfers, transfer{from: x.from + stopBase, to: x.to + stopBase, seconds: x.seconds})
	}

	// Scheduled instances: trips of the service date, and trips of the day
	// before that still run after midnight.
	prev := sd.AddDate(0, 0, -1)
	freqOf := map[int32][]frequency{}
	for _, fr := range f.freqs {
		if f.tripValid[fr.trip] {
			freqOf[fr.trip] = append(freqOf[fr.trip], fr)
		}
	}
	var insts []instance
	for tr := range f.tripID {
		tr := int32(tr)
		if !f.tripValid[tr] {
			continue
		}
		for _, day := range []int8{0, -1} {
			d := sd
			if day < 0 {
				d = prev
			}
			if !f.active(f.tripService[tr], d) {
				continue
			}
			dayShift := int32(day) * 86400
			rows := f.rows[f.tripFirst[tr] : f.tripFirst[tr]+f.tripCount[tr]]
			first, last := rows[0].dep, rows[len(rows)-1].arr
			if frs, ok := freqOf[tr]; ok {
				n := int32(0)
				for _, fr := range frs {
					for start := fr.start; start < fr.end; start += fr.headw {
						shift := start - first + dayShift
						if last+shift >= 0 {
							insts = append(insts, instance{trip: tr, shift: shift, copy: n, day: day})
						}
						n++
					}
				}
				continue
			}
			if last+dayShift >= 0 {
				insts = append(insts, instance{trip: tr, shift: dayShift, copy: -1, day: day})
			}
		}
	}

	// A trip an earlier feed already runs is kept there only.
	kept := insts[:0]
	for _, in := range insts {
		if ref, dup := b.sameAsEarlier(f, in); dup {
			f.drop("trips.txt", "duplicate_trip", "trips.txt trip %q: already in the timetable as %s (same stops and times)",
				f.tripID[in.trip], tt.TripID[tt.RouteTripStart[ref.route]+ref.k])
			continue
		}
		kept = append(kept, in)
	}
	insts = kept
	routeBase := graph.RouteIdx(len(tt.RouteLine))

	// Group instances into patterns: same line, stops and pickup/drop-off flags.
	patternOf := map[string]int32{}
	var patInsts [][]int32
	var key []byte
	instPattern := make([]int32, len(insts))
	for i, in := range insts {
		rows := f.rows[f.tripFirst[in.trip] : f.tripFirst[in.trip]+f.tripCount[in.trip]]
		key = key[:0]
		key = binary.LittleEndian.AppendUint32(key, uint32(f.tripRoute[in.trip]))
		for _, r := range rows {
			key = binary.LittleEndian.AppendUint32(key, uint32(r.stop))
			key = append(key, r.flags)
		}
		p, ok := patternOf[string(key)]
		if !ok {
			p = int32(len(patInsts))
			patternOf[string(key)] = p
			patInsts = append(patInsts, nil)
		}
		patInsts[p] = append(patInsts[p], int32(i))
		instPattern[i] = p
	}

	f.rep.Scheduled.Trips = len(insts)
	servedStop := make([]bool, len(f.stopID))
	servedLine := make([]bool, len(f.routeID))
	for _, in := range insts {
		servedLine[f.tripRoute[in.trip]] = true
		for _, r := range f.rows[f.tripFirst[in.trip] : f.tripFirst[in.trip]+f.tripCount[in.trip]] {
			servedStop[r.stop] = true
		}
	}
	f.rep.Scheduled.Stops = countTrue(servedStop)
	f.rep.Scheduled.Routes = countTrue(servedLine)
	for _, members := range patInsts {
		in0 := insts[members[0]]
		rows := f.rows[f.tripFirst[in0.trip] : f.tripFirst[in0.trip]+f.tripCount[in0.trip]]
		n := len(rows)
		times := func(i int32, p int) (arr, dep int32) {
			in := insts[i]
			r := f.rows[f.tripFirst[in.trip]+int32(p)]
			return r.arr + in.shift, r.dep + in.shift
		}
		sort.SliceStable(members, func(a, c int) bool {
			for p := 0; p < n; p++ {
				_, da := times(members[a], p)
				_, dc := times(members[c], p)
				if da != dc {
					return da < dc
				}
			}
			aa, _ := times(members[a], n-1)
			ac, _ := times(members[c], n-1)
			return aa < ac
		})
		// Split into routes whose trips never overtake one another: each
		// trip goes to the first route whose last trip it never precedes.
		var routes [][]int32
		for _, m := range members {
			placed := false
			for ri, r := range routes {
				lastTrip := r[len(r)-1]
				ok := true
				for p := 0; p < n && ok; p++ {
					a1, d1 := times(lastTrip, p)
					a2, d2 := times(m, p)
					ok = a2 >= a1 && d2 >= d1
				}
				if ok {
					routes[ri] = append(r, m)
					placed = true
					break
				}
			}
			if !placed {
				routes = append(routes, []int32{m})
			}
		}
		for _, r := range routes {
			b.addRoute(f, graph.LineIdx(lineBase+f.tripRoute[in0.trip]), stopBase, rows, insts, r, times)
			f.rep.Scheduled.StopTimes += len(r) * n
		}
	}
	b.remember(routeBase)
}

// addRoute appends one RAPTOR route with its trips.
func (b *builder) addRoute(f *feed, line graph.LineIdx, stopBase int32, rows []stopTimeRow, insts []instance, members []int32, times func(int32, int) (int32, int32)) {
	tt := b.tt
	if len(tt.RouteStopStart) == 0 {
		tt.RouteStopStart = append(tt.RouteStopStart, 0)
		tt.RouteTripStart = append(tt.RouteTripStart, 0)
		tt.RouteStopTimeStart = append(tt.RouteStopTimeStart, 0)
	}
	tt.RouteLine = append(tt.RouteLine, line)
	for _, r := range rows {
		tt.RouteStops = append(tt.RouteStops, graph.StopIdx(r.stop+stopBase))
		tt.RouteStopFlags = append(tt.RouteStopFlags, r.flags)
	}
	for _, m := range members {
		in := insts[m]
		id := f.namespaced(f.tripID[in.trip])
		if in.copy >= 0 {
			id = fmt.Sprintf("%s#%d", id, in.copy)
		}
		tt.TripID = append(tt.TripID, id)
		tt.TripHeadsign = append(tt.TripHeadsign, f.tripHeadsign[in.trip])
		tt.TripDayShift = append(tt.TripDayShift, in.day)
		for p := range rows {
			a, d := times(m, p)
			tt.Arrivals = append(tt.Arrivals, a)
			tt.Departures = append(tt.Departures, d)
		}
	}
	tt.RouteStopStart = append(tt.RouteStopStart, int32(len(tt.RouteStops)))
	tt.RouteTripStart = append(tt.RouteTripStart, int32(len(tt.TripID)))
	tt.RouteStopTimeStart = append(tt.RouteStopTimeStart, int32(len(tt.Arrivals)))
}

// finish builds the stop → routes index and the transfers CSR.
func (b *builder) finish() {
	tt := b.tt
	ns := len(tt.StopID)
	if len(tt.RouteStopStart) == 0 {
		tt.RouteStopStart = []int32{0}
		tt.RouteTripStart = []int32{0}
		tt.RouteStopTimeStart = []int32{0}
	}
	count := make([]int32, ns+1)
	for _, s := range tt.RouteStops {
		count[s+1]++
	}
	for i := 0; i < ns; i++ {
		count[i+1] += count[i]
	}
	tt.StopRouteStart = append([]int32(nil), count...)
	tt.StopRoutes = make([]graph.RouteIdx, len(tt.RouteStops))
	tt.StopRoutePos = make([]int32, len(tt.RouteStops))
	fill := count[:ns]
	for r := graph.RouteIdx(0); int(r) < len(tt.RouteLine); r++ {
		for p, s := range tt.RouteStopsOf(r) {
			tt.StopRoutes[fill[s]] = r
			tt.StopRoutePos[fill[s]] = int32(p)
			fill[s]++
		}
	}

	// Transfers: keep the smallest time per (from, to) pair.
	ts := b.transfers
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].from != ts[j].from {
			return ts[i].from < ts[j].from
		}
		if ts[i].to != ts[j].to {
			return ts[i].to < ts[j].to
		}
		return ts[i].seconds < ts[j].seconds
	})
	tt.TransferStart = make([]int32, ns+1)
	tt.TransferTo = tt.TransferTo[:0]
	tt.TransferTime = tt.TransferTime[:0]
	for i, x := range ts {
		if i > 0 && ts[i-1].from == x.from && ts[i-1].to == x.to {
			continue
		}
		tt.TransferTo = append(tt.TransferTo, graph.StopIdx(x.to))
		tt.TransferTime = append(tt.TransferTime, x.seconds)
		tt.TransferStart[x.from+1]++
	}
	for i := 0; i < ns; i++ {
		tt.TransferStart[i+1] += tt.TransferStart[i]
	}
	b.transfers = nil
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// Validity is the date range of a feed's services.
type Validity struct {
	From, To time.Time // first and last date named by calendar.txt or added by calendar_dates.txt
}

// ReadValidity reads only the calendar files of the feed at path and
// returns its validity range.
func ReadValidity(path string) (Validity, error) {
	src, err := OpenSource(path)
	if err != nil {
		return Validity{}, err
	}
	defer src.Close()
	f := &feed{name: feedName(path), src: src, rep: &graph.FeedReport{}}
	if err := f.readCalendars(); err != nil {
		return Validity{}, err
	}
	if f.validFrom.IsZero() {
		return Validity{}, fmt.Errorf("gtfs: %s: no service dates in its calendar files", path)
	}
	return Validity{From: f.validFrom, To: f.validTo}, nil
}
