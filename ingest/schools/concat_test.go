package schools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const concatHeader = "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Code_departement;Voie_professionnelle;latitude;longitude\n"

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConcatDirectories(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.csv"), concatHeader+
		"0350901P;LP du Port;Lycée;Public;035;1;48.11;-1.68\n"+
		"0350903S;Collège des Lilas;Collège;Public;035;0;;\n")
	b := writeFile(t, filepath.Join(dir, "b.csv"), concatHeader+
		"0690001B;LP de Lyon;Lycée;Public;069;1;45.76;4.84\n"+
		"0350903S;Collège des Lilas;Collège;Public;035;1;48.12;-1.67\n"+
		"0690002C;Lycée Sans Lieu;Lycée;Privé;069;0;;\n")
	da, err := ReadDirectory(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := ReadDirectory(b)
	if err != nil {
		t.Fatal(err)
	}
	if one, err := Concat(da); err != nil || one != da {
		t.Errorf("one directory: %v, %v", one, err)
	}
	d, err := Concat(da, db)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range d.Schools {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, " ") != "0350901P 0350903S 0690001B 0690002C" {
		t.Errorf("schools %v", ids)
	}
	// The collège of a, found again in b, took b's coordinates and flag.
	if s := d.Schools[1]; !s.HasCoord || s.Lat != 48.12 || !s.Vocational {
		t.Errorf("merged school %+v", s)
	}
	if strings.Join(d.Departements, " ") != "035 069" || d.Path != a+", "+b {
		t.Errorf("départements %v, path %q", d.Departements, d.Path)
	}
	st := d.Stats
	if st.Rows != 5 || st.Schools != 4 || st.WithCoordinates != 3 || st.Lycees != 3 || st.VocationalLycees != 2 || st.Colleges != 1 {
		t.Errorf("stats %+v", st)
	}
	if n := Count(d.Drops, "duplicate_uai_merged"); n != 1 {
		t.Errorf("%d duplicate_uai_merged drops, want 1: %+v", n, d.Drops)
	}
	if n := Count(d.Drops, "no_coordinates"); n != 2 { // a's collège (before b located it) and b's lycée
		t.Errorf("%d no_coordinates drops, want 2: %+v", n, d.Drops)
	}

	// Offers of both directories are placed; others stay outside.
	offers := writeFile(t, filepath.Join(dir, "offers.csv"), "Académie;ID_ETAB;CO_MEFSTAT;CO_STA;FL_VRECENS;VAL_CARSCO\n"+
		"Rennes;0350901P;23810033605;ST;N;24\n"+
		"Lyon;0690001B;23810033605;ST;N;24\n"+
		"Lyon;0690002C;23810033605;ST;N;24\n"+
		"Aix-Marseille;0130001F;23810033605;ST;N;24\n")
	l, err := ReadOffers(offers)
	if err != nil {
		t.Fatal(err)
	}
	p, rep, err := Join(d, l)
	if err != nil {
		t.Fatal(err)
	}
	o := rep.Offers[0]
	if p.NumSchools() != 3 || o.Joined != 2 || o.JoinedSchools != 2 || o.Outside != 1 || Count(o.Drops, ReasonNoCoordinates) != 1 {
		t.Errorf("join: %d schools, offers %+v", p.NumSchools(), o)
	}
}

func TestConcatRefusesLocations(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.csv"), concatHeader+"0350901P;LP du Port;Lycée;Public;035;1;48.11;-1.68\n")
	loc := writeFile(t, filepath.Join(dir, "loc.csv"), "id,name,lat,lon\nx1,Somewhere,49.4,8.5\n")
	da, err := ReadDirectory(a)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := ReadLocationsCSV(loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Concat(da, dl); err == nil || !strings.Contains(err.Error(), "loc.csv") {
		t.Errorf("locations list: %v", err)
	}
	if _, err := Concat(); err == nil {
		t.Error("no directory: no error")
	}
}
