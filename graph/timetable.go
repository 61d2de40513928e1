// Package graph holds the data structures the router scans and their
// on-disk format: the timetable (RAPTOR routes, trips and stop times as
// flat int32 arrays), the street network (CSR), the links between them and
// the training locations.
//
// Every entity is addressed by an index into parallel slices, an int32
// typed by what it indexes (StopIdx, RouteIdx, SchoolIdx, NodeIdx…); the
// slices are laid out so that the router's hot loops read memory in order.
package graph

// Mode is the basic GTFS route_type of a line (0 tram … 12 monorail).
// Extended route types (100–1700) are mapped onto these at ingest.
type Mode uint8

// Basic GTFS modes.
const (
	ModeTram       Mode = 0
	ModeSubway     Mode = 1
	ModeRail       Mode = 2
	ModeBus        Mode = 3
	ModeFerry      Mode = 4
	ModeCableTram  Mode = 5
	ModeAerial     Mode = 6
	ModeFunicular  Mode = 7
	ModeTrolleybus Mode = 11
	ModeMonorail   Mode = 12
)

// String returns the GTFS name of the mode.
func (m Mode) String() string {
	switch m {
	case ModeTram:
		return "tram"
	case ModeSubway:
		return "subway"
	case ModeRail:
		return "rail"
	case ModeBus:
		return "bus"
	case ModeFerry:
		return "ferry"
	case ModeCableTram:
		return "cable_tram"
	case ModeAerial:
		return "aerial_lift"
	case ModeFunicular:
		return "funicular"
	case ModeTrolleybus:
		return "trolleybus"
	case ModeMonorail:
		return "monorail"
	}
	return "unknown"
}

// Stop-time flags stored per route stop (RouteStopFlags).
const (
	// NoPickup means passengers cannot board at this stop of the route.
	NoPickup uint8 = 1 << iota
	// NoDropoff means passengers cannot alight at this stop of the route.
	NoDropoff
)

// Timetable is one service day of public transport, ready for RAPTOR.
//
// Times are seconds since midnight of the service date the graph was built
// for; trips of the previous day that run past midnight appear with their
// times shifted by -86400 (only those still running after midnight are
// kept), so every time in the arrays is comparable.
//
// A route is a RAPTOR route (a "pattern"): trips that serve the same stop
// sequence with the same pickup/drop-off rules and never overtake each
// other. Trips of route r are the global trips RouteTripStart[r] ..
// RouteTripStart[r+1]-1, sorted by departure. The stop times of trip k of
// route r (k counted from 0 within the route) at position p of the route are
// at index RouteStopTimeStart[r] + k*n + p in Arrivals and Departures, with
// n the number of stops of the route.
type Timetable struct {
	// Stops.
	StopID          []string  // namespaced "FEED:stop_id"
	StopName        []string  // stop_name
	StopLat         []float64 // WGS84 latitude
	StopLon         []float64 // WGS84 longitude
	StopParent      []StopIdx // parent station index, or -1
	StopFeed        []int32   // index into Graph.Meta.Feeds
	StopMinTransfer []int32   // minimum transfer time at the stop (transfers.txt from==to), seconds

	// Lines: the GTFS routes.txt entries that have at least one kept trip.
	LineID        []string // namespaced "FEED:route_id"
	LineShortName []string
	LineLongName  []string
	LineMode      []Mode
	LineSchool    []bool // school bus: route_type 712 or a route of a school feed
	LineFeed      []int32

	// RAPTOR routes.
	RouteLine          []LineIdx // line of the route
	RouteStopStart     []int32   // len R+1, into RouteStops and RouteStopFlags
	RouteStops         []StopIdx // stop per route position
	RouteStopFlags     []uint8   // NoPickup | NoDropoff per route position
	RouteTripStart     []int32   // len R+1, into the trip arrays
	RouteStopTimeStart []int32   // len R+1, into Arrivals and Departures

	// Trips, grouped by route and sorted by departure within a route.
	TripID       []string // namespaced "FEED:trip_id" (frequency-expanded trips get a "#n" suffix)
	TripHeadsign []string
	TripDayShift []int8 // 0 for trips of the service date, -1 for trips of the day before

	// Stop times, see the type documentation for indexing.
	Arrivals   []int32
	Departures []int32

	// Stop → routes index (CSR): the routes serving stop s, and the
	// position of s within each, are StopRoutes[StopRouteStart[s]:StopRouteStart[s+1]]
	// and StopRoutePos[...] with the same bounds. A route visiting a stop twice
	// appears twice.
	StopRouteStart []int32 // len S+1
	StopRoutes     []RouteIdx
	StopRoutePos   []int32

	// Transfers from the feeds' transfers.txt between distinct stops (CSR
	// over the origin stop): the destination stop and the minimum transfer
	// time in seconds. Forbidden transfers (type 3) are not stored.
	TransferStart []int32 // len S+1
	TransferTo    []StopIdx
	TransferTime  []int32
}

// NumStops returns the number of stops.
func (t *Timetable) NumStops() int { return len(t.StopID) }

// NumRoutes returns the number of RAPTOR routes.
func (t *Timetable) NumRoutes() int { return len(t.RouteLine) }

// NumTrips returns the number of trips.
func (t *Timetable) NumTrips() int { return len(t.TripID) }

// NumStopTimes returns the number of stop times.
func (t *Timetable) NumStopTimes() int { return len(t.Arrivals) }

// RouteStopsOf returns the stops of route r in order.
func (t *Timetable) RouteStopsOf(r RouteIdx) []StopIdx {
	return t.RouteStops[t.RouteStopStart[r]:t.RouteStopStart[r+1]]
}

// RouteFlagsOf returns the pickup/drop-off flags of route r's positions.
func (t *Timetable) RouteFlagsOf(r RouteIdx) []uint8 {
	return t.RouteStopFlags[t.RouteStopStart[r]:t.RouteStopStart[r+1]]
}

// RouteNumTrips returns the number of trips of route r.
func (t *Timetable) RouteNumTrips(r RouteIdx) int32 {
	return t.RouteTripStart[r+1] - t.RouteTripStart[r]
}

// StopTimeIndex returns the index in Arrivals/Departures of the k-th trip of
// route r (k counted within the route) at position p.
func (t *Timetable) StopTimeIndex(r RouteIdx, k, p int32) int32 {
	n := t.RouteStopStart[r+1] - t.RouteStopStart[r]
	return t.RouteStopTimeStart[r] + k*n + p
}

// RoutesAt returns the routes serving stop s and the position of s in each.
func (t *Timetable) RoutesAt(s StopIdx) (routes []RouteIdx, pos []int32) {
	a, b := t.StopRouteStart[s], t.StopRouteStart[s+1]
	return t.StopRoutes[a:b], t.StopRoutePos[a:b]
}

// TransfersFrom returns the GTFS transfers leaving stop s: destination stops
// and minimum times in seconds.
func (t *Timetable) TransfersFrom(s StopIdx) (to []StopIdx, seconds []int32) {
	a, b := t.TransferStart[s], t.TransferStart[s+1]
	return t.TransferTo[a:b], t.TransferTime[a:b]
}

// RouteTrip returns the global index of the k-th trip of route r (k
// counted within the route).
func (t *Timetable) RouteTrip(r RouteIdx, k int32) TripIdx {
	return TripIdx(t.RouteTripStart[r] + k)
}

// RouteSchool reports whether route r is run by a school bus.
func (t *Timetable) RouteSchool(r RouteIdx) bool { return t.LineSchool[t.RouteLine[r]] }
