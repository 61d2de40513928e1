package synth

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// The town is a grid of nCols × nRows intersections. Column i is a street
// running north–south, row j one running east–west; cell{i, j} is their
// intersection, cell{0, 0} the south-west corner. Blocks are 150–250 m
// wide and every intersection is jittered by up to ±8 m, so no two blocks
// are alike.
const (
	nCols     = 21
	nRows     = 16
	riverRow  = 6  // the Vauvre flows between rows riverRow and riverRow+1
	centreCol = 10 // Avenue de la République, across the Pont Neuf
	centreRow = 10 // Boulevard de la Liberté

	minBlock = 150.0 // metres
	maxBlock = 250.0
	jitter   = 8.0 // metres, each way
)

// cell is a grid intersection: column i (west to east), row j (south to
// north).
type cell struct{ i, j int }

// A street name, in full ("Rue Pasteur") and as a bus stop would be named
// after it ("Pasteur").
type streetName struct{ full, short string }

// columnName names the north–south streets, west to east.
func columnName(i int) streetName {
	return [nCols]streetName{
		{"Rue des Acacias", "Acacias"},
		{"Rue Pasteur", "Pasteur"},
		{"Rue Voltaire", "Voltaire"},
		{"Rue de la Fontaine", "Fontaine"},
		{"Boulevard de l'Ouest", "Boulevard Ouest"},
		{"Rue des Tanneurs", "Tanneurs"},
		{"Rue Jean Jaurès", "Jean Jaurès"},
		{"Rue du Marché", "Marché"},
		{"Rue Émile Zola", "Émile Zola"},
		{"Rue de la Poste", "Poste"},
		{"Avenue de la République", "République"},
		{"Rue Gambetta", "Gambetta"},
		{"Rue des Écoles", "Écoles"},
		{"Rue du Moulin", "Moulin"},
		{"Rue Carnot", "Carnot"},
		{"Rue des Vignes", "Vignes"},
		{"Boulevard de l'Est", "Boulevard Est"},
		{"Rue Denis Papin", "Denis Papin"},
		{"Rue des Lilas", "Lilas"},
		{"Rue de la Gare", "Gare"},
		{"Rue des Peupliers", "Peupliers"},
	}[i]
}

// rowName names the east–west streets, south to north.
func rowName(j int) streetName {
	return [nRows]streetName{
		{"Rue des Prés", "Prés"},
		{"Rue de la Mare", "La Mare"},
		{"Rue du Stade", "Stade"},
		{"Rue Lavoisier", "Lavoisier"},
		{"Rue des Cerisiers", "Cerisiers"},
		{"Avenue du Général de Gaulle", "Général de Gaulle"},
		{"Quai de la Vauvre", "Quai de la Vauvre"},
		{"Quai des Mariniers", "Quai des Mariniers"},
		{"Rue Victor Hugo", "Victor Hugo"},
		{"Rue de la Paix", "La Paix"},
		{"Boulevard de la Liberté", "Liberté"},
		{"Rue du Commerce", "Commerce"},
		{"Rue Saint-Martin", "Saint-Martin"},
		{"Rue des Jardins", "Jardins"},
		{"Rue de la Chapelle", "Chapelle"},
		{"Rue du Château", "Château"},
	}[j]
}

// bridgeName names the three bridges over the Vauvre, carried by columns
// 4, 10 and 16; "" for the other columns, which stop at the river.
func bridgeName(i int) string {
	switch i {
	case 4:
		return "Pont Vieux"
	case centreCol:
		return "Pont Neuf"
	case 16:
		return "Pont Saint-Michel"
	}
	return ""
}

// A park covers the 2 × 2 blocks around its centre intersection: the four
// streets that would meet at the centre are footways instead, and two
// diagonal footways cross it.
type park struct {
	name   string
	centre cell
}

// parks of the town, one on each bank.
func parks() [2]park {
	return [2]park{
		{"Jardin public", cell{13, 12}},
		{"Parc des Sports", cell{13, 3}},
	}
}

// An avenue runs diagonally through the blocks, from corner to corner.
type avenue struct {
	name     string
	from, to cell // |to.i-from.i| == |to.j-from.j|
}

// avenues of the town. They cut no park and do not cross the river.
func avenues() [3]avenue {
	return [3]avenue{
		{"Avenue de la Gare", cell{centreCol, centreRow}, cell{5, 15}},
		{"Avenue de Verdun", cell{centreCol, centreRow}, cell{13, 7}},
		{"Avenue de la Libération", cell{4, riverRow}, cell{10, 0}},
	}
}

// A village lies 5 km out, linked to a corner of the grid by a
// départemental road. It has a main street and a cross street; a hamlet
// sits halfway along the road.
type village struct {
	name     string
	hamlet   string
	postcode string
	centre   point  // relative to the town centre
	from     cell   // where its road leaves the grid
	ref      string // road number
	roadName string
	// Node indexes, set when the streets are built.
	centreNode, hamletNode int32
}

// The street network and everything else the OSM file holds.
type streets struct {
	nodes    []node
	ways     []way
	grid     [nCols][nRows]int32 // node index of each intersection
	villages [2]village
	// seg gives the highway value of each street segment between two
	// consecutive nodes of a way, keyed by (smaller, larger) node index.
	seg map[[2]int32]string
	// riverY is the river's mean y, between rows riverRow and riverRow+1.
	riverY float64
	// motorwayJunction is the node where the motorway link meets the
	// motorway.
	motorwayJunction int32
}

// node is an OSM node; its id is its index + 1.
type node struct {
	p    point
	tags []tag
}

// way is an OSM way; its id is its index + 1.
type way struct {
	nodes []int32
	tags  []tag
}

// tag is an OSM key=value pair.
type tag struct{ k, v string }

// addNode appends a node and returns its index.
func (s *streets) addNode(p point, tags ...tag) int32 {
	s.nodes = append(s.nodes, node{p: p, tags: tags})
	return int32(len(s.nodes) - 1)
}

// addWay appends a way; for highways it records its segments.
func (s *streets) addWay(nodes []int32, tags ...tag) {
	s.ways = append(s.ways, way{nodes: nodes, tags: tags})
	hw := findTag(tags, "highway")
	if hw == "" {
		return
	}
	for k := 1; k < len(nodes); k++ {
		s.seg[segKey(nodes[k-1], nodes[k])] = hw
	}
}

// segKey is the key of the segment between nodes a and b in streets.seg.
func segKey(a, b int32) [2]int32 {
	if a > b {
		a, b = b, a
	}
	return [2]int32{a, b}
}

// findTag returns the value of key k in tags, or "".
func findTag(tags []tag, k string) string {
	for _, t := range tags {
		if t.k == k {
			return t.v
		}
	}
	return ""
}

// at returns the position of intersection c.
func (s *streets) at(c cell) point { return s.nodes[s.grid[c.i][c.j]].p }

// buildStreets lays out the town, its river, motorway and villages.
func buildStreets(rng *rand.Rand) *streets {
	s := &streets{seg: map[[2]int32]string{}}
	s.villages = [2]village{
		{name: "Saint-Aubin-les-Prés", hamlet: "Les Ormeaux", postcode: "18991",
			centre: point{-5600, 4200}, from: cell{0, nRows - 1}, ref: "D 12", roadName: "Route de Saint-Aubin"},
		{name: "Mareuil-sur-Vauvre", hamlet: "La Croix-Blanche", postcode: "18992",
			centre: point{400, -6200}, from: cell{centreCol, 0}, ref: "D 940", roadName: "Route de Mareuil"},
	}

	// Grid lines at random spacings, centred on the town centre.
	xs := spacings(rng, nCols)
	ys := spacings(rng, nRows)
	for j := 0; j < nRows; j++ {
		for i := 0; i < nCols; i++ {
			p := point{xs[i] + (rng.Float64()*2-1)*jitter, ys[j] + (rng.Float64()*2-1)*jitter}
			s.grid[i][j] = s.addNode(p)
		}
	}
	s.riverY = (ys[riverRow] + ys[riverRow+1]) / 2

	s.addGridWays()
	for _, a := range avenues() {
		var nodes []int32
		for _, c := range straightPath(a.from, a.to) {
			nodes = append(nodes, s.grid[c.i][c.j])
		}
		s.addWay(nodes, tag{"highway", "secondary"}, tag{"name", a.name})
	}
	for _, pk := range parks() {
		s.addPark(pk)
	}
	s.addRiver(xs[0]-600, xs[nCols-1]+900)
	s.addMotorway(xs[nCols-1] + 450)
	for v := range s.villages {
		s.addVillage(rng, &s.villages[v])
	}
	s.addNode(s.at(cell{centreCol, centreRow}).add(30, 30), tag{"place", "town"}, tag{"name", "Sancerval"})
	return s
}

// spacings returns n coordinates 150–250 m apart, centred on 0.
func spacings(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for k := 1; k < n; k++ {
		v[k] = v[k-1] + minBlock + rng.Float64()*(maxBlock-minBlock)
	}
	mid := v[n-1] / 2
	for k := range v {
		v[k] -= mid
	}
	return v
}

// style is how one grid segment is tagged. The zero style means there is
// no street there.
type style struct {
	highway string
	name    string
	oneway  bool
	bridge  string // bridge name, "" when not a bridge
}

// tags returns the OSM tags of a way of this style.
func (st style) tags() []tag {
	t := []tag{{"highway", st.highway}}
	if st.name != "" {
		t = append(t, tag{"name", st.name})
	}
	if st.oneway {
		t = append(t, tag{"oneway", "yes"})
	}
	if st.bridge != "" {
		t = append(t, tag{"bridge", "yes"}, tag{"layer", "1"}, tag{"bridge:name", st.bridge})
	}
	return t
}

// inPark reports whether the grid segment a–b runs through a park: it
// touches the park's centre.
func inPark(a, b cell) bool {
	for _, pk := range parks() {
		if a == pk.centre || b == pk.centre {
			return true
		}
	}
	return false
}

// rowStyle tags the segment from cell{i, j} to cell{i+1, j}.
func rowStyle(i, j int) style {
	name := rowName(j).full
	switch {
	case inPark(cell{i, j}, cell{i + 1, j}):
		return style{highway: "footway"}
	case j == centreRow+1 && i >= 8 && i < centreCol:
		return style{highway: "pedestrian", name: name}
	case j == centreRow:
		return style{highway: "primary", name: name}
	case j == 5 || j == 13:
		return style{highway: "secondary", name: name}
	case j == 12 || j == 14:
		return style{highway: "residential", name: name, oneway: true}
	}
	return style{highway: "residential", name: name}
}

// colStyle tags the segment from cell{i, j} to cell{i, j+1}. Across the
// river there is a street only on the three bridges.
func colStyle(i, j int) style {
	name := columnName(i).full
	highway := "residential"
	switch i {
	case centreCol:
		highway = "primary"
	case 4, 16:
		highway = "secondary"
	}
	switch {
	case j == riverRow && bridgeName(i) == "":
		return style{}
	case j == riverRow:
		return style{highway: highway, name: name, bridge: bridgeName(i)}
	case inPark(cell{i, j}, cell{i, j + 1}):
		return style{highway: "footway"}
	}
	return style{highway: highway, name: name}
}

// addGridWays turns every row and column into ways: one way per run of
// consecutive segments tagged alike.
func (s *streets) addGridWays() {
	for j := 0; j < nRows; j++ {
		var line []int32
		var styles []style
		for i := 0; i < nCols; i++ {
			line = append(line, s.grid[i][j])
			if i < nCols-1 {
				styles = append(styles, rowStyle(i, j))
			}
		}
		s.addRuns(line, styles)
	}
	for i := 0; i < nCols; i++ {
		var line []int32
		var styles []style
		for j := 0; j < nRows; j++ {
			line = append(line, s.grid[i][j])
			if j < nRows-1 {
				styles = append(styles, colStyle(i, j))
			}
		}
		s.addRuns(line, styles)
	}
}

// addRuns adds the ways of one grid line: nodes[k]–nodes[k+1] has style
// styles[k]; runs of equal styles become one way, missing streets none.
func (s *streets) addRuns(nodes []int32, styles []style) {
	start := 0
	for k := 1; k <= len(styles); k++ {
		if k < len(styles) && styles[k] == styles[start] {
			continue
		}
		if styles[start].highway != "" {
			s.addWay(append([]int32(nil), nodes[start:k+1]...), styles[start].tags()...)
		}
		start = k
	}
}

// addPark adds a park's two diagonal footways and its outline.
func (s *streets) addPark(pk park) {
	c := pk.centre
	g := func(di, dj int) int32 { return s.grid[c.i+di][c.j+dj] }
	s.addWay([]int32{g(-1, -1), g(0, 0), g(1, 1)}, tag{"highway", "footway"})
	s.addWay([]int32{g(-1, 1), g(0, 0), g(1, -1)}, tag{"highway", "footway"})
	// The outline runs 15 m inside the surrounding streets, on its own
	// nodes.
	corner := func(di, dj int) int32 {
		return s.addNode(s.nodes[g(di, dj)].p.add(-15*float64(di), -15*float64(dj)))
	}
	sw, se, ne, nw := corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1)
	s.addWay([]int32{sw, se, ne, nw, sw}, tag{"leisure", "park"}, tag{"name", pk.name})
}

// riverAt returns the y of the river's course at x: a gentle meander of
// ±20 m around riverY, always at least 45 m from the quays.
func (s *streets) riverAt(x float64) float64 {
	return s.riverY + 20*math.Sin(x/300)
}

// addRiver draws the Vauvre from x0 to x1 (a waterway, not walkable).
func (s *streets) addRiver(x0, x1 float64) {
	var nodes []int32
	for x := x0; x <= x1; x += 200 {
		nodes = append(nodes, s.addNode(point{x, s.riverAt(x)}))
	}
	s.addWay(nodes, tag{"waterway", "river"}, tag{"name", "La Vauvre"})
}

// addMotorway draws the A 71 north–south at x, east of the town and
// across the river, with a link to the east end of Boulevard de la
// Liberté. Pedestrians may use neither.
func (s *streets) addMotorway(x float64) {
	east := s.grid[nCols-1][centreRow]
	jy := s.nodes[east].p.y
	s.motorwayJunction = -1
	var nodes []int32
	for y := s.nodes[s.grid[0][0]].p.y - 1500; y <= s.nodes[s.grid[0][nRows-1]].p.y+1500; y += 250 {
		if s.motorwayJunction < 0 && y > jy-125 {
			s.motorwayJunction = s.addNode(point{x, jy})
			nodes = append(nodes, s.motorwayJunction)
			continue
		}
		nodes = append(nodes, s.addNode(point{x, y}))
	}
	s.addWay(nodes, tag{"highway", "motorway"}, tag{"ref", "A 71"}, tag{"name", "L'Océane"}, tag{"oneway", "no"})
	mid := s.addNode(s.nodes[east].p.lerp(point{x, jy}, 0.5).add(0, 25))
	s.addWay([]int32{east, mid, s.motorwayJunction}, tag{"highway", "motorway_link"}, tag{"ref", "A 71"})
}

// addVillage draws a village's road from the grid, its two streets and its
// place nodes.
func (s *streets) addVillage(rng *rand.Rand, v *village) {
	from := s.at(v.from)
	length := from.dist(v.centre)
	ux, uy := (v.centre.x-from.x)/length, (v.centre.y-from.y)/length // along the road
	n := int(math.Ceil(length / 300))
	road := []int32{s.grid[v.from.i][v.from.j]}
	for k := 1; k < n; k++ {
		side := (rng.Float64()*2 - 1) * 40 // the road wanders a little
		p := from.lerp(v.centre, float64(k)/float64(n)).add(-uy*side, ux*side)
		road = append(road, s.addNode(p))
	}
	v.hamletNode = road[n/2]
	v.centreNode = s.addNode(v.centre)
	road = append(road, v.centreNode)
	s.addWay(road, tag{"highway", "secondary"}, tag{"ref", v.ref}, tag{"name", v.roadName})

	along := func(d float64) int32 { return s.addNode(v.centre.add(ux*d, uy*d)) }
	across := func(d float64) int32 { return s.addNode(v.centre.add(-uy*d, ux*d)) }
	s.addWay([]int32{v.centreNode, along(200), along(400)},
		tag{"highway", "residential"}, tag{"name", "Grande Rue"})
	s.addWay([]int32{across(-300), across(-150), v.centreNode, across(150), across(300)},
		tag{"highway", "residential"}, tag{"name", "Rue de l'Église"})

	s.addNode(v.centre.add(40, 40), tag{"place", "village"}, tag{"name", v.name})
	s.addNode(s.nodes[v.hamletNode].p.add(60, 0), tag{"place", "hamlet"}, tag{"name", v.hamlet})
}

// straightPath lists the cells from a to b along a row, a column or a
// diagonal, both ends included.
func straightPath(a, b cell) []cell {
	di, dj := sign(b.i-a.i), sign(b.j-a.j)
	path := []cell{a}
	for c := a; c != b; {
		c = cell{c.i + di, c.j + dj}
		path = append(path, c)
	}
	return path
}

// sign returns -1, 0 or 1.
func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

// xmlEscaper escapes attribute values.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// writeOSM writes the streets as an OSM XML 0.6 file: a bounds element,
// then every node (id = index + 1, 7 decimals), then every way (id =
// index + 1) with its node references and tags.
func writeOSM(path string, s *streets) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriter(f)
	coord := func(v float64) string { return strconv.FormatFloat(v, 'f', 7, 64) }

	minLat, minLon, maxLat, maxLon := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, n := range s.nodes {
		lat, lon := n.p.latLon()
		minLat, maxLat = math.Min(minLat, lat), math.Max(maxLat, lat)
		minLon, maxLon = math.Min(minLon, lon), math.Max(maxLon, lon)
	}
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"reach synth\">\n")
	fmt.Fprintf(w, " <bounds minlat=\"%s\" minlon=\"%s\" maxlat=\"%s\" maxlon=\"%s\"/>\n",
		coord(minLat), coord(minLon), coord(maxLat), coord(maxLon))
	writeTags := func(tags []tag) {
		for _, t := range tags {
			fmt.Fprintf(w, "  <tag k=\"%s\" v=\"%s\"/>\n", xmlEscaper.Replace(t.k), xmlEscaper.Replace(t.v))
		}
	}
	for k, n := range s.nodes {
		lat, lon := n.p.latLon()
		fmt.Fprintf(w, " <node id=\"%d\" version=\"1\" lat=\"%s\" lon=\"%s\"", k+1, coord(lat), coord(lon))
		if len(n.tags) == 0 {
			w.WriteString("/>\n")
			continue
		}
		w.WriteString(">\n")
		writeTags(n.tags)
		w.WriteString(" </node>\n")
	}
	for k, wy := range s.ways {
		fmt.Fprintf(w, " <way id=\"%d\" version=\"1\">\n", k+1)
		for _, n := range wy.nodes {
			fmt.Fprintf(w, "  <nd ref=\"%d\"/>\n", n+1)
		}
		writeTags(wy.tags)
		w.WriteString(" </way>\n")
	}
	w.WriteString("</osm>\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	return nil
}
