package sip

import (
	"net/netip"
	"strconv"
	"strings"
)

// maxURILen bounds a URI (spec §4.2).
const maxURILen = 2048

// URI is a SIP, SIPS or TEL URI, or any other absolute URI kept opaque
// (SIP-12; RFC 3261 §19.1, RFC 3966, RFC 5118).
//
// Every field is as written: user and password keep their %HH escapes, an
// IPv6 host keeps its brackets. A parsed URI is a set of views into the text
// it was parsed from and costs no allocation.
type URI struct {
	// Scheme is "sip", "sips", "tel" or any other scheme, as written.
	Scheme string
	// User is the user part of a SIP/SIPS URI, or the number of a TEL URI
	// ("+1-201-555-0123").
	User string
	// Password is the password of the userinfo; rare and deprecated.
	Password string
	// Host is a host name, an IPv4 address or a bracketed IPv6 reference.
	Host string
	// Port is the port, 0 when the URI has none.
	Port int
	// Params are the URI parameters (SIP, SIPS, TEL), leading ';' included.
	Params Params
	// Headers is the header part of a SIP URI after '?', as written.
	Headers string
	// Opaque is everything after "scheme:" for other schemes.
	Opaque string
}

// Scheme kinds, from the scheme's letters in any case.
const (
	schemeOther = iota
	schemeSIP
	schemeSIPS
	schemeTel
)

func schemeOf(s string) int {
	switch len(s) {
	case 3:
		a, b, c := s[0]|0x20, s[1]|0x20, s[2]|0x20
		switch {
		case a == 's' && b == 'i' && c == 'p':
			return schemeSIP
		case a == 't' && b == 'e' && c == 'l':
			return schemeTel
		}
	case 4:
		if s[0]|0x20 == 's' && s[1]|0x20 == 'i' && s[2]|0x20 == 'p' && s[3]|0x20 == 's' {
			return schemeSIPS
		}
	}
	return schemeOther
}

// IsSIP reports whether u is a sip: or sips: URI.
func (u URI) IsSIP() bool { k := schemeOf(u.Scheme); return k == schemeSIP || k == schemeSIPS }

// IsSecure reports whether u is a sips: URI (TLS on every hop).
func (u URI) IsSecure() bool { return schemeOf(u.Scheme) == schemeSIPS }

// IsTel reports whether u is a tel: URI.
func (u URI) IsTel() bool { return schemeOf(u.Scheme) == schemeTel }

// HostPort returns host[:port], the IPv6 brackets kept.
func (u URI) HostPort() string {
	h := u.bracketHost()
	if u.Port == 0 {
		return h
	}
	return h + ":" + strconv.Itoa(u.Port)
}

// Hostname returns the host without IPv6 brackets.
func (u URI) Hostname() string {
	return strings.TrimSuffix(strings.TrimPrefix(u.Host, "["), "]")
}

// Addr returns the host as an IP address, when it is one.
func (u URI) Addr() (netip.Addr, bool) {
	a, err := netip.ParseAddr(u.Hostname())
	return a, err == nil && a.Zone() == ""
}

// Param returns the value of a URI parameter; see Params.Get.
func (u URI) Param(name string) (string, bool) { return u.Params.Get(name) }

// Transport returns the transport parameter, lower-cased, or "".
func (u URI) Transport() string {
	t, _ := u.Params.Get("transport")
	return strings.ToLower(t)
}

// AOR returns the address-of-record form user@host of a SIP URI: scheme,
// password, port, parameters and headers removed, the rest byte for byte
// (SIP-12; compare AORs with strings.EqualFold). A URI without a user part
// gives the host alone; other schemes give Opaque or the TEL number.
func (u URI) AOR() string {
	switch {
	case u.IsSIP():
		if u.User == "" {
			return u.Host
		}
		return u.User + "@" + u.Host
	case u.IsTel():
		return u.User
	}
	return u.Opaque
}

// appendHost appends a host, adding the brackets an IPv6 address needs.
func appendHost(b []byte, h string) []byte {
	if strings.IndexByte(h, ':') >= 0 && !strings.HasPrefix(h, "[") {
		b = append(b, '[')
		b = append(b, h...)
		return append(b, ']')
	}
	return append(b, h...)
}

func (u URI) bracketHost() string {
	if strings.IndexByte(u.Host, ':') >= 0 && !strings.HasPrefix(u.Host, "[") {
		return "[" + u.Host + "]"
	}
	return u.Host
}

// String returns the URI text.
func (u URI) String() string {
	return ownedString(u.appendTo(make([]byte, 0, 24+len(u.User)+len(u.Password)+len(u.Host)+len(u.Params)+len(u.Headers)+len(u.Opaque))))
}

func (u URI) appendTo(b []byte) []byte {
	b = append(b, u.Scheme...)
	b = append(b, ':')
	switch {
	case u.IsSIP():
		if u.User != "" {
			b = append(b, u.User...)
			if u.Password != "" {
				b = append(b, ':')
				b = append(b, u.Password...)
			}
			b = append(b, '@')
		}
		b = appendHost(b, u.Host)
		if u.Port != 0 {
			b = append(b, ':')
			b = appendInt(b, u.Port)
		}
		b = append(b, u.Params...)
		if u.Headers != "" {
			b = append(b, '?')
			b = append(b, u.Headers...)
		}
	case u.IsTel():
		b = append(b, u.User...)
		b = append(b, u.Params...)
	default:
		b = append(b, u.Opaque...)
	}
	return b
}

// ParseURI parses a SIP, SIPS or TEL URI, or another absolute URI kept
// opaque, and checks it against its grammar (RFC 3261 §25.1, RFC 3966,
// RFC 5118: an IPv6 host must be bracketed and well formed).
func ParseURI(s string) (u URI, err error) {
	if e := parseURI(&u, s); e != nil {
		return URI{}, e
	}
	return u, nil
}

// parseURI is ParseURI writing into *u, which the caller discards on error.
//
// The URI, Address and Via parsers write through a pointer into the
// caller's value (an accessor's named result) rather than returning it:
// a returned struct is copied at every level, and a copy read back right
// after its fields were stored one word at a time stalls store-to-load
// forwarding, which cost more than the write barriers these stores take
// while the garbage collector marks.
func parseURI(u *URI, s string) *ParseError {
	if len(s) > maxURILen {
		return perr(maxURILen, "URI longer than 2048 bytes")
	}
	colon := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			colon = i
			break
		}
		if !(isAlpha(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'))) {
			return perr(i, "malformed URI scheme")
		}
	}
	if colon <= 0 {
		return perr(0, "URI without a scheme")
	}
	u.Scheme = s[:colon]
	rest := s[colon+1:]
	switch schemeOf(u.Scheme) {
	case schemeSIP, schemeSIPS:
		return parseSIPParts(u, rest, colon+1)
	case schemeTel:
		var pe *ParseError
		u.User, u.Params, pe = parseTelParts(rest, colon+1)
		return pe
	}
	if rest == "" {
		return perr(colon+1, "empty URI after scheme")
	}
	if i, ok := scanChars(rest, cURIC|cUnres, "[]"); !ok {
		return perr(colon+1+i, "invalid character in URI")
	}
	u.Opaque = rest
	return nil
}

// parseSIPParts parses what follows "sip:" or "sips:".
func parseSIPParts(u *URI, s string, off int) *ParseError {
	var user, pass, host, headers string
	// userinfo ends at the first '@': neither user nor password may contain one.
	if at := indexByte(s, '@'); at >= 0 {
		ui := s[:at]
		user = ui
		for i := 0; i < len(ui); i++ {
			c := ui[i]
			if c == ':' {
				user, pass = ui[:i], ui[i+1:]
				if j, ok := scanChars(pass, cPass, ""); !ok {
					return perr(off+i+1+j, "invalid character in URI password")
				}
				break
			}
			if charClass[c]&cUser != 0 || c == '#' {
				continue
			}
			if c == '%' && i+2 < len(ui) && isHex(ui[i+1]) && isHex(ui[i+2]) {
				i += 2
				continue
			}
			return perr(off+i, "invalid character in URI user part")
		}
		if user == "" {
			return perr(off, "empty user part in URI")
		}
		off += at + 1
		s = s[at+1:]
	}
	end := 0
	for end < len(s) && s[end] != ';' && s[end] != '?' {
		end++
	}
	hp := s[:end]
	if hp == "" {
		return perr(off, "URI without a host")
	}
	host = hp
	portText := ""
	if hp[0] == '[' {
		rb := strings.IndexByte(hp, ']')
		if rb < 0 {
			return perr(off, "unterminated IPv6 reference")
		}
		host = hp[:rb+1]
		if rb+1 < len(hp) {
			if hp[rb+1] != ':' {
				return perr(off+rb+1, "unexpected character after IPv6 reference")
			}
			portText = hp[rb+2:]
			if portText == "" {
				return perr(off+rb+2, "empty port")
			}
		}
	} else {
		for c := len(hp) - 1; c >= 0; c-- {
			if !isDigit(hp[c]) {
				if hp[c] == ':' {
					host, portText = hp[:c], hp[c+1:]
					if portText == "" {
						return perr(off+c+1, "empty port")
					}
				}
				break
			}
		}
	}
	if !validHost(host) {
		return perr(off, "malformed host "+strconv.Quote(host))
	}
	if portText != "" {
		p, ok := parseUint(portText, 65535)
		if !ok {
			return perr(off+len(host)+1, "malformed port "+strconv.Quote(portText))
		}
		u.Port = int(p)
	}
	off += end
	s = s[end:]
	u.User, u.Password, u.Host = user, pass, host
	if s == "" {
		return nil
	}
	ps := s
	if q := indexByte(s, '?'); q >= 0 {
		ps = s[:q]
		headers = s[q+1:]
		if e := checkURIHeaders(headers); e != nil {
			e.Offset += off + q + 1
			return e
		}
	}
	if e := checkURIParams(ps, cParam, false); e != nil {
		e.Offset += off
		return e
	}
	u.Params, u.Headers = Params(ps), headers
	return nil
}

// parseTelParts parses the telephone-subscriber of a tel: URI (RFC 3966 §3).
func parseTelParts(s string, off int) (num string, params Params, err *ParseError) {
	end := indexByte(s, ';')
	if end < 0 {
		end = len(s)
	}
	num = s[:end]
	if num == "" {
		return "", "", perr(off, "empty telephone number")
	}
	digits := 0
	global := num[0] == '+'
	for i := 0; i < len(num); i++ {
		c := num[i]
		switch {
		case i == 0 && global:
		case isDigit(c):
			digits++
		case c == '-' || c == '.' || c == '(' || c == ')':
		case !global && (isHex(c) || c == '*' || c == '#'):
			digits++
		default:
			return "", "", perr(off+i, "invalid character in telephone number")
		}
	}
	if digits == 0 {
		return "", "", perr(off, "telephone number without digits")
	}
	params = Params(s[end:])
	if e := checkURIParams(string(params), cParam, true); e != nil {
		e.Offset += off + end
		return "", "", e
	}
	if !global && !params.Has("phone-context") {
		return "", "", perr(off, "local telephone number without phone-context")
	}
	return num, params, nil
}

// checkURIParams validates *( ";" pname [ "=" pvalue ] ).
func checkURIParams(p string, class uint16, tel bool) *ParseError {
	count := 0
	for i := 0; i < len(p); {
		if p[i] != ';' {
			return perr(i, "expected ';' before URI parameter")
		}
		i++
		end := indexByte(p[i:], ';')
		if end < 0 {
			end = len(p)
		} else {
			end += i
		}
		seg := p[i:end]
		name, value, hasEq := seg, "", false
		if eq := indexByte(seg, '='); eq >= 0 {
			name, value, hasEq = seg[:eq], seg[eq+1:], true
		}
		if name == "" {
			return perr(i, "empty URI parameter name")
		}
		nameClass := class
		if tel {
			for j := 0; j < len(name); j++ {
				if !isAlnum(name[j]) && name[j] != '-' {
					return perr(i+j, "invalid character in tel parameter name")
				}
			}
		} else if j, ok := scanChars(name, nameClass, ""); !ok {
			return perr(i+j, "invalid character in URI parameter name")
		}
		if hasEq {
			if value == "" {
				return perr(i+len(name)+1, "empty URI parameter value")
			}
			if j, ok := scanChars(value, class, ""); !ok {
				return perr(i+len(name)+1+j, "invalid character in URI parameter value")
			}
		}
		if count++; count > maxParams {
			return perr(i, "too many URI parameters")
		}
		i = end
	}
	return nil
}

// checkURIHeaders validates header *( "&" header ); header = hname "=" hvalue.
func checkURIHeaders(h string) *ParseError {
	if h == "" {
		return perr(0, "empty URI headers")
	}
	for i := 0; i <= len(h); {
		end := strings.IndexByte(h[i:], '&')
		if end < 0 {
			end = len(h)
		} else {
			end += i
		}
		seg := h[i:end]
		eq := indexByte(seg, '=')
		if eq <= 0 {
			return perr(i, "URI header without name=value")
		}
		if j, ok := scanChars(seg[:eq], cHnv, ""); !ok {
			return perr(i+j, "invalid character in URI header name")
		}
		if j, ok := scanChars(seg[eq+1:], cHnv, ""); !ok {
			return perr(i+eq+1+j, "invalid character in URI header value")
		}
		i = end + 1
	}
	return nil
}

// scanChars checks that s holds only bytes of class, bytes in extra, or
// %HH escapes; it returns the offset of the first bad byte.
func scanChars(s string, class uint16, extra string) (int, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if charClass[c]&class != 0 {
			continue
		}
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return i, false
			}
			i += 2
			continue
		}
		if extra != "" && strings.IndexByte(extra, c) >= 0 {
			continue
		}
		return i, false
	}
	return 0, true
}

// validHost checks host = hostname / IPv4address / IPv6reference.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	if h[0] == '[' {
		return validIPv6Ref(h)
	}
	if isDigit(h[len(h)-1]) {
		// A name whose last label starts with a digit can only be an
		// IPv4 address; the grammar's toplabel starts with a letter.
		if ok, isV4 := parseIPv4(h); isV4 {
			return ok
		}
	}
	return validHostname(h)
}

// parseIPv4 reports whether h looks like dotted digits (isV4) and, if so,
// whether it is a valid IPv4address: four decimal parts up to 255.
func parseIPv4(h string) (ok, isV4 bool) {
	parts, n, digits := 0, 0, 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case isDigit(c):
			n = n*10 + int(c-'0')
			digits++
			if digits > 3 || n > 255 {
				return false, true
			}
		case c == '.':
			if digits == 0 {
				return false, true
			}
			parts++
			n, digits = 0, 0
		default:
			return false, false
		}
	}
	return parts == 3 && digits > 0, true
}

// validIPv6Ref checks "[" IPv6address "]" (RFC 5118; RFC 5954 fixed the
// ABNF so that "2001:db8:::192.0.2.1" is rejected).
func validIPv6Ref(h string) bool {
	if len(h) < 4 || h[0] != '[' || h[len(h)-1] != ']' {
		return false
	}
	in := h[1 : len(h)-1]
	if strings.IndexByte(in, ':') < 0 || strings.IndexByte(in, '%') >= 0 {
		return false
	}
	a, err := netip.ParseAddr(in)
	return err == nil && a.Is6()
}

// validHostname checks *( domainlabel "." ) toplabel [ "." ]: labels of
// letters, digits and inner hyphens, the last one starting with a letter.
// Underscores are tolerated inside labels, as deployed systems use them.
func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return false
	}
	for {
		dot := indexByte(h, '.')
		label := h
		if dot >= 0 {
			label = h[:dot]
		}
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		for i := 1; i < len(label)-1; i++ {
			if c := label[i]; !isAlnum(c) && c != '-' && c != '_' {
				return false
			}
		}
		if dot < 0 {
			return isAlpha(label[0])
		}
		h = h[dot+1:]
	}
}

// Equal reports whether u and v are equivalent under RFC 3261 §19.1.4 for
// SIP and SIPS URIs: userinfo compared case-sensitively after unescaping,
// host case-insensitively, ports exactly (an absent port differs from
// 5060), the user, ttl, method and maddr parameters must match when either
// URI has them, other parameters only when both have them, and headers
// must all match. TEL URIs compare their numbers without visual separators
// and their parameters as sets; other schemes compare as text.
func (u URI) Equal(v URI) bool {
	if !equalFold(u.Scheme, v.Scheme) {
		return false
	}
	switch {
	case u.IsSIP():
		if unescape(u.User) != unescape(v.User) || unescape(u.Password) != unescape(v.Password) {
			return false
		}
		if !hostEqual(u.Host, v.Host) || u.Port != v.Port {
			return false
		}
		if !paramsEquivalent(u.Params, v.Params, []string{"user", "ttl", "method", "maddr", "transport"}) {
			return false
		}
		return headersEqual(u.Headers, v.Headers)
	case u.IsTel():
		if !equalFold(telDigits(u.User), telDigits(v.User)) {
			return false
		}
		return u.Params.Len() == v.Params.Len() && paramsEquivalent(u.Params, v.Params, nil) &&
			paramsEquivalent(v.Params, u.Params, allNames(v.Params))
	}
	return u.Opaque == v.Opaque
}

func allNames(p Params) []string {
	var names []string
	for n := range p.All() {
		names = append(names, n)
	}
	return names
}

func hostEqual(a, b string) bool {
	if equalFold(a, b) {
		return true
	}
	if strings.HasPrefix(a, "[") && strings.HasPrefix(b, "[") {
		x, err1 := netip.ParseAddr(a[1 : len(a)-1])
		y, err2 := netip.ParseAddr(b[1 : len(b)-1])
		return err1 == nil && err2 == nil && x == y
	}
	return false
}

// paramsEquivalent: parameters present in both must match (values
// case-insensitive after unescaping); the named ones must also be present
// in both or in neither. RFC 3261 lists user, ttl, method and maddr; the
// transport parameter is included too, as RFC 3261 §19.1.4's own
// examples treat a differing transport as a different URI.
func paramsEquivalent(a, b Params, strict []string) bool {
	for an := range a.All() {
		n := unescape(an)
		av, _ := firstParam(a, n)
		if bv, ok := firstParam(b, n); ok && !equalFold(unescape(av), unescape(bv)) {
			return false
		}
	}
	for _, n := range strict {
		if hasParam(a, n) != hasParam(b, n) {
			return false
		}
	}
	return true
}

// firstParam returns the value of the first parameter whose unescaped name
// is name; a repeated parameter compares by its first occurrence.
func firstParam(p Params, name string) (string, bool) {
	for n, v := range p.All() {
		if equalFold(unescape(n), name) {
			return v, true
		}
	}
	return "", false
}

func hasParam(p Params, name string) bool {
	for n := range p.All() {
		if equalFold(unescape(n), name) {
			return true
		}
	}
	return false
}

func headersEqual(a, b string) bool {
	if a == b {
		return true
	}
	split := func(h string) []string {
		if h == "" {
			return nil
		}
		return strings.Split(h, "&")
	}
	ha, hb := split(a), split(b)
	if len(ha) != len(hb) {
		return false
	}
	for _, x := range ha {
		found := false
		xn, xv, _ := strings.Cut(x, "=")
		for _, y := range hb {
			yn, yv, _ := strings.Cut(y, "=")
			if equalFold(unescape(xn), unescape(yn)) && unescape(xv) == unescape(yv) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func telDigits(s string) string {
	if strings.IndexAny(s, "-.()") < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '-' && c != '.' && c != '(' && c != ')' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescape decodes %HH escapes; it allocates only when s has one.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	default:
		return c | 0x20 - 'a' + 10
	}
}

// Unescape decodes the %HH escapes of a URI component (user, password,
// parameter); "sip:%75ser@h" has the user "user".
func Unescape(s string) string { return unescape(s) }
