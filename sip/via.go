package sip

import (
	"strconv"
	"strings"
)

// BranchMagicCookie starts every branch of an RFC 3261 transaction (§8.1.1.7).
const BranchMagicCookie = "z9hG4bK"

// Via is one via-parm of a Via header (RFC 3261 §20.42, RFC 3581).
type Via struct {
	ProtocolName    string // "SIP"
	ProtocolVersion string // "2.0"
	Transport       string // "UDP", "TCP", "TLS", "SCTP", "WS", "WSS" or another token
	Host            string // sent-by host; an IPv6 reference keeps its brackets
	Port            int    // sent-by port, 0 when absent
	Params          Params // branch, received, rport, maddr, ttl and extensions
}

// Branch returns the branch parameter, or "".
func (v Via) Branch() string {
	b, _ := v.Params.Get("branch")
	return b
}

// Received returns the received parameter, or "". RFC 5118 §4.5: an IPv6
// value may come with or without brackets; it is returned as written.
func (v Via) Received() string {
	r, _ := v.Params.Get("received")
	return r
}

// RPort reports whether the rport parameter (RFC 3581) is present and its
// port, 0 when it is a bare flag as a client sends it.
func (v Via) RPort() (port int, present bool) {
	r, ok := v.Params.Get("rport")
	if !ok {
		return 0, false
	}
	p, _ := parseUint(r, 65535)
	return int(p), true
}

// SentBy returns host[:port].
func (v Via) SentBy() string {
	h := v.Host
	if strings.IndexByte(h, ':') >= 0 && !strings.HasPrefix(h, "[") {
		h = "[" + h + "]"
	}
	if v.Port == 0 {
		return h
	}
	return h + ":" + strconv.Itoa(v.Port)
}

// String returns the via-parm in its canonical form,
// "SIP/2.0/UDP host:port;params".
func (v Via) String() string {
	return ownedString(v.appendTo(make([]byte, 0, 32+len(v.Transport)+len(v.Host)+len(v.Params))))
}

func (v Via) appendTo(b []byte) []byte {
	name, ver := v.ProtocolName, v.ProtocolVersion
	if name == "" {
		name = "SIP"
	}
	if ver == "" {
		ver = "2.0"
	}
	b = append(b, name...)
	b = append(b, '/')
	b = append(b, ver...)
	b = append(b, '/')
	b = append(b, v.Transport...)
	b = append(b, ' ')
	b = appendHost(b, v.Host)
	if v.Port != 0 {
		b = append(b, ':')
		b = appendInt(b, v.Port)
	}
	return append(b, v.Params.canonical()...)
}

// ParseVia parses one via-parm:
// sent-protocol LWS sent-by *( SEMI via-params ), with the white space
// and line folding RFC 3261 allows around '/', ':' and ';'.
func ParseVia(s string) (v Via, err error) {
	if e := parseVia(&v, s); e != nil {
		return Via{}, e
	}
	return v, nil
}

// parseVia is ParseVia writing into *v, which the caller discards on error.
func parseVia(v *Via, s string) *ParseError {
	i := skipLWS(s, 0)
	var tok [3]string
	for k := 0; k < 3; k++ {
		if k > 0 {
			i = skipLWS(s, i)
			if i >= len(s) || s[i] != '/' {
				return perr(i, "malformed sent-protocol")
			}
			i = skipLWS(s, i+1)
		}
		start := i
		for i < len(s) && charClass[s[i]]&cToken != 0 {
			i++
		}
		if i == start {
			return perr(start, "malformed sent-protocol")
		}
		tok[k] = s[start:i]
	}
	v.ProtocolName, v.ProtocolVersion, v.Transport = tok[0], tok[1], tok[2]
	j := skipLWS(s, i)
	if j == i || j >= len(s) {
		return perr(i, "missing sent-by")
	}
	i = j
	start := i
	if s[i] == '[' {
		rb := strings.IndexByte(s[i:], ']')
		if rb < 0 {
			return perr(i, "unterminated IPv6 reference")
		}
		i += rb + 1
	} else {
		for i < len(s) && s[i] != ':' && s[i] != ';' && !isLWSByte(s[i]) {
			i++
		}
	}
	v.Host = s[start:i]
	if !validHost(v.Host) {
		return perr(start, "malformed sent-by host "+strconv.Quote(v.Host))
	}
	i = skipLWS(s, i)
	if i < len(s) && s[i] == ':' {
		i = skipLWS(s, i+1)
		ps := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		p, ok := parseUint(s[ps:i], 65535)
		if !ok {
			return perr(ps, "malformed sent-by port")
		}
		v.Port = int(p)
	}
	if rest := s[i:]; trimLWS(rest) != "" {
		if err := checkHeaderParams(rest); err != nil {
			err.Offset += i
			return err
		}
		v.Params = Params(rest)
	}
	return nil
}
