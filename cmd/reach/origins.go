package main

import (
	"errors"
	"fmt"
	"os"

	"reach/batch"
	"reach/graph"
)

// originFlags are the flags choosing the origins of many-origin commands
// (reach batch, reach diff): a CSV of points, the H3 cells of an area, or
// the graph's schools of a kind.
type originFlags struct {
	path        *string
	cells       *int
	bbox        *string
	fromSchools *string
	box         *batch.BBox
}

// addOriginFlags registers the origin flags; schoolsDefault documents the
// kind used when no origin flag is given ("" when one is required).
func addOriginFlags(fs *flagSet, schoolsDefault string) *originFlags {
	doc := "use the graph's schools of a `KIND` as origins: college, vocational, offers, all"
	if schoolsDefault != "" {
		doc += " (default: " + schoolsDefault + ", when no other origins are given)"
	}
	return &originFlags{
		path:        fs.String("origins", "", "origins CSV `FILE` with columns id,lat,lon (and optionally name,commune)"),
		cells:       fs.Int("cells", -1, "use every H3 cell of resolution `RES` as an origin (of --bbox, or of the graph's area)"),
		bbox:        fs.String("bbox", "", "with --cells: the area `minLon,minLat,maxLon,maxLat`"),
		fromSchools: fs.String("origins-from-schools", "", doc),
	}
}

// check validates the flags before anything is loaded; with schoolsDefault
// set, no origin flag means those schools.
func (o *originFlags) check(schoolsDefault string) error {
	n := 0
	for _, set := range []bool{*o.path != "", *o.cells >= 0, *o.fromSchools != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return errors.New("give at most one of --origins, --cells, --origins-from-schools")
	case n == 0 && schoolsDefault == "":
		return errors.New("give one of --origins, --cells, --origins-from-schools")
	case n == 0:
		*o.fromSchools = schoolsDefault
	}
	if *o.bbox != "" {
		if *o.cells < 0 {
			return errors.New("--bbox goes with --cells")
		}
		b, err := batch.ParseBBox(*o.bbox)
		if err != nil {
			return fmt.Errorf("--%w", err)
		}
		o.box = &b
	}
	return nil
}

// load returns the origins of a graph, and a phrase saying what they are.
func (o *originFlags) load(g *graph.Graph) ([]batch.Origin, string, error) {
	switch {
	case *o.path != "":
		f, err := os.Open(*o.path)
		if err != nil {
			return nil, "", fmt.Errorf("--origins: %w", err)
		}
		defer f.Close()
		origins, err := batch.ReadOrigins(f, *o.path)
		return origins, "origins of " + *o.path, err
	case *o.cells >= 0:
		origins, err := batch.CellOrigins(g, *o.cells, o.box)
		if err != nil {
			return nil, "", fmt.Errorf("--cells: %w", err)
		}
		return origins, fmt.Sprintf("H3 cells of resolution %d", *o.cells), nil
	}
	origins, err := batch.SchoolOrigins(g, *o.fromSchools)
	if err != nil {
		return nil, "", fmt.Errorf("--origins-from-schools: %w (give --origins or --cells)", err)
	}
	what := "schools of kind " + *o.fromSchools
	if *o.fromSchools == "college" {
		what = "collèges"
	}
	return origins, what, nil
}
