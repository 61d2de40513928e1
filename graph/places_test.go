package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
)

// testPlaces builds a valid Places from ids and coordinates; offers[i] is
// the school of offer i (any order: they are grouped here).
func testPlaces(ids []string, lats, lons []float64, offers []int32) *Places {
	n := len(ids)
	p := &Places{
		SchoolID: ids, SchoolLat: lats, SchoolLon: lons,
		SchoolName: make([]string, n), SchoolKind: make([]string, n), SchoolNature: make([]string, n),
		SchoolSector: make([]Sector, n), SchoolAddress: make([]string, n), SchoolPostcode: make([]string, n),
		SchoolCommune: make([]string, n), SchoolDept: make([]string, n),
		SchoolVocational: make([]bool, n), SchoolCollege: make([]bool, n),
		SchoolBoarding: make([]bool, n), SchoolOnisepURL: make([]string, n), SchoolApprentissage: make([]bool, n),
		SchoolOfferStart: make([]int32, n+1),
	}
	for i := range ids {
		p.SchoolName[i] = "school " + ids[i]
		p.SchoolOrder = append(p.SchoolOrder, SchoolIdx(i))
	}
	sort.Slice(p.SchoolOrder, func(a, b int) bool { return ids[p.SchoolOrder[a]] < ids[p.SchoolOrder[b]] })
	sorted := append([]int32(nil), offers...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	for i, s := range sorted {
		p.SchoolOfferStart[s+1]++
		p.OfferSchool = append(p.OfferSchool, SchoolIdx(s))
		p.OfferLabel = append(p.OfferLabel, fmt.Sprintf("offer %d of %s", i, ids[s]))
		p.OfferCode = append(p.OfferCode, "")
		p.OfferLevel = append(p.OfferLevel, "CAP")
		p.OfferVoie = append(p.OfferVoie, VoieScolaire)
		p.OfferCapacity = append(p.OfferCapacity, 12)
		p.OfferSource = append(p.OfferSource, OfferFromCSV)
	}
	for s := 0; s < n; s++ {
		p.SchoolOfferStart[s+1] += p.SchoolOfferStart[s]
	}
	return p
}

func TestPlacesLookup(t *testing.T) {
	p := testPlaces([]string{"0350009V", "0350005R", "0350031U"},
		[]float64{48.1, 48.2, 48.3}, []float64{-1.6, -1.7, -1.8}, []int32{2, 0, 2, 2})
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.NumSchools() != 3 || p.NumOffers() != 4 {
		t.Fatalf("%d schools, %d offers", p.NumSchools(), p.NumOffers())
	}
	for i, id := range p.SchoolID {
		if s, ok := p.SchoolByUAI(id); !ok || s != SchoolIdx(i) {
			t.Errorf("SchoolByUAI(%s) = %d, %v", id, s, ok)
		}
	}
	for _, id := range []string{"", "0350000A", "0350006S", "9999999Z"} {
		if s, ok := p.SchoolByUAI(id); ok || s != -1 {
			t.Errorf("SchoolByUAI(%q) = %d, %v", id, s, ok)
		}
	}
	want := [][2]OfferIdx{{0, 1}, {1, 1}, {1, 4}}
	for s, w := range want {
		if f, e := p.OffersOf(SchoolIdx(s)); f != w[0] || e != w[1] {
			t.Errorf("OffersOf(%d) = %d..%d, want %d..%d", s, f, e, w[0], w[1])
		}
	}
	if SectorPrivate.String() != "private" || VoieApprentissage.String() != "apprentissage" ||
		OfferFromAffelnet2nde.String() != "affelnet-2nde" || OfferFromCSV.String() != "csv" {
		t.Error("enum names")
	}
}

func TestPlacesValidate(t *testing.T) {
	fresh := func() *Places {
		return testPlaces([]string{"A", "B", "C"}, []float64{1, 2, 3}, []float64{4, 5, 6}, []int32{0, 2, 2})
	}
	if err := fresh().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&Places{SchoolOfferStart: []int32{0}}).Validate(); err != nil {
		t.Errorf("empty places: %v", err)
	}
	breakers := map[string]func(p *Places){
		"short names":        func(p *Places) { p.SchoolName = p.SchoolName[:2] },
		"short boarding":     func(p *Places) { p.SchoolBoarding = p.SchoolBoarding[:2] },
		"long onisep urls":   func(p *Places) { p.SchoolOnisepURL = append(p.SchoolOnisepURL, "") },
		"short apprentices":  func(p *Places) { p.SchoolApprentissage = nil },
		"short offer labels": func(p *Places) { p.OfferLabel = p.OfferLabel[:1] },
		"latitude":           func(p *Places) { p.SchoolLat[1] = 91 },
		"NaN longitude":      func(p *Places) { p.SchoolLon[0] = math.NaN() },
		"order repeated":     func(p *Places) { p.SchoolOrder[1] = p.SchoolOrder[0] },
		"order unsorted":     func(p *Places) { p.SchoolOrder[0], p.SchoolOrder[1] = p.SchoolOrder[1], p.SchoolOrder[0] },
		"duplicate id":       func(p *Places) { p.SchoolID[1] = "A" },
		"csr span":           func(p *Places) { p.SchoolOfferStart[3] = 2 },
		"csr decreasing":     func(p *Places) { p.SchoolOfferStart[1] = 2; p.SchoolOfferStart[2] = 1 },
		"offer misplaced":    func(p *Places) { p.OfferSchool[1] = 1 },
		"capacity":           func(p *Places) { p.OfferCapacity[0] = -5 },
	}
	for name, br := range breakers {
		p := fresh()
		br(p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: Validate accepted a broken Places", name)
		}
	}
}

// randomPlaces spreads n schools over metropolitan France, with clusters
// of identical coordinates (schools sharing a site) and a few schools near
// the antimeridian.
func randomPlaces(n int, seed uint64) *Places {
	r := rand.New(rand.NewPCG(seed, 1))
	ids := make([]string, n)
	lats, lons := make([]float64, n), make([]float64, n)
	perm := r.Perm(n) // ids in another order than the indexes
	for i := range ids {
		ids[i] = fmt.Sprintf("S%07d", perm[i])
		switch {
		case i%50 == 7 && i > 0: // same site as the previous school
			lats[i], lons[i] = lats[i-1], lons[i-1]
		case i%97 == 3: // Pacific
			lats[i], lons[i] = -20+r.Float64()*10, 175+r.Float64()*10
			if lons[i] > 180 {
				lons[i] -= 360
			}
		default:
			lats[i], lons[i] = 42+r.Float64()*9, -4.5+r.Float64()*12
		}
	}
	return testPlaces(ids, lats, lons, nil)
}

// bruteBBox scans every school.
func bruteBBox(p *Places, minLat, minLon, maxLat, maxLon float64) []SchoolIdx {
	var out []SchoolIdx
	for s := range p.SchoolID {
		la, lo := p.SchoolLat[s], p.SchoolLon[s]
		inLon := lo >= minLon && lo <= maxLon
		if minLon > maxLon {
			inLon = lo >= minLon || lo <= maxLon
		}
		if la >= minLat && la <= maxLat && inLon {
			out = append(out, SchoolIdx(s))
		}
	}
	return out
}

// bruteNearest sorts every school by (distance, index).
func bruteNearest(p *Places, lat, lon float64, k int) []SchoolDistance {
	all := make([]SchoolDistance, len(p.SchoolID))
	for s := range all {
		all[s] = SchoolDistance{SchoolIdx(s), Haversine(lat, lon, p.SchoolLat[s], p.SchoolLon[s])}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Meters != all[j].Meters {
			return all[i].Meters < all[j].Meters
		}
		return all[i].School < all[j].School
	})
	if k < len(all) {
		all = all[:k]
	}
	return all
}

func TestIndexBBoxMatchesScan(t *testing.T) {
	p := randomPlaces(3000, 1)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	ix := p.Index()
	if ix.Len() != 3000 {
		t.Fatalf("index holds %d schools", ix.Len())
	}
	r := rand.New(rand.NewPCG(2, 2))
	nonEmpty := 0
	for q := 0; q < 500; q++ {
		var minLat, minLon, maxLat, maxLon float64
		if q%10 == 0 { // across the antimeridian
			minLat, maxLat = -25, -25+r.Float64()*20
			minLon, maxLon = 170+r.Float64()*9, -180+r.Float64()*9
		} else {
			minLat, minLon = 41+r.Float64()*10, -5+r.Float64()*12
			maxLat, maxLon = minLat+r.Float64()*2, minLon+r.Float64()*3
		}
		got := ix.InBBox(minLat, minLon, maxLat, maxLon)
		want := bruteBBox(p, minLat, minLon, maxLat, maxLon)
		if len(want) > 0 {
			nonEmpty++
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("box %v,%v %v,%v: index %d schools, scan %d", minLat, minLon, maxLat, maxLon, len(got), len(want))
		}
	}
	if nonEmpty < 400 {
		t.Errorf("only %d boxes contained schools: the test is too weak", nonEmpty)
	}
	// A school exactly on the box edge is inside; an inverted box is empty.
	s := SchoolIdx(10)
	if got := ix.InBBox(p.SchoolLat[s], p.SchoolLon[s], p.SchoolLat[s], p.SchoolLon[s]); !slices.Contains(got, s) {
		t.Errorf("point box: %v", got)
	}
	if got := ix.InBBox(50, -5, 40, 8); got != nil {
		t.Errorf("inverted box: %v", got)
	}
}

func TestIndexNearestMatchesScan(t *testing.T) {
	p := randomPlaces(2000, 3)
	ix := p.Index()
	r := rand.New(rand.NewPCG(4, 4))
	for q := 0; q < 300; q++ {
		lat, lon := 41+r.Float64()*11, -6+r.Float64()*14
		if q%15 == 0 {
			lat, lon = -15+r.Float64()*5, 178+r.Float64()*4
			if lon > 180 {
				lon -= 360
			}
		}
		if q%20 == 1 { // exactly at a school shared by two
			lat, lon = p.SchoolLat[57], p.SchoolLon[57]
		}
		k := []int{1, 3, 8, 25}[q%4]
		got := ix.Nearest(lat, lon, k)
		want := bruteNearest(p, lat, lon, k)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("query %v,%v k=%d:\n got %v\nwant %v", lat, lon, k, got, want)
		}
	}
	if got := ix.Nearest(48, -1.6, 5000); len(got) != 2000 {
		t.Errorf("k above size: %d results", len(got))
	}
	if got := ix.Nearest(48, -1.6, 0); got != nil {
		t.Errorf("k=0: %v", got)
	}
	empty := (&Places{SchoolOfferStart: []int32{0}}).Index()
	if empty.Nearest(48, -1.6, 3) != nil || empty.InBBox(40, -5, 50, 8) != nil {
		t.Error("empty index should find nothing")
	}
}

func TestIndexConcurrent(t *testing.T) {
	p := randomPlaces(1000, 5)
	ix := p.Index()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for q := 0; q < 100; q++ {
				lat, lon := 42+r.Float64()*9, -4+r.Float64()*11
				if got, want := ix.Nearest(lat, lon, 4), bruteNearest(p, lat, lon, 4); !reflect.DeepEqual(got, want) {
					errs <- fmt.Sprintf("goroutine %d: nearest %v, want %v", g, got, want)
					return
				}
				if got, want := ix.InBBox(lat, lon, lat+0.5, lon+0.5), bruteBBox(p, lat, lon, lat+0.5, lon+0.5); !reflect.DeepEqual(got, want) {
					errs <- fmt.Sprintf("goroutine %d: bbox mismatch", g)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestBoxLowerBound checks the kNN pruning bound against points sampled in
// random boxes, large and small, at all latitudes and across ±180°.
func TestBoxLowerBound(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for i := 0; i < 20000; i++ {
		lat, lon := -89+r.Float64()*178, -180+r.Float64()*360
		w, h := r.Float64()*r.Float64()*200, r.Float64()*r.Float64()*90
		minLon := -180 + r.Float64()*(360-w)
		minLat := -90 + r.Float64()*(180-h)
		min, max := [2]float64{minLon, minLat}, [2]float64{minLon + w, minLat + h}
		b := placesBoxLowerBound(lat, lon, math.Cos(lat*placesDegToRad), min, max)
		for j := 0; j < 20; j++ {
			qlat := min[1] + r.Float64()*(max[1]-min[1])
			qlon := min[0] + r.Float64()*(max[0]-min[0])
			switch j {
			case 0:
				qlat, qlon = min[1], min[0]
			case 1:
				qlat, qlon = max[1], max[0]
			}
			if d := Haversine(lat, lon, qlat, qlon); d < b-1e-6 {
				t.Fatalf("point %v,%v box %v..%v: bound %.3f > distance %.3f to %v,%v", lat, lon, min, max, b, d, qlat, qlon)
			}
		}
	}
}

func BenchmarkIndexNearest(b *testing.B) {
	p := randomPlaces(20000, 7)
	ix := p.Index()
	r := rand.New(rand.NewPCG(8, 8))
	b.ReportAllocs()
	for b.Loop() {
		ix.Nearest(42+r.Float64()*9, -4+r.Float64()*11, 10)
	}
}

func BenchmarkIndexInBBox(b *testing.B) {
	p := randomPlaces(20000, 7)
	ix := p.Index()
	r := rand.New(rand.NewPCG(8, 8))
	b.ReportAllocs()
	for b.Loop() {
		lat, lon := 42+r.Float64()*9, -4+r.Float64()*11
		ix.InBBox(lat, lon, lat+0.2, lon+0.3)
	}
}
