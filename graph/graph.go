package graph

import "time"

// Graph is everything the router needs, as stored in one graph file.
//
// Stops are the timetable's stops; StopLinks and StopPaths have one entry
// per stop. Schools are Places' schools; SchoolLinks and SchoolEgress have
// one entry per school. Graphs built without streets have an empty Streets,
// links with Seg -1 and straight-line footpaths.
type Graph struct {
	Meta      Meta
	Timetable Timetable
	Streets   Streets
	// StopLinks attach each stop to the walking network.
	StopLinks Links
	// StopPaths are the walking transfers between stops, in metres.
	StopPaths Footpaths
	Places    Places
	// SchoolLinks attach each school to the walking network.
	SchoolLinks Links
	// SchoolEgress lists, per school, the stops within the egress limit
	// and the walking distance from each, in metres.
	SchoolEgress Footpaths
	// Cells are the H3 cells reachable on foot from each stop.
	Cells Cells
}

// Meta describes how a graph was built: its sources, dates and the report
// of what was read, kept and dropped.
type Meta struct {
	BuildID string    // content hash, set when the file is written
	BuiltAt time.Time // build time (UTC)
	Date    string    // requested service date, YYYY-MM-DD
	Feeds   []FeedReport

	// Transfers is the default footpath set for queries: "street", "gtfs",
	// "both" or "none".
	Transfers string
	// Limits used at build time, in metres.
	LinkLimit     float64 // farthest street a point is linked to
	TransferLimit float64 // longest walking transfer between stops
	EgressLimit   float64 // longest walk from a stop to a school

	Streets *StreetsReport `json:",omitempty"`
	Linking *LinkingReport `json:",omitempty"`
	Places  *PlacesReport  `json:",omitempty"`
}

// StreetsReport says what the OpenStreetMap extract gave.
type StreetsReport struct {
	Path           string
	NodesRead      int64
	WaysRead       int64
	WaysKept       int
	Nodes          int
	Segments       int
	Edges          int
	IslandsDropped int
	NodesDropped   int
	MinLat, MinLon float64
	MaxLat, MaxLon float64
}

// LinkingReport says how stops and schools were attached to the streets.
type LinkingReport struct {
	Stops   LinkCounts
	Schools LinkCounts
	// Footpaths between stops: along the streets, by straight line (for
	// stops off the streets), and from transfers.txt.
	StreetTransfers   int
	StraightTransfers int
	GTFSTransfers     int
	// SchoolEgress counts (school, stop) pairs within the egress limit.
	SchoolEgress int
}

// LinkCounts count how points were linked.
type LinkCounts struct {
	Points   int
	Linked   int     // attached to a street within the link limit
	Fallback int     // farther: reached by straight-line walks only
	MeanDist float64 // mean connector length of linked points, metres
	MaxDist  float64 // longest connector, metres
}

// PlacesReport says what the school lists gave.
type PlacesReport struct {
	Directory      string // path of the directory or locations file
	Format         string // "annuaire" or "csv"
	Rows           int
	Schools        int // schools in the graph (with coordinates)
	FromLambert    int // coordinates converted from Lambert-93
	Lycees         int
	Vocational     int // lycées with a vocational track
	Colleges       int
	DirectoryDrops []Drop
	Offers         []OfferFileReport
	OffersPlaced   int
}

// OfferFileReport says what one offer list gave.
type OfferFileReport struct {
	Path          string
	Source        string
	Rows          int
	Joined        int // offers placed at a school
	JoinedSchools int
	Outside       int // offers of schools outside the directory's départements
	Drops         []Drop
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
