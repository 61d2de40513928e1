package schools

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"reach/graph"
)

// ReadLocationsCSV reads a plain list of training locations, for countries
// without the French directory. The separator (',' or ';', or tab) is
// detected from the header line, which is required; columns come in any
// order and unknown columns are ignored. Column names are matched without
// case or accents:
//
//	id, name, lat, lon           required (aliases: uai; nom; latitude;
//	                             lng, long, longitude)
//	kind                         type of establishment (alias: type)
//	public                       1/0, true/false, public/private
//	address, postcode, commune   (aliases: adresse; postal_code, zip,
//	                             code_postal; city, town)
//	dept                         département or region code (alias: departement)
//	vocational, college          1/0 flags (a kind of "Collège"/"college"
//	                             also sets college)
//	boarding, apprenticeship     1/0 flags: board and lodging, apprentices
//	                             trained (aliases: hebergement, internat;
//	                             apprentissage)
//	onisep_url                   the school's web page (aliases:
//	                             fiche_onisep, onisep); an http(s) address,
//	                             another value is ignored ("bad_onisep_url")
//	training                     an offer label (aliases: offer, formation);
//	                             when set, the row also adds an offer
//	training_code, level, voie, capacity
//	                             of that offer (aliases: code; diploma;
//	                             status; capacite)
//
// Ids shaped like a UAI with a lower-case letter ("0350005r") are
// upper-cased. Rows sharing an id describe one location, each row adding
// its offer (flags OR-ed, the first web page kept); a row whose
// coordinates differ from the first row's by more than 1 m is
// dropped ("conflicting_duplicate"). Coordinates must be decimal WGS84
// degrees in range and not 0,0; a location without them ("no_coordinates",
// "bad_coordinates") is kept without coordinates so that its offers are
// reported by Join. Rows with an empty id are dropped ("missing_id"); an
// offer with an unreadable status or capacity is dropped ("bad_status",
// "bad_capacity") while its location is kept. Offer levels come from the
// level column, else from the training label or code (DiplomaLevel).
func ReadLocationsCSV(path string) (*Directory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	defer f.Close()
	d, err := readLocations(f, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	d.Path = path
	d.Offers.Path = path
	return d, nil
}

// locationColumns are the column indexes of a plain locations CSV.
type locationColumns struct {
	id, name, lat, lon, kind, public, addr, postcode, commune, dept, nature,
	vocational, college, training, code, level, voie, capacity,
	boarding, apprentice, onisep int
}

func readLocations(r io.Reader, name string) (*Directory, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, fmt.Errorf("locations: %w", err)
	}
	c := locationColumns{
		id:         t.col("id", "uai"),
		name:       t.col("name", "nom"),
		lat:        t.col("lat", "latitude"),
		lon:        t.col("lon", "lng", "long", "longitude"),
		kind:       t.col("kind", "type"),
		public:     t.col("public"),
		addr:       t.col("address", "adresse"),
		postcode:   t.col("postcode", "postal_code", "zip", "code_postal"),
		commune:    t.col("commune", "city", "town"),
		dept:       t.col("dept", "departement"),
		nature:     t.col("nature"),
		vocational: t.col("vocational"),
		college:    t.col("college"),
		training:   t.col("training", "offer", "formation"),
		code:       t.col("training_code", "code"),
		level:      t.col("level", "diploma"),
		voie:       t.col("voie", "status"),
		capacity:   t.col("capacity", "capacite"),
		boarding:   t.col("boarding", "hebergement", "internat"),
		apprentice: t.col("apprenticeship", "apprentissage"),
		onisep:     t.col("onisep_url", "fiche_onisep", "onisep"),
	}
	for _, req := range []struct {
		col  int
		name string
	}{{c.id, "id"}, {c.name, "name"}, {c.lat, "lat"}, {c.lon, "lon"}} {
		if req.col < 0 {
			return nil, fmt.Errorf("locations: %s:1: missing required column %q (header must name id, name, lat, lon)", name, req.name)
		}
	}
	d := &Directory{Format: "csv", Offers: &OfferList{Source: graph.OfferFromCSV}}
	var dr, odr drops
	byID := map[string]int{}
	var coordIssue []rowIssue
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("locations: %w", err)
		}
		d.Stats.Rows++
		s, reason, detail := parseLocationRow(rec, c)
		s.Line = line
		if reason == "missing_id" {
			dr.add(name, line, reason, detail)
			continue
		}
		if u := field(rec, c.onisep); u != "" && s.OnisepURL == "" {
			dr.add(name, line, "bad_onisep_url", fmt.Sprintf("id %q: onisep_url %q is not an http(s) address, ignored", s.ID, u))
		}
		if s.IsLycee() {
			d.Stats.LyceeRows++
		}
		if s.College {
			d.Stats.CollegeRows++
		}
		if i, dup := byID[s.ID]; dup {
			first := &d.Schools[i]
			if first.HasCoord != s.HasCoord || s.HasCoord && distanceMeters(first.Lat, first.Lon, s.Lat, s.Lon) > 1 {
				dr.add(name, line, "conflicting_duplicate", fmt.Sprintf("id %q at %.6f,%.6f but at %.6f,%.6f on line %d",
					s.ID, s.Lat, s.Lon, first.Lat, first.Lon, first.Line))
				continue
			}
			first.Vocational = first.Vocational || s.Vocational
			first.College = first.College || s.College
			first.Boarding = first.Boarding || s.Boarding
			first.Apprentice = first.Apprentice || s.Apprentice
			if first.OnisepURL == "" {
				first.OnisepURL = s.OnisepURL
			}
		} else {
			byID[s.ID] = len(d.Schools)
			d.Schools = append(d.Schools, s)
			coordIssue = append(coordIssue, rowIssue{line, reason, detail})
		}
		if field(rec, c.training) == "" {
			continue
		}
		d.Offers.Rows++
		o, reason, detail := parseLocationOffer(rec, c, s.ID)
		if reason != "" {
			odr.add(name, line, reason, detail)
			continue
		}
		o.Line = line
		d.Offers.Offers = append(d.Offers.Offers, o)
	}
	for i := range d.Schools {
		if is := coordIssue[i]; !d.Schools[i].HasCoord && is.reason != "" {
			dr.add(name, is.line, is.reason, is.detail)
		}
	}
	d.Stats.count(d.Schools)
	d.Drops = dr.result()
	d.Offers.Drops = odr.result()
	return d, nil
}

// parseLocationRow reads the location part of a plain CSV row.
func parseLocationRow(rec []string, c locationColumns) (s School, reason, detail string) {
	s.ID = normalizeUAI(field(rec, c.id))
	if s.ID == "" {
		return s, "missing_id", "empty id"
	}
	s.Name = field(rec, c.name)
	s.Kind = field(rec, c.kind)
	s.Nature = field(rec, c.nature)
	s.Sector = parseSector(field(rec, c.public))
	s.Address = field(rec, c.addr)
	s.Postcode = field(rec, c.postcode)
	s.Commune = field(rec, c.commune)
	s.Dept = field(rec, c.dept)
	s.Vocational, _ = parseBool(field(rec, c.vocational))
	s.College, _ = parseBool(field(rec, c.college))
	s.College = s.College || fold(s.Kind) == "college"
	s.Boarding, _ = parseBool(field(rec, c.boarding))
	s.Apprentice, _ = parseBool(field(rec, c.apprentice))
	s.OnisepURL = webAddress(field(rec, c.onisep))
	latS, lonS := field(rec, c.lat), field(rec, c.lon)
	if latS == "" && lonS == "" {
		return s, "no_coordinates", fmt.Sprintf("id %q: no lat/lon", s.ID)
	}
	lat, err1 := parseDecimal(latS)
	lon, err2 := parseDecimal(lonS)
	if err1 != nil || err2 != nil || !validLatLon(lat, lon, false) {
		return s, "bad_coordinates", fmt.Sprintf("id %q: lat %q lon %q not valid WGS84 degrees", s.ID, latS, lonS)
	}
	s.Lat, s.Lon, s.HasCoord = lat, lon, true
	return s, "", ""
}

// parseLocationOffer reads the offer part of a plain CSV row.
func parseLocationOffer(rec []string, c locationColumns, id string) (o Offer, reason, detail string) {
	o = Offer{UAI: id, Source: graph.OfferFromCSV, Label: field(rec, c.training), Code: field(rec, c.code)}
	o.Level = field(rec, c.level)
	if o.Level == "" {
		o.Level = DiplomaLevel(o.Label, o.Code)
	}
	var ok bool
	if o.Voie, ok = parseVoie(field(rec, c.voie)); !ok {
		return o, "bad_status", fmt.Sprintf("id %q: voie %q is neither scolaire nor apprentissage", id, field(rec, c.voie))
	}
	capS := field(rec, c.capacity)
	if o.Capacity, ok = parseCapacity(capS); !ok {
		return o, "bad_capacity", fmt.Sprintf("id %q: capacity %q is not a whole number of places", id, capS)
	}
	if o.Capacity == -2 { // 999 is a real number here, not a placeholder
		o.Capacity = capacityPlaceholder
	}
	return o, "", ""
}
