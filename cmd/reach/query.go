package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"reach/engine"
	"reach/ingest/gtfs"
)

// requestFlags are the routing and filter flags shared by query-like
// commands; they mirror the HTTP parameters of /v1/reachable.
type requestFlags struct {
	lat, lon, walkSpeed, maxWalk  *float64
	date, arriveBy, modes, trans  *string
	maxMinutes, maxTransfers      *int
	diplome, voie, uai, q, cutoff *string
	page, perPage                 *int
	unreachable                   *bool
}

func addRequestFlags(fs interface {
	Float64(string, float64, string) *float64
	String(string, string, string) *string
	Int(string, int, string) *int
	Bool(string, bool, string) *bool
}) *requestFlags {
	return &requestFlags{
		lat:          fs.Float64("lat", 999, "origin latitude (required)"),
		lon:          fs.Float64("lon", 999, "origin longitude (required)"),
		date:         fs.String("date", "", "service date YYYY-MM-DD (default: the graph's)"),
		arriveBy:     fs.String("arrive-by", "08:30", "arrival deadline HH:MM"),
		maxMinutes:   fs.Int("max-minutes", engine.DefaultMaxMinutes, "travel-time ceiling, minutes"),
		modes:        fs.String("modes", "walk,transit,school", "modes among walk, transit, school"),
		walkSpeed:    fs.Float64("walk-speed", engine.DefaultWalkSpeed, "walking speed, m/s"),
		maxWalk:      fs.Float64("max-walk", engine.DefaultMaxWalk, "longest walk to or from a stop, metres"),
		maxTransfers: fs.Int("max-transfers", 8, "most vehicle changes"),
		trans:        fs.String("transfers", "", "footpaths between stops: street, gtfs, both, none (default: the graph's)"),
		diplome:      fs.String("diplome", "", "diploma levels, comma-separated (CAP, Bac Pro, BP, BTS…)"),
		voie:         fs.String("voie", "", "scolaire or apprentissage"),
		uai:          fs.String("uai", "", "schools (UAI), comma-separated"),
		q:            fs.String("q", "", "words to find in the training label or school name"),
		cutoff:       fs.String("cutoffs", "15,30,45,60,90", "band cut-offs, minutes"),
		page:         fs.Int("page", 1, "result page"),
		perPage:      fs.Int("per-page", 20, "results per page"),
		unreachable:  fs.Bool("include-unreachable", false, "also list offers not reachable, after the others"),
	}
}

// request turns the flags into an engine request.
func (f *requestFlags) request() (engine.Request, error) {
	if *f.lat == 999 || *f.lon == 999 {
		return engine.Request{}, fmt.Errorf("--lat and --lon are required")
	}
	p := engine.DefaultParams(*f.lat, *f.lon)
	t, ok, err := gtfs.ParseTime(*f.arriveBy)
	if err != nil || !ok {
		return engine.Request{}, fmt.Errorf("--arrive-by %q: want HH:MM", *f.arriveBy)
	}
	p.ArriveBy = t
	p.MaxMinutes, p.WalkSpeed, p.MaxWalk, p.MaxTransfers, p.Transfers = *f.maxMinutes, *f.walkSpeed, *f.maxWalk, *f.maxTransfers, *f.trans
	if p.Modes, err = engine.ParseModes(*f.modes); err != nil {
		return engine.Request{}, fmt.Errorf("--modes: %w", err)
	}
	cut, err := engine.ParseCutoffs(*f.cutoff)
	if err != nil {
		return engine.Request{}, fmt.Errorf("--%w", err)
	}
	req := engine.Request{Params: p, Date: *f.date, Cutoffs: cut, Page: *f.page, PerPage: *f.perPage, IncludeUnreachable: *f.unreachable}
	req.Filter = engine.Filter{Levels: splitList(*f.diplome), Voie: *f.voie, UAIs: splitList(*f.uai), Text: *f.q}
	return req, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// runQuery prints the /v1/reachable answer for one origin.
func runQuery(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("query", stderr)
	graphPath := fs.String("graph", "", "graph `FILE` (required)")
	rf := addRequestFlags(fs)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *graphPath == "" {
		return fmt.Errorf("--graph is required")
	}
	req, err := rf.request()
	if err != nil {
		return err
	}
	eng, err := engine.Load(*graphPath)
	if err != nil {
		return err
	}
	a, err := eng.Answer(req)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}
