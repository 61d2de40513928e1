// Package deploy holds no Go code: its tests check the deployment files
// beside them (the Kubernetes manifests, the Dockerfile, rebuild.sh), so
// that a manifest that no longer parses, a volume mounted but not
// declared, a path the image does not have, or a rebuild that would
// install a graph the gate refused, fails `go test ./...`.
package deploy

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"reach/ingest/synth"
)

// doc is one YAML document, decoded generically.
type doc = map[string]any

// readManifests returns the documents of every YAML file under the
// folder, by file.
func readManifests(t *testing.T) map[string][]doc {
	t.Helper()
	out := map[string][]doc{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		dec := yaml.NewDecoder(f)
		for {
			var m doc
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", path, err)
				break
			}
			if m != nil {
				out[path] = append(out[path], m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// get walks a path of keys (strings) and indexes (ints) into a document.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(doc)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

func list(v any, path ...any) []any { l, _ := get(v, path...).([]any); return l }

// podSpec returns the pod template's spec of a workload.
func podSpec(d doc) doc {
	var spec any
	switch str(d, "kind") {
	case "Deployment", "Job", "StatefulSet", "DaemonSet":
		spec = get(d, "spec", "template", "spec")
	case "CronJob":
		spec = get(d, "spec", "jobTemplate", "spec", "template", "spec")
	}
	m, _ := spec.(doc)
	return m
}

// strings returns a list of strings (nil when one is not a string).
func stringsOf(l []any) []string {
	var out []string
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// TestManifests checks every manifest: it parses, each document names its
// apiVersion, kind and name, every container has a name and an image, every
// volume it mounts is declared, and a container that runs a shell uses the
// rebuild image (the service's image has none).
func TestManifests(t *testing.T) {
	all := readManifests(t)
	for _, want := range []string{"k8s/reach.yaml", "k8s/rebuild-cronjob.yaml", "precompute-job.yaml"} {
		if len(all[want]) == 0 {
			t.Errorf("%s: no document", want)
		}
	}
	for path, docs := range all {
		for i, d := range docs {
			if str(d, "apiVersion") == "" || str(d, "kind") == "" || str(d, "metadata", "name") == "" {
				t.Errorf("%s, document %d: apiVersion, kind and metadata.name are required", path, i+1)
			}
			spec := podSpec(d)
			if spec == nil {
				continue
			}
			volumes := map[string]bool{}
			for _, v := range list(spec, "volumes") {
				volumes[str(v, "name")] = true
			}
			for _, c := range list(spec, "containers") {
				name := str(c, "name")
				if name == "" || str(c, "image") == "" {
					t.Errorf("%s: container %q without a name or an image", path, name)
				}
				for _, m := range list(c, "volumeMounts") {
					if !volumes[str(m, "name")] {
						t.Errorf("%s: container %s mounts %q, which is not a volume of the pod", path, name, str(m, "name"))
					}
				}
				cmd := stringsOf(list(c, "command"))
				if len(cmd) > 0 && strings.HasSuffix(cmd[0], "sh") && strings.HasPrefix(str(c, "image"), "reach:") {
					t.Errorf("%s: container %s runs %s in the service image, which has no shell", path, name, cmd[0])
				}
			}
		}
	}
}

// TestRebuildCronJob checks the CronJob against what it relies on: the
// image of the Dockerfile's rebuild stage holds the script it runs, it
// writes the graph the servers of reach.yaml serve, on their volume, and
// the gate's exit status fails the Job without a retry.
func TestRebuildCronJob(t *testing.T) {
	all := readManifests(t)
	cj := all["k8s/rebuild-cronjob.yaml"]
	if len(cj) != 1 || str(cj[0], "kind") != "CronJob" || str(cj[0], "apiVersion") != "batch/v1" {
		t.Fatalf("k8s/rebuild-cronjob.yaml: want one batch/v1 CronJob")
	}
	d := cj[0]
	if f := strings.Fields(str(d, "spec", "schedule")); len(f) != 5 {
		t.Errorf("schedule %q: want 5 fields", str(d, "spec", "schedule"))
	}
	if str(d, "spec", "concurrencyPolicy") != "Forbid" {
		t.Error("two rebuilds could run at once: want concurrencyPolicy Forbid")
	}
	spec := podSpec(d)
	if str(spec, "restartPolicy") != "Never" {
		t.Error("podFailurePolicy needs restartPolicy Never")
	}
	c := list(spec, "containers")
	if len(c) != 1 {
		t.Fatalf("%d containers, want 1", len(c))
	}
	name := str(c[0], "name")
	gateFails := false
	for _, r := range list(d, "spec", "jobTemplate", "spec", "podFailurePolicy", "rules") {
		if str(r, "action") == "FailJob" && str(r, "onExitCodes", "containerName") == name && slices.Contains(list(r, "onExitCodes", "values"), any(3)) {
			gateFails = true
		}
	}
	if !gateFails {
		t.Error("exit status 3 (the gate) does not fail the Job at once")
	}
	env := map[string]string{}
	for _, e := range list(c[0], "env") {
		env[str(e, "name")] = str(e, "value")
	}
	for _, k := range []string{"SERVED", "WORK", "GATE"} {
		if env[k] == "" {
			t.Errorf("env %s is not set", k)
		}
	}
	if env["MANIFEST"] == "" && env["SOURCES"] == "" {
		t.Error("neither MANIFEST nor SOURCES is set")
	}

	// The image's script.
	cmd := stringsOf(list(c[0], "command"))
	if len(cmd) != 2 || cmd[0] != "/busybox/sh" {
		t.Fatalf("command %q: want the debug image's shell and the script", cmd)
	}
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stage := regexp.MustCompile(`(?s)FROM gcr\.io/distroless/base-debian12:debug-nonroot AS rebuild\n(.*?)\n\n`).FindSubmatch(df)
	if stage == nil || !bytes.Contains(stage[1], []byte("deploy/rebuild.sh "+cmd[1])) || !bytes.Contains(stage[1], []byte("/out/reach /usr/local/bin/reach")) {
		t.Errorf("the Dockerfile's rebuild stage does not copy deploy/rebuild.sh to %s with the binary", cmd[1])
	}
	if !strings.HasPrefix(str(c[0], "image"), "reach-rebuild:") {
		t.Errorf("image %q: want the rebuild image", str(c[0], "image"))
	}

	// The served graph: the servers' file, on their claim, written here.
	var server doc
	for _, x := range all["k8s/reach.yaml"] {
		if str(x, "kind") == "Deployment" {
			server = x
		}
	}
	sspec := podSpec(server)
	args := stringsOf(list(sspec, "containers", 0, "args"))
	i := slices.Index(args, "--graph")
	if i < 0 || i+1 >= len(args) || args[i+1] != env["SERVED"] {
		t.Errorf("SERVED=%s, but the servers serve %q", env["SERVED"], args)
	}
	claimOf := func(spec doc, mount string, c any) (claim string, readOnly bool) {
		for _, m := range list(c, "volumeMounts") {
			if str(m, "mountPath") == mount {
				for _, v := range list(spec, "volumes") {
					if str(v, "name") == str(m, "name") {
						ro, _ := get(m, "readOnly").(bool)
						return str(v, "persistentVolumeClaim", "claimName"), ro
					}
				}
			}
		}
		return "", false
	}
	dir := filepath.Dir(env["SERVED"])
	mine, ro := claimOf(spec, dir, c[0])
	theirs, _ := claimOf(sspec, dir, get(sspec, "containers", 0))
	if mine == "" || mine != theirs || ro {
		t.Errorf("the rebuild writes %s on claim %q (read-only %v), the servers read it on claim %q", dir, mine, ro, theirs)
	}
}

// buildReach compiles the reach command into dir.
func buildReach(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "reach")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/reach")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// rebuild runs rebuild.sh with the settings and returns its exit status
// and output.
func rebuild(t *testing.T, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", "rebuild.sh")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("rebuild.sh: %v", err)
	return -1, ""
}

// TestRebuildScript runs deploy/rebuild.sh on the synthetic region as the
// CronJob and `make rebuild` do: the first graph is installed without a
// diff; the same sources again pass a 0 % gate and replace it, keeping the
// previous one; a rebuild that lost the town's buses trips the gate (exit
// 3), leaving the served graph as it was and the report, map and candidate
// in the report folder; a build that fails leaves it too; and the fetch
// path downloads a sources list from a local server.
func TestRebuildScript(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh on this machine")
	}
	if out, err := exec.Command("sh", "-n", "rebuild.sh").CombinedOutput(); err != nil {
		t.Fatalf("sh -n rebuild.sh: %v\n%s", err, out)
	}
	dir := t.TempDir()
	bin := buildReach(t, dir)
	src := filepath.Join(dir, "synth")
	if _, err := synth.Generate(src, synth.Options{}); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(src, synth.ManifestFile)
	served := filepath.Join(dir, "served", "region.graph")
	work := filepath.Join(dir, "work")
	base := []string{"REACH=" + bin, "SERVED=" + served, "WORK=" + work}

	reports := func() []string {
		e, _ := os.ReadDir(filepath.Join(work, "reports"))
		var out []string
		for _, x := range e {
			out = append(out, filepath.Join(work, "reports", x.Name()))
		}
		return out
	}
	lastReport := func() string { r := reports(); return r[len(r)-1] }
	status := func() string { b, _ := os.ReadFile(filepath.Join(lastReport(), "status")); return string(b) }

	code, out := rebuild(t, append(base, "MANIFEST="+manifest)...)
	if code != 0 || !strings.Contains(out, "fetch skipped") || !strings.Contains(out, "without a diff") || !strings.HasPrefix(status(), "installed") {
		t.Fatalf("first rebuild: exit %d\n%s", code, out)
	}
	first, err := os.ReadFile(served)
	if err != nil {
		t.Fatal(err)
	}

	code, out = rebuild(t, append(base, "MANIFEST="+manifest, "GATE=0")...)
	if code != 0 || !strings.Contains(out, "gate passed") || !strings.HasPrefix(status(), "installed") {
		t.Fatalf("same sources: exit %d\n%s", code, out)
	}
	if prev, err := os.ReadFile(filepath.Join(dir, "served", "region.previous.graph")); err != nil || !bytes.Equal(prev, first) {
		t.Errorf("the replaced graph is not kept as region.previous.graph: %v", err)
	}
	before, _ := os.ReadFile(served)

	// Without the town's buses.
	var m map[string]any
	b, _ := os.ReadFile(manifest)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "gtfs")
	b, _ = json.Marshal(m)
	noBus := filepath.Join(src, "no-bus.json")
	if err := os.WriteFile(noBus, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = rebuild(t, append(base, "MANIFEST="+noBus, "GATE=5", "DIFF_ARGS=--cells 8")...)
	if code != 3 || !strings.Contains(out, "gate tripped") {
		t.Fatalf("without buses: exit %d, want 3\n%s", code, out)
	}
	if after, _ := os.ReadFile(served); !bytes.Equal(after, before) {
		t.Error("the gate tripped but the served graph changed")
	}
	for _, f := range []string{"diff.csv", "diff.meta.json", "diff.png", "diff.txt", "build.json", "candidate.graph"} {
		if _, err := os.Stat(filepath.Join(lastReport(), f)); err != nil {
			t.Errorf("report: %v", err)
		}
	}
	if !strings.HasPrefix(status(), "failed: gate tripped") {
		t.Errorf("status %q", status())
	}
	if e, _ := os.ReadDir(filepath.Join(dir, "served")); len(e) != 2 {
		t.Errorf("served folder holds %d files, want the graph and the previous one", len(e))
	}

	// A build that fails.
	broken := filepath.Join(src, "broken.json")
	os.WriteFile(broken, []byte(`{"date": "2026-03-10", "gtfs": [{"name": "x", "path": "absent.zip"}]}`), 0o644)
	if code, out := rebuild(t, append(base, "MANIFEST="+broken)...); code != 1 || !strings.Contains(out, "build failed") {
		t.Errorf("broken manifest: exit %d\n%s", code, out)
	}
	if after, _ := os.ReadFile(served); !bytes.Equal(after, before) {
		t.Error("the build failed but the served graph changed")
	}
	// Bad settings.
	if code, out := rebuild(t, base...); code != 2 || !strings.Contains(out, "set MANIFEST") {
		t.Errorf("no MANIFEST nor SOURCES: exit %d\n%s", code, out)
	}
	if code, _ := rebuild(t, append(base, "MANIFEST="+manifest, "GATE=five")...); code != 2 {
		t.Errorf("GATE=five: exit %d", code)
	}

	// The fetch path: a sources list served locally, the directory and the
	// offers given to the build as the CronJob gives them.
	streets, _ := os.ReadFile(filepath.Join(src, synth.StreetsFile))
	bodies := map[string][]byte{
		"/bus.zip": zipDir(t, filepath.Join(src, synth.FeedDir)), "/scol.zip": zipDir(t, filepath.Join(src, synth.SchoolFeedDir)),
		"/streets.osm": streets,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := bodies[r.URL.Path]; ok {
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	sources := filepath.Join(dir, "sources.csv")
	os.WriteFile(sources, []byte("Région,Type,Nom,URL GTFS\n"+
		"Centre,Transport,Bus de Sancerval,"+srv.URL+"/bus.zip\n"+
		"Centre,Scolaire,Cars de la Vauvre,"+srv.URL+"/scol.zip\n"+
		"Centre,OSM,Rues,"+srv.URL+"/streets.osm\n"+
		"Corse,Transport,Ailleurs,"+srv.URL+"/gone.zip\n"), 0o644)
	buildArgs := "BUILD_ARGS=--locations " + filepath.Join(src, synth.SchoolsFile) + " --offers " + filepath.Join(src, synth.OffersFile)
	code, out = rebuild(t, append(base, "SOURCES="+sources, "REGION=centre", buildArgs, "GATE=100")...)
	if code != 0 || !strings.Contains(out, "fetching the sources") || !strings.HasPrefix(status(), "installed") {
		t.Fatalf("fetch path: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(work, "data", "region.json")); err != nil {
		t.Errorf("fetch wrote no manifest: %v", err)
	}
	if len(reports()) != 5 {
		t.Errorf("%d report folders, want one per run past the settings' check (5)", len(reports()))
	}
}

// zipDir returns a zip of the files of a folder.
func zipDir(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
