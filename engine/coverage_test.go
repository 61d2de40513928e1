package engine

import (
	"testing"

	"reach/graph"
)

// TestStreetLink: a street node is on the network, a point 2 km beyond
// the link limit is not, and a graph without streets links nothing.
func TestStreetLink(t *testing.T) {
	e := synthEngine(t)
	s := &e.Graph().Streets
	m, ok := e.StreetLink(s.NodeLat[0], s.NodeLon[0])
	if !ok || m > 1 {
		t.Errorf("street node 0: linked %v by %.1f m, want linked by less than 1 m", ok, m)
	}
	minLat, _, _, maxLon, _ := s.Bounds()
	farLat := minLat - (e.Graph().Meta.LinkLimit+2000)/111000
	if m, ok := e.StreetLink(farLat, maxLon); ok {
		t.Errorf("a point %.0f m south of the streets is linked by %.0f m", (minLat-farLat)*111000, m)
	}
	bare, err := New(&graph.Graph{Timetable: e.Graph().Timetable})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := bare.StreetLink(s.NodeLat[0], s.NodeLon[0]); ok {
		t.Error("a graph without streets links a place")
	}
}
