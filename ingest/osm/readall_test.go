package osm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeGrid writes an OSM XML extract holding an n × n grid of
// residential streets 100 m apart, south-west corner at (lat, lon), node
// ids from idBase+1 and way ids from idBase+1.
func writeGrid(t *testing.T, path string, n int, lat, lon float64, idBase int64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n")
	node := func(i, j int) int64 { return idBase + 1 + int64(i*n+j) }
	for i := range n {
		for j := range n {
			fmt.Fprintf(&b, "  <node id=\"%d\" lat=\"%.6f\" lon=\"%.6f\"/>\n", node(i, j), lat+float64(i)*0.0009, lon+float64(j)*0.00135)
		}
	}
	way := idBase
	for k := range n {
		for _, vertical := range []bool{false, true} {
			way++
			fmt.Fprintf(&b, "  <way id=\"%d\">\n", way)
			for m := range n {
				id := node(k, m)
				if vertical {
					id = node(m, k)
				}
				fmt.Fprintf(&b, "    <nd ref=\"%d\"/>\n", id)
			}
			b.WriteString("    <tag k=\"highway\" v=\"residential\"/>\n  </way>\n")
		}
	}
	b.WriteString("</osm>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadAllMergesExtracts(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.osm"), filepath.Join(dir, "b.osm")
	writeGrid(t, a, 8, 48.0, -1.7, 0)        // 64 nodes, 16 ways
	writeGrid(t, b, 9, 45.7, 4.8, 1_000_000) // 81 nodes, 18 ways, another city
	sa, ra, err := Read(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sb, rb, err := Read(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, r, err := ReadAll([]string{a, b}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.NumNodes() != sa.NumNodes()+sb.NumNodes() || s.NumSegments() != sa.NumSegments()+sb.NumSegments() ||
		s.NumNodes() != 64+81 {
		t.Errorf("merged %d nodes and %d segments, want %d+%d and %d+%d",
			s.NumNodes(), s.NumSegments(), sa.NumNodes(), sb.NumNodes(), sa.NumSegments(), sb.NumSegments())
	}
	if r.NodesRead != ra.NodesRead+rb.NodesRead || r.WaysRead != 16+18 || r.WaysKept != 16+18 ||
		r.IslandsKept != 2 || r.IslandsDropped != 0 || r.DuplicateWays != 0 {
		t.Errorf("report %+v", r)
	}
	if r.Path != a+", "+b || r.Format != "xml" {
		t.Errorf("path %q format %q", r.Path, r.Format)
	}
	if r.MinLat != 45.7 || r.MinLon != -1.7 || r.MaxLat < 48.0 || r.MaxLon < 4.8 {
		t.Errorf("bounding box %v,%v %v,%v does not cover both extracts", r.MinLat, r.MinLon, r.MaxLat, r.MaxLon)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	// Every node of both extracts is there, at its place.
	ids := map[int64]bool{}
	for i, id := range s.NodeOSM {
		ids[id] = true
		if id > 1_000_000 && s.NodeLat[i] < 45 || id < 1_000_000 && s.NodeLat[i] < 47.9 {
			t.Fatalf("node %d at %v, %v", id, s.NodeLat[i], s.NodeLon[i])
		}
	}
	if !ids[1] || !ids[64] || !ids[1_000_001] || !ids[1_000_081] {
		t.Errorf("corner nodes missing from the merged network")
	}

	// The same extract twice: its ways are kept once.
	s2, r2, err := ReadAll([]string{a, a}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s2.NumNodes() != sa.NumNodes() || s2.NumSegments() != sa.NumSegments() || r2.DuplicateWays != 16 || r2.WaysKept != 16 {
		t.Errorf("overlapping extracts: %d nodes, %d segments, report %+v", s2.NumNodes(), s2.NumSegments(), r2)
	}

	// A small extract alone keeps its only component; beside a larger one
	// it is an island below the minimum size and is dropped.
	c := filepath.Join(dir, "c.osm")
	writeGrid(t, c, 3, 47.2, -1.55, 2_000_000) // 9 nodes
	if _, r3, err := ReadAll([]string{a, c}, Options{}); err != nil || r3.IslandsDropped != 1 || r3.Nodes != 64 {
		t.Errorf("small second extract: %v, %+v", err, r3)
	}
	if _, r3, err := ReadAll([]string{a, c}, Options{MinIslandNodes: -1}); err != nil || r3.Nodes != 64+9 {
		t.Errorf("small second extract kept: %v, %+v", err, r3)
	}
}

func TestReadAllErrors(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.osm")
	writeGrid(t, a, 3, 48, -1.7, 0)
	if _, _, err := ReadAll(nil, Options{}); err == nil {
		t.Error("no extract: no error")
	}
	for _, c := range []struct {
		paths []string
		want  string
	}{
		{[]string{a, filepath.Join(dir, "b.txt")}, "b.txt: unknown format"},
		{[]string{a, filepath.Join(dir, "missing.osm")}, "missing.osm"},
	} {
		if _, _, err := ReadAll(c.paths, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.paths, err, c.want)
		}
	}
}
