package cpl

import (
	"strings"
	"unicode/utf8"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// regexMatcher wraps a compiled dial-plan regex (whole-value,
// case-insensitive, lookaround, time budget: CPL-11, CPL-14, CPL-15) with
// shortcuts that give the same answers without running the backtracking
// engine (BX-7): ".*" and "(.*)" match any value without a newline; a
// pattern that is a plain literal is an ASCII case-insensitive comparison
// when the value is ASCII; and the literal prefix and suffix every match
// must carry rule out most non-matching values at once.
type regexMatcher struct {
	p       *pattern.Pattern
	src     string
	any     bool   // .* : anything without a newline
	literal bool   // the whole pattern is lit
	lit     string // the literal of literal, headLit or tailLit
	headLit bool   // lit followed by .* or (.*)
	tailLit bool   // .* or (.*) followed by lit
	prefix  string
	suffix  string
	dotAll  bool // (?s): . matches a newline too (message-regex)
}

func newRegexMatcher(p *pattern.Pattern, src string) *regexMatcher {
	r := &regexMatcher{p: p, src: src}
	switch src {
	case ".*", "(.*)", "(?:.*)":
		r.any = true
		return r
	}
	if lit, ok := plainLiteral(src); ok && isASCII(lit) {
		r.literal, r.lit = true, lit
		return r
	}
	// L.* and .*L with a plain literal L: a prefix or suffix test. These
	// forms are the bulk of real policies ("9(.*)", ".*@example\.com").
	for _, any := range []string{".*", "(.*)"} {
		if h, ok := strings.CutSuffix(src, any); ok {
			if lit, ok := plainLiteral(h); ok && isASCII(lit) {
				r.headLit, r.lit = true, lit
				return r
			}
		}
		if t, ok := strings.CutPrefix(src, any); ok {
			if lit, ok := plainLiteral(t); ok && isASCII(lit) {
				r.tailLit, r.lit = true, lit
				return r
			}
		}
	}
	r.prefix, r.suffix = p.Affixes()
	return r
}

// plainLiteral reports whether a regex is a literal string (letters,
// digits and punctuation that is not special, or escaped punctuation) and
// returns it.
func plainLiteral(src string) (string, bool) {
	if src == "" {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\':
			if i+1 >= len(src) {
				return "", false
			}
			n := src[i+1]
			if n >= utf8.RuneSelf || isAlnum(n) || n == ' ' {
				return "", false
			}
			b.WriteByte(n)
			i++
		case strings.IndexByte(`.*+?|{}[]()^$%#`, c) >= 0, c == ' ', c < 0x20:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// match reports whether v matches as a whole. An error means the regex ran
// out of budget (it is then no match).
func (r *regexMatcher) match(v string) (bool, error) {
	if r.any {
		return r.dotAll || strings.IndexByte(v, '\n') < 0, nil
	}
	return r.matchASCII(v, isASCII(v))
}

// matchASCII is match for a value whose ASCII-ness the caller knows.
func (r *regexMatcher) matchASCII(v string, ascii bool) (bool, error) {
	if r.any {
		return r.dotAll || strings.IndexByte(v, '\n') < 0, nil
	}
	if r.literal && ascii {
		return equalFoldASCII(v, r.lit), nil
	}
	if (r.headLit || r.tailLit) && ascii {
		var ok bool
		var rest string
		if r.headLit {
			ok, _ = hasPrefixFoldASCII(v, r.lit)
			if ok {
				rest = v[len(r.lit):]
			}
		} else {
			ok, _ = hasSuffixFoldASCII(v, r.lit)
			if ok {
				rest = v[:len(v)-len(r.lit)]
			}
		}
		return ok && (r.dotAll || strings.IndexByte(rest, '\n') < 0), nil
	}
	if r.prefix != "" {
		if ok, sure := hasPrefixFoldASCII(v, r.prefix); !ok && sure {
			return false, nil
		}
	}
	if r.suffix != "" {
		if ok, sure := hasSuffixFoldASCII(v, r.suffix); !ok && sure {
			return false, nil
		}
	}
	m, err := r.p.Match(v)
	if err != nil {
		// The budget is wall-clock time: a match descheduled on a busy
		// machine can run out of it without being costly. One retry
		// tells the two apart; a pathological pattern fails twice.
		m, err = r.p.Match(v)
		if err != nil {
			return false, err
		}
	}
	return m.Matched, nil
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// hasPrefixFoldASCII compares the ASCII prefix p with v. sure is false
// when v holds a non-ASCII byte where p is compared: case folding of such
// characters is left to the regex engine.
func hasPrefixFoldASCII(v, p string) (ok, sure bool) {
	if len(v) < len(p) {
		return false, isASCII(v)
	}
	for i := 0; i < len(p); i++ {
		if v[i] >= utf8.RuneSelf {
			return false, false
		}
		if lowerASCII(v[i]) != lowerASCII(p[i]) {
			return false, true
		}
	}
	return true, true
}

func hasSuffixFoldASCII(v, s string) (ok, sure bool) {
	if len(v) < len(s) {
		return false, isASCII(v)
	}
	off := len(v) - len(s)
	for i := 0; i < len(s); i++ {
		if v[off+i] >= utf8.RuneSelf {
			return false, false
		}
		if lowerASCII(v[off+i]) != lowerASCII(s[i]) {
			return false, true
		}
	}
	return true, true
}

// containsFold reports whether sub occurs in s, ignoring case (CPL-11,
// CPL-12).
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	if isASCII(s) && isASCII(sub) {
		n := len(sub)
		for i := 0; i+n <= len(s); i++ {
			if equalFoldASCII(s[i:i+n], sub) {
				return true
			}
		}
		return false
	}
	return strings.Contains(pattern.Fold(s), pattern.Fold(sub))
}

// isNumeric reports whether v is a number in the sense of CPL-13: E.164
// characters only, with an optional leading +.
func isNumeric(v string) bool {
	v = strings.TrimPrefix(v, "+")
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c == '*' || c == '#') {
			return false
		}
	}
	return true
}

// subdomainOf implements CPL-13: a numeric value matches as a prefix,
// anything else as a domain (equal, or ending with "." + domain).
func subdomainOf(v, dom string) bool {
	if isNumeric(v) {
		if len(v) < len(dom) {
			return false
		}
		return strings.EqualFold(v[:len(dom)], dom)
	}
	if strings.EqualFold(v, dom) {
		return true
	}
	if len(v) <= len(dom) {
		return false
	}
	off := len(v) - len(dom)
	return v[off-1] == '.' && strings.EqualFold(v[off:], dom)
}

func (m *matcher) match(v string) (bool, error) {
	switch m.kind {
	case matchIs:
		if isASCII(v) && isASCII(m.lit) {
			return equalFoldASCII(v, m.lit), nil
		}
		return strings.EqualFold(v, m.lit), nil
	case matchContains:
		return containsFold(v, m.lit), nil
	case matchSubdomain:
		return subdomainOf(v, m.lit), nil
	case matchRegex:
		return m.re.match(v)
	}
	return false, nil
}
