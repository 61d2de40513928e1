package schools

import (
	"testing"
	"unicode/utf8"
)

func TestReadableLabel(t *testing.T) {
	for in, want := range map[string]string{
		// Labels of the Affelnet 1re pro list (truncated capitals).
		"1ERPRO CUISINE":                           "1re pro Cuisine",
		"1ERPRO METIERS DE L'ACCUEIL":              "1re pro Métiers de l'accueil",
		"1ERPRO BOULANGER-PÂTISSIER":               "1re pro Boulanger-pâtissier",
		"1ERPRO METIERS ELECT. ENVIRON. CONNECTES": "1re pro Métiers élect. environ. connectés",
		"1ERPRO MET.COM.VEN.OP.A ANI.GES.ESP.COM.": "1re pro Mét. com. ven. op. A ani. ges. esp. com.",
		"1ERPRO SYST.NUM.OPT.C RES.INF.SYST.COMM.": "1re pro Syst. num. opt. C rés. inf. syst. comm.",
		"1ERPRO MAINT.VEHIC.OPTA VOIT.PARTICUL.":   "1re pro Maint. véhic. opt. A voit. particul.",
		"1ERPRO TECHN. ETUDES BAT.A ETUDES & ECO.": "1re pro Techn. études bât. A études & éco.",
		"1ERPRO ETUDE ET REALISATION D'AGENCEMENT": "1re pro Étude et réalisation d'agencement",
		"1ERPRO LOGISTIQUE (Nouveau)":              "1re pro Logistique (nouveau)",
		"  1ERPRO   TRAVAUX  PUBLICS ":             "1re pro Travaux publics",
		// MEF labels of N_MEF.
		"2NDPRO MET. RELATION CLIENT 2NDE COMMUNE": "2nde pro Mét. relation client 2nde commune",
		"TLEPRO METIERS DE L'ACCUEIL":              "Terminale pro Métiers de l'accueil",
		"1CAP2 METIERS DE LA COIFFURE":             "CAP Métiers de la coiffure (1re année sur 2)",
		"2CAP2 METIERS DE LA COIFFURE":             "CAP Métiers de la coiffure (2e année sur 2)",
		"1CAP1 ARTS & TECH.VERRE: DECORATEUR":      "CAP Arts & tech. verre: décorateur (en 1 an)",
		"1BTS2 TRAVAUX PUBLICS":                    "BTS Travaux publics (1re année sur 2)",
		"MC5 CUISINIER EN DESSERTS":                "MC Cuisinier en desserts",
		"2NDE PRO MRC":                             "2nde pro Mrc",
		"BAC PRO CUISINE":                          "Bac pro Cuisine",
		"CAPA JARDINIER PAYSAGISTE":                "CAPA Jardinier paysagiste",
		"1ERE ANNEE COMMUNE":                       "1re année commune",
		// Long labels of N_FORMATION_DIPLOME: "SPECIALITY (SIGLE)".
		"METIERS DE LA COIFFURE (CAP)":                      "CAP Métiers de la coiffure",
		"MAINTENANCE DES EQUIPEMENTS INDUSTRIELS (BAC PRO)": "Bac pro Maintenance des équipements industriels",
		"BOULANGER (BP)":                                    "BP Boulanger",
		"CUISINIER EN DESSERTS (MC5)":                       "MC Cuisinier en desserts",
		"PRET-A-PORTER (CAP)":                               "CAP Prêt-à-porter",
		"SERVICES A LA PERSONNE (BAC PRO)":                  "Bac pro Services à la personne",
		"ACCOMPAGNEMENT, SOINS ET SERVICES A LA PERSONNE OPTION A A DOMICILE (BAC PRO)": "Bac pro Accompagnement, soins et services à la personne option A à domicile",
		// An unknown sigle stays where it is; acronyms stay in capitals.
		"CONDUCTEUR DE TRAVAUX AMENAGEMENT FINITIONS (TP)": "Conducteur de travaux aménagement finitions (TP)",
		"GESTION-ADMINISTRATION PME (BAC PRO)":             "Bac pro Gestion-administration PME",
		// Words not in the accent list keep their spelling.
		"MARCHE DE GROS": "Marche de gros",
		// Labels written by people are left alone.
		"CAP Cuisine":                           "CAP Cuisine",
		"Kfz-Mechatroniker":                     "Kfz-Mechatroniker",
		"Bac pro Métiers de la relation client": "Bac pro Métiers de la relation client",
		"":                                      "",
		"CAP":                                   "CAP",
		"2NDPRO":                                "2nde pro",
		"(CAP)":                                 "CAP",
	} {
		if got := ReadableLabel(in); got != want {
			t.Errorf("ReadableLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSigleLevel(t *testing.T) {
	for in, want := range map[string]string{
		"CAP": "CAP", "BAC PRO": "Bac Pro", "bac  pro": "Bac Pro", "BAC PRO AG": "Bac Pro", "BP": "BP",
		"BTS": "BTS", "MC5": "MC", "MC4": "MC", "CAPA": "CAPA", "BMA": "BMA", "BTM": "BTM",
		"TP": "", "TH3-T": "", "": "", "BAC": "",
	} {
		if got := sigleLevel(in); got != want {
			t.Errorf("sigleLevel(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzReadableLabel: no panic, valid UTF-8 in gives valid UTF-8 out, a
// label that is not mostly capitals comes back with only its spaces
// collapsed, and a label with words gives a label with words.
func FuzzReadableLabel(f *testing.F) {
	for _, s := range []string{"1ERPRO MET.COM.VEN.OP.A ANI.GES.ESP.COM.", "1CAP2 X", "(CAP)", "A", "É", "Kfz", "OPTA (BAC PRO )"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ReadableLabel(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("ReadableLabel(%q) = %q is not UTF-8", s, got)
		}
		if !mostlyCapitals(s) {
			if want := collapseSpaces(s); got != want {
				t.Fatalf("ReadableLabel(%q) = %q, want it unchanged %q", s, got, want)
			}
		}
		if (collapseSpaces(s) == "") != (got == "") {
			t.Fatalf("ReadableLabel(%q) = %q", s, got)
		}
	})
}
