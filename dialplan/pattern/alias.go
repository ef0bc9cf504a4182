package pattern

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AliasType is the class of an alias (DP-8). Every alias is exactly one of
// them; Classify tests IPv4, IPv6, URI, E164 and H323ID in that order.
type AliasType uint8

// Alias classes.
const (
	H323ID AliasType = iota // anything that is not one of the others
	E164                    // only 0-9, # and *, with an optional single leading +
	URI                     // contains @ (user@10.0.0.1 is a URI, not an IP)
	IPv4                    // 10.44.10.1 or 10.44.10.1:5060
	IPv6                    // 3ffe:80ee:3706::10:35 or [3ffe::1]:5060
)

var aliasTypeNames = [...]string{H323ID: "H323ID", E164: "E164", URI: "URI", IPv4: "IPv4", IPv6: "IPv6"}

// String returns the class name ("URI", "E164", ...).
func (t AliasType) String() string {
	if int(t) < len(aliasTypeNames) {
		return aliasTypeNames[t]
	}
	return fmt.Sprintf("AliasType(%d)", uint8(t))
}

// MarshalText implements encoding.TextMarshaler.
func (t AliasType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// IsIP reports whether t is IPv4 or IPv6: the aliases AnyIPAddress search
// rules take and AnyAlias rules refuse (DP-32).
func (t AliasType) IsIP() bool { return t == IPv4 || t == IPv6 }

// Classify returns the class of an alias that has already been normalised
// (see ParseAlias). It never fails: anything unclassifiable is an H323ID.
func Classify(alias string) AliasType {
	if _, ok := ParseIP(alias); ok {
		if looksV6(alias) {
			return IPv6
		}
		return IPv4
	}
	if strings.IndexByte(alias, '@') >= 0 {
		return URI
	}
	if isE164(alias) {
		return E164
	}
	return H323ID
}

func looksV6(s string) bool {
	if strings.HasPrefix(s, "[") {
		return true
	}
	return strings.Count(s, ":") > 1
}

func isE164(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '#' && c != '*' {
			return false
		}
	}
	return true
}

// ParseIP parses an IP-address alias: an IPv4 address, optionally with
// ":port"; an IPv6 address; or "[IPv6]" optionally with ":port". It returns
// the address without its port.
func ParseIP(s string) (netip.Addr, bool) {
	if !mayBeIP(s) {
		return netip.Addr{}, false
	}
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() {
			return netip.Addr{}, false
		}
		rest := s[end+1:]
		if rest != "" && !validPort(strings.TrimPrefix(rest, ":"), rest) {
			return netip.Addr{}, false
		}
		return a, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	// v4:port
	if i := strings.LastIndexByte(s, ':'); i > 0 && strings.Count(s, ":") == 1 {
		a, err := netip.ParseAddr(s[:i])
		if err == nil && a.Is4() && validPort(s[i+1:], s[i:]) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// mayBeIP is a cheap filter that avoids netip's error allocation for the
// common aliases that cannot be addresses: an address needs a '.' or ':'
// and has no '@'.
func mayBeIP(s string) bool {
	if len(s) < 2 {
		return false
	}
	dotOrColon := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' || c == ':':
			dotOrColon = true
		case c == '@' || c == ' ':
			return false
		}
	}
	return dotOrColon
}

func validPort(p, withColon string) bool {
	if !strings.HasPrefix(withColon, ":") || p == "" || len(p) > 5 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// Alias is a destination alias after normalisation (DP-9).
type Alias struct {
	// Original is the alias exactly as received.
	Original string
	// Value is what patterns are matched against: Original without a
	// leading scheme and without URI parameters or headers. Its case is
	// preserved.
	Value string
	// Type is Classify(Value).
	Type AliasType
	// Scheme is the removed scheme in lower case ("sip", "sips", "h323",
	// "tel"), or "".
	Scheme string
	// Params is the removed ";params?headers" tail, or "".
	Params string
}

// Errors returned by ParseAlias.
var (
	ErrEmptyAlias   = errors.New("pattern: empty alias")
	ErrControlChars = errors.New("pattern: control character in alias")
	ErrInvalidUTF8  = errors.New("pattern: alias is not valid UTF-8")
)

var schemes = [...]string{"sips", "sip", "h323", "tel"}

// ParseAlias normalises a dialled alias (DP-9): a leading sip:, sips:,
// h323: or tel: scheme is removed (case-insensitively), and so are URI
// parameters and headers (";..." or "?..." after the host part of a URI, or
// anywhere after a scheme). Everything else is kept byte for byte. It fails
// on an empty result, invalid UTF-8 and control characters (tabs included).
func ParseAlias(s string) (Alias, error) {
	a := Alias{Original: s, Value: s}
	if !utf8.ValidString(s) {
		return a, ErrInvalidUTF8
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return a, fmt.Errorf("%w: %U", ErrControlChars, r)
		}
	}
	v := s
	for _, sc := range schemes {
		if len(v) > len(sc) && v[len(sc)] == ':' && strings.EqualFold(v[:len(sc)], sc) {
			a.Scheme = sc
			v = v[len(sc)+1:]
			break
		}
	}
	// Parameters and headers: after the host part of a URI, or anywhere
	// after an explicit scheme (tel:+1234;phone-context=...).
	from := -1
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		from = at
	} else if a.Scheme != "" {
		from = 0
	}
	if from >= 0 {
		if i := strings.IndexAny(v[from:], ";?"); i >= 0 {
			a.Params = v[from+i:]
			v = v[:from+i]
		}
	}
	a.Value = v
	if v == "" {
		return a, ErrEmptyAlias
	}
	a.Type = Classify(v)
	return a, nil
}
