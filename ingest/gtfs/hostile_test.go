package gtfs

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"reach/graph"
)

// Tests of inputs built to exhaust memory or bloat the report: each one is
// generated at test time, scaled down by lowering the limits.

func TestDropDetailsCutEchoedIDs(t *testing.T) {
	longTrip := "T" + strings.Repeat("t", 300)
	// Under the line limit (a longer line is skipped whole, see below).
	hugeStop := strings.Repeat("s", 900<<10)
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

// insertLine returns text with line inserted so that it becomes line n (1-based).
func insertLine(text string, n int, line string) string {
	lines := strings.SplitAfter(text, "\n")
	out := append([]string(nil), lines[:n-1]...)
	out = append(out, line+"\n")
	return strings.Join(append(out, lines[n-1:]...), "")
}

func TestLongLinesSkippedAndCounted(t *testing.T) {
	longStopTime := "T1,08:40:00,08:40:00,D," + strings.Repeat("9", 5000)
	files := with(baseFeed(), map[string]string{
		"stops.txt": insertLine(baseFeed()["stops.txt"], 3, "E,Stop "+strings.Repeat("e", 3000)+",48.1,-1.6,0,"),
		"stop_times.txt": insertLine(baseFeed()["stop_times.txt"], 4, longStopTime) +
			"T2,09:40:00,09:40:00,Z,9\n", // line 13: shows that line numbers go on right
	})
	dir := writeDir(t, files)
	g, err := Build([]FeedSource{{Name: "x", Path: dir}}, BuildOptions{Date: day(t, "2024-01-09"), Limits: Limits{MaxLineBytes: 1024}})
	if err != nil {
		t.Fatal(err)
	}
	rep := g.Meta.Feeds[0]
	if rep.Read.Stops != 6 || rep.Read.StopTimes != 12 || rep.Kept.Stops != 5 || rep.Kept.StopTimes != 10 || rep.Scheduled.Trips != 3 {
		t.Errorf("read %+v kept %+v scheduled %+v", rep.Read, rep.Kept, rep.Scheduled)
	}
	want := map[string]string{
		"stops.txt":      "stops.txt:3: line of 3020 bytes (limit 1024) skipped: \"E,Stop eee",
		"stop_times.txt": "stop_times.txt:4: line of 5023 bytes (limit 1024) skipped: \"T1,08:40:00,08:40:00,D,999",
	}
	n := 0
	for _, d := range rep.Drops {
		if d.Reason != "line_too_long" {
			continue
		}
		n++
		if d.Count != 1 || len(d.Examples) != 1 || !strings.HasPrefix(d.Examples[0], want[d.File]) || len(d.Examples[0]) > graph.MaxExampleBytes {
			t.Errorf("%s: %+v", d.File, d)
		}
	}
	if n != 2 {
		t.Errorf("drops %+v", rep.Drops)
	}
	if d := findDrop(rep, "unknown_stop"); d == nil || !strings.HasPrefix(d.Examples[0], "stop_times.txt:13:") {
		t.Errorf("unknown_stop: %+v", d)
	}
	// Under the default limit the same lines are rows like any other.
	g = build(t, "2024-01-09", FeedSource{Name: "x", Path: dir})
	rep = g.Meta.Feeds[0]
	if findDrop(rep, "line_too_long") != nil || findDrop(rep, "bad_stop_sequence") == nil || rep.Kept.Stops != 6 {
		t.Errorf("default limit: kept %+v drops %+v", rep.Kept, rep.Drops)
	}
}

// zeros reads as an endless run of '0'.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

func TestLongLineIsNotBuffered(t *testing.T) {
	const size = 64 << 20
	in := io.MultiReader(strings.NewReader("trip_id,stop_id\nT1,A\n"), io.LimitReader(zeros{}, size),
		strings.NewReader("\nT2,B\n"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tb, err := NewTable("stop_times.txt", in, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	tb.LongLine = func(line int, n int64, head []byte) {
		skipped = append(skipped, fmt.Sprintf("%d:%d:%s", line, n, head[:4]))
	}
	var rows []string
	for {
		ok, err := tb.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		rows = append(rows, tb.Where()+"="+tb.Get(0))
	}
	runtime.ReadMemStats(&after)
	if !reflect.DeepEqual(rows, []string{"stop_times.txt:2=T1", "stop_times.txt:4=T2"}) ||
		!reflect.DeepEqual(skipped, []string{fmt.Sprintf("3:%d:0000", size)}) {
		t.Errorf("rows %q skipped %q", rows, skipped)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("reading a %d MiB line allocated %d MiB", size>>20, alloc>>20)
	}
}

func TestLongHeaderRefused(t *testing.T) {
	_, err := NewTable("stops.txt", strings.NewReader("stop_id,"+strings.Repeat("x", 100)+"\nA\n"), 64)
	if err == nil || !strings.Contains(err.Error(), "stops.txt") || !strings.Contains(err.Error(), "64 bytes") {
		t.Errorf("long header: %v", err)
	}
}

func TestRecordReaderLongLines(t *testing.T) {
	long := strings.Repeat("x", 25)
	for _, c := range []struct {
		name, in string
		want     [][]string
		skipped  []int
	}{
		{"alone", "a,b\n" + long + "\nc,d\n", [][]string{{"a", "b"}, {"c", "d"}}, []int{2}},
		{"at the end", "a,b\n" + long, [][]string{{"a", "b"}}, []int{2}},
		{"first", long + "\r\na,b\r\n", [][]string{{"a", "b"}}, []int{1}},
		{"exactly the limit", "0123456789\n0123456789\r\n", [][]string{{"0123456789"}, {"0123456789"}}, nil},
		// An open quote does not run into a long line: it is taken as a
		// stray quote, and the long line skipped.
		{"in a quoted field", "a,\"open\n" + long + "\nc,d\n", [][]string{{"a", "open"}, {"c", "d"}}, []int{2}},
		{"two in a row", long + "\n" + long + "\n\"q\"\n", [][]string{{"q"}}, []int{1, 2}},
	} {
		r := newRecordReader(strings.NewReader(c.in), 10)
		var got [][]string
		var skipped []int
		for {
			rec, err := r.read()
			if err == io.EOF {
				break
			}
			if err == errLongLine {
				skipped = append(skipped, r.line)
				if r.longSize != int64(len(long)) || string(r.longHead) != long {
					t.Errorf("%s: long line of %d bytes, head %q", c.name, r.longSize, r.longHead)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, append([]string(nil), rec...))
		}
		if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(skipped, c.skipped) {
			t.Errorf("%s: got %q skipped %v, want %q %v", c.name, got, skipped, c.want, c.skipped)
		}
	}
}

func TestZipBombRefused(t *testing.T) {
	// 2.5 MB of one repeated row compress about 400 times.
	rows := strings.Repeat("X9,08:00:00,08:00:00,A,1\n", 100000)
	files := with(baseFeed(), map[string]string{"stop_times.txt": baseFeed()["stop_times.txt"] + rows})
	p := writeZip(t, "bomb.zip", files)
	_, err := Build([]FeedSource{{Path: p}}, BuildOptions{Date: day(t, "2024-01-09")})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "stop_times.txt") ||
		!strings.Contains(err.Error(), "compression ratio") || !strings.Contains(err.Error(), "limit of 100") {
		t.Fatalf("bomb: %v", err)
	}
	// The guard can be raised.
	g, err := Build([]FeedSource{{Path: p}}, BuildOptions{Date: day(t, "2024-01-09"), Limits: Limits{MaxRatio: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	if d := findDrop(g.Meta.Feeds[0], "unknown_trip"); d == nil || d.Count != 100000 {
		t.Errorf("drops %+v", g.Meta.Feeds[0].Drops)
	}
	// Small files may compress well: only files above 1 MiB are checked.
	small := with(baseFeed(), map[string]string{"stop_times.txt": baseFeed()["stop_times.txt"] + rows[:500<<10]})
	build(t, "2024-01-09", FeedSource{Path: writeZip(t, "small.zip", small)})
}

func TestFileSizeGuard(t *testing.T) {
	for _, p := range []string{writeZip(t, "feed.zip", baseFeed()), writeDir(t, baseFeed())} {
		_, err := Build([]FeedSource{{Name: "x", Path: p}}, BuildOptions{Date: day(t, "2024-01-09"), Limits: Limits{MaxFileBytes: 250}})
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "stop_times.txt") ||
			!strings.Contains(err.Error(), "limit of 250 bytes") {
			t.Errorf("%s: %v", p, err)
		}
		build(t, "2024-01-09", FeedSource{Name: "x", Path: p})
	}
}

func TestRepeatedRowsAreNotBuffered(t *testing.T) {
	// 300,000 copies of one row: every copy after the first is a
	// duplicate (trip, stop_sequence) and must not pile up in memory.
	rows := strings.Repeat("T1,08:00:00,08:00:00,A,1\n", 300000)
	files := with(baseFeed(), map[string]string{"stop_times.txt": baseFeed()["stop_times.txt"] + rows})
	src, err := OpenSource(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opt := BuildOptions{rowsCompactAt: 1000}
	f := &feed{name: "x", src: src, rep: &graph.FeedReport{}, opt: &opt}
	if err := f.load(nil); err != nil {
		t.Fatal(err)
	}
	if n := cap(f.rows); n > 4000 {
		t.Errorf("room for %d rows made, %d kept", n, f.rep.Kept.StopTimes)
	}
	if d := f.drops.List(); len(d) != 1 || d[0].Reason != "duplicate_stop_sequence" || d[0].Count != 300000 || f.rep.Kept.StopTimes != 10 {
		t.Errorf("kept %+v drops %+v", f.rep.Kept, d)
	}
}

func TestCompactingRowsChangesNothing(t *testing.T) {
	// Rows of trips scattered over the file, repeated (trip, stop_sequence)
	// pairs across the scattered parts, a trip with times going backwards.
	var b strings.Builder
	b.WriteString("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
	for rep := 0; rep < 3; rep++ {
		for seq := 4; seq >= 1; seq-- {
			for _, trip := range []string{"T1", "T2", "S1"} {
				stop := string(rune('A' + seq - 1))
				tm := fmt.Sprintf("%02d:%02d:00", 7+len(trip), seq*10+rep)
				if trip == "S1" && seq == 3 {
					tm = "06:00:00"
				}
				fmt.Fprintf(&b, "%s,%s,%s,%s,%d\n", trip, tm, tm, stop, seq)
			}
		}
	}
	files := with(baseFeed(), map[string]string{"stop_times.txt": b.String()})
	p := writeDir(t, files)
	var reps []graph.FeedReport
	var times []map[string][]int32
	for _, at := range []int{0, 5, 7} {
		g, err := Build([]FeedSource{{Name: "x", Path: p}}, BuildOptions{Date: day(t, "2024-01-09"), rowsCompactAt: at})
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, g.Meta.Feeds[0])
		times = append(times, tripTimes(&g.Timetable))
		if !reflect.DeepEqual(times[len(times)-1], times[0]) || len(times[0]) != 2 {
			t.Errorf("compacting at %d: timetable %v, want %v", at, times[len(times)-1], times[0])
		}
	}
	counts := func(r graph.FeedReport) map[string]int {
		m := map[string]int{}
		for _, d := range r.Drops {
			m[d.File+" "+d.Reason] = d.Count
		}
		return m
	}
	want := map[string]int{"stop_times.txt duplicate_stop_sequence": 24, "trips.txt non_monotonic_times": 1}
	for i, r := range reps {
		if r.Kept != reps[0].Kept || r.Scheduled != reps[0].Scheduled || !reflect.DeepEqual(counts(r), want) {
			t.Errorf("run %d: kept %+v scheduled %+v drops %v, want %+v %+v %v", i, r.Kept, r.Scheduled, counts(r), reps[0].Kept, reps[0].Scheduled, want)
		}
	}
}

func TestEmptyTimetableRefused(t *testing.T) {
	header := "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
	empty := writeDir(t, with(baseFeed(), map[string]string{"stop_times.txt": header}))
	_, err := Build([]FeedSource{{Name: "empty", Path: empty}}, BuildOptions{Date: day(t, "2024-01-09")})
	if err == nil {
		t.Fatal("a timetable without trips was built")
	}
	for _, want := range []string{"2024-01-09", "empty (" + empty + ")", "5 stops", "3 trips", "0 stop_times", "no_stop_times 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	// A Saturday: the feed is valid, its trips run on weekdays only.
	full := writeDir(t, baseFeed())
	_, err = Build([]FeedSource{{Name: "full", Path: full}}, BuildOptions{Date: day(t, "2024-01-13")})
	if err == nil || !strings.Contains(err.Error(), "full ("+full+")") || !strings.Contains(err.Error(), "3 kept, 0 scheduled on 2024-01-13") {
		t.Errorf("no service on the date: %v", err)
	}
	// One empty feed among others is only reported.
	g := build(t, "2024-01-09", FeedSource{Name: "empty", Path: empty}, FeedSource{Name: "full", Path: full})
	if g.Timetable.NumTrips() != 3 {
		t.Errorf("%d trips", g.Timetable.NumTrips())
	}
}

func TestSameTripInTwoFeedsKeptOnce(t *testing.T) {
	// Feed b publishes T1 again (X1), as a regional feed republishes a
	// train: other ids, stops 5 m away. X2 is T2 a minute later at one
	// stop; X3 runs at T1's times along stops 550 m away.
	b := map[string]string{
		"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" +
			"P,A,48.10005,-1.680\nQ,B,48.11005,-1.680\nR,C,48.12005,-1.680\nS,D,48.13005,-1.680\n" +
			"P2,A far,48.105,-1.680\nS2,D far,48.135,-1.680\n",
		"routes.txt":   "route_id,route_type\nTER,2\n",
		"calendar.txt": baseFeed()["calendar.txt"],
		"trips.txt":    "route_id,service_id,trip_id\nTER,WK,X1\nTER,WK,X2\nTER,WK,X3\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
			"X1,08:00:00,08:00:00,P,1\nX1,08:10:00,08:10:00,Q,2\nX1,08:20:00,08:20:00,R,3\nX1,08:30:00,08:30:00,S,4\n" +
			"X2,09:00:00,09:00:00,P,1\nX2,09:11:00,09:11:00,Q,2\nX2,09:20:00,09:20:00,R,3\nX2,09:30:00,09:30:00,S,4\n" +
			"X3,08:00:00,08:00:00,P2,1\nX3,08:10:00,08:10:00,Q,2\nX3,08:20:00,08:20:00,R,3\nX3,08:30:00,08:30:00,S2,4\n",
	}
	// Feed a also holds a copy of T1 under another id: one feed's own
	// trips are never merged.
	a := with(baseFeed(), map[string]string{
		"trips.txt": baseFeed()["trips.txt"] + "L1,WK,T1bis\n",
		"stop_times.txt": baseFeed()["stop_times.txt"] +
			"T1bis,08:00:00,08:00:00,A,1\nT1bis,08:10:00,08:10:00,B,2\nT1bis,08:20:00,08:20:00,C,3\nT1bis,08:30:00,08:30:00,D,4\n",
	})
	g := build(t, "2024-01-09", FeedSource{Name: "a", Path: writeDir(t, a)}, FeedSource{Name: "b", Path: writeDir(t, b)})
	ra, rb := g.Meta.Feeds[0], g.Meta.Feeds[1]
	if ra.Scheduled.Trips != 4 || len(ra.Drops) != 0 {
		t.Errorf("feed a: scheduled %+v drops %+v", ra.Scheduled, ra.Drops)
	}
	d := findDrop(rb, "duplicate_trip")
	if rb.Scheduled.Trips != 2 || rb.Kept.Trips != 3 || d == nil || d.Count != 1 || d.File != "trips.txt" ||
		!strings.Contains(d.Examples[0], `"X1"`) || !strings.Contains(d.Examples[0], "a:T1") {
		t.Errorf("feed b: scheduled %+v kept %+v drops %+v", rb.Scheduled, rb.Kept, rb.Drops)
	}
	times := tripTimes(&g.Timetable)
	if _, ok := times["b:X1"]; ok || len(times) != 6 || g.Timetable.NumTrips() != 6 {
		t.Errorf("trips %v", times)
	}
	// The later feed loses the trip whatever their kinds.
	g = build(t, "2024-01-09", FeedSource{Name: "b", Path: writeDir(t, b)}, FeedSource{Name: "a", Path: writeDir(t, a)})
	if d := findDrop(g.Meta.Feeds[1], "duplicate_trip"); d == nil || d.Count != 2 || !strings.Contains(d.Examples[0], "b:X1") {
		t.Errorf("b then a: %+v", g.Meta.Feeds[1].Drops)
	}
}

// writeBomb writes a zip of baseFeed whose stop_times.txt goes on with n
// copies of chunk, compressed as hard as deflate can.
func writeBomb(t *testing.T, name, chunk string, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(fh)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for file, body := range baseFeed() {
		w, _ := zw.Create(file)
		io.WriteString(w, body)
		if file != "stop_times.txt" {
			continue
		}
		buf := []byte(strings.Repeat(chunk, max(1, (1<<20)/len(chunk))))
		for left := n * len(chunk); left > 0; left -= len(buf) {
			if _, err := w.Write(buf[:min(len(buf), left)]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestZipBombsAtScale reads the two bombs of the review at (nearly) full
// size: a 1 GB line of zeros (1 MB zipped) and 10 M copies of one row, each
// after the rows of baseFeed. Both are refused by the ratio guard; with the
// guard lifted, the reader holds neither the line nor the copies.
func TestZipBombsAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1.25 GB of generated text")
	}
	for _, c := range []struct {
		name, chunk string
		n           int
		reason      string
		count       int
	}{
		{"line.zip", strings.Repeat("0", 1<<20), 1 << 10, "line_too_long", 1},
		{"rows.zip", "T1,08:00:00,08:00:00,A,1\n", 10_000_000, "duplicate_stop_sequence", 10_000_000},
	} {
		p := writeBomb(t, c.name, c.chunk, c.n)
		_, err := Build([]FeedSource{{Path: p}}, BuildOptions{Date: day(t, "2024-01-09")})
		if err == nil || !strings.Contains(err.Error(), "zip bomb") {
			t.Errorf("%s: %v", c.name, err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g, err := Build([]FeedSource{{Path: p}}, BuildOptions{Date: day(t, "2024-01-09"), Limits: Limits{MaxRatio: 1e6}})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		rep := g.Meta.Feeds[0]
		if d := findDrop(rep, c.reason); d == nil || d.Count != c.count || rep.Scheduled.Trips != 3 || len(rep.Drops) != 1 {
			t.Errorf("%s: scheduled %+v drops %+v", c.name, rep.Scheduled, rep.Drops)
		}
		// HeapSys never shrinks: its growth bounds the peak of the heap.
		if grown := int64(after.HeapSys) - int64(before.HeapSys); grown > 128<<20 {
			t.Errorf("%s: the heap grew by %d MiB", c.name, grown>>20)
		}
	}
}

func TestRepeatedTransfersHeldOnce(t *testing.T) {
	rows := strings.Repeat("B,C,2,120\n", 100000)
	files := with(baseFeed(), map[string]string{
		"transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + rows + "B,C,2,90\nC,B,2,30\n",
	})
	src, err := OpenSource(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f := &feed{name: "x", src: src, rep: &graph.FeedReport{}, opt: &BuildOptions{}}
	if err := f.load(nil); err != nil {
		t.Fatal(err)
	}
	b, c := f.stopIndex["B"], f.stopIndex["C"]
	want := []transfer{{from: b, to: c, seconds: 90}, {from: c, to: b, seconds: 30}}
	if !reflect.DeepEqual(f.transfers, want) {
		t.Errorf("%d transfers held, want %v", len(f.transfers), want)
	}
}
