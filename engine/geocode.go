package engine

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"reach/geocode"
)

// GeocodeParams are the parameters of an address search (/v1/geocode).
func GeocodeParams() []Param {
	return []Param{
		{Name: "q", Type: "string", Required: true, Doc: "the text searched: an address, a street, a school (name or UAI) or a stop, as typed (1..200 bytes)"},
		{Name: "limit", Type: "integer", Default: strconv.Itoa(geocode.DefaultLimit), Doc: fmt.Sprintf("most results (1..%d)", geocode.MaxLimit)},
		{Name: "lat", Type: "number", Doc: "latitude favouring results near it (WGS84 degrees; with lon)"},
		{Name: "lon", Type: "number", Doc: "longitude favouring results near it (WGS84 degrees; with lat)"},
	}
}

// GeocodeRequest is an address search.
type GeocodeRequest struct {
	Text  string
	Limit int
	// Near, when set, favours results close to Lat, Lon.
	Near     bool
	Lat, Lon float64
}

// ParseGeocode reads an address search.
func ParseGeocode(v url.Values) (GeocodeRequest, error) {
	r := newReader(v, GeocodeParams(), Limits{})
	req := GeocodeRequest{Text: r.text("q"), Limit: r.intIn("limit", 1, geocode.MaxLimit)}
	if r.err == nil && !geocode.HasWords(req.Text) {
		r.fail("q", fmt.Sprintf("%q has no word to search (letters or digits)", clip(req.Text, maxEcho)))
	}
	switch {
	case r.has("lat") && r.has("lon"):
		req.Near = true
		req.Lat = r.numberIn("lat", -90, 90, "")
		req.Lon = r.numberIn("lon", -180, 180, "")
	case r.has("lat"):
		r.fail("lat", "given without lon: give both or neither")
	case r.has("lon"):
		r.fail("lon", "given without lat: give both or neither")
	}
	return req, r.err
}

// GeocodeDoc is the answer of an address search: a GeoJSON
// FeatureCollection of points, best first, shaped like the answers of the
// national address API (properties label, score, type, name, postcode,
// city, id).
type GeocodeDoc struct {
	Type     string           `json:"type"` // "FeatureCollection"
	Query    string           `json:"query"`
	Limit    int              `json:"limit"`
	Features []GeocodeFeature `json:"features"`
}

// GeocodeFeature is one result.
type GeocodeFeature struct {
	Type       string            `json:"type"` // "Feature"
	Geometry   PointGeometry     `json:"geometry"`
	Properties GeocodeProperties `json:"properties"`
}

// PointGeometry is a GeoJSON point.
type PointGeometry struct {
	Type        string     `json:"type"`        // "Point"
	Coordinates [2]float64 `json:"coordinates"` // lon, lat, rounded to 6 decimals (about 10 cm)
}

// GeocodeProperties describe a result.
type GeocodeProperties struct {
	// Label is the full text to show: name, postcode and commune
	// ("12 Rue de Strasbourg 44000 Nantes").
	Label string `json:"label"`
	// Score ranks the results, 0..1 (see geocode.Search).
	Score float64 `json:"score"`
	// Type is housenumber, street, school or stop.
	Type string `json:"type"`
	// Name is the name without commune ("12 Rue de Strasbourg").
	Name        string `json:"name"`
	HouseNumber string `json:"housenumber,omitempty"` // for a house number: "12", "12 bis"
	Street      string `json:"street,omitempty"`      // for a house number: its street
	Postcode    string `json:"postcode"`              // "" when unknown
	City        string `json:"city"`                  // commune, "" when unknown
	// ID identifies the entry: the address base's id, "osm:node/…",
	// "osm:way/…", a school's UAI or a stop's id ("FEED:STOP_ID").
	ID string `json:"id"`
	// Distance from the lat, lon of the request, metres (only with them).
	Distance *int `json:"distance,omitempty"`
}

// Geocode searches the graph's address index.
func (e *Engine) Geocode(req GeocodeRequest) GeocodeDoc {
	a := &e.g.Addresses
	hits := geocode.Search(a, geocode.Query{Text: req.Text, Limit: req.Limit, Near: req.Near, Lat: req.Lat, Lon: req.Lon})
	doc := GeocodeDoc{Type: "FeatureCollection", Query: req.Text, Limit: req.Limit, Features: make([]GeocodeFeature, 0, len(hits))}
	if doc.Limit == 0 {
		doc.Limit = geocode.DefaultLimit
	}
	for _, h := range hits {
		i := h.Entry
		p := GeocodeProperties{
			Label: a.Name[i], Score: math.Round(h.Score*1e4) / 1e4, Type: a.Kind[i].String(), Name: a.Name[i],
			HouseNumber: a.HouseNumber[i], Postcode: a.Postcode[i], City: a.City[i], ID: a.Ref[i],
		}
		if p.HouseNumber != "" {
			p.Street = strings.TrimSpace(strings.TrimPrefix(p.Name, p.HouseNumber))
		}
		for _, s := range []string{p.Postcode, p.City} {
			if s != "" {
				p.Label += " " + s
			}
		}
		if req.Near {
			d := int(math.Round(h.Distance))
			p.Distance = &d
		}
		doc.Features = append(doc.Features, GeocodeFeature{
			Type:       "Feature",
			Geometry:   PointGeometry{Type: "Point", Coordinates: [2]float64{round6(a.Lon[i]), round6(a.Lat[i])}},
			Properties: p,
		})
	}
	return doc
}
