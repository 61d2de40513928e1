package graph

// Summary is what a graph holds, as shown by `reach inspect --json` and the
// server's /v1/graph.
type Summary struct {
	FormatVersion int              `json:"format_version"`
	BuildID       string           `json:"build_id"`
	BuiltAt       string           `json:"built_at"`
	Date          string           `json:"date"`
	Transfers     TransferMode     `json:"transfers"`  // default footpaths of queries
	BikeLimit     float64          `json:"bike_limit"` // longest ride of a request, metres
	Timetable     TimetableSummary `json:"timetable"`
	Feeds         []FeedReport     `json:"feeds"`
	Streets       *StreetsReport   `json:"streets,omitempty"`
	Linking       *LinkingReport   `json:"linking,omitempty"`
	Places        *PlacesReport    `json:"places,omitempty"`
	Cells         CellsSummary     `json:"cells"`
	Warnings      []string         `json:"warnings,omitempty"`
	Addresses     *AddressesReport `json:"addresses,omitempty"`
}

// CellsSummary describes the H3 reachability cells.
type CellsSummary struct {
	Resolution int `json:"resolution"`
	Cells      int `json:"cells"`
	Egress     int `json:"stop_cell_pairs"` // (stop, cell) pairs within the egress limit
}

// TimetableSummary counts the timetable's entities.
type TimetableSummary struct {
	Stops     int `json:"stops"`
	Lines     int `json:"lines"`
	Routes    int `json:"routes"` // RAPTOR routes (patterns)
	Trips     int `json:"trips"`
	StopTimes int `json:"stop_times"`
	Transfers int `json:"gtfs_transfers"`
	School    int `json:"school_lines"`
}

// Summarize describes the graph.
func (g *Graph) Summarize() Summary {
	t := &g.Timetable
	school := 0
	for _, s := range t.LineSchool {
		if s {
			school++
		}
	}
	return Summary{
		FormatVersion: FormatVersion,
		BuildID:       g.Meta.BuildID,
		BuiltAt:       g.Meta.BuiltAt.Format("2006-01-02T15:04:05Z"),
		Date:          g.Meta.Date,
		Timetable: TimetableSummary{
			Stops: t.NumStops(), Lines: len(t.LineID), Routes: t.NumRoutes(), Trips: t.NumTrips(),
			StopTimes: t.NumStopTimes(), Transfers: len(t.TransferTo), School: school,
		},
		Feeds:     g.Meta.Feeds,
		Transfers: g.Meta.Transfers,
		BikeLimit: g.Meta.BikeLimit,
		Streets:   g.Meta.Streets,
		Linking:   g.Meta.Linking,
		Places:    g.Meta.Places,
		Warnings:  g.Meta.Warnings,
		Cells:     CellsSummary{Resolution: int(g.Cells.Resolution), Cells: g.Cells.NumCells(), Egress: len(g.Cells.StopCell)},
		Addresses: g.Meta.Addresses,
	}
}
