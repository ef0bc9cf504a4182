package sip

import (
	"iter"
	"strings"
)

// Params is a parameter list as written, leading semicolon included:
// ";transport=tcp;lr" in a URI, ";tag=a73kszlfl;expires=60" after an
// address. It is a view into the message, so reading it costs nothing;
// Set and Del return a new list.
//
// Names compare case-insensitively. Get returns a value as written — a
// quoted value keeps its quotes (read it through Unquote); a parameter
// without a value (";lr") is present with the value "".
type Params string

// Get returns the value of the first parameter called name.
func (p Params) Get(name string) (value string, ok bool) {
	s := string(p)
	if v, ok, sure := getPlain(s, name); sure {
		return v, ok
	}
	return getGeneral(s, name)
}

// getGeneral reads any parameter list: white space around names, values
// and separators, quoted values holding ';'.
func getGeneral(s, name string) (value string, ok bool) {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || isLWSByte(s[i])) {
			i++
		}
		// The name runs to '=', ';' or a quote; white space is trimmed.
		ns := i
		for i < len(s) && s[i] != '=' && s[i] != ';' && s[i] != '"' {
			i++
		}
		ne := i
		for ne > ns && isLWSByte(s[ne-1]) {
			ne--
		}
		hasValue := i < len(s) && s[i] == '='
		vs, ve := i, i
		if hasValue {
			i++
			for i < len(s) && isLWSByte(s[i]) {
				i++
			}
			vs = i
		}
		// The segment ends at the next ';' outside quotes.
		for i < len(s) && s[i] != ';' {
			if s[i] == '"' {
				j := scanQuoted(s, i)
				if j < 0 {
					i = len(s)
					break
				}
				i = j
				continue
			}
			i++
		}
		if !hasValue {
			vs = i
		}
		ve = i
		for ve > vs && isLWSByte(s[ve-1]) {
			ve--
		}
		if ne-ns == len(name) && equalFold(s[ns:ne], name) {
			if !hasValue {
				return "", true
			}
			return s[vs:ve], true
		}
	}
	return "", false
}

// getPlain is Get for the common list without quotes or white space: it
// jumps from ';' to ';' with the vectorised byte search instead of reading
// every byte. sure is false when the list needs the general reader.
func getPlain(s, name string) (value string, ok, sure bool) {
	if name == "" || strings.IndexByte(s, '"') >= 0 {
		return "", false, false
	}
	i := 0
	for {
		for i < len(s) && s[i] == ';' {
			i++
		}
		if i == len(s) {
			return "", false, true
		}
		if isLWSByte(s[i]) {
			return "", false, false
		}
		if k := i + len(name); k <= len(s) && equalFold(s[i:k], name) {
			switch {
			case k == len(s) || s[k] == ';':
				return "", true, true
			case s[k] == '=':
				end := strings.IndexByte(s[k+1:], ';')
				if end < 0 {
					end = len(s)
				} else {
					end += k + 1
				}
				v := s[k+1 : end]
				if v != "" && (isLWSByte(v[0]) || isLWSByte(v[len(v)-1])) {
					return "", false, false
				}
				return v, true, true
			case isLWSByte(s[k]):
				return "", false, false
			}
		}
		next := strings.IndexByte(s[i:], ';')
		if next < 0 {
			return "", false, true
		}
		i += next
	}
}

// Has reports whether a parameter called name is present.
func (p Params) Has(name string) bool {
	_, ok := p.Get(name)
	return ok
}

// Len returns the number of parameters.
func (p Params) Len() int {
	n := 0
	for s := string(p); s != ""; {
		var seg string
		seg, s = nextParam(s)
		if trimLWS(seg) != "" {
			n++
		}
	}
	return n
}

// All iterates over the parameters in order, names and values as written.
func (p Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for s := string(p); s != ""; {
			var seg string
			seg, s = nextParam(s)
			if trimLWS(seg) == "" {
				continue
			}
			if !yield(splitParam(seg)) {
				return
			}
		}
	}
}

// Set returns p with parameter name set to value, replacing the first
// parameter of that name in place or appending it. An empty value writes
// a flag parameter (";lr"). The value is written as given: quote it with
// Quote when it is not a token.
func (p Params) Set(name, value string) Params {
	var b strings.Builder
	found := false
	for s := string(p); s != ""; {
		var seg string
		seg, s = nextParam(s)
		n, _ := splitParam(seg)
		if n == "" {
			continue
		}
		if !found && equalFold(n, name) {
			found = true
			writeParam(&b, n, value) // keep the received spelling
			continue
		}
		b.WriteByte(';')
		b.WriteString(trimLWS(seg))
	}
	if !found {
		writeParam(&b, name, value)
	}
	return Params(b.String()).canonical()
}

// Del returns p without any parameter called name.
func (p Params) Del(name string) Params {
	if !p.Has(name) {
		return p
	}
	var b strings.Builder
	for s := string(p); s != ""; {
		var seg string
		seg, s = nextParam(s)
		n, _ := splitParam(seg)
		if n == "" || equalFold(n, name) {
			continue
		}
		b.WriteByte(';')
		b.WriteString(trimLWS(seg))
	}
	return Params(b.String()).canonical()
}

func writeParam(b *strings.Builder, name, value string) {
	b.WriteByte(';')
	b.WriteString(name)
	if value != "" {
		b.WriteByte('=')
		b.WriteString(value)
	}
}

// canonical removes the white space and line folding a received list may
// carry (" ; tag = x"), so that a rewritten header is one clean line.
func (p Params) canonical() Params {
	if !hasLWS(string(p)) {
		return p
	}
	var b strings.Builder
	for s := string(p); s != ""; {
		var seg string
		seg, s = nextParam(s)
		n, v := splitParam(seg)
		if n == "" {
			continue
		}
		writeParam(&b, n, v)
	}
	return Params(b.String())
}

// nextParam splits a parameter list at the next ';' outside quotes and
// returns the first segment (without its leading ';') and the rest,
// starting at the following ';'.
func nextParam(s string) (seg, rest string) {
	i := 0
	for i < len(s) && isLWSByte(s[i]) {
		i++
	}
	if i < len(s) && s[i] == ';' {
		i++
	}
	start := i
	// Fast path: no quoted string before the next ';'.
	semi := indexByte(s[i:], ';')
	seg = s[i:]
	if semi >= 0 {
		seg = s[i : i+semi]
	}
	if indexByte(seg, '"') < 0 {
		if semi < 0 {
			return seg, ""
		}
		return seg, s[i+semi:]
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case '"':
			j := scanQuoted(s, i)
			if j < 0 {
				return s[start:], ""
			}
			i = j - 1
		case ';':
			return s[start:i], s[i:]
		}
	}
	return s[start:], ""
}

// splitParam splits "name = value" into its trimmed name and value.
func splitParam(seg string) (name, value string) {
	eq := indexByte(seg, '=')
	if eq < 0 {
		return trimLWS(seg), ""
	}
	if q := indexByte(seg, '"'); q >= 0 && q < eq {
		return trimLWS(seg), ""
	}
	return trimLWS(seg[:eq]), trimLWS(seg[eq+1:])
}

// checkHeaderParams validates a header parameter list
// (*( SEMI generic-param ); generic-param = token [ EQUAL gen-value ];
// gen-value = token / host / quoted-string) and bounds its length.
func checkHeaderParams(p string) *ParseError {
	count := 0
	i := 0
	for i < len(p) {
		i = skipLWS(p, i)
		if i == len(p) {
			break
		}
		if p[i] != ';' {
			return perr(i, "expected ';' before parameter")
		}
		i = skipLWS(p, i+1)
		start := i
		for i < len(p) && charClass[p[i]]&cToken != 0 {
			i++
		}
		if i == start {
			return perr(start, "empty or malformed parameter name")
		}
		count++
		if count > maxParams {
			return perr(start, "too many parameters")
		}
		i = skipLWS(p, i)
		if i < len(p) && p[i] == '=' {
			i = skipLWS(p, i+1)
			if i < len(p) && p[i] == '"' {
				j := scanQuoted(p, i)
				if j < 0 {
					return perr(i, "unterminated quoted parameter value")
				}
				i = j
			} else {
				vs := i
				for i < len(p) && charClass[p[i]]&cGenValue != 0 {
					i++
				}
				if i == vs {
					return perr(vs, "empty or malformed parameter value")
				}
			}
		}
		j := skipLWS(p, i)
		if j < len(p) && p[j] != ';' {
			return perr(j, "unexpected character in parameters")
		}
		i = j
	}
	return nil
}

// maxParams bounds the parameters of one header value or URI (spec §4.2).
const maxParams = 64
