package engine

import (
	"sync"
	"testing"

	"reach/graph"
	"reach/internal/testregion"
)

var (
	enginesMu sync.Mutex
	engines   = map[*graph.Graph]*Engine{}
)

// engineOf returns the engine of a shared test graph, built once.
func engineOf(tb testing.TB, g *graph.Graph) *Engine {
	tb.Helper()
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines[g]; ok {
		return e
	}
	e, err := New(g)
	if err != nil {
		tb.Fatal(err)
	}
	engines[g] = e
	return e
}

// synthEngine is the engine of the synthetic region, always available.
func synthEngine(tb testing.TB) *Engine { return engineOf(tb, testregion.Synth(tb)) }

// region is a test region and the deadline its timetable suits.
type region struct {
	name     string
	eng      *Engine
	arriveBy int32
}

// realRegions returns Rennes and RNV; the test skips without the real data.
func realRegions(tb testing.TB) []region {
	tb.Helper()
	return []region{
		{"rennes", engineOf(tb, testregion.Rennes(tb)), 8*3600 + 30*60},
		{"rnv", engineOf(tb, testregion.RNV(tb)), 8 * 3600},
	}
}

// addresses returns n points on the streets of e's graph, as addresses are.
func addresses(e *Engine, n int, seed int64) [][2]float64 {
	return testregion.Addresses(e.Graph(), n, seed)
}
