package pattern

import (
	"strings"
	"unicode/utf8"
)

// A replace string is compiled into segments: literal text (variables
// already expanded, DP-17 "variables are expanded before the
// back-references are inserted") and group references.
type segment struct {
	text  string
	group int // 0 for text, 1..9 for \1..\9
}

type replacement struct {
	segs     []segment
	maxGroup int
	// literal is set when the replacement has no group references: the
	// whole text, so applying it costs no allocation.
	literal   string
	isLiteral bool
}

// compileReplace parses a replace string (DP-17):
//
//   - \1..\9 insert capture groups (Regex patterns only; with other types
//     a back-reference is an error);
//   - in Regex replace strings, \\, \(, \), \% give the literal character,
//     any other \x gives x, and unescaped ( and ) produce no output;
//   - in Exact, Prefix and Suffix replace strings, \% gives %, and any other
//     backslash is literal;
//   - %variables% take their replace value; %ip%, %ipv4%, %ipv6% and
//     %localdomains% are refused; a variable with no value gives "" and a
//     warning; unknown %tokens% are literal text.
func compileReplace(s string, typ Type, facts *Facts) (replacement, []string, error) {
	var (
		r        replacement
		warnings []string
		cur      strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			r.segs = append(r.segs, segment{text: cur.String()})
			cur.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				if typ == Regex {
					return r, nil, syntaxErr(FieldReplace, i, "trailing backslash")
				}
				cur.WriteByte('\\')
				i++
				continue
			}
			n := s[i+1]
			switch {
			case n >= '1' && n <= '9':
				if typ != Regex {
					return r, nil, syntaxErr(FieldReplace, i, "back-reference \\%c needs a Regex pattern", n)
				}
				flush()
				g := int(n - '0')
				r.segs = append(r.segs, segment{group: g})
				if g > r.maxGroup {
					r.maxGroup = g
				}
				i += 2
			case n == '%':
				cur.WriteByte('%')
				i += 2
			case typ == Regex:
				// \\ \( \) and any other \x give x (the whole rune).
				j := i + 1
				_, size := utf8.DecodeRuneInString(s[j:])
				cur.WriteString(s[j : j+size])
				i = j + size
			default:
				cur.WriteByte('\\')
				i++
			}
		case (c == '(' || c == ')') && typ == Regex:
			i++ // unescaped parentheses produce nothing (DP-17, §6.4)
		case c == '%':
			name, end, ok := scanVar(s, i)
			if !ok {
				cur.WriteByte('%')
				i++
				continue
			}
			v, known, err := facts.ReplaceValue(name)
			if err != nil {
				return r, nil, &SyntaxError{Field: FieldReplace, Pos: i, Msg: err.Error(), err: err}
			}
			if !known {
				cur.WriteString(s[i:end])
			} else {
				if v == "" {
					warnings = append(warnings, "%"+name+"% has no value; it is replaced by nothing")
				}
				cur.WriteString(v)
			}
			i = end
		default:
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	if len(r.segs) == 0 {
		r.isLiteral = true
	} else if len(r.segs) == 1 && r.segs[0].group == 0 {
		r.isLiteral, r.literal = true, r.segs[0].text
	}
	return r, warnings, nil
}

// expand builds the replacement for a regex match. groups gives, for each
// group number, the captured text (a group that did not take part is "").
func (r *replacement) expand(group func(int) string) string {
	if r.isLiteral {
		return r.literal
	}
	n := 0
	for _, sg := range r.segs {
		if sg.group == 0 {
			n += len(sg.text)
		} else {
			n += len(group(sg.group))
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, sg := range r.segs {
		if sg.group == 0 {
			b.WriteString(sg.text)
		} else {
			b.WriteString(group(sg.group))
		}
	}
	return b.String()
}
