package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"reach/engine"
)

// runQuery prints the /v1/reachable answer for one origin.
func runQuery(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("query", stdout, stderr)
	graphPath := fs.String("graph", "", "graph `FILE` (required)")
	address := fs.String("address", "", "origin found by the address search (as /v1/geocode: the best result) instead of --lat and --lon")
	pf := addParamFlags(fs, engine.ReachableParams())
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *graphPath == "" {
		return fmt.Errorf("--graph is required")
	}
	v := pf.values()
	var eng *engine.Engine
	if *address != "" {
		if v.Has("lat") || v.Has("lon") {
			return fmt.Errorf("--address replaces --lat and --lon: give one or the other")
		}
		greq, err := engine.ParseGeocode(url.Values{"q": {*address}, "limit": {"1"}})
		if err != nil {
			return fmt.Errorf("--address: %s", strings.TrimPrefix(err.Error(), "q: "))
		}
		if eng, err = engine.Load(*graphPath); err != nil {
			return err
		}
		lat, lon, err := resolveAddress(eng, greq, stderr)
		if err != nil {
			return err
		}
		v.Set("lat", strconv.FormatFloat(lat, 'f', -1, 64))
		v.Set("lon", strconv.FormatFloat(lon, 'f', -1, 64))
	}
	req, err := engine.ParseReachable(v, engine.Limits{})
	if err != nil {
		return flagError(err)
	}
	if eng == nil {
		if eng, err = engine.Load(*graphPath); err != nil {
			return err
		}
	}
	a, err := eng.Answer(context.Background(), req)
	if err != nil {
		return flagError(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// resolveAddress returns the point of the best result of an address
// search, saying on stderr which place it is; nothing found is an error.
func resolveAddress(eng *engine.Engine, req engine.GeocodeRequest, stderr io.Writer) (lat, lon float64, err error) {
	doc := eng.Geocode(req)
	if len(doc.Features) == 0 {
		return 0, 0, fmt.Errorf("--address %q: no address, street, school or stop of this graph matches", req.Text)
	}
	f := doc.Features[0]
	p := f.Properties
	lon, lat = f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
	fmt.Fprintf(stderr, "address: %q is %s (%s %s, score %.2f) at %v, %v\n", req.Text, p.Label, p.Type, p.ID, p.Score, lat, lon)
	return lat, lon, nil
}
