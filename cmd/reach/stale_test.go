//go:build unix

package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"reach/graph"
	"reach/ingest/synth"
)

// staleWriterEnv makes the test binary a writer of a large graph or index
// ("graph PATH", "index PATH"), for tests to kill in the middle of writing.
const staleWriterEnv = "REACH_TEST_BIG_WRITER"

// bigWrite writes a large graph or index, as spec says, and returns the
// exit status: what the test binary does under staleWriterEnv.
func bigWrite(spec string) int {
	kind, path, ok := strings.Cut(spec, " ")
	if !ok {
		fmt.Fprintf(os.Stderr, "%s=%q: want \"graph PATH\" or \"index PATH\"\n", staleWriterEnv, spec)
		return 2
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 8 << 20 // random values: the encoding takes a while, compressed or not
	var err error
	switch kind {
	case "graph":
		g := &graph.Graph{Meta: graph.Meta{Date: "2026-03-10"}}
		g.Timetable.Arrivals = make([]int32, n)
		for i := range g.Timetable.Arrivals {
			g.Timetable.Arrivals[i] = rng.Int32()
		}
		err = graph.Write(path, g)
	case "index":
		const perCell = 4
		ix := &graph.Index{Cutoffs: []int{15, 30, 45}, Resolution: 9, Shards: 1, UAI: []string{"0350001A", "0350002B"},
			Cell: make([]uint64, n/perCell), Start: make([]int32, n/perCell+1),
			School: make([]int32, n), Band: make([]uint8, n), Modality: make([]uint8, n)}
		for c := range ix.Cell {
			ix.Cell[c] = uint64(c)*7 + uint64(rng.IntN(7))
			ix.Start[c+1] = int32((c + 1) * perCell)
		}
		for i := range n {
			ix.School[i], ix.Band[i], ix.Modality[i] = int32(rng.IntN(2)), uint8(rng.IntN(3)), uint8(1+rng.IntN(3))
		}
		err = graph.WriteIndex(path, ix)
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// stopMidWrite starts the test binary as a writer of a large file of kind
// at path and stops it (SIGSTOP) as soon as its temporary file holds
// data: the writer is alive, in the middle of its write, and holds the
// file's lock. It returns the temporary file and a function that kills the
// writer (SIGKILL) and waits for its end.
func stopMidWrite(t *testing.T, kind, path string) (tmp string, kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), staleWriterEnv+"="+kind+" "+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	kill = func() {
		cmd.Process.Kill()
		<-exited
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	pattern := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("the writer ended (%v) before it could be stopped: %s", err, out.Bytes())
		default:
		}
		// Data in the file: the writer is past its lock, taken between
		// the file's creation and its first byte.
		if m, _ := filepath.Glob(pattern); len(m) == 1 && fileSize(m[0]) > 0 {
			if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(m[0]); err != nil {
				t.Fatalf("the writer finished before it could be stopped: %v", err)
			}
			return m[0], kill
		}
		if time.Now().After(deadline) {
			t.Fatalf("no temporary file %s after 30 s: %s", pattern, out.Bytes())
		}
		time.Sleep(time.Millisecond)
	}
}

// fileSize returns the size of the file at p, 0 when it cannot be known.
func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// waitStale waits until the file at p is old enough for a later writer to
// consider it (graph's staleAge, 2 s): a younger one may belong to a live
// writer that has not locked it yet.
func waitStale(t *testing.T, p string) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatalf("the killed writer's temporary file is gone: %v", err)
	}
	time.Sleep(time.Until(st.ModTime().Add(2*time.Second + 100*time.Millisecond)))
}

// TestKilledBuildLeavesNoStaleFile stops a writer of a large graph in the
// middle of graph.Write: a build into the same folder leaves the live
// writer's temporary file alone. Once the writer is killed (kill -9), its
// temporary file stays, and the next build removes it and writes a good
// graph.
func TestKilledBuildLeavesNoStaleFile(t *testing.T) {
	t.Parallel()
	manifest := filepath.Join(synthRegion(t), synth.ManifestFile)
	dir := t.TempDir()
	out := filepath.Join(dir, "region.graph")
	tmp, kill := stopMidWrite(t, "graph", out)
	waitStale(t, tmp)
	build := func(what string) {
		t.Helper()
		if code, _, stderr := reach("build", "--manifest", manifest, "--out", out, "--accept-shrink"); code != 0 {
			t.Fatalf("%s: exit %d: %s", what, code, stderr)
		}
		if g, err := graph.Read(out); err != nil || g.Timetable.NumTrips() == 0 {
			t.Errorf("graph written by the %s: %v", what, err)
		}
	}
	build("build beside a live writer")
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the live writer's temporary file was removed: %v", err)
	}
	kill()
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the killed writer's temporary file is gone: %v", err)
	}
	build("build after the writer was killed")
	if _, err := os.Stat(tmp); err == nil {
		t.Errorf("stale temporary file %s left by the build", tmp)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files in the folder: %v", entries)
	}
}

// TestKilledIndexWriterLeavesNoStaleFile does the same for an index: a
// writer stopped, then killed, in graph.WriteIndex, and reach precompute
// into the same folder.
func TestKilledIndexWriterLeavesNoStaleFile(t *testing.T) {
	t.Parallel()
	manifest := filepath.Join(synthRegion(t), synth.ManifestFile)
	g := filepath.Join(t.TempDir(), "region.graph")
	if code, _, stderr := reach("build", "--manifest", manifest, "--out", g); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "region.index")
	tmp, kill := stopMidWrite(t, "index", out)
	waitStale(t, tmp)
	precompute := func(what string) {
		t.Helper()
		if code, _, stderr := reach("precompute", "--graph", g, "--out", out, "--res", "9", "--max-minutes", "30"); code != 0 {
			t.Fatalf("%s: exit %d: %s", what, code, stderr)
		}
		if ix, err := graph.ReadIndex(out); err != nil || len(ix.Cell) == 0 {
			t.Errorf("index written by the %s: %v", what, err)
		}
	}
	precompute("precompute beside a live writer")
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the live writer's temporary file was removed: %v", err)
	}
	kill()
	precompute("precompute after the writer was killed")
	if _, err := os.Stat(tmp); err == nil {
		t.Errorf("stale temporary file %s left by precompute", tmp)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files in the folder: %v", entries)
	}
}
