package street

import (
	"math"
	"testing"

	"reach/graph"
)

func TestStationKey(t *testing.T) {
	for _, c := range [][2]string{
		{"Gare de Rennes", "gare de rennes"},
		{"GARE DE RENNES", "gare de rennes"},
		{"  Gare   de Rennes ", "gare de rennes"},
		{"Saint-Étienne Châteaucreux", "saint etienne chateaucreux"},
		{"St. Jacques / Gaîté", "st jacques gaite"},
		{"Neckarau Bahnhof", "neckarau bahnhof"},
		{"Mannheim, Hauptbahnhof", "mannheim hauptbahnhof"},
		{"Große Straße", "grosse strasse"},
		{"Cœur de ville", "coeur de ville"},
		{"Ligne 12", "ligne 12"},
		{"", ""},
		{"--", ""},
	} {
		if got := StationKey(c[0]); got != c[1] {
			t.Errorf("StationKey(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

// north returns the latitude m metres north of lat.
func north(lat, m float64) float64 { return lat + m/(graph.EarthRadius*math.Pi/180) }

func TestAddStationTransfers(t *testing.T) {
	const lat0, lon0 = 47.0, 2.0
	type stop struct {
		name   string
		parent int32
		metres float64 // north of (lat0, lon0)
	}
	stops := []stop{
		0: {"Gare de Sancerval", 5, 0},
		1: {"GARE DE SANCERVAL", -1, 200},   // same name, another feed: 200 m
		2: {"Marché", -1, 125},              // another name, within 150 m of 0 and 1
		3: {"Gare-Nord", -1, 250},           // another name, 250 m: not joined to 0
		4: {"Quai 2", 5, 280},               // same parent station as 0
		5: {"Sancerval", -1, 20},            // the station: parent of 0 and 4
		6: {"Gare de Sancerval", -1, 320},   // same name, too far from 0 (not from 1)
		7: {"Gare de Sancerval", -1, 0.001}, // at the same place as 0: a street footpath exists
	}
	n := len(stops)
	names, parents := make([]string, n), make([]graph.StopIdx, n)
	lats, lons := make([]float64, n), make([]float64, n)
	for i, s := range stops {
		names[i], parents[i], lats[i], lons[i] = s.name, graph.StopIdx(s.parent), north(lat0, s.metres), lon0
	}
	// Street footpaths: 0 ↔ 7 and 1 → 2 (not 2 → 1).
	f := graph.Footpaths{Start: make([]int32, n+1)}
	paths := map[int32][][2]float64{0: {{7, 10}}, 1: {{2, 700}}, 7: {{0, 10}}}
	for i := range int32(n) {
		for _, p := range paths[i] {
			f.To = append(f.To, graph.StopIdx(p[0]))
			f.Dist = append(f.Dist, float32(p[1]))
		}
		f.Start[i+1] = int32(len(f.To))
	}
	got, added, err := AddStationTransfers(f, names, parents, lats, lons, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(n); err != nil {
		t.Fatal(err)
	}
	// Pairs to join (both ways, less the street footpaths): same name
	// within 300 m, same parent or parent within 300 m, any within 150 m.
	want := map[[2]int32]bool{}
	for _, p := range [][2]int32{
		{0, 1}, {0, 2}, {0, 4}, {0, 5},
		{1, 2}, {1, 3}, {1, 4}, {1, 6}, {1, 7},
		{2, 3}, {2, 5}, {2, 7},
		{3, 4}, {3, 6},
		{4, 5}, {4, 6},
		{5, 7},
	} {
		want[p] = true
	}
	streetPairs := map[[2]int32]float32{{0, 7}: 10, {7, 0}: 10, {1, 2}: 700}
	count := 0
	for i := range int32(n) {
		to, dist := got.From(i)
		seen := map[int32]bool{}
		for k, u := range to {
			j := int32(u)
			if k > 0 && (dist[k] < dist[k-1] || dist[k] == dist[k-1] && u < to[k-1]) {
				t.Errorf("footpaths of %d not sorted by distance then stop: %v %v", i, to, dist)
			}
			if seen[j] {
				t.Errorf("two footpaths %d → %d", i, j)
			}
			seen[j] = true
			p := [2]int32{i, j}
			if d, ok := streetPairs[p]; ok {
				if dist[k] != d {
					t.Errorf("street footpath %d → %d changed: %v", i, j, dist[k])
				}
				continue
			}
			a, b := min(i, j), max(i, j)
			if !want[[2]int32{a, b}] {
				t.Errorf("unexpected footpath %d (%s) → %d (%s)", i, names[i], j, names[j])
				continue
			}
			line := graph.Haversine(lats[i], lons[i], lats[j], lons[j])
			if math.Abs(float64(dist[k])-line*DetourFactor) > 0.01 {
				t.Errorf("%d → %d: %v m, want %v × %v", i, j, dist[k], line, DetourFactor)
			}
			count++
		}
		for p := range want {
			if p[0] == i && !seen[p[1]] && streetPairs[p] == 0 {
				t.Errorf("no footpath %d (%s) → %d (%s)", i, names[i], p[1], names[p[1]])
			}
			if p[1] == i && !seen[p[0]] {
				t.Errorf("no footpath %d (%s) → %d (%s)", i, names[i], p[0], names[p[0]])
			}
		}
	}
	if added != count {
		t.Errorf("%d footpaths added, %d counted", added, count)
	}
	// The transfer limit bounds them: 200 m × 1.3 = 260 m.
	_, added, err = AddStationTransfers(f, names, parents, lats, lons, 200)
	if err != nil {
		t.Fatal(err)
	}
	if n := countWithin(lats, lons, 200/DetourFactor) - 3; added != n {
		// every pair within 153.8 m, less the street footpaths
		t.Errorf("limit 200 m: %d added, want %d", added, n)
	}
	if _, _, err := AddStationTransfers(f, names[:3], parents, lats, lons, 1000); err == nil {
		t.Error("slices of different lengths accepted")
	}
}

// countWithin counts the ordered pairs of distinct points at most r metres
// apart.
func countWithin(lats, lons []float64, r float64) int {
	c := 0
	for i := range lats {
		for j := range lats {
			if i != j && graph.Haversine(lats[i], lons[i], lats[j], lons[j]) <= r {
				c++
			}
		}
	}
	return c
}
