package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"reach/engine"
)

// runQuery prints the /v1/reachable answer for one origin.
func runQuery(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("query", stdout, stderr)
	graphPath := fs.String("graph", "", "graph `FILE` (required)")
	pf := addParamFlags(fs, engine.ReachableParams())
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *graphPath == "" {
		return fmt.Errorf("--graph is required")
	}
	req, err := engine.ParseReachable(pf.values(), engine.Limits{})
	if err != nil {
		return flagError(err)
	}
	eng, err := engine.Load(*graphPath)
	if err != nil {
		return err
	}
	a, err := eng.Answer(context.Background(), req)
	if err != nil {
		return flagError(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}
