package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"reach/engine"
	"reach/engine/raptor"
	"reach/graph"
)

// runStops prints the plain earliest arrival at every stop from one stop,
// for checking against other routers.
func runStops(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stops", stdout, stderr)
	graphPath := fs.String("graph", "", "graph `FILE` (required)")
	from := fs.String("from", "", "origin stop `NAME:STOP_ID` (required)")
	date := fs.String("date", "", "service date `YYYY-MM-DD`; must be the graph's (default: the graph's)")
	depart := fs.String("depart", "", "departure time `HH:MM:SS` (required)")
	transfers := fs.String("transfers", "", "footpaths: street, gtfs, both or none (default: the graph's)")
	maxTransfers := fs.Int("max-transfers", raptor.DefaultMaxTransfers, "most vehicle changes (-1: no limit)")
	school := fs.Bool("school", false, "allow school buses")
	walkSpeed := fs.Float64("walk-speed", engine.DefaultWalkSpeed, "walking speed on footpaths, m/s")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *graphPath == "" || *from == "" || *depart == "" {
		return fmt.Errorf("--graph, --from and --depart are required")
	}
	dep, ok, err := graph.ParseClock(*depart)
	if err != nil || !ok {
		return fmt.Errorf("--depart %q: want HH:MM:SS", *depart)
	}
	eng, err := engine.Load(*graphPath)
	if err != nil {
		return err
	}
	g := eng.Graph()
	if *date != "" && *date != g.Meta.Date {
		return fmt.Errorf("--date %s: the graph holds the timetable of %s; rebuild it for %s", *date, g.Meta.Date, *date)
	}
	tt := &g.Timetable
	origin := graph.StopIdx(-1)
	for i, id := range tt.StopID {
		if id == *from {
			origin = graph.StopIdx(i)
			break
		}
	}
	if origin < 0 {
		hint := ""
		if !strings.Contains(*from, ":") {
			hint = " (stop ids are NAME:ID, NAME being the feed's name)"
		}
		return fmt.Errorf("--from %q: no such stop in the graph%s", *from, hint)
	}
	mode, err := graph.ParseTransferMode(*transfers)
	if err != nil {
		return fmt.Errorf("--transfers %w", err)
	}
	tr, err := eng.Transfers(mode)
	if err != nil {
		return fmt.Errorf("--transfers: %w", err)
	}
	res, err := eng.Router().Route(raptor.Query{
		Sources:         []raptor.Source{{Stop: origin, Time: dep}},
		MaxTransfers:    *maxTransfers,
		Transfers:       tr,
		AllowSchool:     *school,
		WalkFromSources: true,
		WalkSpeed:       *walkSpeed,
	})
	if err != nil {
		return err
	}
	defer res.Release()
	w := bufio.NewWriter(stdout)
	fmt.Fprintln(w, "stop_id,arrival,transfers")
	for s := graph.StopIdx(0); int(s) < tt.NumStops(); s++ {
		a := res.Arrival(s)
		if a == raptor.Unreachable {
			continue
		}
		fmt.Fprintf(w, "%s,%s,%d\n", csvField(tt.StopID[s]), graph.FormatClock(a), max(res.Trips(s)-1, 0))
	}
	return w.Flush()
}

// csvField quotes a value when CSV needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
