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
	fs := newFlags("build", stdout, stderr)
	var feeds, schoolFeeds multiFlag
	fs.Var(&feeds, "gtfs", "GTFS feed `[NAME=]PATH` (.zip or directory); repeat for several feeds")
	fs.Var(&schoolFeeds, "school-gtfs", "school-transport GTFS feed `[NAME=]PATH`: all its routes are school buses; repeatable")
	date := fs.String("date", "", "service date `YYYY-MM-DD` (required unless the manifest gives one)")
	manifest := fs.String("manifest", "", "region manifest `FILE.json` naming all sources (flags given too are added)")
	var osmPaths, schoolsPaths multiFlag
	fs.Var(&osmPaths, "osm", "OpenStreetMap extract `PATH` (.osm.pbf or .osm) for the walking network; repeat to merge several")
	fs.Var(&schoolsPaths, "schools", "school directory `CSV` (annuaire de l'éducation); repeat to concatenate several")
	locations := fs.String("locations", "", "plain locations CSV (id,name,lat,lon,...) instead of --schools")
	var offers multiFlag
	fs.Var(&offers, "offers", "training offer list `CSV` (Affelnet 1re pro / 2nde, or plain); repeatable")
	var nomenclature multiFlag
	fs.Var(&nomenclature, "nomenclature", "national nomenclature table `CSV` (BCN N_MEF or N_FORMATION_DIPLOME) naming the offers by their code; repeatable")
	var addresses multiFlag
	fs.Var(&addresses, "addresses", "national address base `CSV` (adresses-XX.csv) whose house numbers the address search finds; repeatable")
	transfers := fs.String("transfers", "", "default footpaths for queries: street, gtfs, both or none (default both)")
	linkLimit := fs.Float64("link-limit", 0, "farthest street a stop or school is linked to, metres (default 1600)")
	transferLimit := fs.Float64("transfer-limit", 0, "longest walking transfer between stops, metres (default 1000)")
	egressLimit := fs.Float64("egress-limit", 0, "longest walk from a stop to a school or a cell, metres (default 1500)")
	h3Res := fs.Int("h3-res", 9, "H3 resolution of the reachability cells: 8, 9 or 10")
	strict := fs.Bool("strict-dates", false, "refuse a feed whose validity does not include --date instead of using the same weekday inside it")
	out := fs.String("out", "", "graph file to write (required); replaced only when the build succeeds")
	report := fs.String("report", "", "also write the build report as JSON to this `FILE`")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	var src ingest.Sources
	if *manifest != "" {
		m, err := ingest.ReadManifest(*manifest)
		if err != nil {
			return err
		}
		if src, err = m.Sources(); err != nil {
			return err
		}
		if *date == "" {
			*date = m.Date
		}
		*strict = *strict || m.StrictDates
	}
	if *date == "" {
		return fmt.Errorf("--date is required (YYYY-MM-DD)")
	}
	d, err := time.Parse("2006-01-02", *date)
	if err != nil {
		return fmt.Errorf("--date %q: want YYYY-MM-DD", *date)
	}
	for _, f := range []struct {
		dst *string
		val string
	}{{&src.Locations, *locations}} {
		if f.val != "" {
			*f.dst = f.val
		}
	}
	if *transfers != "" {
		m, err := graph.ParseTransferMode(*transfers)
		if err != nil {
			return fmt.Errorf("--transfers %w", err)
		}
		src.Transfers = m
	}
	src.OSM = append(src.OSM, osmPaths...)
	src.Schools = append(src.Schools, schoolsPaths...)
	src.Offers = append(src.Offers, offers...)
	src.Nomenclature = append(src.Nomenclature, nomenclature...)
	src.Addresses = append(src.Addresses, addresses...)
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
	g, err := ingest.Build(src, ingest.Options{Date: d, StrictDates: *strict, Progress: p.update, Logf: p.logf,
		LinkLimit: *linkLimit, TransferLimit: *transferLimit, EgressLimit: *egressLimit, H3Resolution: *h3Res})
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
