// Command reach builds multimodal reachability graphs from GTFS timetables,
// OpenStreetMap streets and school lists, and answers "which trainings can
// this pupil reach, and how long is the trip?".
//
// Usage:
//
//	reach <command> [flags]
//
// Run "reach help" for the list of commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand of the CLI.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"build":      {"build a graph file from GTFS feeds (and streets, schools)", runBuild},
		"inspect":    {"print what a graph file holds (--json for JSON)", runInspect},
		"stops":      {"earliest arrival at every stop from one stop (CSV), for checking", runStops},
		"serve":      {"serve a graph over HTTP", runServe},
		"query":      {"reachable trainings from one place (the JSON of /v1/reachable)", runQuery},
		"precompute": {"precompute the index cell → (school, band, modality), or a shard of it", runPrecompute},
		"merge":      {"merge index shards into one index", runMerge},
		"lookup":     {"schools reachable from an address, from a precomputed index", runLookup},
		"batch":      {"reachability for many origins (CSV/Parquet), accessibility maps", runBatch},
		"demo":       {"generate, build (and --serve) the synthetic demo region", runDemo},
		"fetch":      {"download the GTFS feeds and OSM extracts of a sources list", runFetch},
	}
}

// errUsage marks an error already explained by a flag set's usage output.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "reach: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(args[1:], stdout, stderr); err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
			return 2
		}
		fmt.Fprintf(stderr, "reach %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: reach <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"reach <command> -h\" for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("reach "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses stray positional arguments beyond max.
func parseFlags(fs *flag.FlagSet, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > maxArgs {
		return fmt.Errorf("unexpected argument %q (flags go before arguments?)", fs.Arg(maxArgs))
	}
	return nil
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint([]string(*m)) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
