package main

import (
	"path/filepath"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/synth"
)

func writeSynth(t *testing.T, path string, seed int64) {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: seed}); err != nil {
		t.Fatal(err)
	}
	m, err := ingest.ReadManifest(filepath.Join(dir, synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	src, err := m.Sources()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse("2006-01-02", m.Date)
	g, err := ingest.Build(src, ingest.Options{Date: d})
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.Write(path, g); err != nil {
		t.Fatal(err)
	}
}

// TestRun is a short load test on the synthetic region: reloads of good
// and corrupt files under load fail no request.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	c := Config{GraphA: filepath.Join(dir, "a.graph"), GraphB: filepath.Join(dir, "b.graph"),
		Duration: 2 * time.Second, Workers: 4, ReloadEvery: 200 * time.Millisecond, CorruptEvery: 2, Seed: 1}
	writeSynth(t, c.GraphA, 0)
	writeSynth(t, c.GraphB, 7)
	res, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK == 0 || res.Failed != 0 || res.ReloadErrors != 0 || res.Reloads < 2 || res.Refused < 2 ||
		res.P50 <= 0 || res.P50 > res.P95 || res.P95 > res.P99 || res.P99 > res.Max {
		t.Errorf("result %+v", res)
	}
	// Every worker over a one-slot server without a queue: some requests
	// are shed, none fails.
	c.Workers, c.MaxInflight, c.MaxQueue, c.Duration, c.ReloadEvery = 8, 1, -1, time.Second, 0
	res, err = Run(c)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK == 0 || res.Shed == 0 || res.Failed != 0 {
		t.Errorf("overloaded: %+v", res)
	}
}
