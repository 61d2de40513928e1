package engine

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Lycée Émile ZOLA": "lycee emile zola", "Çà et là": "ca et la", "Œuvre": "œuvre", "naïve": "naive",
		"Ñandú": "nandu", "Łódź": "łodz", "Ἀθῆναι": "αθηναι", "": "", "İstanbul": foldSlow("İstanbul"),
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
		if got, slow := fold(in), foldSlow(in); got != slow {
			t.Errorf("fold(%q) = %q, slow path %q", in, got, slow)
		}
	}
}
