package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/gtfs"
)

func runBuild(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", stderr)
	var feeds, schoolFeeds multiFlag
	fs.Var(&feeds, "gtfs", "GTFS feed `[NAME=]PATH` (.zip or directory); repeat for several feeds")
	fs.Var(&schoolFeeds, "school-gtfs", "school-transport GTFS feed `[NAME=]PATH`: all its routes are school buses; repeatable")
	date := fs.String("date", "", "service date `YYYY-MM-DD` (required)")
	strict := fs.Bool("strict-dates", false, "refuse a feed whose validity does not include --date instead of using the same weekday inside it")
	out := fs.String("out", "", "graph file to write (required); replaced only when the build succeeds")
	report := fs.String("report", "", "also write the build report as JSON to this `FILE`")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if *date == "" {
		return fmt.Errorf("--date is required (YYYY-MM-DD)")
	}
	d, err := time.Parse("2006-01-02", *date)
	if err != nil {
		return fmt.Errorf("--date %q: want YYYY-MM-DD", *date)
	}
	var src ingest.Sources
	for _, list := range []struct {
		args   []string
		school bool
	}{{feeds, false}, {schoolFeeds, true}} {
		for _, a := range list.args {
			f, err := gtfs.ParseFeedArg(a, list.school)
			if err != nil {
				return fmt.Errorf("--gtfs: %w", err)
			}
			src.GTFS = append(src.GTFS, f)
		}
	}
	if len(src.GTFS) == 0 {
		return fmt.Errorf("at least one --gtfs or --school-gtfs feed is required")
	}
	p := newProgress(os.Stderr)
	start := time.Now()
	g, err := ingest.Build(src, ingest.Options{Date: d, StrictDates: *strict, Progress: p.update, Logf: p.logf})
	p.done()
	if err != nil {
		return err
	}
	if err := graph.Write(*out, g); err != nil {
		return err
	}
	if *report != "" {
		b, err := json.MarshalIndent(g.Summarize(), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*report, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	s := g.Summarize()
	fmt.Fprintf(stdout, "wrote %s (%.1f MB, build %s) in %s: %d stops, %d routes, %d trips, %d stop times\n",
		*out, float64(st.Size())/1e6, g.Meta.BuildID, time.Since(start).Round(time.Millisecond),
		s.Timetable.Stops, s.Timetable.Routes, s.Timetable.Trips, s.Timetable.StopTimes)
	return nil
}
