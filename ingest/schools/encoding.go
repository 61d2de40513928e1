package schools

import (
	"unicode/utf8"
)

// Text encodings told apart by decodeText.
const (
	encodingUTF8    = "UTF-8"
	encodingWin1252 = "Windows-1252"
)

// win1252 maps the bytes 0x80..0x9F of Windows-1252 to their runes (the
// C1 control codes of ISO-8859-1 at these places never occur in text;
// unassigned bytes map to U+FFFD). Every other byte is its Latin-1 rune.
var win1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// decodeText returns b as UTF-8 and the encoding it was read in: b itself
// when it is valid UTF-8, else b read as Windows-1252, the superset of
// Latin-1 (ISO-8859-1) that French public data is exported in.
func decodeText(b []byte) ([]byte, string) {
	if utf8.Valid(b) {
		return b, encodingUTF8
	}
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xA0:
			out = utf8.AppendRune(out, win1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out, encodingWin1252
}
