package graph

import (
	"fmt"
	"strings"
)

// TravelModes says which ways of travelling a request allows.
//
// Bike means the pupil has a bike: alone it is the ride straight to the
// destination; with Transit the ride to a stop too (parked there, then
// transit, then a walk at the end), besides the walks to stops that
// Transit always allows.
type TravelModes struct {
	Walk    bool // walking straight to the destination
	Bike    bool // riding straight to the destination, and (with Transit) to a stop
	Transit bool // public transport, with walks to and from stops
	School  bool // school buses too (needs Transit)
}

// DefaultTravelModes are the ways of travelling of a request that names
// none: walking, public transport and school buses (not the bike, which
// not every pupil has).
var DefaultTravelModes = TravelModes{Walk: true, Transit: true, School: true}

// travelModeNames are the names ParseTravelModes reads, in String's order.
var travelModeNames = [...]string{"walk", "bike", "transit", "school"}

// ParseTravelModes parses a comma-separated list of walk, bike, transit,
// school, in any order ("bike,transit", "walk,bike,transit,school").
func ParseTravelModes(s string) (TravelModes, error) {
	var m TravelModes
	for _, part := range strings.Split(s, ",") {
		switch p := strings.TrimSpace(part); p {
		case "walk":
			m.Walk = true
		case "bike":
			m.Bike = true
		case "transit":
			m.Transit = true
		case "school":
			m.School = true
		case "":
		default:
			return TravelModes{}, fmt.Errorf("unknown mode %q (want %s)", clip(p, 40), strings.Join(travelModeNames[:], ", "))
		}
	}
	if m == (TravelModes{}) {
		return TravelModes{}, fmt.Errorf("no mode given (want %s)", strings.Join(travelModeNames[:], ", "))
	}
	if m.School && !m.Transit {
		return TravelModes{}, fmt.Errorf("mode school adds school buses to transit: ask for transit,school")
	}
	return m, nil
}

// String lists the modes as ParseTravelModes reads them.
func (m TravelModes) String() string {
	var parts []string
	for i, on := range [...]bool{m.Walk, m.Bike, m.Transit, m.School} {
		if on {
			parts = append(parts, travelModeNames[i])
		}
	}
	return strings.Join(parts, ",")
}

// Modality tells what a journey needs. The values are stored in index
// files and batch checkpoints: new modalities are appended, never
// renumbered.
type Modality uint8

// Modalities.
const (
	ModalityNone    Modality = iota // not reachable
	ModalityWalk                    // on foot only
	ModalityTransit                 // public transport, without school buses
	ModalitySchool                  // only with school buses (in its band), whatever the way to the first stop
	// ModalityBike is a ride straight to the destination.
	ModalityBike
	// ModalityBikeTransit is public transport (no school bus) reached by
	// bike: a ride to the first stop, parked there.
	ModalityBikeTransit

	// NumModalities is the number of modalities: values at or above it are
	// unknown (a file written by a later program).
	NumModalities = iota
)

// modalityNames are the API names of the modalities.
var modalityNames = [NumModalities]string{"none", "walk", "transit", "school", "bike", "bike+transit"}

// String returns the API name of the modality ("unknown" out of range).
func (m Modality) String() string {
	if int(m) < len(modalityNames) {
		return modalityNames[m]
	}
	return "unknown"
}

// TransferMode says which footpaths between stops a search uses.
type TransferMode string

// Transfer modes. The empty mode means the graph's default
// (Meta.Transfers).
const (
	TransfersStreet TransferMode = "street" // walks along the streets (and straight lines off them)
	TransfersGTFS   TransferMode = "gtfs"   // the feeds' transfers.txt only
	TransfersBoth   TransferMode = "both"   // both of the above
	TransfersNone   TransferMode = "none"   // no walk between stops
)

// ParseTransferMode reads street, gtfs, both or none; "" gives "" (the
// graph's default).
func ParseTransferMode(s string) (TransferMode, error) {
	switch m := TransferMode(strings.TrimSpace(s)); m {
	case "", TransfersStreet, TransfersGTFS, TransfersBoth, TransfersNone:
		return m, nil
	}
	return "", fmt.Errorf("%q: want street, gtfs, both or none", clip(s, 40))
}

// clip cuts s to at most n bytes (at a UTF-8 boundary) for error messages
// that echo a value.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}
