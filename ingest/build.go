// Package ingest turns source data (GTFS feeds, OpenStreetMap extracts,
// school directories and offer lists) into a graph.Graph. Its
// sub-packages read each kind of source; Build runs them in order.
package ingest

import (
	"fmt"
	"time"

	"reach/graph"
	"reach/ingest/gtfs"
)

// Sources names everything a graph is built from.
type Sources struct {
	GTFS []gtfs.FeedSource // timetables, school feeds flagged
}

// Options control a build.
type Options struct {
	Date        time.Time // service date
	StrictDates bool      // refuse feeds whose validity misses Date
	// Progress, when set, is called with the work done so far and its
	// total, in arbitrary units, and the name of the current stage.
	Progress func(stage string, done, total int64)
	// Logf, when set, receives one line per build step.
	Logf func(format string, args ...any)
}

// Build reads every source and assembles the graph. It never writes files.
func Build(src Sources, opt Options) (*graph.Graph, error) {
	if len(src.GTFS) == 0 {
		return nil, fmt.Errorf("build: no GTFS feed given")
	}
	gopt := gtfs.BuildOptions{Date: opt.Date, StrictDates: opt.StrictDates, Logf: opt.Logf}
	if opt.Progress != nil {
		gopt.Progress = func(done, total int64) { opt.Progress("timetables", done, total) }
	}
	g, err := gtfs.Build(src.GTFS, gopt)
	if err != nil {
		return nil, err
	}
	if err := g.Timetable.Validate(); err != nil {
		return nil, fmt.Errorf("build: internal error, invalid timetable: %w", err)
	}
	return g, nil
}
