// Command testsummary runs go test and says, at the end, how many tests
// ran, passed, failed and were skipped, and why they were skipped: tests
// that need the real data of ../shared/data skip when it is absent, and a
// plain "ok" per package hides that. It is what make test runs.
//
// Usage:
//
//	go run ./internal/testsummary [go test flags] [packages]
//
// It runs "go test -json" with the arguments ($GO names the go command;
// "go" by default) and prints what go test prints without -json: one line
// per package, and the output of the tests that failed. Then the summary.
// It exits with go test's exit status.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

func main() {
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	os.Exit(run(goCmd, os.Args[1:], "", os.Stdout, os.Stderr))
}

// run runs goCmd test -json args in dir, prints its packages' lines, the
// failures and the summary to stdout, and returns go test's exit status.
func run(goCmd string, args []string, dir string, stdout, stderr io.Writer) int {
	cmd := exec.Command(goCmd, append([]string{"test", "-json"}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(stderr, "testsummary: %v\n", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "testsummary: %v\n", err)
		return 1
	}
	s := summarise(pipe, stdout)
	err = cmd.Wait()
	s.report(stdout)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		return ee.ExitCode()
	}
	fmt.Fprintf(stderr, "testsummary: %s test: %v\n", goCmd, err)
	return 1
}

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // of build-output events
}

// skip is a test skipped for a reason other than missing data.
type skip struct {
	pkg, test, reason string
}

// summary counts the tests (subtests included) by outcome.
type summary struct {
	passed, failed, skipped int
	dataSkipped             int            // skipped because the real data is absent
	dataPkgs                map[string]int // tests skipped for missing data, per package
	otherSkips              []skip
	failedTests             []string // "package test"
	failedPkgs              int
}

// missingData is what the tests that need ../shared/data say when they
// skip without it (see internal/realdata).
const missingData = "real data not found"

// summarise reads go test -json output from r and writes to w what go test
// prints without -json: per package, the output of its failed tests and,
// when it failed, its own output, then its "ok", "FAIL" or "?" line. Lines
// that are not JSON are copied as they are.
func summarise(r io.Reader, w io.Writer) *summary {
	s := &summary{dataPkgs: map[string]int{}}
	type key struct{ pkg, test string }
	testOut := map[key][]string{}
	pkgOut := map[string][]string{}
	failOut := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		k := key{e.Package, e.Test}
		switch {
		case e.Action == "build-output":
			io.WriteString(w, e.Output)
		case e.Action == "output" && e.Test != "":
			testOut[k] = append(testOut[k], e.Output)
		case e.Action == "output":
			pkgOut[e.Package] = append(pkgOut[e.Package], e.Output)
		case e.Test != "" && e.Action == "pass":
			s.passed++
			delete(testOut, k)
		case e.Test != "" && e.Action == "fail":
			s.failed++
			s.failedTests = append(s.failedTests, e.Package+" "+e.Test)
			// Its "--- FAIL" line first, then what it logged, as go test
			// prints it without -json.
			var head, body []string
			for _, l := range testOut[k] {
				switch {
				case strings.HasPrefix(strings.TrimSpace(l), "--- FAIL: "+e.Test+" "):
					head = append(head, l)
				case !strings.HasPrefix(l, "=== "):
					body = append(body, l)
				}
			}
			failOut[e.Package] = append(append(failOut[e.Package], head...), body...)
			delete(testOut, k)
		case e.Test != "" && e.Action == "skip":
			s.skipped++
			reason := ""
			for _, l := range testOut[k] {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") {
					reason = l
					if _, after, ok := strings.Cut(l, ": "); ok && strings.Contains(l[:len(l)-len(after)], ".go:") {
						reason = after // drop "file_test.go:12: "
					}
				}
			}
			if strings.Contains(reason, missingData) {
				s.dataSkipped++
				s.dataPkgs[e.Package]++
			} else {
				s.otherSkips = append(s.otherSkips, skip{e.Package, e.Test, reason})
			}
			delete(testOut, k)
		case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
			failed := e.Action == "fail"
			if failed {
				s.failedPkgs++
				for _, l := range failOut[e.Package] {
					io.WriteString(w, l)
				}
				// Tests that never ended (a panic, a timeout) tell why.
				var open []key
				for k := range testOut {
					if k.pkg == e.Package {
						open = append(open, k)
					}
				}
				sort.Slice(open, func(i, j int) bool { return open[i].test < open[j].test })
				for _, k := range open {
					for _, l := range testOut[k] {
						io.WriteString(w, l)
					}
				}
			}
			for _, l := range pkgOut[e.Package] {
				if failed && l != "PASS\n" || strings.HasPrefix(l, "ok  ") || strings.HasPrefix(l, "?   ") {
					io.WriteString(w, l)
				}
			}
			for k := range testOut {
				if k.pkg == e.Package {
					delete(testOut, k)
				}
			}
			delete(pkgOut, e.Package)
			delete(failOut, e.Package)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(w, "testsummary: reading go test output: %v\n", err)
	}
	return s
}

// report writes the summary.
func (s *summary) report(w io.Writer) {
	fmt.Fprintf(w, "\n%d tests (subtests included): %d passed, %d failed, %d skipped\n",
		s.passed+s.failed+s.skipped, s.passed, s.failed, s.skipped)
	if s.dataSkipped > 0 {
		pkgs := make([]string, 0, len(s.dataPkgs))
		for p, n := range s.dataPkgs {
			pkgs = append(pkgs, fmt.Sprintf("%s %d", p, n))
		}
		sort.Strings(pkgs)
		fmt.Fprintf(w, "  %d skipped for missing real data (../shared/data beside the repository, or REACH_DATA): %s\n",
			s.dataSkipped, strings.Join(pkgs, ", "))
	}
	for _, k := range s.otherSkips {
		fmt.Fprintf(w, "  skipped %s %s: %s\n", k.pkg, k.test, k.reason)
	}
	for _, f := range s.failedTests {
		fmt.Fprintf(w, "  failed: %s\n", f)
	}
	if s.failedPkgs > 0 {
		fmt.Fprintf(w, "failed packages: %d\n", s.failedPkgs)
	}
}
