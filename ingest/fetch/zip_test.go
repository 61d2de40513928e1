package fetch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"reach/ingest/gtfs"
	"reach/internal/realdata"
)

func writeZip(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRepairGTFS(t *testing.T) {
	tmp := t.TempDir()
	files := gtfsFiles("20260105", "20260630")

	clean := writeZip(t, tmp, "clean.zip", makeZip(t, "", files, nil))
	dst := filepath.Join(tmp, "out.zip")
	repaired, _, err := RepairGTFS(clean, dst)
	if err != nil || repaired {
		t.Errorf("clean zip: repaired %v, err %v; want untouched", repaired, err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Error("clean zip: an output file was written")
	}

	// At the root, but with __MACOSX/ and a dot-file.
	junk := writeZip(t, tmp, "junk.zip", makeZip(t, "", files, map[string]string{"__MACOSX/._stops.txt": "x", ".hidden.txt": "x"}))
	repaired, note, err := RepairGTFS(junk, dst)
	if err != nil || !repaired || !strings.Contains(note, "dropped 2 __MACOSX/ or dot-file entries") || strings.Contains(note, "moved") {
		t.Errorf("junk zip: repaired %v, note %q, err %v", repaired, note, err)
	}
	if got := strings.Join(zipNames(t, dst), " "); got != "agency.txt calendar.txt routes.txt stop_times.txt stops.txt trips.txt" {
		t.Errorf("junk zip rewritten as %q", got)
	}

	// Sub-folder, with a stray copy of stops.txt deeper down.
	extra := map[string]string{"GTFS/old/stops.txt": "stop_id\n", "GTFS/log_GTFS.txt": "log"}
	nested := writeZip(t, tmp, "nested.zip", makeZip(t, "GTFS", files, extra))
	repaired, note, err = RepairGTFS(nested, dst)
	if err != nil || !repaired || !strings.Contains(note, "moved the files of GTFS/ to the root") {
		t.Fatalf("nested zip: repaired %v, note %q, err %v", repaired, note, err)
	}
	if got := strings.Join(zipNames(t, dst), " "); got != "agency.txt calendar.txt log_GTFS.txt routes.txt stop_times.txt stops.txt trips.txt" {
		t.Errorf("nested zip rewritten as %q", got)
	}
	v, err := gtfs.ReadValidity(dst)
	if err != nil || (DateRange{v.From, v.To}).String() != "2026-01-05..2026-06-30" {
		t.Errorf("repaired zip validity %v, err %v", v, err)
	}
	// The repaired zip passes as is.
	if again, _, err := RepairGTFS(dst, filepath.Join(tmp, "again.zip")); err != nil || again {
		t.Errorf("repairing a repaired zip: %v %v", again, err)
	}

	for name, b := range map[string][]byte{
		"notgtfs.zip": makeZip(t, "", map[string]string{"stops.txt": "stop_id\n", "readme.txt": "x"}, nil),
		"html.zip":    []byte("<html>Service indisponible</html>"),
		"two.zip": makeZip(t, "", nil, map[string]string{
			"a/stops.txt": "", "a/trips.txt": "", "a/stop_times.txt": "",
			"b/stops.txt": "", "b/trips.txt": "", "b/stop_times.txt": "",
		}),
		// Required files in different folders are not one feed.
		"split.zip": makeZip(t, "", nil, map[string]string{"a/stops.txt": "", "a/trips.txt": "", "b/stop_times.txt": ""}),
	} {
		_, _, err := RepairGTFS(writeZip(t, tmp, name, b), dst)
		if !errors.Is(err, ErrNotGTFS) {
			t.Errorf("%s: err %v, want ErrNotGTFS", name, err)
		}
	}
}

// The real Ajaccio feed keeps its files in a GTFS/ sub-folder with a
// __MACOSX-free but extra log file; the real extended-route-types feed
// carries a __MACOSX/ folder.
func TestRepairRealFeeds(t *testing.T) {
	tmp := t.TempDir()
	for _, name := range []string{"ajaccio-subfolder-plus-coords.zip", "extended-route-types.zip"} {
		src := realdata.Path(t, "quirks", name)
		dst := filepath.Join(tmp, name)
		repaired, note, err := RepairGTFS(src, dst)
		if err != nil || !repaired {
			t.Fatalf("%s: repaired %v, err %v", name, repaired, err)
		}
		t.Logf("%s: %s", name, note)
		for _, n := range zipNames(t, dst) {
			if strings.Contains(n, "/") || strings.HasPrefix(n, ".") {
				t.Errorf("%s: entry %q is not a plain root file", name, n)
			}
		}
		if _, err := gtfs.ReadValidity(dst); err != nil {
			t.Errorf("%s: repaired feed unreadable: %v", name, err)
		}
	}
}
