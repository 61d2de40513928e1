package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stream is go test -json output for: a package that passes (with a test
// skipped for missing data and one for another reason), one that fails
// (a test and a subtest), one without test files, one that does not
// build, and a stray line that is not JSON.
const stream = `{"Action":"start","Package":"reach/a"}
{"Action":"run","Package":"reach/a","Test":"TestOK"}
{"Action":"output","Package":"reach/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"reach/a","Test":"TestOK","Output":"15:26:04 a log line of a passing test\n"}
{"Action":"output","Package":"reach/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"reach/a","Test":"TestOK","Elapsed":0}
{"Action":"run","Package":"reach/a","Test":"TestRennes"}
{"Action":"output","Package":"reach/a","Test":"TestRennes","Output":"    a_test.go:9: real data not found: ../shared/data is absent beside the project root (set REACH_DATA to override)\n"}
{"Action":"output","Package":"reach/a","Test":"TestRennes","Output":"--- SKIP: TestRennes (0.00s)\n"}
{"Action":"skip","Package":"reach/a","Test":"TestRennes","Elapsed":0}
{"Action":"run","Package":"reach/a","Test":"TestBrowser"}
{"Action":"output","Package":"reach/a","Test":"TestBrowser","Output":"    web_test.go:58: browser test skipped: Chromium is not installed\n"}
{"Action":"output","Package":"reach/a","Test":"TestBrowser","Output":"--- SKIP: TestBrowser (0.00s)\n"}
{"Action":"skip","Package":"reach/a","Test":"TestBrowser","Elapsed":0}
{"Action":"output","Package":"reach/a","Output":"PASS\n"}
{"Action":"output","Package":"reach/a","Output":"ok  \treach/a\t0.061s\n"}
{"Action":"pass","Package":"reach/a","Elapsed":0.062}
{"Action":"start","Package":"reach/b"}
{"Action":"run","Package":"reach/b","Test":"TestBad"}
{"Action":"output","Package":"reach/b","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Action":"run","Package":"reach/b","Test":"TestBad/case"}
{"Action":"output","Package":"reach/b","Test":"TestBad/case","Output":"=== RUN   TestBad/case\n"}
{"Action":"output","Package":"reach/b","Test":"TestBad/case","Output":"    b_test.go:12: got 4, want 5\n"}
{"Action":"output","Package":"reach/b","Test":"TestBad/case","Output":"--- FAIL: TestBad/case (0.00s)\n"}
{"Action":"fail","Package":"reach/b","Test":"TestBad/case","Elapsed":0}
{"Action":"output","Package":"reach/b","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"reach/b","Test":"TestBad","Elapsed":0}
{"Action":"run","Package":"reach/b","Test":"TestGood"}
{"Action":"output","Package":"reach/b","Test":"TestGood","Output":"a line of a passing test\n"}
{"Action":"pass","Package":"reach/b","Test":"TestGood","Elapsed":0}
{"Action":"output","Package":"reach/b","Output":"FAIL\n"}
{"Action":"output","Package":"reach/b","Output":"FAIL\treach/b\t0.010s\n"}
{"Action":"fail","Package":"reach/b","Elapsed":0.01}
{"Action":"start","Package":"reach/c"}
{"Action":"output","Package":"reach/c","Output":"?   \treach/c\t[no test files]\n"}
{"Action":"skip","Package":"reach/c","Elapsed":0}
{"ImportPath":"reach/d [reach/d.test]","Action":"build-output","Output":"# reach/d [reach/d.test]\n"}
{"ImportPath":"reach/d [reach/d.test]","Action":"build-output","Output":"d/d_test.go:3:1: syntax error\n"}
{"ImportPath":"reach/d [reach/d.test]","Action":"build-fail"}
{"Action":"start","Package":"reach/d"}
{"Action":"output","Package":"reach/d","Output":"FAIL\treach/d [build failed]\n"}
{"Action":"fail","Package":"reach/d","Elapsed":0,"FailedBuild":"reach/d [reach/d.test]"}
not JSON at all
`

func TestSummarise(t *testing.T) {
	var out bytes.Buffer
	s := summarise(strings.NewReader(stream), &out)
	got := out.String()
	for _, want := range []string{
		"ok  \treach/a\t0.061s\n",
		"--- FAIL: TestBad/case (0.00s)\n    b_test.go:12: got 4, want 5\n",
		"--- FAIL: TestBad (0.00s)\n",
		"FAIL\treach/b\t0.010s\n",
		"?   \treach/c\t[no test files]\n",
		"# reach/d [reach/d.test]\nd/d_test.go:3:1: syntax error\n",
		"FAIL\treach/d [build failed]\n",
		"not JSON at all\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"=== RUN", "a log line of a passing test", "a line of a passing test", "PASS\n", "--- SKIP"} {
		if strings.Contains(got, not) {
			t.Errorf("output shows %q:\n%s", not, got)
		}
	}
	if s.passed != 2 || s.failed != 2 || s.skipped != 2 || s.dataSkipped != 1 || len(s.otherSkips) != 1 || s.failedPkgs != 2 {
		t.Errorf("summary %+v", s)
	}
	out.Reset()
	s.report(&out)
	report := out.String()
	for _, want := range []string{
		"6 tests (subtests included): 2 passed, 2 failed, 2 skipped",
		"1 skipped for missing real data",
		"reach/a TestBrowser: browser test skipped: Chromium is not installed",
		"failed: reach/b TestBad/case",
		"failed: reach/b TestBad\n",
		"failed packages: 2",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// TestExitStatus runs the command on a tiny module whose test fails: the
// exit status is go test's, and the summary is printed.
func TestExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on a scratch module: skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found in PATH")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":       "module scratch\n\ngo 1.22\n",
		"x_test.go":    "package scratch\n\nimport \"testing\"\n\nfunc TestFails(t *testing.T) { t.Fatal(\"boom\") }\nfunc TestPasses(t *testing.T) {}\n",
		"ok/y_test.go": "package ok\n\nimport \"testing\"\n\nfunc TestPasses(t *testing.T) {}\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		pkg  string
		code int
		want string
	}{
		{"./...", 1, "3 tests (subtests included): 2 passed, 1 failed, 0 skipped"},
		{"./ok", 0, "1 tests (subtests included): 1 passed, 0 failed, 0 skipped"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(goCmd, []string{"-count=1", c.pkg}, dir, &stdout, &stderr)
		if code != c.code || !strings.Contains(stdout.String(), c.want) {
			t.Errorf("%s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", c.pkg, code, c.code, stdout.String(), stderr.String())
		}
	}
}
