package server

import (
	"context"
	"net/url"

	"reach/engine"
)

// geocode answers /v1/geocode: the address search, as GeoJSON.
func (s *Server) geocode(v url.Values) (compute, error) {
	req, err := engine.ParseGeocode(v)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, st *state) (any, error) { return geoDoc{st.eng.Geocode(req)}, nil }, nil
}
