package sip

import "strings"

// Address is a name-addr or addr-spec with its header parameters: the
// value of From, To, Contact, Route, Record-Route, Path, Refer-To,
// P-Asserted-Identity and their kin (RFC 3261 §20.10, §25.1).
type Address struct {
	// Display is the display name, quotes removed and quoted-pairs
	// decoded ("J Rosenberg \\\"" is read as J Rosenberg \").
	Display string
	URI     URI
	// Params are the header parameters after the address: tag, expires,
	// q, +sip.instance, reg-id, lr is a URI parameter and lives in URI.
	Params Params
	// Wildcard is the Contact value "*" of a REGISTER that removes every
	// binding; the other fields are then empty.
	Wildcard bool
}

// Tag returns the tag parameter (From and To), or "".
func (a Address) Tag() string {
	t, _ := a.Params.Get("tag")
	return t
}

// Param returns a header parameter; see Params.Get.
func (a Address) Param(name string) (string, bool) { return a.Params.Get(name) }

// String returns the address in its canonical form: a quoted display name
// when there is one, the URI in angle brackets, then the parameters.
func (a Address) String() string {
	return ownedString(a.appendTo(make([]byte, 0, 32+len(a.Display)+len(a.URI.User)+len(a.URI.Host)+len(a.URI.Params)+len(a.URI.Headers)+len(a.URI.Opaque)+len(a.Params))))
}

func (a Address) appendTo(b []byte) []byte {
	if a.Wildcard {
		return append(b, '*')
	}
	if a.Display != "" {
		b = AppendQuoted(b, a.Display)
		b = append(b, ' ')
	}
	b = append(b, '<')
	b = a.URI.appendTo(b)
	b = append(b, '>')
	return append(b, a.Params.canonical()...)
}

// ParseAddress parses one name-addr or addr-spec followed by header
// parameters. In the bare addr-spec form the URI ends at the first ';' or
// white space and may not carry '?' headers (RFC 3261 §20).
func ParseAddress(s string) (a Address, err error) {
	if e := parseAddress(&a, trimLWS(s)); e != nil {
		return Address{}, e
	}
	return a, nil
}

// parseAddress parses a value already trimmed of surrounding LWS (as the
// header index stores values), into *a, which the caller discards on error.
func parseAddress(a *Address, s string) *ParseError {
	if s == "" {
		return perr(0, "empty address")
	}
	if s == "*" {
		a.Wildcard = true
		return nil
	}
	i := 0
	switch {
	case s[0] == '"':
		j := scanQuoted(s, 0)
		if j < 0 {
			return perr(0, "unterminated quoted display name, or a control character in it")
		}
		a.Display = unquote(s[:j])
		i = skipLWS(s, j)
		if i >= len(s) || s[i] != '<' {
			return perr(i, "expected '<' after display name")
		}
	case s[0] == '<':
	default:
		// *(token LWS) then '<' is a name-addr; anything else is an addr-spec.
		j := 0
		for j < len(s) && (charClass[s[j]]&cToken != 0 || isLWSByte(s[j])) {
			j++
		}
		if j < len(s) && s[j] == '<' {
			a.Display = normalizeSpaces(trimLWS(s[:j]))
			i = j
			break
		}
		end := 0
		for end < len(s) && s[end] != ';' && !isLWSByte(s[end]) {
			end++
		}
		spec := s[:end]
		if q := indexByte(spec, '?'); q >= 0 {
			return perr(q, "URI with headers must be enclosed in angle brackets")
		}
		if err := parseURI(&a.URI, spec); err != nil {
			return err
		}
		var err *ParseError
		a.Params, err = headerParams(s, end)
		return err
	}
	gt := indexByte(s[i:], '>')
	if gt < 0 {
		return perr(i, "missing '>' after URI")
	}
	gt += i
	spec := s[i+1 : gt]
	if spec == "" {
		return perr(i+1, "nothing inside angle brackets")
	}
	// No white space inside the brackets (RFC 4475 badaspec): the URI
	// grammar admits none, so ParseURI refuses it.
	if err := parseURI(&a.URI, spec); err != nil {
		err.Offset += i + 1
		return err
	}
	var err *ParseError
	a.Params, err = headerParams(s, gt+1)
	return err
}

// headerParams checks and returns the parameters from s[from:].
func headerParams(s string, from int) (Params, *ParseError) {
	rest := s[from:]
	if rest == "" || trimLWS(rest) == "" {
		return "", nil
	}
	if err := checkHeaderParams(rest); err != nil {
		err.Offset += from
		return "", err
	}
	return Params(rest), nil
}

// normalizeSpaces collapses runs of white space and folding into one space.
func normalizeSpaces(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
