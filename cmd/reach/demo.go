package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/synth"
	"reach/server"
)

// runDemo generates the synthetic demo region, builds its graph and, with
// --serve, serves it: what `make run` does on a machine without real data.
func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stdout, stderr)
	dir := fs.String("dir", filepath.Join("bin", "demo"), "`DIR` to write the region's source files to")
	out := fs.String("out", filepath.Join("bin", "demo.graph"), "graph `FILE` to write")
	seed := fs.Int64("seed", synth.DefaultSeed, "random seed of the region (same seed, same files)")
	serve := fs.Bool("serve", false, "serve the graph once built")
	addr := fs.String("addr", "", "address to serve on (see reach serve)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	m, err := synth.Generate(*dir, synth.Options{Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo: generated the synthetic region %q in %s\n", m.Name, *dir)
	man, err := ingest.ReadManifest(filepath.Join(*dir, synth.ManifestFile))
	if err != nil {
		return err
	}
	src, err := man.Sources()
	if err != nil {
		return err
	}
	date, _ := time.Parse("2006-01-02", man.Date)
	p := newProgress(os.Stderr)
	g, err := ingest.Build(src, ingest.Options{Date: date, Logf: p.logf})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := graph.Write(*out, g); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo: wrote %s (service date %s)\n", *out, g.Meta.Date)
	if !*serve {
		return nil
	}
	serveArgs := []string{"--graph", *out}
	if *addr != "" {
		serveArgs = append(serveArgs, "--addr", *addr)
	}
	// The page opens on the town centre.
	centre := server.Place{Lat: synth.CentreLat, Lon: synth.CentreLon, Name: "Sancerval, centre-ville"}
	return runServeFrom(serveArgs, stdout, stderr, &centre)
}
