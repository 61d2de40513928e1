package schools

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Concat joins national directories read separately (ReadDirectory), for
// instance one per département, into one: schools in the order of the
// directories, départements united. UAIs stay unique: a school whose UAI
// an earlier directory already holds is merged into it as ReadDirectory
// merges the rows of one establishment (flags OR-ed, coordinates of the
// first located row) and reported as "duplicate_uai_merged". Rows add
// up; each directory's drops are kept as it reported them; Path lists the
// paths, comma-separated. One directory is
// returned as it is. Plain locations lists (ReadLocationsCSV) are refused:
// their ids are not UAIs and they carry their own offers.
func Concat(dirs ...*Directory) (*Directory, error) {
	switch len(dirs) {
	case 0:
		return nil, fmt.Errorf("school directories: none to concatenate")
	case 1:
		return dirs[0], nil
	}
	out := &Directory{Format: "annuaire"}
	var paths []string
	var dr drops
	byID := map[string]int{}
	depts := map[string]bool{}
	for _, d := range dirs {
		if d.Format != "annuaire" || d.Offers != nil {
			return nil, fmt.Errorf("school directories: %s is a %s list, only national directories can be concatenated", d.Path, d.Format)
		}
		paths = append(paths, d.Path)
		out.Stats.Rows += d.Stats.Rows
		out.Stats.LyceeRows += d.Stats.LyceeRows
		out.Stats.CollegeRows += d.Stats.CollegeRows
		dr.Include(d.Drops)
		name := filepath.Base(d.Path)
		for i := range d.Schools {
			s := d.Schools[i]
			if j, dup := byID[s.ID]; dup {
				first := &out.Schools[j]
				mergeSchool(first, &s)
				dr.add(name, s.Line, "duplicate_uai_merged", fmt.Sprintf("UAI %s also in an earlier directory, line %d, rows merged", s.ID, first.Line))
				continue
			}
			byID[s.ID] = len(out.Schools)
			out.Schools = append(out.Schools, s)
		}
		for _, dep := range d.Departements {
			if !depts[dep] {
				depts[dep] = true
				out.Departements = append(out.Departements, dep)
			}
		}
	}
	out.Path = strings.Join(paths, ", ")
	out.Stats.count(out.Schools)
	out.Drops = dr.result()
	return out, nil
}
