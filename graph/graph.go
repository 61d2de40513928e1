package graph

import "time"

// Graph is everything the router needs, as stored in one graph file.
type Graph struct {
	Meta      Meta
	Timetable Timetable
}

// Meta describes how a graph was built: its sources, dates and the report
// of what was read, kept and dropped.
type Meta struct {
	BuildID string    // content hash, set when the file is written
	BuiltAt time.Time // build time (UTC)
	Date    string    // requested service date, YYYY-MM-DD
	Feeds   []FeedReport
}

// FeedReport says what one GTFS feed contributed to the graph.
type FeedReport struct {
	Name   string // namespace of the feed's ids ("NAME:ID")
	Path   string // file or directory it was read from
	School bool   // declared as a school-transport feed

	ValidFrom string // first date with service, YYYY-MM-DD ("" when unknown)
	ValidTo   string // last date with service

	ServiceDate string // date whose services were used (may differ from Meta.Date)
	Substituted bool   // ServiceDate is a same-weekday stand-in for Meta.Date
	Note        string // human-readable remark on the date choice

	// Read counts the rows read from the files; Kept the rows that passed
	// validation (usable on some date); Scheduled the trips and stop times
	// in the timetable for ServiceDate, including trips of the day before
	// running past midnight and trips expanded from frequencies.txt.
	Read      Counts
	Kept      Counts
	Scheduled Counts
	Drops     []Drop // rows that could not be used, by reason
}

// Counts are numbers of GTFS entities.
type Counts struct {
	Stops     int `json:"stops"`
	Routes    int `json:"routes"`
	Trips     int `json:"trips"`
	StopTimes int `json:"stop_times"`
}

// Drop counts the rows dropped for one reason, with a few examples.
type Drop struct {
	File     string   // GTFS file the rows come from
	Reason   string   // short stable reason code, e.g. "unknown_stop"
	Count    int      // number of rows dropped
	Examples []string // up to a few "file:line: detail" examples
}
