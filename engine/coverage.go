package engine

// StreetLink reports whether requests from a place start on the walking
// network: ok when a walkable street lies within the graph's link limit
// (Meta.LinkLimit, 1,600 m by default), metres being the length of the
// connector to it. From a place farther away, and from every place of a
// graph without streets, stops and schools are reached by straight lines
// only.
func (e *Engine) StreetLink(lat, lon float64) (metres float64, ok bool) {
	sn, ok := e.stops.Snap(lat, lon)
	if !ok {
		return 0, false
	}
	return sn.Dist, true
}
