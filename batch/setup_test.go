package batch

import (
	"sync"
	"testing"

	"reach/engine"
	"reach/graph"
	"reach/internal/testregion"
)

var (
	enginesMu sync.Mutex
	engines   = map[*graph.Graph]*engine.Engine{}
)

// engineOf returns the engine of a shared test graph, built once.
func engineOf(tb testing.TB, g *graph.Graph) *engine.Engine {
	tb.Helper()
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines[g]; ok {
		return e
	}
	e, err := engine.New(g)
	if err != nil {
		tb.Fatal(err)
	}
	engines[g] = e
	return e
}

// synthEngine returns the engine of the synthetic region (always available).
func synthEngine(tb testing.TB) *engine.Engine { return engineOf(tb, testregion.Synth(tb)) }

// rennesEngine returns Rennes (STAR May 2012, city streets, the school
// directory of Ille-et-Vilaine and the Affelnet offers); it skips without
// the real data.
func rennesEngine(tb testing.TB) *engine.Engine { return engineOf(tb, testregion.Rennes(tb)) }
