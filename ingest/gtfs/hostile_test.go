package gtfs

import (
	"strings"
	"testing"

	"reach/graph"
)

// Tests of inputs built to exhaust memory or bloat the report: each one is
// generated at test time, scaled down by lowering the limits.

func TestDropDetailsCutEchoedIDs(t *testing.T) {
	longTrip := "T" + strings.Repeat("t", 300)
	hugeStop := strings.Repeat("s", 10<<20)
	files := with(baseFeed(), map[string]string{
		"trips.txt": "route_id,service_id,trip_id\nL1,WK,T1\nL1,WK," + longTrip + "\n",
		"stop_times.txt": baseFeed()["stop_times.txt"] +
			longTrip + ",10:00:00,10:00:00,A,1\n" +
			longTrip + ",10:05:00,10:05:00," + hugeStop + ",2\n" +
			longTrip + ",10:10:00,10:10:00,B,3\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "x", Path: writeDir(t, files)})
	rep := g.Meta.Feeds[0]
	d := findDrop(rep, "unknown_stop")
	if d == nil || d.Count != 1 || len(d.Examples) != 1 {
		t.Fatalf("unknown_stop drop: %+v", rep.Drops)
	}
	ex := d.Examples[0]
	// Both ids are echoed, each cut short, so that the example shows them.
	if len(ex) > graph.MaxExampleBytes || !strings.HasPrefix(ex, "stop_times.txt:13: trip \"Ttt") ||
		!strings.Contains(ex, "stop_id \"sss") {
		t.Errorf("example of %d bytes: %q", len(ex), graph.Clip(ex, 400))
	}
	total := 0
	for _, d := range rep.Drops {
		for _, ex := range d.Examples {
			total += len(ex)
		}
	}
	if total > 4*graph.MaxExampleBytes {
		t.Errorf("report examples hold %d bytes", total)
	}
}
