package main

import (
	"strings"
	"unicode"
)

// initialisms are words written in capitals in Go names (as golint does).
var initialisms = map[string]bool{
	"id": true, "ip": true, "ip6": true, "url": true, "uri": true, "tcp": true,
	"udp": true, "rtp": true, "rtcp": true, "pdu": true, "uuie": true, "uu": true,
	"mcu": true, "oid": true, "guid": true, "http": true, "qos": true,
}

// goName turns an ASN.1 reference or identifier into an exported Go name:
// hyphens separate words, camel-case humps are kept, and initialisms are
// capitalised ("h323-uu-pdu" -> "H323UUPDU", "ipAddress" -> "IPAddress").
func goName(asn string) string {
	var b strings.Builder
	for _, part := range strings.Split(asn, "-") {
		for _, w := range camelWords(part) {
			if initialisms[strings.ToLower(w)] {
				b.WriteString(strings.ToUpper(w))
				continue
			}
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			b.WriteString(string(r))
		}
	}
	return b.String()
}

// camelWords splits "qOSCapabilities" into "q", "OS", "Capabilities" and
// "h245Address" into "h245", "Address".
func camelWords(s string) []string {
	r := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(r); i++ {
		prev, cur := r[i-1], r[i]
		boundary := false
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(cur):
			boundary = true
		case unicode.IsDigit(prev) && unicode.IsUpper(cur):
			boundary = true
		case unicode.IsUpper(prev) && unicode.IsUpper(cur) && i+1 < len(r) && unicode.IsLower(r[i+1]):
			boundary = true
		}
		if boundary {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	if start < len(r) {
		words = append(words, string(r[start:]))
	}
	return words
}
