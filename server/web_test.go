package server

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"reach/engine"
	"reach/graph"
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

// artefactDir is where the browser test leaves its screenshot:
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

// TestWebPage loads the page in headless Chromium, types an address, runs
// the search, and checks the list of trainings by band against the API,
// the bands drawn on the map, and a journey's legs.
func TestWebPage(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("browser test skipped: Chromium is not installed (Debian: apt-get install -y chromium)")
	}
	r := synthRegion(t)
	_, ts := newTestServer(t, Config{}, r.eng)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var mu sync.Mutex
	var jsErrors []string
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			mu.Lock()
			jsErrors = append(jsErrors, ev.ExceptionDetails.Text)
			mu.Unlock()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				mu.Lock()
				jsErrors = append(jsErrors, fmt.Sprintf("console.error with %d arguments", len(ev.Args)))
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%s: %v (JS errors: %v)", what, err, jsErrors)
		}
	}
	run := func(what, expr string) string { // evaluates a JS expression to a string
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		must(what, err)
		return v
	}

	must("search in the page", chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`body[data-state="ready"]`),
		chromedp.SendKeys(`#origin`, fmt.Sprintf("%v, %v", r.lat, r.lon)),
		chromedp.Click(`#go`),
		chromedp.WaitVisible(`body[data-state="done"], body[data-state="error"]`),
	))
	if state := run("state", `document.body.dataset.state`); state != "done" {
		t.Fatalf("search ended in state %q: %s", state, run("status", `document.getElementById("status").textContent`))
	}

	// The list: same offers per band as the API.
	var want engine.Answer
	q := url.Values{"lat": {fmt.Sprintf("%.6f", r.lat)}, "lon": {fmt.Sprintf("%.6f", r.lon)}, "arrive_by": {"08:30"},
		"max_minutes": {"90"}, "modes": {"walk,transit,school"}, "cutoffs": {"15,30,45,60,90"}, "per_page": {"500"}}
	get(t, ts.URL+"/v1/reachable?"+q.Encode()).decode(t, &want)
	var wantBands []string
	wantOffers := 0
	for _, b := range want.Summary.Bands {
		if b.Offers > 0 {
			wantBands = append(wantBands, b.Band)
			wantOffers += b.Offers
		}
	}
	bands := run("bands", `[...document.querySelectorAll("#results section.band")].map(s => s.dataset.band).join(" ")`)
	offers := run("offers", `String(document.querySelectorAll("#results li.offer").length)`)
	if bands != strings.Join(wantBands, " ") || offers != fmt.Sprint(wantOffers) || wantOffers == 0 {
		t.Errorf("page lists bands %q with %s offers, the API %v with %d", bands, offers, wantBands, wantOffers)
	}

	// The map: one drawn band per non-empty isochrone band, and pixels of
	// each band's colour (blended at 45% over the background) on the canvas.
	var iso isoDoc
	q.Set("rings", "true")
	q.Del("per_page")
	get(t, ts.URL+"/v1/isochrone?"+q.Encode()).decode(t, &iso)
	nonEmpty := 0
	for _, f := range iso.Features {
		if len(f.Geometry.Coordinates) > 0 {
			nonEmpty++
		}
	}
	if drawn := run("bands drawn", `document.getElementById("map").dataset.bandsDrawn`); drawn != fmt.Sprint(nonEmpty) || nonEmpty == 0 {
		t.Errorf("%s bands drawn, %d non-empty bands in the isochrone", drawn, nonEmpty)
	}
	pixels, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(() => {
		const c = document.getElementById("map"), ctx = c.getContext("2d");
		const d = ctx.getImageData(0, 0, c.width, c.height).data;
		const bg = [0xfb, 0xfb, 0xf8];
		return [...document.querySelectorAll("#legend li span")].map(s => {
			const m = getComputedStyle(s).backgroundColor.match(/\d+/g).map(Number);
			const want = m.slice(0, 3).map((v, i) => bg[i] * 0.55 + v * 0.45);
			let n = 0;
			for (let i = 0; i < d.length; i += 4) {
				if (Math.abs(d[i] - want[0]) < 6 && Math.abs(d[i+1] - want[1]) < 6 && Math.abs(d[i+2] - want[2]) < 6) n++;
			}
			return n;
		});
	})()`))
	must("count band pixels", err)
	if len(pixels) != len(iso.Features) {
		t.Fatalf("legend has %d bands, isochrone %d", len(pixels), len(iso.Features))
	}
	for i, f := range iso.Features {
		if f.Properties.Cells > 0 && pixels[i] < 50 {
			t.Errorf("band %s (%d cells): only %d pixels of its colour on the map", f.Properties.Band, f.Properties.Cells, pixels[i])
		}
	}

	// A training's journey.
	must("open a journey", chromedp.Do(ctx,
		chromedp.Click(`#results li.offer button`),
		chromedp.WaitVisible(`#results li.offer.open ol.legs li[data-mode]`),
	))
	legs := run("legs", `String(document.querySelectorAll("#results li.offer.open ol.legs li[data-mode]").length)`)
	first := run("first leg", `document.querySelector("#results li.offer.open ol.legs li").textContent`)
	var j JourneyDoc
	q = url.Values{"lat": q["lat"], "lon": q["lon"], "arrive_by": {"08:30"}, "max_minutes": {"90"}, "modes": {"walk,transit,school"},
		"uai": {want.Results[0].School.UAI}}
	get(t, ts.URL+"/v1/journey?"+q.Encode()).decode(t, &j)
	if legs != fmt.Sprint(len(j.Legs)) || !strings.HasPrefix(first, j.Legs[0].Depart[:5]) {
		t.Errorf("page shows %s legs starting %q, the API %d legs leaving at %s", legs, first, len(j.Legs), j.Legs[0].Depart)
	}

	// Clicking the map picks a new origin and searches from it.
	centre, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const r = document.getElementById("map").getBoundingClientRect();
		document.body.dataset.state = "clicked";
		return [r.left + r.width / 2 + 7, r.top + r.height / 2 + 5];
	})()`))
	must("map centre", err)
	must("click the map", chromedp.Do(ctx,
		chromedp.MouseClickXY(centre[0], centre[1]),
		chromedp.WaitVisible(`body[data-state="done"], body[data-state="error"]`),
	))
	if state := run("state", `document.body.dataset.state`); state != "done" {
		t.Errorf("search after a click ended in state %q: %s", state, run("status", `document.getElementById("status").textContent`))
	}
	var lat, lon float64
	origin := run("origin", `document.getElementById("origin").value`)
	_, err = fmt.Sscanf(origin, "%f, %f", &lat, &lon)
	if err != nil || graph.Haversine(lat, lon, r.lat, r.lon) > 5000 || (lat == r.lat && lon == r.lon) {
		t.Errorf("origin after a click on the map: %q", origin)
	}

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	shot := filepath.Join(artefactDir(t), "web-page.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("JavaScript errors: %v", jsErrors)
	}
}
