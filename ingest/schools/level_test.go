package schools

import (
	"math"
	"testing"
)

func TestLevelFromMEFLabel(t *testing.T) {
	for label, want := range map[string]string{
		"1ERPRO CUISINE": "Bac Pro",
		"2NDPRO MET. RELATION CLIENT 2NDE COMMUNE": "Bac Pro",
		"TLEPRO METIERS DE L'ACCUEIL":              "Bac Pro",
		"BAC PRO CUISINE":                          "Bac Pro",
		"bacpro logistique":                        "Bac Pro",
		"2NDE PRO MRC":                             "Bac Pro",
		"1CAP2 CUISINE":                            "CAP",
		"1CAP1  CHARCUTERIE-TRAITEUR":              "CAP",
		"CAP PATISSIER":                            "CAP",
		"1CAPA2 JARDINIER PAYSAGISTE":              "CAPA",
		"1BP2 COIFFURE":                            "BP",
		"2BTS2 SERVICES INFORMATIQUES":             "BTS",
		"MC5 CUISINIER EN DESSERTS":                "MC",
		"1BMA2 EBENISTE":                           "BMA",
		"2NDE GENERALE ET TECHNOLOGIQUE":           "",
		"BAC GENERAL":                              "",
		"CAPITAINE":                                "",
		"":                                         "",
		"Kfz-Mechatroniker":                        "",
	} {
		if got := LevelFromMEFLabel(label); got != want {
			t.Errorf("LevelFromMEFLabel(%q) = %q, want %q", label, got, want)
		}
	}
}

func TestLevelFromMEFSTAT11(t *testing.T) {
	for code, want := range map[string]string{
		"23810031211": "Bac Pro", // 2nde pro
		"23820031212": "Bac Pro", // 1re pro
		"23830031212": "Bac Pro", // terminale pro
		"23110022144": "CAP",     // CAP in 1 year
		"23210025524": "CAP",     // CAP in 2 years, 1st year
		"23220025524": "CAP",
		"23310033411": "CAP", // CAP in 3 years
		"22111410018": "",
		"25200022106": "",
		"23C10023305": "",
		"99990099999": "",
		"90110099999": "",
		"2381003121":  "", // 10 characters
		"":            "",
	} {
		if got := LevelFromMEFSTAT11(code); got != want {
			t.Errorf("LevelFromMEFSTAT11(%q) = %q, want %q", code, got, want)
		}
	}
	if got := DiplomaLevel("1CAP2 CUISINE", "23810031211"); got != "CAP" {
		t.Errorf("the label wins over the code: %q", got)
	}
	if got := DiplomaLevel("", "23810031211"); got != "Bac Pro" {
		t.Errorf("code used without a label: %q", got)
	}
	if got := MEFSTAT11Label("23220025524"); got != "CAP en 2 ans, 2e année (MEFSTAT11 23220025524)" {
		t.Errorf("label %q", got)
	}
}

func TestLambert93(t *testing.T) {
	// Projection origin and a round trip over metropolitan France.
	lat, lon := Lambert93ToWGS84(700000, 6600000)
	if math.Abs(lat-46.5) > 1e-9 || math.Abs(lon-3) > 1e-9 {
		t.Errorf("origin → %v, %v", lat, lon)
	}
	maxErr := 0.0
	for la := 41.0; la <= 51.5; la += 0.25 {
		for lo := -5.5; lo <= 10; lo += 0.25 {
			x, y := WGS84ToLambert93(la, lo)
			la2, lo2 := Lambert93ToWGS84(x, y)
			if e := distanceMeters(la, lo, la2, lo2); e > maxErr {
				maxErr = e
			}
		}
	}
	if maxErr > 1e-6 {
		t.Errorf("round trip error %g m", maxErr)
	}
	// Published EPSG:2154 coordinates of a directory row (0350122T, Baulon).
	lat, lon = Lambert93ToWGS84(332503.4, 6776558.9)
	if e := distanceMeters(lat, lon, 47.98614492070133, -1.9294895003671315); e > 0.5 {
		t.Errorf("Baulon: %v, %v is %.3f m off", lat, lon, e)
	}
}
