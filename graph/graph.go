package graph

import "time"

// Graph is everything the router needs, as stored in one graph file.
//
// Stops are the timetable's stops; StopLinks, StopBikeLinks and StopPaths
// have one entry per stop. Schools are Places' schools; SchoolLinks,
// SchoolBikeLinks and SchoolEgress have one entry per school. Graphs built
// without streets have an empty Streets, links with Seg -1 and
// straight-line footpaths.
type Graph struct {
	Meta      Meta
	Timetable Timetable
	Streets   Streets
	// StopLinks attach each stop to the walking network.
	StopLinks Links
	// StopBikeLinks attach each stop to the cycling network (the main
	// cycling components, see street.MinBikeComponent): where a cyclist
	// riding to the stop leaves the streets.
	StopBikeLinks Links
	// StopPaths are the walking transfers between stops, in metres.
	StopPaths Footpaths
	Places    Places
	// SchoolLinks attach each school to the walking network.
	SchoolLinks Links
	// SchoolBikeLinks attach each school to the cycling network.
	SchoolBikeLinks Links
	// SchoolEgress lists, per school, the stops within the egress limit
	// and the walking distance from each, in metres.
	SchoolEgress Footpaths
	// Cells are the H3 cells reachable on foot from each stop.
	Cells Cells
	// Addresses are the geocoder's entries and word index.
	Addresses Addresses
}

// Meta describes how a graph was built: its sources, dates and the report
// of what was read, kept and dropped.
type Meta struct {
	BuildID string       `json:"build_id"` // content hash, set when the file is written
	BuiltAt time.Time    `json:"built_at"` // build time (UTC)
	Date    string       `json:"date"`     // requested service date, YYYY-MM-DD
	Feeds   []FeedReport `json:"feeds"`

	// Transfers is the default footpath set for queries.
	Transfers TransferMode `json:"transfers"`
	// Limits used at build time, in metres.
	LinkLimit     float64 `json:"link_limit"`     // farthest street a point is linked to
	TransferLimit float64 `json:"transfer_limit"` // longest walking transfer between stops
	EgressLimit   float64 `json:"egress_limit"`   // longest walk from a stop to a school
	// BikeLimit bounds every ride of a request, metres: straight to a
	// school, and to the first stop (0: no ride, on a graph made by hand).
	BikeLimit float64 `json:"bike_limit"`

	Streets *StreetsReport `json:"streets,omitempty"`
	Linking *LinkingReport `json:"linking,omitempty"`
	Places  *PlacesReport  `json:"places,omitempty"`

	// Warnings are what the build did that its user must know, one
	// sentence each (a service date years from every feed's validity).
	Warnings []string `json:"warnings,omitempty"`

	// Addresses says what the geocoder's index holds, per source.
	Addresses *AddressesReport `json:"addresses,omitempty"`
}

// StreetsReport says what the OpenStreetMap extract gave.
type StreetsReport struct {
	Path           string  `json:"path"`
	NodesRead      int64   `json:"nodes_read"`
	WaysRead       int64   `json:"ways_read"`
	WaysKept       int     `json:"ways_kept"`
	Nodes          int     `json:"nodes"`
	Segments       int     `json:"segments"`
	Edges          int     `json:"edges"`
	IslandsDropped int     `json:"islands_dropped"`
	NodesDropped   int     `json:"nodes_dropped"`
	MinLat         float64 `json:"min_lat"`
	MinLon         float64 `json:"min_lon"`
	MaxLat         float64 `json:"max_lat"`
	MaxLon         float64 `json:"max_lon"`
}

// LinkingReport says how stops and schools were attached to the streets.
type LinkingReport struct {
	Stops   LinkCounts `json:"stops"`
	Schools LinkCounts `json:"schools"`
	// Links to the cycling network.
	BikeStops   LinkCounts `json:"bike_stops"`
	BikeSchools LinkCounts `json:"bike_schools"`
	// Footpaths between stops: along the streets, by straight line (for
	// stops off the streets), and from transfers.txt.
	StreetTransfers   int `json:"street_transfers"`
	StraightTransfers int `json:"straight_transfers"`
	GTFSTransfers     int `json:"gtfs_transfers"`
	// StationTransfers counts the straight-line footpaths added between
	// stops of one station (same name or parent station within 300 m, any
	// stops within 150 m) that the streets do not join.
	StationTransfers int `json:"station_transfers"`
	// SchoolEgress counts (school, stop) pairs within the egress limit.
	SchoolEgress int `json:"school_egress"`
}

// LinkCounts count how points were linked.
type LinkCounts struct {
	Points   int     `json:"points"`
	Linked   int     `json:"linked"`    // attached to a street within the link limit
	Fallback int     `json:"fallback"`  // farther: reached by straight-line walks only
	MeanDist float64 `json:"mean_dist"` // mean connector length of linked points, metres
	MaxDist  float64 `json:"max_dist"`  // longest connector, metres
}

// PlacesReport says what the school lists gave.
type PlacesReport struct {
	Directory      string            `json:"directory"` // path of the directory or locations file
	Format         string            `json:"format"`    // "annuaire" or "csv"
	Rows           int               `json:"rows"`
	Schools        int               `json:"schools"`      // schools in the graph (with coordinates)
	FromLambert    int               `json:"from_lambert"` // coordinates converted from Lambert-93
	Lycees         int               `json:"lycees"`
	Vocational     int               `json:"vocational"` // lycées with a vocational track
	Colleges       int               `json:"colleges"`
	DirectoryDrops []Drop            `json:"directory_drops"`
	Offers         []OfferFileReport `json:"offers"`
	OffersPlaced   int               `json:"offers_placed"`
	// Boarding counts the schools with board and lodging.
	Boarding int `json:"boarding"`
	// Nomenclature lists the nomenclature tables that named the offers.
	Nomenclature []NomenclatureReport `json:"nomenclature,omitempty"`
}

// NomenclatureReport says what one nomenclature table file gave.
type NomenclatureReport struct {
	Path     string `json:"path"`
	Table    string `json:"table"`    // "N_MEF" or "N_FORMATION_DIPLOME"
	Encoding string `json:"encoding"` // "UTF-8" or "Windows-1252"
	Rows     int    `json:"rows"`
	Codes    int    `json:"codes"` // codes kept
	Drops    []Drop `json:"drops"`
}

// OfferFileReport says what one offer list gave.
type OfferFileReport struct {
	Path          string `json:"path"`
	Source        string `json:"source"`
	Rows          int    `json:"rows"`
	Joined        int    `json:"joined"` // offers placed at a school
	JoinedSchools int    `json:"joined_schools"`
	Outside       int    `json:"outside"` // offers of schools outside the directory's départements
	Drops         []Drop `json:"drops"`
	// Named counts the placed offers named from the nomenclature.
	Named int `json:"named"`
	// Unnamed counts the placed offers shown as a code: the file has no
	// label for them and no nomenclature table knows their code.
	Unnamed int `json:"unnamed_offer"`
	// UnnamedExamples are a few "file:line: detail" examples of them.
	UnnamedExamples []string `json:"unnamed_offer_examples,omitempty"`
}

// FeedReport says what one GTFS feed contributed to the graph.
type FeedReport struct {
	Name   string `json:"name"`   // namespace of the feed's ids ("NAME:ID")
	Path   string `json:"path"`   // file or directory it was read from
	School bool   `json:"school"` // declared as a school-transport feed

	ValidFrom string `json:"valid_from"` // first date with service, YYYY-MM-DD ("" when unknown)
	ValidTo   string `json:"valid_to"`   // last date with service

	ServiceDate string `json:"service_date"` // date whose services were used (may differ from Meta.Date)
	Substituted bool   `json:"substituted"`  // ServiceDate is a same-weekday stand-in for Meta.Date
	Note        string `json:"note"`         // human-readable remark on the date choice

	// Read counts the rows read from the files; Kept the rows that passed
	// validation (usable on some date); Scheduled the trips and stop times
	// in the timetable for ServiceDate, including trips of the day before
	// running past midnight and trips expanded from frequencies.txt.
	Read      Counts `json:"read"`
	Kept      Counts `json:"kept"`
	Scheduled Counts `json:"scheduled"`
	Drops     []Drop `json:"drops"` // rows that could not be used, by reason
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
	File     string   `json:"file"`     // GTFS file the rows come from
	Reason   string   `json:"reason"`   // short stable reason code, e.g. "unknown_stop"
	Count    int      `json:"count"`    // number of rows dropped
	Examples []string `json:"examples"` // up to a few "file:line: detail" examples
}
