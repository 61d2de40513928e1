package osm

import (
	"github.com/paulmach/osm"

	"reach/graph"
)

// rule is what the tags of a way allow.
type rule struct {
	class    graph.StreetClass
	walk     bool // pedestrians, both directions
	bikeFwd  bool // cyclists, in the way's direction
	bikeBack bool // cyclists, against it
}

// flags returns the segment flags of the rule.
func (r rule) flags() uint8 {
	var f uint8
	if r.walk {
		f |= graph.StreetWalk
	}
	if r.bikeFwd {
		f |= graph.StreetBike
	}
	if r.bikeBack {
		f |= graph.StreetBikeBack
	}
	return f
}

// highwayClasses maps the accepted highway values onto classes. Values not
// listed (construction, proposed, abandoned, raceway, bus_guideway,
// busway, escape, rest_area…) are not streets anyone may walk or ride.
var highwayClasses = map[string]graph.StreetClass{
	"motorway": graph.ClassMotorway, "motorway_link": graph.ClassMotorway,
	"trunk": graph.ClassTrunk, "trunk_link": graph.ClassTrunk,
	"primary": graph.ClassPrimary, "primary_link": graph.ClassPrimary,
	"secondary": graph.ClassSecondary, "secondary_link": graph.ClassSecondary,
	"tertiary": graph.ClassTertiary, "tertiary_link": graph.ClassTertiary,
	"unclassified":  graph.ClassUnclassified,
	"residential":   graph.ClassResidential,
	"living_street": graph.ClassLivingStreet,
	"service":       graph.ClassService,
	"track":         graph.ClassTrack,
	"road":          graph.ClassOther,
	"cycleway":      graph.ClassCycleway,
	"path":          graph.ClassPath,
	"bridleway":     graph.ClassBridleway,
	"footway":       graph.ClassFootway,
	"pedestrian":    graph.ClassPedestrian,
	"steps":         graph.ClassSteps,
	"corridor":      graph.ClassCorridor,
	"platform":      graph.ClassPlatform,
	"elevator":      graph.ClassElevator,
}

// permit classifies an access value: +1 explicitly allowed, -1 forbidden,
// 0 unspecified (or a value that does not change the default).
func permit(v string) int {
	switch v {
	case "yes", "designated", "permissive", "official", "destination", "customers":
		return 1
	case "no", "private", "use_sidepath", "dismount":
		return -1
	}
	return 0
}

// classify applies the walking and cycling rules to a way's tags. ok is
// false when nobody may use the way.
//
// Walking: every accepted highway class except motorway and trunk (and
// their links), which need foot=yes/designated/permissive; foot=no/private
// excludes; access=no/private excludes unless foot explicitly allows. One-way
// rules never apply to pedestrians. Ways tagged railway=platform or
// public_transport=platform without a highway tag are walkable platforms.
//
// Cycling: the road classes plus cycleway, path and track; footway,
// pedestrian, bridleway, corridor, platform and elevator only with
// bicycle=yes/designated/permissive; never steps, motorway or trunk unless
// bicycle allows (steps never); bicycle=no/private/dismount/use_sidepath
// excludes; access or vehicle=no/private excludes unless bicycle allows.
// oneway=yes/1/true (implied on roundabouts and motorways without a oneway
// tag) and oneway=-1 restrict the direction unless oneway:bicycle=no or a
// contraflow cycleway (cycleway*=opposite*); oneway:bicycle=yes/-1
// restricts cyclists alone.
func classify(tags osm.Tags) (r rule, ok bool) {
	hw := tags.Find("highway")
	var class graph.StreetClass
	if hw == "" {
		if tags.Find("railway") != "platform" && tags.Find("public_transport") != "platform" {
			return rule{}, false
		}
		class = graph.ClassPlatform
	} else if class, ok = highwayClasses[hw]; !ok {
		return rule{}, false
	}
	r.class = class
	access := permit(tags.Find("access"))
	foot := permit(tags.Find("foot"))
	bicycle := permit(tags.Find("bicycle"))
	vehicle := permit(tags.Find("vehicle"))

	switch {
	case foot > 0:
		r.walk = true
	case foot < 0 || access < 0:
		r.walk = false
	default:
		r.walk = class != graph.ClassMotorway && class != graph.ClassTrunk
	}

	var bike bool
	switch class {
	case graph.ClassSteps:
		bike = false
	case graph.ClassMotorway, graph.ClassTrunk, graph.ClassFootway, graph.ClassPedestrian,
		graph.ClassBridleway, graph.ClassCorridor, graph.ClassPlatform, graph.ClassElevator:
		bike = bicycle > 0
	default:
		bike = bicycle > 0 || (bicycle == 0 && access >= 0 && vehicle >= 0)
	}
	if bike {
		r.bikeFwd, r.bikeBack = true, true
		ow := tags.Find("oneway")
		dir := oneway(ow)
		if ow == "" && (tags.Find("junction") == "roundabout" || tags.Find("junction") == "circular" ||
			class == graph.ClassMotorway) {
			dir = 1 // implied, unless a oneway tag says otherwise
		}
		if contraflow(tags) {
			dir = 0
		}
		if d := tags.Find("oneway:bicycle"); d != "" {
			dir = oneway(d)
		}
		switch dir {
		case 1:
			r.bikeBack = false
		case -1:
			r.bikeFwd = false
		}
	}
	return r, r.walk || r.bikeFwd || r.bikeBack
}

// oneway reads a oneway value: 1 forward only, -1 backward only, 0 both.
func oneway(v string) int {
	switch v {
	case "yes", "true", "1":
		return 1
	case "-1", "reverse":
		return -1
	}
	return 0
}

// contraflow reports a cycle lane or track against a one-way street.
func contraflow(tags osm.Tags) bool {
	for _, k := range [...]string{"cycleway", "cycleway:left", "cycleway:right", "cycleway:both"} {
		switch tags.Find(k) {
		case "opposite", "opposite_lane", "opposite_track", "opposite_share_busway":
			return true
		}
	}
	return false
}
