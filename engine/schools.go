package engine

import "reach/graph"

// SchoolsDoc is the list of the schools of an area (/v1/schools).
type SchoolsDoc struct {
	BBox      [4]float64   `json:"bbox"`  // minLon, minLat, maxLon, maxLat
	Count     int          `json:"count"` // schools in the box
	Truncated bool         `json:"truncated"`
	Schools   []SchoolItem `json:"schools"`
}

// SchoolItem is a school with its training offers.
type SchoolItem struct {
	SchoolDoc
	Vocational bool       `json:"vocational"`
	Offers     []OfferDoc `json:"offers"`
}

// Schools lists the schools of an area with their offers, at most
// req.Limit of them, by school index.
func (e *Engine) Schools(req SchoolsRequest) *SchoolsDoc {
	b := req.BBox
	p := &e.g.Places
	var ids []graph.SchoolIdx
	for _, s := range e.index.InBBox(b[1], b[0], b[3], b[2]) {
		first, end := p.OffersOf(s)
		switch {
		case req.Offers && end == first && p.NumOffers() > 0,
			req.Kind == "vocational" && !p.SchoolVocational[s],
			req.Kind == "college" && !p.SchoolCollege[s],
			req.Boarding && !p.SchoolBoarding[s]:
			continue
		}
		ids = append(ids, s)
	}
	doc := &SchoolsDoc{BBox: b, Count: len(ids), Truncated: len(ids) > req.Limit, Schools: []SchoolItem{}}
	for _, s := range ids[:min(len(ids), req.Limit)] {
		it := SchoolItem{SchoolDoc: e.SchoolDoc(s), Vocational: p.SchoolVocational[s], Offers: []OfferDoc{}}
		first, end := p.OffersOf(s)
		for o := first; o < end; o++ {
			it.Offers = append(it.Offers, e.OfferDoc(o))
		}
		doc.Schools = append(doc.Schools, it)
	}
	return doc
}
