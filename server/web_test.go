package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"reach/engine"
	"reach/ingest"
)

// chromium returns the path of a Chromium-like browser, or "".
func chromium() string {
	if p := os.Getenv("REACH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artefactDir is where the browser test leaves its screenshots:
// $REACH_ARTEFACTS, or benchmarks/artefacts/ (which ignores itself in git).
func artefactDir(t *testing.T) string {
	dir := os.Getenv("REACH_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join("..", "benchmarks", "artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); os.IsNotExist(err) {
		os.WriteFile(ignore, []byte("# test and benchmark outputs, not versioned\n*\n"), 0o644)
	}
	return dir
}

// saveScreenshot writes a screenshot to the artefacts directory and, when
// REACH_SCREENSHOTS names a directory (docs/ for the README), there too
// with at most 256 colours, to keep the repository small.
func saveScreenshot(t *testing.T, name string, shot []byte) {
	t.Helper()
	write := func(p string, b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", p, len(b))
	}
	write(filepath.Join(artefactDir(t), name), shot)
	if d := os.Getenv("REACH_SCREENSHOTS"); d != "" {
		write(filepath.Join(d, name), paletted(t, shot))
	}
}

// paletted re-encodes a PNG with the 256 colours it uses most, every
// other colour drawn as the nearest of them: a page's flat colours stay
// exact, only the edges of anti-aliased text and lines move a little.
func paletted(t *testing.T, shot []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	counts := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colours := slices.Collect(maps.Keys(counts))
	slices.SortFunc(colours, func(a, b color.RGBA) int {
		if d := counts[b] - counts[a]; d != 0 {
			return d
		}
		return int(a.R)<<16 + int(a.G)<<8 + int(a.B) - (int(b.R)<<16 + int(b.G)<<8 + int(b.B))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colours[:min(256, len(colours))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(b, pal)
	nearest := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := nearest[c]
			if !ok {
				i = uint8(pal.Index(c))
				nearest[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// markedRegion is the synthetic region whose directory also gives boarding
// (every third school) and an Onisep page (every other school), which the
// demo's directory lacks, so that the page's marks and links are tested.
func markedRegion(t *testing.T) *region {
	t.Helper()
	base := synthRegion(t)
	regionsMu.Lock()
	defer regionsMu.Unlock()
	if r, ok := regions["synth-marked"]; ok {
		return r
	}
	dir := t.TempDir()
	g := buildSynthWith(t, 0, func(src *ingest.Sources) {
		f, err := os.Open(src.Locations)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows[0] = append(rows[0], "boarding", "onisep_url")
		for i, row := range rows[1:] {
			boarding, page := "0", ""
			if i%3 == 0 {
				boarding = "1"
			}
			if i%2 == 0 {
				page = "https://www.onisep.fr/http/redirection/etablissement/slug/" + row[0]
			}
			rows[i+1] = append(row, boarding, page)
		}
		src.Locations = filepath.Join(dir, "schools.csv")
		out, err := os.Create(src.Locations)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(out)
		w.WriteAll(rows)
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		out.Close()
	})
	e, err := engine.New(g)
	if err != nil {
		t.Fatal(err)
	}
	r := *base
	r.name, r.eng = "synth", e
	regions["synth-marked"] = &r
	return &r
}

// TestWebPage drives the page in headless Chromium, on the synthetic
// region and, when the data is there, on Rennes: address suggestions,
// results by school against the API, the view, the bands' colours, the
// filters, a journey drawn leg by leg, the URL reproducing the view, a
// click on the map, the 400-pixel layout, and the error and empty states.
func TestWebPage(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("browser test skipped: Chromium is not installed (Debian: apt-get install -y chromium)")
	}
	t.Run("synth", func(t *testing.T) { testWebPage(t, exe, markedRegion(t), "rue du com") })
	t.Run("rennes", func(t *testing.T) { testWebPage(t, exe, rennesRegion(t), "rue de brest") })
}

// browserPage is a headless Chromium tab on the test server.
type browserPage struct {
	t    *testing.T
	ctx  context.Context
	base string
	mu   sync.Mutex
	errs []string // JavaScript exceptions and console errors
}

func newBrowserPage(t *testing.T, exe, base string) *browserPage {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
		// A French browser (times as 08:30, not 08:30 AM, when Debian's
		// chromium-l10n is installed).
		chromedp.Flag("lang", "fr-FR"), chromedp.Env("LANGUAGE=fr"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	p := &browserPage{t: t, ctx: ctx, base: base}
	err := chromedp.Listen(ctx, func(ev any) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			p.errs = append(p.errs, ev.ExceptionDetails.Text+" "+describeException(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				p.errs = append(p.errs, fmt.Sprintf("console.error with %d arguments", len(ev.Args)))
			}
		}
	})
	if err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	return p
}

func describeException(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return fmt.Sprintf("at %s:%d", d.URL, d.LineNumber)
}

func (p *browserPage) jsErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.errs)
}

// do runs actions, failing the test with what was being done; a step
// waits 45 seconds at most.
func (p *browserPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v (JavaScript errors: %v; status: %q)", what, err, p.jsErrors(), p.status())
	}
}

// status is the page's status line, or "" when it cannot be read.
func (p *browserPage) status() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("status").textContent`))
	return s
}

// eval evaluates a JavaScript expression into T.
func eval[T any](p *browserPage, what, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("%s: %v (JavaScript errors: %v)", what, err, p.jsErrors())
	}
	return v
}

// screenshot captures the viewport as PNG.
func (p *browserPage) screenshot() []byte {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	return png
}

// searched runs actions that start a search and waits for its end, which
// must be a success.
func (p *browserPage) searched(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	eval[bool](p, what, `(document.body.dataset.state = "waiting") !== ""`)
	p.do(what, append(actions, chromedp.WaitVisible(`body[data-state="done"], body[data-state="error"]`))...)
	if s := eval[string](p, what, `document.body.dataset.state`); s != "done" {
		p.t.Fatalf("%s: the page ended in state %q: %s", what, s, p.status())
	}
}

// setControl sets a form control as a user would and lets it fire change.
func setControl(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const e = document.getElementById(%q);
			if (e.type === "checkbox") e.checked = %q === "true"; else e.value = %q;
			e.dispatchEvent(new Event("change", { bubbles: true }));
			return true;
		})()`, id, value, value)))
		return err
	})
}

// pageURL is the state the page's address holds.
func (p *browserPage) pageURL() url.Values {
	p.t.Helper()
	u, err := url.Parse(eval[string](p, "location", `location.href`))
	if err != nil {
		p.t.Fatal(err)
	}
	return u.Query()
}

// shownSchool is a school card of the page.
type shownSchool struct {
	UAI      string `json:"uai"`
	Band     string `json:"band"`
	Offers   int    `json:"offers"`
	Modality string `json:"modality"`
	Time     string `json:"time"`
	Boarding bool   `json:"boarding"`
	Onisep   string `json:"onisep"`
	Target   string `json:"target"`
	Rel      string `json:"rel"`
}

const shownSchoolsJS = `[...document.querySelectorAll("#results section.band li.school")].map(li => {
	const a = li.querySelector("a.onisep");
	return {
		uai: li.dataset.uai, band: li.closest("section.band").dataset.band,
		offers: li.querySelectorAll("li.offer").length,
		modality: li.querySelector(".modality").dataset.modality,
		time: li.querySelector(".band-chip strong").textContent.replace(/\u00a0/g, " "),
		boarding: !!li.querySelector(".mark.boarding"),
		onisep: a ? a.getAttribute("href") : "", target: a ? a.target : "", rel: a ? a.rel : "",
	};
})`

// checkSchools compares the page's list with the API's answer for the
// same request.
func checkSchools(t *testing.T, p *browserPage, want *engine.Answer, what string) {
	t.Helper()
	shown := eval[[]shownSchool](p, "schools shown", shownSchoolsJS)
	var reachable []engine.SchoolResult
	for _, s := range want.Schools {
		if s.Best.Reachable {
			reachable = append(reachable, s)
		}
	}
	if len(shown) != len(reachable) {
		t.Fatalf("%s: the page lists %d schools, the API %d", what, len(shown), len(reachable))
	}
	offers := 0
	for i, s := range reachable {
		g := shown[i]
		offers += g.Offers
		if g.UAI != s.School.UAI || g.Band != s.Best.Band || g.Offers != len(s.Offers) || g.Modality != s.Best.Modality {
			t.Errorf("%s: school %d shown as %+v, the API has %s in band %s with %d offers by %s", what, i, g, s.School.UAI,
				s.Best.Band, len(s.Offers), s.Best.Modality)
		}
		if wantMin := int(math.Round(float64(s.Best.DurationS) / 60)); !strings.HasPrefix(g.Time, strconv.Itoa(wantMin)+" min") && wantMin < 60 {
			t.Errorf("%s: school %s takes %q, the API %d s", what, g.UAI, g.Time, s.Best.DurationS)
		}
		if g.Boarding != s.School.Boarding || g.Onisep != s.School.OnisepURL {
			t.Errorf("%s: school %s shows boarding %v and Onisep %q, the API %v and %q", what, g.UAI, g.Boarding, g.Onisep,
				s.School.Boarding, s.School.OnisepURL)
		}
		if g.Onisep != "" && (g.Target != "_blank" || !strings.Contains(g.Rel, "noopener")) {
			t.Errorf("%s: the Onisep link of %s opens with target %q, rel %q", what, g.UAI, g.Target, g.Rel)
		}
	}
	if offers != want.Summary.Reachable {
		t.Errorf("%s: the page lists %d offers, the API counts %d reachable", what, offers, want.Summary.Reachable)
	}
	var bands, wantBands []string
	for _, b := range want.Summary.Bands {
		if b.Schools > 0 {
			wantBands = append(wantBands, b.Band)
		}
	}
	for _, s := range shown {
		if len(bands) == 0 || bands[len(bands)-1] != s.Band {
			bands = append(bands, s.Band)
		}
	}
	if !slices.Equal(bands, wantBands) {
		t.Errorf("%s: the page groups schools in bands %v, the API %v", what, bands, wantBands)
	}
}

// reachableFor asks the API what the page asks for its state.
func reachableFor(t *testing.T, base string, state url.Values) *engine.Answer {
	t.Helper()
	or := func(k, def string) string {
		if v := state.Get(k); v != "" {
			return v
		}
		return def
	}
	limit, _ := strconv.Atoi(or("max_minutes", "90"))
	var cut []string
	for _, c := range []int{15, 30, 45, 60, 90, 120} {
		if c < limit {
			cut = append(cut, strconv.Itoa(c))
		}
	}
	cut = append(cut, strconv.Itoa(limit))
	q := url.Values{"lat": {state.Get("lat")}, "lon": {state.Get("lon")}, "arrive_by": {or("arrive_by", "08:30")},
		"max_minutes": {strconv.Itoa(limit)}, "modes": {or("modes", "walk,transit,school")}, "cutoffs": {strings.Join(cut, ",")},
		"group": {"school"}, "per_page": {"500"}}
	for _, k := range []string{"diploma", "track", "boarding"} {
		if v := state.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var a engine.Answer
	res := get(t, base+"/v1/reachable?"+q.Encode())
	if res.status != 200 {
		t.Fatalf("reachable: %d %s", res.status, res.body)
	}
	res.decode(t, &a)
	return &a
}

// mercatorY is the Web Mercator ordinate of a latitude, up to a scale.
func mercatorY(lat float64) float64 {
	s := math.Sin(lat * math.Pi / 180)
	return math.Log((1+s)/(1-s)) / 2
}

// view reads the box the map shows, minLon, minLat, maxLon, maxLat.
func (p *browserPage) view() [4]float64 {
	p.t.Helper()
	var b [4]float64
	s := eval[string](p, "view", `document.getElementById("map").dataset.view || ""`)
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		p.t.Fatalf("map view %q", s)
	}
	for i, x := range parts {
		b[i], _ = strconv.ParseFloat(x, 64)
	}
	return b
}

// screenPoint is where a place is on the map, in page pixels.
func (p *browserPage) screenPoint(lon, lat float64) (x, y float64) {
	p.t.Helper()
	v := p.view()
	r := eval[[]float64](p, "map rectangle", `(() => { const r = document.getElementById("map").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	x = r[0] + (lon-v[0])/(v[2]-v[0])*r[2]
	y = r[1] + (mercatorY(v[3])-mercatorY(lat))/(mercatorY(v[3])-mercatorY(v[1]))*r[3]
	return x, y
}

// waitJourney waits until the map has drawn a journey's legs.
func (p *browserPage) waitJourney(what string) {
	p.t.Helper()
	p.do(what, chromedp.Poll[chromedp.Void](`Number(document.getElementById("map").dataset.journeyLegs) > 0 &&
		document.querySelector("li.school.selected ol.legs") !== null`, chromedp.WithPollingTimeout(20*time.Second)))
}

// journeyShown is the journey drawn on the map and listed in the card.
type journeyShown struct {
	UAI      string   `json:"uai"`
	Expanded string   `json:"expanded"`
	Legs     int      `json:"legs"`
	Points   int      `json:"points"`
	Modes    []string `json:"modes"`
	Ink      int      `json:"ink"`
}

const journeyShownJS = `(() => {
	const li = document.querySelector("li.school.selected");
	const c = document.getElementById("map");
	const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
	let ink = 0;
	for (let i = 0; i < d.length; i += 4) if (d[i] < 30 && d[i+1] < 30 && d[i+2] < 30) ink++;
	return {
		uai: li ? li.dataset.uai : "", expanded: li ? li.querySelector(".school-toggle").getAttribute("aria-expanded") : "",
		legs: Number(c.dataset.journeyLegs), points: Number(c.dataset.journeyPoints),
		modes: li ? [...li.querySelectorAll("ol.legs li")].map(l => l.dataset.mode) : [], ink,
	};
})()`

// checkJourney compares the journey shown with the API's.
func checkJourney(t *testing.T, p *browserPage, base string, state url.Values, what string) journeyShown {
	t.Helper()
	got := eval[journeyShown](p, "journey shown", journeyShownJS)
	q := url.Values{"lat": {state.Get("lat")}, "lon": {state.Get("lon")}, "arrive_by": {"08:30"}, "max_minutes": {"90"},
		"modes": {"walk,transit,school"}, "uai": {got.UAI}}
	var j JourneyDoc
	res := get(t, base+"/v1/journey?"+q.Encode())
	if res.status != 200 {
		t.Fatalf("%s: journey to %q: %d %s", what, got.UAI, res.status, res.body)
	}
	res.decode(t, &j)
	points := 0
	var modes []string
	for _, l := range j.Legs {
		points += len(l.Path)
		modes = append(modes, l.Mode)
	}
	if got.Expanded != "true" || got.Legs != len(j.Legs) || got.Points != points || !slices.Equal(got.Modes, modes) {
		t.Errorf("%s: the page shows %+v, the API %d legs (%v) of %d points", what, got, len(j.Legs), modes, points)
	}
	if got.Ink < 50 {
		t.Errorf("%s: only %d pixels of the journey's ink on the map", what, got.Ink)
	}
	t.Logf("%s: %d legs (%v) drawn through %d points", what, len(j.Legs), modes, points)
	return got
}

func testWebPage(t *testing.T, exe string, r *region, typed string) {
	_, ts := newTestServer(t, Config{}, r.eng)
	p := newBrowserPage(t, exe, ts.URL)

	// An address chosen among the suggestions, with the keyboard.
	p.do("open the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(`body[data-state="ready"]`))
	p.do("type an address", chromedp.SendKeys(`#address`, typed),
		chromedp.WaitVisible(fmt.Sprintf(`#suggestions[data-query=%q] li[role="option"]`, typed)))
	if exp := eval[string](p, "combobox", `document.getElementById("address").getAttribute("aria-expanded")`); exp != "true" {
		t.Errorf("suggestions shown, aria-expanded %q", exp)
	}
	first := eval[string](p, "first suggestion", `document.querySelector("#suggestions li .place").textContent`)
	p.do("move to the first suggestion", chromedp.KeyEvent(kb.ArrowDown))
	if a := eval[string](p, "active suggestion", `document.getElementById("address").getAttribute("aria-activedescendant") + " " +
		document.getElementById("suggestion-0").getAttribute("aria-selected")`); a != "suggestion-0 true" {
		t.Errorf("after ArrowDown: active descendant and selection %q", a)
	}
	p.searched("choose it", chromedp.KeyEvent(kb.Enter))
	state := p.pageURL()
	if state.Get("address") != first || state.Get("lat") == "" || state.Get("lon") == "" {
		t.Fatalf("after choosing %q the URL holds %v", first, state)
	}
	var places struct {
		Features []geoPlace `json:"features"`
	}
	get(t, ts.URL+"/v1/geocode?limit=20&q="+url.QueryEscape(typed)).decode(t, &places)
	lat, _ := strconv.ParseFloat(state.Get("lat"), 64)
	lon, _ := strconv.ParseFloat(state.Get("lon"), 64)
	if !slices.ContainsFunc(places.Features, func(f geoPlace) bool {
		return f.Properties.Label == first && f.Geometry.Coordinates == [2]float64{lon, lat}
	}) {
		t.Errorf("origin %v, %v is not the place %q found by /v1/geocode", lat, lon, first)
	}

	// Results by school, as the API gives them.
	want := reachableFor(t, ts.URL, state)
	checkSchools(t, p, want, "search")

	// The view fits the origin and the schools found, and no more.
	v := p.view()
	box := [4]float64{lon, lat, lon, lat}
	for _, s := range want.Schools {
		if s.Best.Reachable {
			box = [4]float64{min(box[0], s.School.Lon), min(box[1], s.School.Lat), max(box[2], s.School.Lon), max(box[3], s.School.Lat)}
		}
	}
	if box[0] < v[0] || box[1] < v[1] || box[2] > v[2] || box[3] > v[3] {
		t.Errorf("the view %v does not hold the origin and the schools found %v", v, box)
	}
	if wf, hf := (box[2]-box[0])/(v[2]-v[0]), (mercatorY(box[3])-mercatorY(box[1]))/(mercatorY(v[3])-mercatorY(v[1])); max(wf, hf) < 0.4 {
		t.Errorf("the view %v is much larger than the origin and the schools %v (%.0f %% of its width, %.0f %% of its height)",
			v, box, 100*wf, 100*hf)
	}

	// The bands: each drawn, and every band holding a school shows its
	// colour on the map.
	var iso isoDoc
	q := url.Values{"lat": {state.Get("lat")}, "lon": {state.Get("lon")}, "arrive_by": {"08:30"}, "max_minutes": {"90"},
		"modes": {"walk,transit,school"}, "cutoffs": {"15,30,45,60,90"}, "rings": {"true"}}
	get(t, ts.URL+"/v1/isochrone?"+q.Encode()).decode(t, &iso)
	nonEmpty := 0
	for _, f := range iso.Features {
		if len(f.Geometry.Coordinates) > 0 {
			nonEmpty++
		}
	}
	if drawn := eval[string](p, "bands drawn", `document.getElementById("map").dataset.bandsDrawn`); drawn != strconv.Itoa(nonEmpty) || nonEmpty == 0 {
		t.Errorf("%s bands drawn, %d non-empty bands in the isochrone", drawn, nonEmpty)
	}
	colours := paletteColours(t, "BAND_COLOURS")
	pixels := eval[[]int](p, "band pixels", fmt.Sprintf(`(() => {
		const c = document.getElementById("map"), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		return %s.map(w => {
			let n = 0;
			for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]-w[0]) < 3 && Math.abs(d[i+1]-w[1]) < 3 && Math.abs(d[i+2]-w[2]) < 3) n++;
			return n;
		});
	})()`, jsColours(colours)))
	for _, s := range want.Schools {
		if b := s.Best.BandIndex; s.Best.Reachable && pixels[b] < 50 {
			t.Errorf("band %s holds %s but shows only %d pixels of its colour %s", s.Best.Band, s.School.UAI, pixels[b], colours[b])
		}
	}

	// Filters: each changes the list as the API answers and goes in the URL.
	// So do the criteria; defaults are left out of the URL.
	for _, f := range []struct {
		what  string
		do    chromedp.Action[chromedp.Void]
		param string
		want  string // in the URL
	}{
		{"diploma CAP", setControl("diploma", "CAP"), "diploma", "CAP"},
		{"track apprentissage", setControl("track", "apprentissage"), "track", "apprentissage"},
		{"any diploma", setControl("diploma", ""), "diploma", ""},
		{"any track", setControl("track", ""), "track", ""},
		{"boarding", setControl("boarding", "true"), "boarding", "true"},
		{"boarding or not", setControl("boarding", "false"), "boarding", ""},
		{"trips up to 1 h", setControl("max", "60"), "max_minutes", "60"},
		{"trips up to 1 h 30", setControl("max", "90"), "max_minutes", ""},
		{"arrival by 08:00", setControl("arrive", "08:00"), "arrive_by", "08:00"},
		{"arrival by 08:30", setControl("arrive", "08:30"), "arrive_by", ""},
		{"no school bus", chromedp.Click(`input[name="mode"][value="school"]`), "modes", "walk,transit"},
		{"school buses", chromedp.Click(`input[name="mode"][value="school"]`), "modes", ""},
	} {
		p.searched(f.what, f.do)
		state = p.pageURL()
		if state.Get(f.param) != f.want {
			t.Errorf("%s: the URL holds %s=%q, want %q", f.what, f.param, state.Get(f.param), f.want)
		}
		checkSchools(t, p, reachableFor(t, ts.URL, state), f.what)
	}

	// The bands as contours of the cumulative areas, and back.
	p.searched("show contours", chromedp.Click(`input[name="rings"][value="false"]`))
	q.Set("rings", "false")
	var cumulative isoDoc
	get(t, ts.URL+"/v1/isochrone?"+q.Encode()).decode(t, &cumulative)
	nonEmpty = 0
	for _, f := range cumulative.Features {
		if len(f.Geometry.Coordinates) > 0 {
			nonEmpty++
		}
	}
	drawn := eval[string](p, "contours drawn", `document.getElementById("map").dataset.bandsDrawn`)
	if rings := p.pageURL().Get("rings"); rings != "false" || drawn != strconv.Itoa(nonEmpty) {
		t.Errorf("contours: the URL holds rings=%q, %s bands drawn of %d", rings, drawn, nonEmpty)
	}
	p.searched("show bands", chromedp.Click(`input[name="rings"][value="true"]`))
	if p.pageURL().Has("rings") {
		t.Errorf("bands by ring (the default): the URL holds rings=%q", p.pageURL().Get("rings"))
	}

	// A school's journey, drawn leg by leg and listed: the first school
	// reached by a vehicle, so that rides are drawn through their stops.
	uai := eval[string](p, "first school by vehicle", `(document.querySelector('li.school:has(.modality:not([data-modality="walk"]))') ||
		document.querySelector("li.school")).dataset.uai`)
	p.do("open a school's journey", chromedp.Click(fmt.Sprintf(`li.school[data-uai=%q] .school-toggle`, uai)))
	p.waitJourney("journey drawn")
	state = p.pageURL()
	if state.Get("uai") != uai {
		t.Errorf("journey of %s shown, the URL holds uai=%q", uai, state.Get("uai"))
	}
	shown := checkJourney(t, p, ts.URL, state, "journey")
	legend := eval[int](p, "journey legend", `document.querySelectorAll("#legend .journey-key li").length`)
	if legend != 2 {
		t.Errorf("the legend shows %d journey keys, want 2 (walk, ride)", legend)
	}

	// The URL reproduces the view.
	href := eval[string](p, "location", `location.href`)
	before := p.view()
	p.searched("reload the page's address", chromedp.Navigate(href))
	p.waitJourney("journey drawn after reloading")
	if again := eval[string](p, "location", `location.href`); again != href {
		t.Errorf("after reloading %s the URL is %s", href, again)
	}
	if got := eval[string](p, "address", `document.getElementById("address").value`); got != first {
		t.Errorf("after reloading the address field holds %q, want %q", got, first)
	}
	if after := checkJourney(t, p, ts.URL, state, "journey after reloading"); after.UAI != shown.UAI || after.Legs != shown.Legs {
		t.Errorf("after reloading the journey shown is %+v, before %+v", after, shown)
	}
	after := p.view()
	for i := range before {
		if math.Abs(after[i]-before[i]) > 1e-6 {
			t.Errorf("after reloading the view is %v, before %v", after, before)
			break
		}
	}
	checkSchools(t, p, reachableFor(t, ts.URL, state), "after reloading")
	desk := eval[map[string]float64](p, "desktop layout", `({ scrollW: document.scrollingElement.scrollWidth, scrollH: document.scrollingElement.scrollHeight,
		w: innerWidth, h: innerHeight })`)
	if desk["scrollW"] > desk["w"] || desk["scrollH"] > desk["h"] {
		t.Errorf("desktop: the page scrolls (%v × %v in a window of %v × %v); the map and the list should each fit",
			desk["scrollW"], desk["scrollH"], desk["w"], desk["h"])
	}
	p.do("streets drawn", chromedp.WaitVisible(`body[data-streets="ready"]`))
	saveScreenshot(t, "web-"+r.name+"-desktop.png", p.screenshot())

	// A click on a school's marker opens its journey: a school whose
	// marker stands apart from the others.
	rect := eval[[]float64](p, "map rectangle", `(() => { const r = document.getElementById("map").getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()`)
	inside := func(x, y float64) bool { // on the canvas, away from its buttons
		return x > rect[0]+70 && x < rect[2]-10 && y > rect[1]+10 && y < rect[3]-10
	}
	var markers [][2]float64
	var reached []engine.SchoolResult
	for _, s := range want.Schools {
		if s.Best.Reachable {
			x, y := p.screenPoint(s.School.Lon, s.School.Lat)
			markers = append(markers, [2]float64{x, y})
			reached = append(reached, s)
		}
	}
	near := func(x, y, d float64, skip int) bool {
		for i, m := range markers {
			if i != skip && math.Hypot(m[0]-x, m[1]-y) < d {
				return true
			}
		}
		return false
	}
	for i, s := range reached {
		m := markers[i]
		if s.School.UAI == uai || near(m[0], m[1], 20, i) || !inside(m[0], m[1]) {
			continue
		}
		p.do("click a school on the map", chromedp.MouseClickXY(m[0], m[1]))
		p.do("its journey", chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector("li.school.selected") !== null &&
			document.querySelector("li.school.selected").dataset.uai === %q && document.querySelector("li.school.selected ol.legs") !== null`,
			s.School.UAI), chromedp.WithPollingTimeout(20*time.Second)))
		if u := p.pageURL().Get("uai"); u != s.School.UAI {
			t.Errorf("school %s clicked on the map, the URL holds uai=%q", s.School.UAI, u)
		}
		break
	}

	// A click elsewhere on the map, away from the markers, is a new origin.
	ox, oy := p.screenPoint(lon, lat)
	x, y := math.NaN(), math.NaN()
	for _, d := range [][2]float64{{0.07, -0.05}, {-0.07, 0.05}, {0.05, 0.08}, {-0.08, -0.06}, {0.12, 0.02}, {-0.03, -0.12}, {0.1, -0.1}, {-0.1, 0.1}} {
		cx, cy := p.screenPoint(lon+(v[2]-v[0])*d[0], lat+(v[3]-v[1])*d[1])
		if inside(cx, cy) && !near(cx, cy, 30, -1) && math.Hypot(cx-ox, cy-oy) > 30 {
			x, y = cx, cy
			break
		}
	}
	if math.IsNaN(x) {
		t.Fatal("no place on the map away from the schools' markers to click")
	}
	p.searched("click the map", chromedp.MouseClickXY(x, y))
	state = p.pageURL()
	nlat, _ := strconv.ParseFloat(state.Get("lat"), 64)
	nlon, _ := strconv.ParseFloat(state.Get("lon"), 64)
	if state.Has("address") || state.Has("uai") || (nlat == lat && nlon == lon) || math.Abs(nlon-lon) > (v[2]-v[0])*0.2 {
		t.Errorf("after a click on the map beside the origin %v, %v the URL holds %v", lat, lon, state)
	}
	if got := eval[string](p, "address", `document.getElementById("address").value`); !strings.Contains(got, ",") {
		t.Errorf("after a click on the map the address field holds %q, want the coordinates", got)
	}
	checkSchools(t, p, reachableFor(t, ts.URL, state), "after a click on the map")

	// 400 pixels wide: map above the list, tall enough, no sideways scroll.
	p.searched("open the link at 400 px", chromedp.EmulateViewport(400, 860), chromedp.Navigate(href))
	p.waitJourney("journey drawn at 400 px")
	layout := eval[map[string]float64](p, "layout", `(() => {
		const m = document.getElementById("map").getBoundingClientRect();
		const l = document.getElementById("results").getBoundingClientRect();
		return { scroll: document.scrollingElement.scrollWidth, inner: innerWidth, mapTop: m.top, mapHeight: m.height,
			mapWidth: m.width, mapBottom: m.bottom, listTop: l.top };
	})()`)
	if layout["scroll"] > layout["inner"] || layout["inner"] != 400 {
		t.Errorf("at 400 px: scroll width %v for a window of %v", layout["scroll"], layout["inner"])
	}
	if layout["mapHeight"] < 300 || layout["mapWidth"] < 390 || layout["mapBottom"] > layout["listTop"] {
		t.Errorf("at 400 px: map %v × %v ending at %v, list from %v: want the map at least 300 px high, above the list",
			layout["mapWidth"], layout["mapHeight"], layout["mapBottom"], layout["listTop"])
	}
	checkJourney(t, p, ts.URL, state0(href), "journey at 400 px")
	p.do("streets drawn at 400 px", chromedp.WaitVisible(`body[data-streets="ready"]`))
	saveScreenshot(t, "web-"+r.name+"-400.png", p.screenshot())
	p.do("back to the desktop", chromedp.EmulateViewport(1280, 800))

	// Error and empty states, in French.
	eval[bool](p, "reset", `(document.body.dataset.state = "waiting") !== ""`)
	p.do("an origin outside the region", chromedp.Navigate(ts.URL+"/?lat=10&lon=10"),
		chromedp.WaitVisible(`body[data-state="error"], body[data-state="done"]`))
	if s := p.status(); !strings.Contains(s, "hors de la zone couverte") {
		t.Errorf("origin outside the region: status %q", s)
	}
	p.searched("no training matches", chromedp.Navigate(href+"&diploma=Doctorat"))
	if s := eval[string](p, "empty list", `document.getElementById("results").textContent`); !strings.Contains(s, "Aucune formation accessible") {
		t.Errorf("no training matches: the list says %q", s)
	}

	if errs := p.jsErrors(); len(errs) > 0 {
		t.Errorf("JavaScript errors: %v", errs)
	}
}

// geoPlace is a place found by /v1/geocode.
type geoPlace struct {
	Geometry struct {
		Coordinates [2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		Label string `json:"label"`
	} `json:"properties"`
}

// state0 is the state held by a page address.
func state0(href string) url.Values {
	u, _ := url.Parse(href)
	return u.Query()
}

// jsColours writes colours as a JavaScript array of [r, g, b].
func jsColours(cs []rgb) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("[%v,%v,%v]", c[0], c[1], c[2]))
	}
	return "[" + strings.Join(parts, ",") + "]"
}
