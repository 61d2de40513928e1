package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest"
	"reach/ingest/synth"
)

// TestMain lets the attack mode run the test binary as its server
// process.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := serveChild(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

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

// TestAttack is a short adversarial comparison on the synthetic region:
// both runs serve normal users without failure, the attacker's requests
// of every kind are sent and none gets a server error, and the server's
// memory is measured in both.
func TestAttack(t *testing.T) {
	dir := t.TempDir()
	c := AttackConfig{Graph: filepath.Join(dir, "a.graph"), Duration: 1500 * time.Millisecond, Rounds: 1, Workers: 4, Seed: 1,
		Rate: 20, Hold: 300 * time.Millisecond, Kinds: attackKinds}
	writeSynth(t, c.Graph, 0)
	rep, err := RunAttack(c)
	if err != nil {
		t.Fatal(err)
	}
	quiet, attack := rep.Rounds[0][0], rep.Rounds[0][1]
	for _, p := range []*Phase{quiet, attack} {
		if p.OK == 0 || p.Failed != 0 || p.P50 <= 0 || p.P95 < p.P50 || p.PeakRSS == 0 || p.LoadedRSS == 0 {
			t.Errorf("attack %v: %+v", p.Attack, p)
		}
	}
	if quiet.AttackSent != 0 || attack.AttackSent < 10 || attack.AttackErrors != 0 {
		t.Errorf("attacker: quiet %d sent, attack %d sent, %d transport errors", quiet.AttackSent, attack.AttackSent, attack.AttackErrors)
	}
	for code, n := range attack.AttackStatus {
		if code >= 500 && code != 503 {
			t.Errorf("%d attack requests answered %d", n, code)
		}
	}
	if rep.QuietP95 != quiet.P95 || rep.AttackRSS != attack.PeakRSS || rep.P95Ratio <= 0 || rep.RSSRatio <= 0 {
		t.Errorf("medians of one round: %+v", rep)
	}
	if _, err := RunAttack(AttackConfig{Graph: c.Graph, Kinds: []string{"flood"}}); err == nil {
		t.Error("an unknown attack kind is accepted")
	}
}
