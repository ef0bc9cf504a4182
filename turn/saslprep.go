package turn

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SASLprep errors.
var (
	// ErrSASLprepProhibited: the string holds a character that RFC 4013
	// §2.3 prohibits (controls, private use, non-characters, surrogates,
	// tagging, change-display characters) or is not valid UTF-8.
	ErrSASLprepProhibited = errors.New("turn: SASLprep: prohibited character")
	// ErrSASLprepUnsupported: the string holds a character outside the
	// repertoire this implementation normalises (see SASLprep).
	ErrSASLprepUnsupported = errors.New("turn: SASLprep: character outside the supported repertoire")
)

// SASLprep prepares a user name, realm or password with the RFC 4013
// profile of stringprep, as RFC 5389 §15.3/§15.4 asks before the
// long-term key is derived.
//
// Scope: the standard library has no Unicode normalisation and
// golang.org/x/text is not a dependency, so NFKC (step 2) is implemented
// with our own tables over a bounded repertoire rather than the whole of
// Unicode 3.2:
//
//   - mapping (§2.1) is complete: the RFC 3454 B.1 characters are removed
//     and the C.1.2 non-ASCII spaces become U+0020;
//   - prohibition (§2.3) is complete: every table C.1.2, C.2.1, C.2.2,
//     C.3, C.4, C.5, C.6, C.7, C.8 and C.9;
//   - NFKC covers ASCII, Latin-1 Supplement, Latin Extended-A, the
//     Roman numerals U+2160..U+217F, fullwidth ASCII U+FF01..U+FF5E,
//     Hiragana, Katakana, CJK Unified Ideographs and Hangul syllables —
//     blocks whose characters are either NFKC-stable or have a short
//     compatibility mapping listed here, and that never compose with a
//     neighbour in this set. Any other character (for example a
//     combining mark, Greek, Arabic, Hebrew) is refused with
//     ErrSASLprepUnsupported rather than guessed at. Because no RandALCat
//     character is in the repertoire, the bidirectional rule (§2.4) holds
//     for every accepted string.
//
// The RFC 5769 §2.4 vector ("The<U+00AD>M<U+00AA>tr<U+2168>" →
// "TheMatrIX") is inside this scope.
func SASLprep(s string) (string, error) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 || c == 0x7F {
			ascii = false
			break
		}
	}
	if ascii {
		return s, nil // printable ASCII is its own SASLprep
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return "", fmt.Errorf("%w: invalid UTF-8 at byte %d", ErrSASLprepProhibited, i)
			}
		}
		// §2.1 mapping.
		if mappedToNothing(r) {
			continue
		}
		if nonASCIISpace(r) {
			b.WriteByte(' ')
			continue
		}
		// §2.3 prohibition is checked on the input too: a prohibited
		// character has no NFKC mapping in the supported repertoire.
		if prohibited(r) {
			return "", fmt.Errorf("%w: U+%04X at byte %d", ErrSASLprepProhibited, r, i)
		}
		// §2.2 NFKC.
		m, ok := nfkc(r)
		if !ok {
			return "", fmt.Errorf("%w: U+%04X at byte %d", ErrSASLprepUnsupported, r, i)
		}
		for _, o := range m {
			if prohibited(o) {
				return "", fmt.Errorf("%w: U+%04X (from U+%04X) at byte %d", ErrSASLprepProhibited, o, r, i)
			}
		}
		b.WriteString(m)
	}
	return b.String(), nil
}

// mappedToNothing is RFC 3454 table B.1.
func mappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, r >= 0x180B && r <= 0x180D,
		r >= 0x200B && r <= 0x200D, r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF:
		return true
	}
	return false
}

// nonASCIISpace is RFC 3454 table C.1.2.
func nonASCIISpace(r rune) bool {
	switch {
	case r == 0x00A0, r == 0x1680, r >= 0x2000 && r <= 0x200B, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// prohibited is the union of RFC 3454 tables C.1.2, C.2.1, C.2.2, C.3,
// C.4, C.5, C.6, C.7, C.8 and C.9 (RFC 4013 §2.3).
func prohibited(r rune) bool {
	switch {
	case nonASCIISpace(r): // C.1.2
		return true
	case r < 0x20, r == 0x7F: // C.2.1
		return true
	case r >= 0x80 && r <= 0x9F, r == 0x06DD, r == 0x070F, r == 0x180E, r == 0x200C, r == 0x200D,
		r == 0x2028, r == 0x2029, r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F, r == 0xFEFF,
		r >= 0xFFF9 && r <= 0xFFFC, r >= 0x1D173 && r <= 0x1D17A: // C.2.2
		return true
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD: // C.3
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // C.4 (every plane's last two code points)
		return true
	case r >= 0xD800 && r <= 0xDFFF: // C.5
		return true
	case r >= 0xFFF9 && r <= 0xFFFD: // C.6
		return true
	case r >= 0x2FF0 && r <= 0x2FFB: // C.7
		return true
	case r == 0x0340, r == 0x0341, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E: // C.8
		return true
	case r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return false
}

// latin1Compat is the NFKC form of the Latin-1 Supplement characters
// with a compatibility decomposition (U+00A0 is mapped to a space before
// NFKC and is not listed).
var latin1Compat = map[rune]string{
	0x00A8: " \u0308", 0x00AA: "a", 0x00AF: " \u0304", 0x00B2: "2", 0x00B3: "3", 0x00B4: " \u0301",
	0x00B5: "\u03BC", 0x00B8: " \u0327", 0x00B9: "1", 0x00BA: "o", 0x00BC: "1\u20444", 0x00BD: "1\u20442",
	0x00BE: "3\u20444",
}

// latinExtACompat is the same for Latin Extended-A.
var latinExtACompat = map[rune]string{
	0x0132: "IJ", 0x0133: "ij", 0x013F: "L\u00B7", 0x0140: "l\u00B7", 0x0149: "\u02BCn", 0x017F: "s",
}

// romanNumerals is the NFKC form of U+2160..U+217F.
var romanNumerals = [...]string{
	"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "L", "C", "D", "M",
	"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "l", "c", "d", "m",
}

// nfkc returns the NFKC form of r within the supported repertoire (see
// SASLprep); ok is false outside it. Every character of the repertoire
// is a starter that composes with no other character of it, so NFKC of
// a string is the concatenation of NFKC of its characters.
func nfkc(r rune) (string, bool) {
	switch {
	case r < 0x80:
		return string(r), true
	case r >= 0xA0 && r <= 0xFF:
		if m, ok := latin1Compat[r]; ok {
			return m, true
		}
		return string(r), true // precomposed letters are NFC, symbols stable
	case r >= 0x100 && r <= 0x17F:
		if m, ok := latinExtACompat[r]; ok {
			return m, true
		}
		return string(r), true
	case r >= 0x2160 && r <= 0x217F:
		return romanNumerals[r-0x2160], true
	case r >= 0xFF01 && r <= 0xFF5E:
		return string(r - 0xFF01 + 0x21), true
	case r >= 0x3041 && r <= 0x3096, r == 0x309D, r == 0x309E: // Hiragana (not the combining or spacing voicing marks, nor U+309F)
		return string(r), true
	case r >= 0x30A1 && r <= 0x30FE: // Katakana (U+30FF is a compatibility ligature)
		return string(r), true
	case r >= 0x4E00 && r <= 0x9FA5: // CJK Unified Ideographs of Unicode 3.2
		return string(r), true
	case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		return string(r), true
	}
	return "", false
}
