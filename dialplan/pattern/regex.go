package pattern

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// The product's regex dialect (DP-14) is translated into regexp2 syntax by
// one left-to-right pass that also checks it, so that every syntax error can
// name its byte offset in the pattern as written:
//
//   - \d and \D are ASCII digits only: [0-9] and [^0-9];
//   - inside [...] every character is literal, POSIX style, \ included; only
//     a leading ^, an interior - and the closing ] keep their meaning;
//   - %variables% become (?:v1|v2|...) of escaped literals, or (?!) when
//     the variable has no value, so group numbers do not move (DP-19);
//   - capturing groups are numbered by opening parenthesis; named groups,
//     conditionals and comments are refused;
//   - the result is wrapped as \A(?:P)\z: a regex matches the whole alias
//     (DP-15).
//
// The pass also records the literal text every match must start and end
// with, which indexes use to avoid running the regex at all.

type regexInfo struct {
	source string // regexp2 syntax, wrapped
	groups int    // capturing groups
	// prefix and suffix are ASCII literals that every matching alias starts
	// or ends with (before case folding); "" when unknown.
	prefix, suffix string
}

// item is one top-level element, for the prefix/suffix analysis.
type item struct {
	lit      rune // the literal rune, or -1 for anything else
	optional bool // followed by a quantifier that allows zero or many
	anchor   bool // ^ or $: zero width, does not break a literal run
}

type regexTranslator struct {
	src    string
	facts  *Facts
	out    strings.Builder
	groups int
	stack  []int // positions of open '('
	// atom is true when the last thing emitted can take a quantifier;
	// quant is true right after a quantifier.
	atom, quant bool
	top         []item
	topAlt      bool
	warnings    []string
}

func translateRegex(src string, facts *Facts) (regexInfo, []string, error) {
	t := &regexTranslator{src: src, facts: facts}
	t.out.Grow(len(src) + 16)
	t.out.WriteString(`\A(?:`)
	if err := t.run(); err != nil {
		return regexInfo{}, nil, err
	}
	t.out.WriteString(`)\z`)
	info := regexInfo{source: t.out.String(), groups: t.groups}
	if !t.topAlt {
		info.prefix, info.suffix = literalEnds(t.top)
	}
	return info, t.warnings, nil
}

func (t *regexTranslator) depth() int { return len(t.stack) }

func (t *regexTranslator) addTop(it item) {
	if t.depth() == 0 {
		t.top = append(t.top, it)
	}
}

func (t *regexTranslator) run() error {
	s := t.src
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			n, err := t.escape(i)
			if err != nil {
				return err
			}
			i = n
		case '[':
			n, err := t.class(i)
			if err != nil {
				return err
			}
			t.addTop(item{lit: -1})
			t.atom, t.quant = true, false
			i = n
		case '(':
			n, err := t.open(i)
			if err != nil {
				return err
			}
			i = n
		case ')':
			if t.depth() == 0 {
				return syntaxErr(FieldPattern, i, "unmatched )")
			}
			t.stack = t.stack[:len(t.stack)-1]
			t.out.WriteByte(')')
			t.addTop(item{lit: -1})
			t.atom, t.quant = true, false
			i++
		case '*', '+', '?':
			if err := t.quantifier(i, 1); err != nil {
				return err
			}
			t.out.WriteByte(c)
			i++
		case '{':
			if n, ok, err := t.braces(i); err != nil {
				return err
			} else if ok {
				if err := t.quantifier(i, n-i); err != nil {
					return err
				}
				t.out.WriteString(s[i:n])
				i = n
			} else {
				t.literal('{')
				i++
			}
		case '|':
			if t.depth() == 0 {
				t.topAlt = true
			}
			t.out.WriteByte('|')
			t.atom, t.quant = false, false
			i++
		case '^', '$':
			t.out.WriteByte(c)
			t.addTop(item{anchor: true})
			t.atom, t.quant = false, false
			i++
		case '.':
			t.out.WriteByte('.')
			t.addTop(item{lit: -1})
			t.atom, t.quant = true, false
			i++
		case '%':
			name, end, ok := scanVar(s, i)
			if ok && IsVariable(name) {
				t.variable(name)
				i = end
				continue
			}
			if ok { // unknown %token%: literal text, whole
				for _, r := range s[i:end] {
					t.literal(r)
				}
				i = end
				continue
			}
			t.literal('%')
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			t.literal(r)
			i += n
		}
	}
	if t.depth() > 0 {
		return syntaxErr(FieldPattern, t.stack[len(t.stack)-1], "missing closing ) for this (")
	}
	return nil
}

// literal emits r as a literal character.
func (t *regexTranslator) literal(r rune) {
	writeEscapedRune(&t.out, r)
	t.addTop(item{lit: r})
	t.atom, t.quant = true, false
}

func writeEscapedRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf && strings.IndexByte(`\*+?|{}[]()^$.#`, byte(r)) >= 0 || r == ' ' {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

func (t *regexTranslator) quantifier(pos, width int) error {
	if t.quant {
		// A ? after a quantifier makes it lazy; anything else is nested.
		if width == 1 && t.src[pos] == '?' {
			t.quant = false
			t.atom = false
			return nil
		}
		return syntaxErr(FieldPattern, pos, "nested quantifier %q", t.src[pos:pos+width])
	}
	if !t.atom {
		return syntaxErr(FieldPattern, pos, "quantifier %q has nothing to repeat", t.src[pos:pos+width])
	}
	if t.depth() == 0 && len(t.top) > 0 {
		t.top[len(t.top)-1].optional = true
	}
	t.quant = true
	t.atom = false
	return nil
}

// braces recognises {n}, {n,} and {n,m} at s[i]. ok is false when the text
// is not a quantifier (the brace is then a literal, as in .NET).
func (t *regexTranslator) braces(i int) (end int, ok bool, err error) {
	s := t.src
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return 0, false, nil
	}
	body := s[i+1 : i+j]
	lo, hi, comma := body, "", false
	if k := strings.IndexByte(body, ','); k >= 0 {
		lo, hi, comma = body[:k], body[k+1:], true
	}
	if !allDigits(lo) || lo == "" || (hi != "" && !allDigits(hi)) {
		return 0, false, nil
	}
	const maxRepeat = 1000
	n, err1 := strconv.Atoi(lo)
	if err1 != nil || n > maxRepeat {
		return 0, false, syntaxErr(FieldPattern, i, "repeat count %q too large (at most %d)", lo, maxRepeat)
	}
	if comma && hi != "" {
		m, err2 := strconv.Atoi(hi)
		if err2 != nil || m > maxRepeat {
			return 0, false, syntaxErr(FieldPattern, i, "repeat count %q too large (at most %d)", hi, maxRepeat)
		}
		if m < n {
			return 0, false, syntaxErr(FieldPattern, i, "repeat range {%s} has max below min", body)
		}
	}
	return i + j + 1, true, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// escape handles a backslash at s[i].
func (t *regexTranslator) escape(i int) (int, error) {
	s := t.src
	if i+1 >= len(s) {
		return 0, syntaxErr(FieldPattern, i, "trailing backslash")
	}
	r, n := utf8.DecodeRuneInString(s[i+1:])
	next := i + 1 + n
	atom := func(text string) {
		t.out.WriteString(text)
		t.addTop(item{lit: -1})
		t.atom, t.quant = true, false
	}
	zero := func(text string) {
		t.out.WriteString(text)
		t.addTop(item{anchor: false, lit: -1})
		t.atom, t.quant = false, false
	}
	switch {
	case r == 'd':
		atom("[0-9]")
	case r == 'D':
		atom("[^0-9]")
	case r == 'w', r == 'W', r == 's', r == 'S':
		atom(`\` + string(r))
	case r == 'b', r == 'B', r == 'A', r == 'z', r == 'Z', r == 'G':
		zero(`\` + string(r))
	case r >= '1' && r <= '9':
		// Back-reference to a group; must name a group opened before it.
		if int(r-'0') > t.groups {
			return 0, syntaxErr(FieldPattern, i, "back-reference \\%c to a group not yet defined", r)
		}
		atom(`\` + string(r))
	case r == 't', r == 'n', r == 'r', r == 'f', r == 'v', r == 'e', r == 'a':
		atom(`\` + string(r))
	case r == 'x':
		if next+2 > len(s) || !isHex(s[next:next+2]) {
			return 0, syntaxErr(FieldPattern, i, "\\x needs two hex digits")
		}
		atom(s[i : next+2])
		next += 2
	case r == 'u':
		if next+4 > len(s) || !isHex(s[next:next+4]) {
			return 0, syntaxErr(FieldPattern, i, "\\u needs four hex digits")
		}
		atom(s[i : next+4])
		next += 4
	case r == 'p', r == 'P':
		end := strings.IndexByte(s[next:], '}')
		if next >= len(s) || s[next] != '{' || end < 0 {
			return 0, syntaxErr(FieldPattern, i, "\\%c needs a {Class} name", r)
		}
		atom(s[i : next+end+1])
		next += end + 1
	case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '0'):
		return 0, syntaxErr(FieldPattern, i, "unsupported escape \\%c", r)
	default:
		// An escaped punctuation or non-ASCII character is that literal.
		t.literal(r)
	}
	return next, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// class translates a bracket expression starting at s[i] == '['. All
// characters inside are literal (POSIX style): only a leading ^, an interior
// - and the closing ] are special, and a ] straight after [ or [^ is
// literal.
func (t *regexTranslator) class(i int) (int, error) {
	s := t.src
	j := i + 1
	neg := false
	if j < len(s) && s[j] == '^' {
		neg = true
		j++
	}
	var members []rune
	first := true
	for {
		if j >= len(s) {
			return 0, syntaxErr(FieldPattern, i, "missing closing ] for this [")
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		if r == ']' && !first {
			j += n
			break
		}
		first = false
		members = append(members, r)
		j += n
	}
	t.out.WriteByte('[')
	if neg {
		t.out.WriteByte('^')
	}
	// Ranges: a-b where - is neither first nor last.
	for k := 0; k < len(members); k++ {
		r := members[k]
		if k+2 < len(members) && members[k+1] == '-' {
			hi := members[k+2]
			if hi < r {
				return 0, syntaxErr(FieldPattern, i, "range %c-%c out of order", r, hi)
			}
			writeClassRune(&t.out, r)
			t.out.WriteByte('-')
			writeClassRune(&t.out, hi)
			k += 2
			continue
		}
		writeClassRune(&t.out, r)
	}
	t.out.WriteByte(']')
	return j, nil
}

func writeClassRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

// open handles '(' at s[i].
func (t *regexTranslator) open(i int) (int, error) {
	s := t.src
	rest := s[i+1:]
	t.stack = append(t.stack, i)
	t.addTopOpen()
	t.atom, t.quant = false, false
	if !strings.HasPrefix(rest, "?") {
		t.groups++
		t.out.WriteByte('(')
		return i + 1, nil
	}
	for _, p := range []string{"?:", "?=", "?!", "?<=", "?<!", "?>"} {
		if strings.HasPrefix(rest, p) {
			t.out.WriteString("(" + p)
			return i + 1 + len(p), nil
		}
	}
	// Inline options: (?imnsx-imnsx) or (?imnsx-imnsx:...).
	j := 1
	for j < len(rest) && strings.IndexByte("imnsx-", rest[j]) >= 0 {
		j++
	}
	if j > 1 && j < len(rest) && (rest[j] == ')' || rest[j] == ':') {
		if strings.ContainsAny(rest[1:j], "nx") {
			return 0, syntaxErr(FieldPattern, i, "inline options n and x are not supported")
		}
		if rest[j] == ')' {
			// (?i) applies to the rest of the enclosing group; it is not a group.
			t.stack = t.stack[:len(t.stack)-1]
			t.out.WriteString("(" + rest[:j+1])
			return i + 1 + j + 1, nil
		}
		t.out.WriteString("(" + rest[:j+1])
		return i + 1 + j + 1, nil
	}
	if strings.HasPrefix(rest, "?<") || strings.HasPrefix(rest, "?'") || strings.HasPrefix(rest, "?P") {
		return 0, syntaxErr(FieldPattern, i, "named groups are not supported; groups are numbered \\1..\\9")
	}
	return 0, syntaxErr(FieldPattern, i, "unsupported group construct %q", "(?"+firstRune(rest[1:]))
}

func firstRune(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// addTopOpen records a group opening at the top level as a non-literal.
func (t *regexTranslator) addTopOpen() {
	if t.depth() == 1 { // just pushed: the group itself is a top-level element
		t.top = append(t.top, item{lit: -1})
	}
}

// variable emits a %variable% as a non-capturing alternation of escaped
// literals, or as (?!) when it has no value (DP-19).
func (t *regexTranslator) variable(name string) {
	vals, _ := t.facts.MatchValues(name)
	if len(vals) == 0 {
		t.out.WriteString("(?!)")
		t.warnings = append(t.warnings, "%"+name+"% has no value and matches nothing")
	} else {
		t.out.WriteString("(?:")
		for k, v := range vals {
			if k > 0 {
				t.out.WriteByte('|')
			}
			t.out.WriteString(regexp2.Escape(v))
		}
		t.out.WriteByte(')')
	}
	t.addTop(item{lit: -1})
	t.atom, t.quant = true, false
}

// literalEnds returns the ASCII literal runs every match must start and end
// with, given the top-level items of a pattern without top-level
// alternation.
func literalEnds(items []item) (prefix, suffix string) {
	var b strings.Builder
	for _, it := range items {
		if it.anchor {
			continue
		}
		if it.lit < 0 || it.lit >= utf8.RuneSelf || it.optional {
			break
		}
		b.WriteRune(it.lit)
	}
	prefix = b.String()
	var rev []byte
	for k := len(items) - 1; k >= 0; k-- {
		it := items[k]
		if it.anchor {
			continue
		}
		if it.lit < 0 || it.lit >= utf8.RuneSelf || it.optional {
			break
		}
		rev = append(rev, byte(it.lit))
	}
	for l, r := 0, len(rev)-1; l < r; l, r = l+1, r-1 {
		rev[l], rev[r] = rev[r], rev[l]
	}
	return prefix, string(rev)
}
