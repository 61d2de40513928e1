package main

import (
	"math"
)

// latLon is a WGS84 position in degrees.
type latLon struct{ Lat, Lon float64 }

// Lyon is where copy 1's first network (Rennes STAR) is centred.
const lyonLat, lyonLon = 45.76, 4.84

// Place-lattice parameters: a triangular lattice of points latticeKm
// apart, kept when at least marginKm inside France's outline.
const (
	latticeKm = 25.0
	marginKm  = 15.0
)

// outlines returns a simplified outline of metropolitan France (mainland
// and Corsica), a few kilometres accurate: coasts and land borders,
// clockwise from the Belgian border on the North Sea.
func outlines() [][]latLon {
	mainland := []latLon{
		{51.09, 2.54}, {50.82, 2.63}, {50.70, 2.90}, {50.72, 3.17}, {50.53, 3.29}, {50.49, 3.61},
		{50.35, 3.70}, {50.32, 4.03}, {50.00, 4.15}, {50.10, 4.43}, {50.15, 4.82}, {49.95, 4.85},
		{49.80, 5.05}, {49.55, 5.45}, {49.53, 5.82}, {49.47, 6.10}, {49.47, 6.37}, {49.37, 6.60},
		{49.15, 6.85}, {49.12, 7.10}, {49.05, 7.55}, {49.05, 7.95}, {48.97, 8.23}, {48.60, 7.80},
		{48.30, 7.70}, {48.00, 7.58}, {47.59, 7.59}, {47.50, 7.25}, {47.43, 6.95}, {47.17, 6.85},
		{46.95, 6.45}, {46.60, 6.10}, {46.40, 6.05}, {46.15, 5.98}, {46.25, 6.30}, {46.40, 6.50},
		{46.38, 6.80}, {46.15, 6.85}, {45.93, 6.95}, {45.82, 6.83}, {45.65, 6.90}, {45.40, 7.10},
		{45.20, 6.95}, {45.05, 6.65}, {44.85, 6.75}, {44.60, 6.95}, {44.40, 6.90}, {44.15, 7.25},
		{44.12, 7.65}, {43.95, 7.55}, {43.79, 7.53}, {43.70, 7.28}, {43.55, 7.10}, {43.52, 6.95},
		{43.40, 6.85}, {43.25, 6.67}, {43.15, 6.38}, {43.08, 6.15}, {43.10, 5.90}, {43.18, 5.60},
		{43.21, 5.40}, {43.33, 5.30}, {43.33, 5.05}, {43.40, 4.85}, {43.40, 4.50}, {43.47, 4.20},
		{43.53, 4.13}, {43.40, 3.70}, {43.28, 3.45}, {43.15, 3.15}, {42.90, 3.04}, {42.55, 3.05},
		{42.43, 3.17}, {42.47, 2.85}, {42.38, 2.50}, {42.42, 2.10}, {42.45, 1.75}, {42.50, 1.72},
		{42.65, 1.45}, {42.60, 1.10}, {42.80, 0.70}, {42.70, 0.40}, {42.78, 0.00}, {42.85, -0.30},
		{42.80, -0.60}, {42.95, -0.95}, {43.05, -1.35}, {43.25, -1.50}, {43.37, -1.78}, {43.48, -1.56},
		{43.70, -1.45}, {44.00, -1.35}, {44.35, -1.25}, {44.65, -1.25}, {45.00, -1.20}, {45.35, -1.15},
		{45.58, -1.07}, {45.70, -1.22}, {45.95, -1.10}, {46.15, -1.20}, {46.30, -1.35}, {46.45, -1.70},
		{46.70, -1.95}, {46.85, -2.15}, {47.05, -2.10}, {47.25, -2.25}, {47.28, -2.50}, {47.50, -2.55},
		{47.52, -2.90}, {47.48, -3.12}, {47.70, -3.35}, {47.80, -3.85}, {47.80, -4.37}, {48.03, -4.70},
		{48.25, -4.62}, {48.35, -4.77}, {48.55, -4.76}, {48.68, -4.35}, {48.72, -3.98}, {48.70, -3.60},
		{48.83, -3.40}, {48.75, -3.05}, {48.55, -2.75}, {48.65, -2.30}, {48.65, -2.00}, {48.63, -1.55},
		{48.85, -1.57}, {49.20, -1.60}, {49.40, -1.82}, {49.72, -1.95}, {49.66, -1.60}, {49.70, -1.26},
		{49.40, -1.18}, {49.35, -1.05}, {49.35, -0.60}, {49.30, -0.25}, {49.42, 0.10}, {49.50, 0.10},
		{49.72, 0.20}, {49.77, 0.40}, {49.88, 0.80}, {49.93, 1.08}, {50.06, 1.37}, {50.20, 1.55},
		{50.50, 1.57}, {50.73, 1.59}, {50.87, 1.58}, {50.96, 1.85}, {51.04, 2.35},
	}
	corsica := []latLon{
		{43.01, 9.42}, {42.70, 9.45}, {42.40, 9.53}, {42.10, 9.55}, {41.85, 9.40}, {41.60, 9.30},
		{41.39, 9.22}, {41.48, 8.90}, {41.70, 8.75}, {41.90, 8.62}, {42.10, 8.58}, {42.30, 8.60},
		{42.55, 8.72}, {42.65, 9.05}, {42.72, 9.30}, {42.95, 9.35},
	}
	return [][]latLon{mainland, corsica}
}

// Plane used to lay the lattice out and measure distances between places:
// equirectangular around 46.5° N, 2.5° E, in kilometres.
const (
	planeLat0 = 46.5
	planeLon0 = 2.5
	kmPerDeg  = 6371.0088 * math.Pi / 180
)

type xy struct{ X, Y float64 }

func toPlane(p latLon) xy {
	return xy{(p.Lon - planeLon0) * math.Cos(planeLat0*math.Pi/180) * kmPerDeg, (p.Lat - planeLat0) * kmPerDeg}
}

func fromPlane(q xy) latLon {
	return latLon{planeLat0 + q.Y/kmPerDeg, planeLon0 + q.X/(math.Cos(planeLat0*math.Pi/180)*kmPerDeg)}
}

// insideFrance reports whether p lies inside the outline (even-odd rule).
func insideFrance(p latLon) bool {
	in := false
	for _, ring := range outlines() {
		for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
			a, b := ring[i], ring[j]
			if (a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
				in = !in
			}
		}
	}
	return in
}

// distanceToOutline returns the distance in the plane, km, from p to the
// nearest edge of the outline.
func distanceToOutline(p latLon) float64 {
	q := toPlane(p)
	best := math.Inf(1)
	for _, ring := range outlines() {
		for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
			best = math.Min(best, segmentDistance(q, toPlane(ring[j]), toPlane(ring[i])))
		}
	}
	return best
}

// segmentDistance is the distance from q to the segment ab.
func segmentDistance(q, a, b xy) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((q.X-a.X)*dx+(q.Y-a.Y)*dy)/l))
	}
	return math.Hypot(q.X-a.X-t*dx, q.Y-a.Y-t*dy)
}

// places returns the deterministic list of places the copies' networks
// are moved to: Lyon first, then the points of a triangular lattice
// (latticeKm apart in the plane) lying at least marginKm inside France's
// outline, each next place the lattice point farthest from all places
// already listed (ties to the first point in lattice order: south to
// north, west to east). Every prefix of the list is thus spread over
// France's land area.
func places() []latLon {
	var lattice []xy
	rowH := latticeKm * math.Sqrt(3) / 2
	for r := -40; r <= 40; r++ {
		for c := -40; c <= 40; c++ {
			q := xy{float64(c) * latticeKm, float64(r) * rowH}
			if r%2 != 0 {
				q.X += latticeKm / 2
			}
			p := fromPlane(q)
			if insideFrance(p) && distanceToOutline(p) >= marginKm {
				lattice = append(lattice, q)
			}
		}
	}
	out := []latLon{{lyonLat, lyonLon}}
	minDist := make([]float64, len(lattice))
	origin := toPlane(out[0])
	for i, q := range lattice {
		minDist[i] = math.Hypot(q.X-origin.X, q.Y-origin.Y)
	}
	taken := make([]bool, len(lattice))
	for range lattice {
		best := -1
		for i := range lattice {
			if !taken[i] && (best < 0 || minDist[i] > minDist[best]) {
				best = i
			}
		}
		taken[best] = true
		b := lattice[best]
		out = append(out, fromPlane(b))
		for i, q := range lattice {
			if d := math.Hypot(q.X-b.X, q.Y-b.Y); d < minDist[i] {
				minDist[i] = d
			}
		}
	}
	return out
}

// departement is a metropolitan département and its préfecture.
type departement struct {
	Code string // three characters: "069", "02A"
	Name string
	Town string // préfecture
	At   latLon // préfecture, to a few hundred metres
}

// departements returns the 96 metropolitan départements.
func departements() []departement {
	return []departement{
		{"001", "Ain", "Bourg-en-Bresse", latLon{46.205, 5.226}},
		{"002", "Aisne", "Laon", latLon{49.564, 3.620}},
		{"003", "Allier", "Moulins", latLon{46.566, 3.333}},
		{"004", "Alpes-de-Haute-Provence", "Digne-les-Bains", latLon{44.092, 6.236}},
		{"005", "Hautes-Alpes", "Gap", latLon{44.559, 6.079}},
		{"006", "Alpes-Maritimes", "Nice", latLon{43.703, 7.266}},
		{"007", "Ardèche", "Privas", latLon{44.735, 4.599}},
		{"008", "Ardennes", "Charleville-Mézières", latLon{49.773, 4.720}},
		{"009", "Ariège", "Foix", latLon{42.965, 1.607}},
		{"010", "Aube", "Troyes", latLon{48.297, 4.074}},
		{"011", "Aude", "Carcassonne", latLon{43.213, 2.349}},
		{"012", "Aveyron", "Rodez", latLon{44.350, 2.575}},
		{"013", "Bouches-du-Rhône", "Marseille", latLon{43.297, 5.370}},
		{"014", "Calvados", "Caen", latLon{49.183, -0.370}},
		{"015", "Cantal", "Aurillac", latLon{44.926, 2.440}},
		{"016", "Charente", "Angoulême", latLon{45.648, 0.156}},
		{"017", "Charente-Maritime", "La Rochelle", latLon{46.160, -1.151}},
		{"018", "Cher", "Bourges", latLon{47.081, 2.399}},
		{"019", "Corrèze", "Tulle", latLon{45.267, 1.771}},
		{"02A", "Corse-du-Sud", "Ajaccio", latLon{41.919, 8.739}},
		{"02B", "Haute-Corse", "Bastia", latLon{42.697, 9.451}},
		{"021", "Côte-d'Or", "Dijon", latLon{47.322, 5.041}},
		{"022", "Côtes-d'Armor", "Saint-Brieuc", latLon{48.514, -2.765}},
		{"023", "Creuse", "Guéret", latLon{46.171, 1.872}},
		{"024", "Dordogne", "Périgueux", latLon{45.184, 0.721}},
		{"025", "Doubs", "Besançon", latLon{47.238, 6.024}},
		{"026", "Drôme", "Valence", latLon{44.933, 4.892}},
		{"027", "Eure", "Évreux", latLon{49.024, 1.151}},
		{"028", "Eure-et-Loir", "Chartres", latLon{48.446, 1.489}},
		{"029", "Finistère", "Quimper", latLon{47.996, -4.102}},
		{"030", "Gard", "Nîmes", latLon{43.837, 4.360}},
		{"031", "Haute-Garonne", "Toulouse", latLon{43.605, 1.444}},
		{"032", "Gers", "Auch", latLon{43.646, 0.586}},
		{"033", "Gironde", "Bordeaux", latLon{44.838, -0.579}},
		{"034", "Hérault", "Montpellier", latLon{43.611, 3.877}},
		{"035", "Ille-et-Vilaine", "Rennes", latLon{48.117, -1.678}},
		{"036", "Indre", "Châteauroux", latLon{46.811, 1.691}},
		{"037", "Indre-et-Loire", "Tours", latLon{47.394, 0.685}},
		{"038", "Isère", "Grenoble", latLon{45.188, 5.724}},
		{"039", "Jura", "Lons-le-Saunier", latLon{46.675, 5.555}},
		{"040", "Landes", "Mont-de-Marsan", latLon{43.890, -0.500}},
		{"041", "Loir-et-Cher", "Blois", latLon{47.586, 1.336}},
		{"042", "Loire", "Saint-Étienne", latLon{45.440, 4.387}},
		{"043", "Haute-Loire", "Le Puy-en-Velay", latLon{45.043, 3.885}},
		{"044", "Loire-Atlantique", "Nantes", latLon{47.218, -1.554}},
		{"045", "Loiret", "Orléans", latLon{47.903, 1.909}},
		{"046", "Lot", "Cahors", latLon{44.448, 1.441}},
		{"047", "Lot-et-Garonne", "Agen", latLon{44.203, 0.616}},
		{"048", "Lozère", "Mende", latLon{44.518, 3.500}},
		{"049", "Maine-et-Loire", "Angers", latLon{47.478, -0.563}},
		{"050", "Manche", "Saint-Lô", latLon{49.116, -1.091}},
		{"051", "Marne", "Châlons-en-Champagne", latLon{48.957, 4.363}},
		{"052", "Haute-Marne", "Chaumont", latLon{48.111, 5.139}},
		{"053", "Mayenne", "Laval", latLon{48.073, -0.770}},
		{"054", "Meurthe-et-Moselle", "Nancy", latLon{48.692, 6.184}},
		{"055", "Meuse", "Bar-le-Duc", latLon{48.773, 5.160}},
		{"056", "Morbihan", "Vannes", latLon{47.658, -2.760}},
		{"057", "Moselle", "Metz", latLon{49.119, 6.176}},
		{"058", "Nièvre", "Nevers", latLon{46.990, 3.159}},
		{"059", "Nord", "Lille", latLon{50.629, 3.057}},
		{"060", "Oise", "Beauvais", latLon{49.430, 2.081}},
		{"061", "Orne", "Alençon", latLon{48.432, 0.091}},
		{"062", "Pas-de-Calais", "Arras", latLon{50.291, 2.777}},
		{"063", "Puy-de-Dôme", "Clermont-Ferrand", latLon{45.778, 3.087}},
		{"064", "Pyrénées-Atlantiques", "Pau", latLon{43.296, -0.370}},
		{"065", "Hautes-Pyrénées", "Tarbes", latLon{43.233, 0.078}},
		{"066", "Pyrénées-Orientales", "Perpignan", latLon{42.699, 2.895}},
		{"067", "Bas-Rhin", "Strasbourg", latLon{48.573, 7.752}},
		{"068", "Haut-Rhin", "Colmar", latLon{48.079, 7.358}},
		{"069", "Rhône", "Lyon", latLon{45.764, 4.836}},
		{"070", "Haute-Saône", "Vesoul", latLon{47.622, 6.156}},
		{"071", "Saône-et-Loire", "Mâcon", latLon{46.307, 4.829}},
		{"072", "Sarthe", "Le Mans", latLon{48.006, 0.199}},
		{"073", "Savoie", "Chambéry", latLon{45.564, 5.918}},
		{"074", "Haute-Savoie", "Annecy", latLon{45.899, 6.129}},
		{"075", "Paris", "Paris", latLon{48.857, 2.352}},
		{"076", "Seine-Maritime", "Rouen", latLon{49.443, 1.099}},
		{"077", "Seine-et-Marne", "Melun", latLon{48.540, 2.660}},
		{"078", "Yvelines", "Versailles", latLon{48.805, 2.120}},
		{"079", "Deux-Sèvres", "Niort", latLon{46.323, -0.465}},
		{"080", "Somme", "Amiens", latLon{49.894, 2.296}},
		{"081", "Tarn", "Albi", latLon{43.929, 2.148}},
		{"082", "Tarn-et-Garonne", "Montauban", latLon{44.018, 1.355}},
		{"083", "Var", "Toulon", latLon{43.125, 5.931}},
		{"084", "Vaucluse", "Avignon", latLon{43.949, 4.806}},
		{"085", "Vendée", "La Roche-sur-Yon", latLon{46.670, -1.426}},
		{"086", "Vienne", "Poitiers", latLon{46.580, 0.340}},
		{"087", "Haute-Vienne", "Limoges", latLon{45.834, 1.261}},
		{"088", "Vosges", "Épinal", latLon{48.172, 6.450}},
		{"089", "Yonne", "Auxerre", latLon{47.798, 3.567}},
		{"090", "Territoire de Belfort", "Belfort", latLon{47.640, 6.863}},
		{"091", "Essonne", "Évry-Courcouronnes", latLon{48.629, 2.441}},
		{"092", "Hauts-de-Seine", "Nanterre", latLon{48.892, 2.207}},
		{"093", "Seine-Saint-Denis", "Bobigny", latLon{48.908, 2.440}},
		{"094", "Val-de-Marne", "Créteil", latLon{48.790, 2.455}},
		{"095", "Val-d'Oise", "Cergy", latLon{49.036, 2.076}},
	}
}

// nearestDepartement returns the département whose préfecture is nearest
// to p (a stand-in for the département p lies in) and the distance, km.
func nearestDepartement(p latLon, deps []departement) (departement, float64) {
	best, bestD := deps[0], math.Inf(1)
	for _, d := range deps {
		if km := haversineKm(p, d.At); km < bestD {
			best, bestD = d, km
		}
	}
	return best, bestD
}

// haversineKm is the great-circle distance in kilometres.
func haversineKm(a, b latLon) float64 {
	const r = 6371.0088
	p1, p2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	sp := math.Sin((p2 - p1) / 2)
	sl := math.Sin((b.Lon - a.Lon) * math.Pi / 360)
	h := sp*sp + math.Cos(p1)*math.Cos(p2)*sl*sl
	return 2 * r * math.Asin(math.Sqrt(math.Min(h, 1)))
}
