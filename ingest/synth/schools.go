package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
)

// school is a training location (or a collège, a typical origin of
// queries, with no offers).
type school struct {
	key     string // short internal name, for the school-bus lines
	uai     string
	name    string
	kind    string // "Lycée professionnel", "Lycée", "CFA" or "Collège"
	public  bool
	p       point
	busStop point // in town: on the street in front, where a school bus stops
	address string
	offers  []offer
}

// offer is a training a school offers.
type offer struct {
	training
	voie     string // "scolaire" or "apprentissage"
	capacity int    // places
}

// training is a diploma speciality. code is an 8-digit diploma code (CFD)
// whose first three digits give the level as in the national nomenclature
// (500 CAP, 400 Bac Pro, 450 BP, 320 BTS); the other digits are made up.
type training struct {
	diploma    string // "CAP", "Bac Pro", "BP" or "BTS"
	speciality string
	code       string
}

// label is the training's readable name, starting with its diploma.
func (t training) label() string { return t.diploma + " " + t.speciality }

// catalogue lists the trainings schools pick from.
func catalogue() []training {
	return []training{
		{"CAP", "Cuisine", "50022101"},
		{"CAP", "Électricien", "50022102"},
		{"CAP", "Maçon", "50022103"},
		{"CAP", "Équipier polyvalent du commerce", "50022104"},
		{"CAP", "Accompagnant éducatif petite enfance", "50022105"},
		{"CAP", "Maintenance des véhicules, option voitures particulières", "50022106"},
		{"CAP", "Boulanger", "50022107"},
		{"Bac Pro", "Métiers de l'électricité et de ses environnements connectés", "40022101"},
		{"Bac Pro", "Métiers du commerce et de la vente", "40022102"},
		{"Bac Pro", "Maintenance des véhicules", "40022103"},
		{"Bac Pro", "Accompagnement, soins et services à la personne", "40022104"},
		{"Bac Pro", "Assistance à la gestion des organisations et de leurs activités", "40022105"},
		{"Bac Pro", "Technicien en chaudronnerie industrielle", "40022106"},
		{"Bac Pro", "Métiers de la logistique", "40022107"},
		{"BP", "Boulanger", "45022101"},
		{"BP", "Coiffure", "45022102"},
		{"BP", "Électricien", "45022103"},
		{"BP", "Arts de la cuisine", "45022104"},
		{"BTS", "Management commercial opérationnel", "32022101"},
		{"BTS", "Négociation et digitalisation de la relation client", "32022102"},
		{"BTS", "Systèmes numériques", "32022103"},
		{"BTS", "Comptabilité et gestion", "32022104"},
		{"BTS", "Maintenance des systèmes", "32022105"},
		{"BTS", "Services informatiques aux organisations", "32022106"},
	}
}

// diplomaOrder sorts offers within a school.
func diplomaOrder(d string) int {
	return slices.Index([]string{"CAP", "Bac Pro", "BP", "BTS"}, d)
}

// schoolSpec places and describes one school of the region.
type schoolSpec struct {
	key, name, kind string
	public          bool
	block           cell     // south-west corner of its block in town
	village         int      // 1 + index of its village; 0 in town
	diplomas        []string // diplomas it may offer; none for a collège
	apprentices     bool     // every offer is an apprenticeship (a CFA)
}

// schoolSpecs lists the region's schools: twelve training places and
// three collèges (one in a village).
func schoolSpecs() []schoolSpec {
	pro := []string{"CAP", "Bac Pro"}
	bts := []string{"BTS"}
	all := []string{"CAP", "Bac Pro", "BP", "BTS"}
	return []schoolSpec{
		{"moulin", "Lycée professionnel Jean Moulin", "Lycée professionnel", true, cell{11, 11}, 0, pro, false},
		{"curie", "Lycée professionnel Marie Curie", "Lycée professionnel", true, cell{2, 12}, 0, pro, false},
		{"tanneries", "Lycée professionnel des Tanneries", "Lycée professionnel", true, cell{6, 8}, 0, pro, false},
		{"jeanne", "Lycée professionnel Sainte-Jeanne-d'Arc", "Lycée professionnel", false, cell{8, 14}, 0, pro, false},
		{"eiffel", "Lycée professionnel Gustave Eiffel", "Lycée professionnel", true, cell{17, 2}, 0, pro, false},
		{"ormes", "Lycée professionnel Les Ormes", "Lycée professionnel", true, cell{1, 14}, 0, pro, false},
		{"sand", "Lycée George Sand", "Lycée", true, cell{9, 12}, 0, bts, false},
		{"hugo", "Lycée Victor Hugo", "Lycée", true, cell{15, 9}, 0, bts, false},
		{"exupery", "Lycée Saint-Exupéry", "Lycée", false, cell{3, 3}, 0, bts, false},
		{"michel", "Lycée polyvalent Louise Michel", "Lycée", true, cell{18, 13}, 0, []string{"Bac Pro", "BTS"}, false},
		{"cfa", "CFA interprofessionnel du Val de Vauvre", "CFA", true, cell{7, 1}, 0, all, true},
		{"batiment", "CFA du Bâtiment", "CFA", false, cell{19, 5}, 0, []string{"CAP", "BP", "Bac Pro"}, true},
		{"pasteur", "Collège Pasteur", "Collège", true, cell{5, 10}, 0, nil, false},
		{"ferry", "Collège Jules Ferry", "Collège", true, cell{11, 5}, 0, nil, false},
		{"pres", "Collège des Prés", "Collège", true, cell{}, 1, nil, false},
	}
}

// uaiKeyLetters are the check letters of UAI numbers: the letter of
// number n is uaiKeyLetters[n % 23].
const uaiKeyLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// uai returns the UAI (establishment number: 7 digits and a check letter)
// of number n, e.g. 0189001 → "0189001" + check letter.
func uai(n int) string { return fmt.Sprintf("%07d%c", n, uaiKeyLetters[n%23]) }

// buildSchools places the schools and draws their trainings: 2 to 6 each,
// all at school (scolaire) except in the CFAs, where all are
// apprenticeships, and one offer in five elsewhere.
func buildSchools(rng *rand.Rand, s *streets) []school {
	var out []school
	cat := catalogue()
	for k, sp := range schoolSpecs() {
		sc := school{key: sp.key, uai: uai(189001 + k), name: sp.name, kind: sp.kind, public: sp.public}
		number := 1 + 2*rng.IntN(40)
		if sp.village > 0 {
			v := s.villages[sp.village-1]
			sc.p = v.centre.add(60, 60)
			sc.address = fmt.Sprintf("%d Grande Rue, %s %s", number, v.postcode, v.name)
		} else {
			b := sp.block
			sw, se := s.at(b), s.at(cell{b.i + 1, b.j})
			ne, nw := s.at(cell{b.i + 1, b.j + 1}), s.at(cell{b.i, b.j + 1})
			sc.p = point{(sw.x + se.x + ne.x + nw.x) / 4, (sw.y + se.y + ne.y + nw.y) / 4}
			sc.busStop = sw.lerp(se, 0.5).add(0, 8)
			sc.address = fmt.Sprintf("%d %s, 18990 Sancerval", number, rowName(b.j).full)
		}
		if len(sp.diplomas) > 0 {
			var choice []training
			for _, t := range cat {
				if slices.Contains(sp.diplomas, t.diploma) {
					choice = append(choice, t)
				}
			}
			n := min(2+rng.IntN(5), len(choice))
			for _, p := range rng.Perm(len(choice))[:n] {
				o := offer{training: choice[p], voie: "scolaire", capacity: []int{12, 15, 24, 24, 30, 36}[rng.IntN(6)]}
				if sp.apprentices || rng.IntN(5) == 0 {
					o.voie, o.capacity = "apprentissage", 8+2*rng.IntN(5)
				}
				sc.offers = append(sc.offers, o)
			}
			slices.SortFunc(sc.offers, func(a, b offer) int {
				if d := diplomaOrder(a.diploma) - diplomaOrder(b.diploma); d != 0 {
					return d
				}
				if a.speciality < b.speciality {
					return -1
				}
				if a.speciality > b.speciality {
					return 1
				}
				return 0
			})
		}
		out = append(out, sc)
	}
	return out
}

// findSchool returns the school with the given key.
func findSchool(schools []school, key string) (school, bool) {
	for _, sc := range schools {
		if sc.key == key {
			return sc, true
		}
	}
	return school{}, false
}

// writeSchools writes the plain location CSV:
//
//	id,name,lat,lon,kind,public,address
//
// id is the UAI, lat/lon WGS84 degrees with 6 decimals, kind one of
// "Lycée professionnel", "Lycée", "CFA", "Collège", public "true" or
// "false", address "NUMBER STREET, POSTCODE COMMUNE" (quoted, as it holds
// a comma).
func writeSchools(path string, schools []school) error {
	var rows [][]string
	for _, sc := range schools {
		lat, lon := sc.p.latLon()
		rows = append(rows, []string{sc.uai, sc.name, coord6(lat), coord6(lon), sc.kind, strconv.FormatBool(sc.public), sc.address})
	}
	return writeCSV(path, []string{"id", "name", "lat", "lon", "kind", "public", "address"}, rows)
}

// writeOffers writes the training offers:
//
//	school_id,label,diploma,voie,code,capacity
//
// school_id is the UAI of a row of the location CSV, label the readable
// name starting with the diploma ("Bac Pro Métiers de la logistique"),
// diploma one of CAP, Bac Pro, BP, BTS, voie "scolaire" or
// "apprentissage", code an 8-digit diploma code (CFD), capacity a number
// of places.
func writeOffers(path string, schools []school) error {
	var rows [][]string
	for _, sc := range schools {
		for _, o := range sc.offers {
			rows = append(rows, []string{sc.uai, o.label(), o.diploma, o.voie, o.code, strconv.Itoa(o.capacity)})
		}
	}
	return writeCSV(path, []string{"school_id", "label", "diploma", "voie", "code", "capacity"}, rows)
}
