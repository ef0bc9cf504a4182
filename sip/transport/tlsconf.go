package transport

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// parseVersions maps "TLSv1:TLSv1.1:TLSv1.2:TLSv1.3" to a version range.
// Versions below 1.2 are honoured only if asked for, with a warning (our
// default minimum is TLS 1.2, §2.15-2).
func parseVersions(s string) (min, max uint16, warnings []string, err error) {
	if s == "" {
		return tls.VersionTLS12, tls.VersionTLS13, nil, nil
	}
	for _, tok := range strings.Split(s, ":") {
		var v uint16
		switch strings.TrimSpace(strings.ToLower(tok)) {
		case "tlsv1", "tlsv1.0":
			v = tls.VersionTLS10
		case "tlsv1.1":
			v = tls.VersionTLS11
		case "tlsv1.2":
			v = tls.VersionTLS12
		case "tlsv1.3":
			v = tls.VersionTLS13
		default:
			return 0, 0, nil, fmt.Errorf("transport: unknown TLS version %q", tok)
		}
		if v < tls.VersionTLS12 {
			warnings = append(warnings, fmt.Sprintf("TLS version %s is obsolete", tok))
		}
		if min == 0 || v < min {
			min = v
		}
		if v > max {
			max = v
		}
	}
	return min, max, warnings, nil
}

// ParseCiphers maps an OpenSSL-format cipher string to Go cipher suites
// (TLS 1.0-1.2; TLS 1.3 suites are not configurable in Go). Tokens Go
// cannot honour — finite-field DHE (EDH, DHE, and so SipTlsDhKeySize),
// anonymous suites (ADH, aNULL), and unknown names — are returned as
// warnings. An empty result is an error.
func ParseCiphers(s string) ([]uint16, []string, error) {
	type suite struct {
		id   uint16
		name string
		tags []string
	}
	var all []suite
	for _, c := range tls.CipherSuites() { // secure suites only
		tags := []string{"ALL", "HIGH"}
		n := c.Name
		if strings.Contains(n, "ECDHE") {
			tags = append(tags, "EECDH", "ECDHE", "kEECDH", "ECDH")
		} else {
			tags = append(tags, "kRSA", "RSA")
		}
		if strings.Contains(n, "ECDSA") {
			tags = append(tags, "aECDSA", "ECDSA")
		} else {
			tags = append(tags, "aRSA")
		}
		if strings.Contains(n, "AES_256") {
			tags = append(tags, "AES256", "AES")
		}
		if strings.Contains(n, "AES_128") {
			tags = append(tags, "AES128", "AES")
		}
		if strings.Contains(n, "CHACHA20") {
			tags = append(tags, "CHACHA20")
		}
		if strings.HasSuffix(n, "_SHA") {
			tags = append(tags, "SHA", "SHA1")
		}
		if strings.HasSuffix(n, "_SHA256") {
			tags = append(tags, "SHA256")
		}
		if strings.HasSuffix(n, "_SHA384") {
			tags = append(tags, "SHA384")
		}
		if strings.Contains(n, "GCM") {
			tags = append(tags, "AESGCM")
		}
		all = append(all, suite{c.ID, n, tags})
	}
	has := func(s suite, expr string) bool { // "AES256+SHA": every part
		for _, part := range strings.Split(expr, "+") {
			found := part == s.name
			for _, t := range s.tags {
				found = found || strings.EqualFold(t, part)
			}
			if !found {
				return false
			}
		}
		return true
	}
	unsupported := map[string]string{
		"EDH": "finite-field DHE", "DHE": "finite-field DHE", "KEDH": "finite-field DHE",
		"ADH": "anonymous suites (never allowed inbound)", "ANULL": "anonymous suites", "AECDH": "anonymous ECDH",
	}
	known := map[string]bool{"MEDIUM": true, "LOW": true, "3DES": true, "MD5": true, "PSK": true, "ENULL": true,
		"NULL": true, "EXPORT": true, "RC4": true, "DES": true, "SEED": true, "IDEA": true, "CAMELLIA": true}
	var picked []suite
	killed := map[uint16]bool{}
	var warnings []string
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		op := byte(0)
		if strings.ContainsRune("!-+", rune(tok[0])) {
			op, tok = tok[0], tok[1:]
		}
		if why, bad := unsupported[strings.ToUpper(strings.SplitN(tok, "+", 2)[0])]; bad {
			if op != '!' && op != '-' {
				warnings = append(warnings, fmt.Sprintf("cipher token %q ignored: Go has no %s", tok, why))
			}
			continue
		}
		matched := false
		for _, su := range all {
			if !has(su, tok) {
				continue
			}
			matched = true
			switch op {
			case '!':
				killed[su.id] = true
				fallthrough
			case '-':
				for i, p := range picked {
					if p.id == su.id {
						picked = append(picked[:i], picked[i+1:]...)
						break
					}
				}
			case '+': // move to the end
				for i, p := range picked {
					if p.id == su.id {
						picked = append(append(picked[:i], picked[i+1:]...), p)
						break
					}
				}
			default:
				dup := false
				for _, p := range picked {
					dup = dup || p.id == su.id
				}
				if !dup && !killed[su.id] {
					picked = append(picked, su)
				}
			}
		}
		if !matched && !known[strings.ToUpper(tok)] {
			warnings = append(warnings, fmt.Sprintf("cipher token %q matches no suite Go offers", tok))
		}
	}
	if len(picked) == 0 {
		return nil, warnings, fmt.Errorf("transport: cipher string %q selects no suite", s)
	}
	ids := make([]uint16, len(picked))
	for i, p := range picked {
		ids[i] = p.id
	}
	return ids, warnings, nil
}
