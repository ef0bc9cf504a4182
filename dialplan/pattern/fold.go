package pattern

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Case-insensitive comparison uses Unicode simple folding (DP-13), the
// relation strings.EqualFold implements. Folding can change the byte length
// of a rune (the Kelvin sign folds to "k"), so the helpers below walk runes
// and report offsets in the alias, never in the pattern.

// equalRune reports whether a and b are equal under simple folding.
func equalRune(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	// General case: walk the fold orbit of a.
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// FoldRune maps r to a canonical member of its simple-fold orbit (the
// smallest), so that two runes are equal under folding exactly when their
// FoldRune values are equal. It is what indexes of case-insensitive patterns
// key on.
func FoldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	// Orbits with an ASCII letter (k, K and the Kelvin sign) canonicalise to
	// the ASCII lower case, matching the fast path above.
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// Fold returns s with every rune replaced by FoldRune(rune). Two strings are
// equal under simple folding exactly when their Fold values are equal.
func Fold(s string) string {
	ascii := true
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if !upper {
			return s
		}
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// hasPrefix reports whether s starts with prefix and returns the byte offset
// in s where the prefix ends.
func hasPrefix(s, prefix string, fold bool) (int, bool) {
	if !fold {
		if strings.HasPrefix(s, prefix) {
			return len(prefix), true
		}
		return 0, false
	}
	i := 0
	for _, pr := range prefix {
		if i >= len(s) {
			return 0, false
		}
		sr, n := utf8.DecodeRuneInString(s[i:])
		if !equalRune(sr, pr) {
			return 0, false
		}
		i += n
	}
	return i, true
}

// hasSuffix reports whether s ends with suffix and returns the byte offset in
// s where the suffix starts.
func hasSuffix(s, suffix string, fold bool) (int, bool) {
	if !fold {
		if strings.HasSuffix(s, suffix) {
			return len(s) - len(suffix), true
		}
		return 0, false
	}
	i, j := len(s), len(suffix)
	for j > 0 {
		if i <= 0 {
			return 0, false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix[:j])
		sr, sn := utf8.DecodeLastRuneInString(s[:i])
		if !equalRune(sr, pr) {
			return 0, false
		}
		i -= sn
		j -= pn
	}
	return i, true
}

func equalString(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}
