// Package schools reads training locations, the national school directory
// (annuaire de l'éducation) or a plain locations CSV, and the Affelnet
// offer lists, and joins them into graph.Places. The national
// nomenclature (Nomenclature: the BCN tables N_MEF and
// N_FORMATION_DIPLOME) names offers by their code before the join, and
// ReadableLabel writes the lists' capitals labels in readable case.
//
// The join keeps every school with coordinates (collèges are kept too:
// they are the usual origins of batch queries) and attaches offers to
// schools by UAI. Offers are never invented: an offer whose school is
// missing or has no coordinates is reported, not placed. Every reader and
// the join count the rows they could not use per file and reason, with up
// to five "file:line: detail" examples.
package schools

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"reach/graph"
)

// Report says what the readers and the join kept and dropped.
type Report struct {
	Directory DirectoryReport
	Offers    []OfferReport
	Schools   int // schools in the Places
	Placed    int // offers in the Places
	Boarding  int // schools in the Places with board and lodging
}

// DirectoryReport describes the directory or locations file.
type DirectoryReport struct {
	Path   string
	Format string // "annuaire" or "csv"
	DirectoryStats
	Drops []graph.Drop // rows or schools left out, by reason
}

// OfferReport describes one offer file.
type OfferReport struct {
	Path          string
	Source        graph.OfferSource
	Rows          int // data rows read
	Read          int // offers that parsed
	Joined        int // offers placed at a school with coordinates
	JoinedSchools int // distinct schools with a placed offer
	// Outside counts offers of schools outside the directory's
	// départements (expected with a national list; also a drop reason).
	Outside             int
	CapacityPlaceholder int          // capacities of 999 read as unknown
	Drops               []graph.Drop // rows not placed, by reason
	// Named counts the placed offers named from the nomenclature
	// (Offer.Named).
	Named int
	// Unnamed counts the placed offers shown as a code (Offer.Unnamed),
	// with up to five "file:line: detail" examples.
	Unnamed         int
	UnnamedExamples []string
}

// Drop reasons of the join.
const (
	ReasonOutside       = "outside_directory"          // UAI of a département the directory does not cover
	ReasonUnknownSchool = "unknown_school"             // UAI of a covered département, absent from the directory
	ReasonNoCoordinates = "school_without_coordinates" // school known but not located
)

// Join builds the Places from a directory and offer lists (the directory's
// own offers, from a plain CSV's training columns, are joined first).
// Schools keep the directory's order; offers are grouped by school, in
// file order within a school. An offer is placed when its UAI names a
// school of the directory with coordinates; otherwise it is reported as
// outside_directory (its UAI's département, from the UAI's first three
// digits, is not one of the directory's), unknown_school, or
// school_without_coordinates.
func Join(dir *Directory, lists ...*OfferList) (*graph.Places, *Report, error) {
	if dir == nil {
		return nil, nil, fmt.Errorf("join schools: no directory")
	}
	rep := &Report{Directory: DirectoryReport{Path: dir.Path, Format: dir.Format, DirectoryStats: dir.Stats, Drops: dir.Drops}}
	p := &graph.Places{}
	byID := make(map[string]int32, len(dir.Schools))        // directory index
	placeOf := make([]int32, len(dir.Schools))              // directory index → school, -1 when left out
	covered := make(map[string]bool, len(dir.Departements)) // départements of the directory
	for _, d := range dir.Departements {
		covered[d] = true
	}
	for i := range dir.Schools {
		s := &dir.Schools[i]
		byID[s.ID] = int32(i)
		placeOf[i] = -1
		if !s.HasCoord {
			continue
		}
		placeOf[i] = int32(len(p.SchoolID))
		p.SchoolID = append(p.SchoolID, s.ID)
		p.SchoolName = append(p.SchoolName, s.Name)
		p.SchoolKind = append(p.SchoolKind, s.Kind)
		p.SchoolNature = append(p.SchoolNature, s.Nature)
		p.SchoolSector = append(p.SchoolSector, s.Sector)
		p.SchoolLat = append(p.SchoolLat, s.Lat)
		p.SchoolLon = append(p.SchoolLon, s.Lon)
		p.SchoolAddress = append(p.SchoolAddress, s.Address)
		p.SchoolPostcode = append(p.SchoolPostcode, s.Postcode)
		p.SchoolCommune = append(p.SchoolCommune, s.Commune)
		p.SchoolDept = append(p.SchoolDept, s.Dept)
		p.SchoolVocational = append(p.SchoolVocational, s.Vocational)
		p.SchoolCollege = append(p.SchoolCollege, s.College)
		p.SchoolBoarding = append(p.SchoolBoarding, s.Boarding)
		p.SchoolOnisepURL = append(p.SchoolOnisepURL, s.OnisepURL)
		p.SchoolApprentissage = append(p.SchoolApprentissage, s.Apprentice)
		if s.Boarding {
			rep.Boarding++
		}
	}
	if dir.Offers != nil {
		lists = append([]*OfferList{dir.Offers}, lists...)
	}
	type placed struct {
		school int32
		offer  *Offer
	}
	var offers []placed
	for _, l := range lists {
		if l == nil {
			continue
		}
		name := filepath.Base(l.Path)
		or := OfferReport{Path: l.Path, Source: l.Source, Rows: l.Rows, Read: len(l.Offers), CapacityPlaceholder: l.CapacityPlaceholder}
		var dr drops
		dr.Include(l.Drops)
		schools := map[int32]bool{}
		for i := range l.Offers {
			o := &l.Offers[i]
			di, known := byID[o.UAI]
			switch {
			case !known && len(covered) > 0 && !covered[uaiDept(o.UAI)]:
				or.Outside++
				dr.add(name, o.Line, ReasonOutside, fmt.Sprintf("UAI %s%s: département %s not in the directory", o.UAI, where(o), uaiDept(o.UAI)))
			case !known:
				dr.add(name, o.Line, ReasonUnknownSchool, fmt.Sprintf("UAI %s%s not in the directory", o.UAI, where(o)))
			case placeOf[di] < 0:
				dr.add(name, o.Line, ReasonNoCoordinates, fmt.Sprintf("UAI %s (%s) has no usable coordinates", o.UAI, dir.Schools[di].Name))
			default:
				offers = append(offers, placed{placeOf[di], o})
				schools[placeOf[di]] = true
				or.Joined++
				if o.Named {
					or.Named++
				}
				if o.Unnamed {
					or.Unnamed++
					if len(or.UnnamedExamples) < maxExamples {
						or.UnnamedExamples = append(or.UnnamedExamples, fmt.Sprintf("%s:%d: UAI %s: code %s is in no nomenclature table, shown as %q",
							name, o.Line, o.UAI, o.Code, o.Label))
					}
				}
			}
		}
		or.JoinedSchools = len(schools)
		or.Drops = dr.result()
		rep.Offers = append(rep.Offers, or)
	}
	sort.SliceStable(offers, func(i, j int) bool { return offers[i].school < offers[j].school })
	ns := len(p.SchoolID)
	p.SchoolOfferStart = make([]int32, ns+1)
	for _, x := range offers {
		p.SchoolOfferStart[x.school+1]++
		p.OfferSchool = append(p.OfferSchool, graph.SchoolIdx(x.school))
		p.OfferLabel = append(p.OfferLabel, x.offer.Label)
		p.OfferCode = append(p.OfferCode, x.offer.Code)
		p.OfferLevel = append(p.OfferLevel, x.offer.Level)
		p.OfferVoie = append(p.OfferVoie, x.offer.Voie)
		p.OfferCapacity = append(p.OfferCapacity, x.offer.Capacity)
		p.OfferSource = append(p.OfferSource, x.offer.Source)
	}
	for s := 0; s < ns; s++ {
		p.SchoolOfferStart[s+1] += p.SchoolOfferStart[s]
	}
	p.SchoolOrder = make([]graph.SchoolIdx, ns)
	for i := range p.SchoolOrder {
		p.SchoolOrder[i] = graph.SchoolIdx(i)
	}
	sort.Slice(p.SchoolOrder, func(i, j int) bool { return p.SchoolID[p.SchoolOrder[i]] < p.SchoolID[p.SchoolOrder[j]] })
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("join schools: internal error: %w", err)
	}
	rep.Schools, rep.Placed = ns, len(offers)
	return p, rep, nil
}

// where formats the school label an offer file gives, for reports.
func where(o *Offer) string {
	if o.Where == "" {
		return ""
	}
	return " (" + o.Where + ")"
}

// Count returns the number of rows dropped for reason in drops.
func Count(drops []graph.Drop, reason string) int {
	n := 0
	for _, d := range drops {
		if d.Reason == reason {
			n += d.Count
		}
	}
	return n
}

// String formats the report for people, one line per fact.
func (r *Report) String() string {
	var b strings.Builder
	d := &r.Directory
	fmt.Fprintf(&b, "%s (%s): %d rows, %d establishments, %d with coordinates (%d from Lambert-93), "+
		"%d lycées (%d vocational), %d collèges\n",
		filepath.Base(d.Path), d.Format, d.Rows, d.Schools, d.WithCoordinates, d.FromLambert,
		d.Lycees, d.VocationalLycees, d.Colleges)
	writeDrops(&b, d.Drops)
	for _, o := range r.Offers {
		fmt.Fprintf(&b, "%s (%s): %d rows, %d offers read, %d placed at %d schools, %d outside the directory; "+
			"of the placed, %d named from the nomenclature, %d shown as a code (unnamed_offer)\n",
			filepath.Base(o.Path), o.Source, o.Rows, o.Read, o.Joined, o.JoinedSchools, o.Outside, o.Named, o.Unnamed)
		writeDrops(&b, o.Drops)
		if len(o.UnnamedExamples) > 0 {
			fmt.Fprintf(&b, "  unnamed_offer: %d (e.g. %s)\n", o.Unnamed, o.UnnamedExamples[0])
		}
	}
	fmt.Fprintf(&b, "places: %d schools (%d with boarding), %d offers\n", r.Schools, r.Boarding, r.Placed)
	return b.String()
}

func writeDrops(b *strings.Builder, drops []graph.Drop) {
	for _, x := range drops {
		fmt.Fprintf(b, "  %s: %d", x.Reason, x.Count)
		if len(x.Examples) > 0 {
			fmt.Fprintf(b, " (e.g. %s)", x.Examples[0])
		}
		b.WriteByte('\n')
	}
}

// distanceMeters is the haversine distance in metres between two WGS84
// points in degrees.
func distanceMeters(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*degRad, lat2*degRad
	sp := math.Sin((p2 - p1) / 2)
	sl := math.Sin((lon2 - lon1) * degRad / 2)
	h := sp*sp + math.Cos(p1)*math.Cos(p2)*sl*sl
	return 2 * r * math.Asin(math.Sqrt(math.Min(h, 1)))
}
