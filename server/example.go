package server

import (
	"net/url"
	"strconv"
)

// Place is a named point, WGS84 degrees.
type Place struct {
	Lat, Lon float64
	Name     string
}

// ExamplePlace is a place to open the web page on, from which schools are
// within reach: the stop of the graph served that the most routes serve
// (a town's hub). It is false without a graph or without stops.
func (s *Server) ExamplePlace() (Place, bool) {
	st := s.use()
	if st == nil {
		return Place{}, false
	}
	defer s.done(st)
	tt := &st.eng.Graph().Timetable
	best, most := -1, int32(0)
	for i := range tt.NumStops() {
		if n := tt.StopRouteStart[i+1] - tt.StopRouteStart[i]; n > most {
			best, most = i, n
		}
	}
	if best < 0 {
		return Place{}, false
	}
	return Place{Lat: tt.StopLat[best], Lon: tt.StopLon[best], Name: tt.StopName[best]}, true
}

// PageLink is the address of the web page opened on a place: base (the
// scheme and host, "http://127.0.0.1:8080") and the query the page itself
// writes, so that the page searches from the place at once.
func PageLink(base string, p Place) string {
	q := url.Values{}
	if p.Name != "" {
		q.Set("address", p.Name)
	}
	q.Set("lat", strconv.FormatFloat(p.Lat, 'f', 6, 64))
	q.Set("lon", strconv.FormatFloat(p.Lon, 'f', 6, 64))
	return base + "/?" + q.Encode()
}
