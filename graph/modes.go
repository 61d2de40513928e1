package graph

import (
	"fmt"
	"strings"
)

// TravelModes says which ways of travelling a request allows.
type TravelModes struct {
	Walk    bool // walking straight to the destination
	Transit bool // public transport, with walks to and from stops
	School  bool // school buses too (needs Transit)
}

// AllTravelModes allows every way of travelling.
var AllTravelModes = TravelModes{Walk: true, Transit: true, School: true}

// travelModeNames are the names ParseTravelModes reads, in String's order.
var travelModeNames = [...]string{"walk", "transit", "school"}

// ParseTravelModes parses a comma-separated list of walk, transit, school.
func ParseTravelModes(s string) (TravelModes, error) {
	var m TravelModes
	for _, part := range strings.Split(s, ",") {
		switch p := strings.TrimSpace(part); p {
		case "walk":
			m.Walk = true
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
	for i, on := range [...]bool{m.Walk, m.Transit, m.School} {
		if on {
			parts = append(parts, travelModeNames[i])
		}
	}
	return strings.Join(parts, ",")
}

// Modality tells what a journey needs.
type Modality uint8

// Modalities, from the simplest.
const (
	ModalityNone    Modality = iota // not reachable
	ModalityWalk                    // on foot only
	ModalityTransit                 // public transport, without school buses
	ModalitySchool                  // only with school buses (in its band)
)

// modalityNames are the API names of the modalities.
var modalityNames = [...]string{"none", "walk", "transit", "school"}

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
