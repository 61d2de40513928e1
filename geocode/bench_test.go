package geocode

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"reach/graph"
)

// BenchmarkSearchLarge searches an index the size of a département's
// address base: 1,200 street names in 40 communes, 300 house numbers on
// each of 1,200 streets (360,000 house numbers), every prefix of a few
// queries as they are typed. It reports the median and the 99th
// percentile.
func BenchmarkSearchLarge(b *testing.B) {
	kinds := []string{"Rue", "Avenue", "Boulevard", "Place", "Impasse", "Chemin", "Allée", "Route"}
	people := []string{"Victor Hugo", "Jean Jaurès", "de la Liberté", "Pasteur", "du Général de Gaulle", "de la Gare",
		"des Écoles", "Saint-Michel", "de Strasbourg", "du Moulin", "des Lilas", "Gambetta", "Voltaire", "de la Paix", "Carnot"}
	var entries []Entry
	for c := 0; c < 40; c++ {
		city := fmt.Sprintf("Commune%02d", c)
		for k, kind := range kinds {
			for p, who := range people {
				if (c+k+p)%3 != 0 {
					continue
				}
				street := kind + " " + who
				lat, lon := 47+float64(c)*0.05, -1.5+float64(k*len(people)+p)*0.001
				entries = append(entries, Entry{Kind: graph.AddressStreet, Name: street, City: city, Lat: lat, Lon: lon})
				for n := 1; n <= 300; n++ {
					entries = append(entries, Entry{Kind: graph.AddressHouseNumber, Name: fmt.Sprint(n, " ", street),
						HouseNumber: fmt.Sprint(n), City: city, Postcode: fmt.Sprintf("35%03d", c), Lat: lat + float64(n)*1e-5, Lon: lon})
				}
			}
		}
	}
	start := time.Now()
	a, err := Build(entries)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d entries, %d words, indexed in %v", a.NumEntries(), len(a.Token), time.Since(start).Round(time.Millisecond))
	var qs []string
	for _, q := range []string{"12 rue victor hugo commune07", "boulevard de la liberte commune12", "av du gal de gaulle", "250 impasse pasteur"} {
		for i := 1; i <= len(q); i++ {
			qs = append(qs, q[:i])
		}
	}
	var d []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		Search(&a, Query{Text: qs[i%len(qs)]})
		d = append(d, time.Since(t))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds())/1000, "p99-µs")
}
