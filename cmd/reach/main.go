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
	"strings"
)

// command is one subcommand of the CLI.
type command struct {
	summary string // one line: what it does
	args    string // what follows the flags in the usage line ("" for none)
	example string // a complete command line
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"build": {"build a graph file from GTFS feeds (and streets, schools, offers)", "",
			"reach build --manifest regions/rennes.json --out rennes.graph", runBuild},
		"inspect": {"print what a graph file holds (--json for JSON)", "FILE",
			"reach inspect --json rennes.graph", runInspect},
		"stops": {"earliest arrival at every stop from one stop (CSV), for checking", "",
			"reach stops --graph rennes.graph --from star:1001 --depart 07:30:00", runStops},
		"serve": {"serve a graph over HTTP (JSON API, web page, metrics)", "",
			"reach serve --graph rennes.graph --addr 127.0.0.1:8080", runServe},
		"query": {"reachable trainings from one place (the JSON of /v1/reachable)", "",
			"reach query --graph rennes.graph --lat 48.1106 --lon -1.6779 --arrive-by 08:30", runQuery},
		"precompute": {"precompute the index cell → (school, band, modality), or a shard of it", "",
			"reach precompute --graph rennes.graph --out rennes.index --shard 0/4", runPrecompute},
		"merge": {"merge index shards into one index", "SHARD...",
			"reach merge --out rennes.index part-0.index part-1.index part-2.index part-3.index", runMerge},
		"lookup": {"schools reachable from an address, from a precomputed index", "",
			"reach lookup --index rennes.index --lat 48.1106 --lon -1.6779", runLookup},
		"batch": {"reachability for many origins (CSV/Parquet), accessibility maps", "",
			"reach batch --graph rennes.graph --origins-from-schools college --out colleges.csv", runBatch},
		"diff": {"compare what the same origins reach in two graphs; exit 3 past a --fail-if-loss gate", "",
			"reach diff --old served.graph --new rebuilt.graph --out diff.csv --map diff.png --fail-if-loss 5", runDiff},
		"demo": {"generate, build (and --serve) the synthetic demo region", "",
			"reach demo --serve --addr 127.0.0.1:8080", runDemo},
		"fetch": {"download the GTFS feeds and OSM extracts of a sources list", "",
			"reach fetch --sources sources.csv --dir data/", runFetch},
	}
}

// errUsage marks an error already explained by a flag set's usage output.
var errUsage = errors.New("usage")

// exitError is an error that ends the command with its own exit status
// instead of 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errHelp marks a request for help, answered: the command exits 0.
var errHelp = errors.New("help")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 2 && args[0] == "help" {
			if _, ok := cmds[args[1]]; ok {
				return run([]string{args[1], "-h"}, stdout, stderr)
			}
		}
		if len(args) == 0 {
			usage(stderr, cmds)
			return 2
		}
		usage(stdout, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "reach: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(args[1:], stdout, stderr); err != nil {
		var ee *exitError
		switch {
		case errors.Is(err, errHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.As(err, &ee):
			fmt.Fprintf(stderr, "reach %s: %v\n", args[0], err)
			return ee.code
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
	fmt.Fprintln(w, "\nRun \"reach <command> -h\" for a command's flags and an example.")
}

// flagSet is a command's flags and where its help goes.
type flagSet struct {
	*flag.FlagSet
	stdout io.Writer
}

// newFlags returns the flag set of a command: it reports errors on stderr
// instead of exiting, and its help (-h, --help) tells the command's
// purpose, its flags and an example, on stdout.
func newFlags(name string, stdout, stderr io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("reach "+name, flag.ContinueOnError), stdout: stdout}
	fs.SetOutput(stderr)
	c := commands()[name]
	fs.Usage = func() {
		w := fs.Output()
		line := "usage: reach " + name + " [flags]"
		if c.args != "" {
			line += " " + c.args
		}
		fmt.Fprintf(w, "%s\n\n%s.\n\nflags:\n", line, upperFirst(c.summary))
		fs.PrintDefaults()
		if c.example != "" {
			fmt.Fprintf(w, "\nexample:\n  %s\n", c.example)
		}
	}
	return fs
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parseFlags parses args and refuses stray positional arguments beyond
// max. Help goes to stdout (the flag set's output is switched for it) and
// ends the command with status 0.
func parseFlags(fs *flagSet, args []string, maxArgs int) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			fs.SetOutput(fs.stdout)
			fs.Usage()
			return errHelp
		}
	}
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
