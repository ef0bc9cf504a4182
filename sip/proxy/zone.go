package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// ZoneRules are the per-zone rewrites of SIP-87 (on messages received
// from the zone), SIP-88 (on messages sent to it) and the refresh rule of
// SIP-101. The zero value rewrites nothing and refuses UPDATE refreshes.
//
// The proxy gets the rules of the zone a request came from through
// Config.ZoneOf (classified from the source address) and the rules of the
// zone a request goes to from Target.Rules, or from Config.ZoneOf for the
// next-hop address when the Target has none (requests that follow a Route
// set: in-dialog requests, re-INVITEs).
type ZoneRules struct {
	// Zone names the zone, for logs.
	Zone string
	// ProxyRequireStrip lists option tags removed (exact match) from
	// Proxy-Require of requests received from the zone, before the 420
	// check; the header goes when empty (SIP-87 a; the Nortel profile is
	// com.nortelnetworks.firewall).
	ProxyRequireStrip []string
	// MIMEStrip is SIP MIME Strip Mode: a multipart/* body of a request
	// received from the zone becomes its application/sdp part (SIP-87 b).
	MIMEStrip bool
	// UpdateStrip is SIP UPDATE Strip Mode: the token UPDATE is removed
	// from every Allow header of requests and responses received from or
	// sent to the zone (SIP-87 c, SIP-88).
	UpdateStrip bool
	// UDPBFCPFilter: every m= line with proto UDP/BFCP of an INVITE sent to
	// the zone becomes TCP/BFCP with port 0 (SIP-88).
	UDPBFCPFilter bool
	// UDPIXFilter: every m= line with proto UDP/UDT/IX or UDP/DTLS/UDT/IX of
	// an INVITE sent to the zone becomes RTP/AVP with port 0 (SIP-88).
	UDPIXFilter bool
	// UpdateRefresh is SipUpdateRefresh Support (SIP-101): On lets UPDATE
	// refresh a session on legs to and from the zone; Off answers an
	// UPDATE refresh 405.
	UpdateRefresh bool
}

// ingressRules classifies the zone a request came from.
func (p *Proxy) zoneOf(peer transport.Addr) *ZoneRules {
	if p.cfg.ZoneOf == nil || !peer.AddrPort.IsValid() {
		return nil
	}
	return p.cfg.ZoneOf(peer)
}

// egressRules are the rules of the zone a target is in.
func (p *Proxy) egressRules(t Target, dest transport.Addr) *ZoneRules {
	if t.Rules != nil {
		return t.Rules
	}
	return p.zoneOf(dest)
}

// applyIngress applies SIP-87 (b) and (c) to a request received from a
// zone with rules z; (a) is done by the Proxy-Require check.
func applyIngress(req *sip.Message, z *ZoneRules) {
	if z == nil {
		return
	}
	if z.MIMEStrip {
		_ = StripMIME(req)
	}
	if z.UpdateStrip {
		req.RemoveToken(sip.HdrAllow, sip.MethodUpdate)
	}
}

// applyEgress applies SIP-88 to a request sent to a zone with rules z.
func applyEgress(fwd *sip.Message, z *ZoneRules) {
	if z == nil {
		return
	}
	if z.UpdateStrip {
		fwd.RemoveToken(sip.HdrAllow, sip.MethodUpdate)
	}
	if fwd.Method() == sip.MethodInvite && (z.UDPBFCPFilter || z.UDPIXFilter) {
		if ct, err := fwd.ContentType(); err == nil && ct.Is("application", "sdp") {
			if body, changed := FilterSDP(fwd.Body(), z.UDPBFCPFilter, z.UDPIXFilter); changed {
				_ = fwd.SetBody("", body)
			}
		}
	}
}

// Errors of the multipart reader.
var (
	ErrNotMultipart = errors.New("proxy: body is not multipart")
	ErrNoSDPPart    = errors.New("proxy: multipart body has no application/sdp part")
	ErrBadMultipart = errors.New("proxy: malformed multipart body")
)

// StripMIME applies SIP MIME Strip (SIP-87 b): a multipart/* body whose
// parts include application/sdp is replaced by that part, with
// Content-Type application/sdp and a fresh Content-Length. A body that is
// not multipart, has no SDP part or is malformed is left unchanged, and
// the error says which.
func StripMIME(m *sip.Message) error {
	if !m.Has(sip.HdrContentType) {
		return ErrNotMultipart
	}
	ct, err := m.ContentType()
	if err != nil || !strings.EqualFold(ct.Type, "multipart") {
		return ErrNotMultipart
	}
	b, _ := ct.Params.Get("boundary")
	sdp, err := SDPPart(m.Body(), sip.Unquote(b))
	if err != nil {
		return err
	}
	return m.SetBody("application/sdp", sdp)
}

// SDPPart returns the content of the first application/sdp part of a
// multipart body (RFC 2046 §5.1) with the given boundary.
func SDPPart(body []byte, boundary string) ([]byte, error) {
	if boundary == "" || len(boundary) > 70 {
		return nil, fmt.Errorf("%w: boundary %q", ErrBadMultipart, boundary)
	}
	delim := []byte("--" + boundary)
	at := delimiterAt(body, delim, 0)
	if at < 0 {
		return nil, fmt.Errorf("%w: no delimiter", ErrBadMultipart)
	}
	for {
		j := at + len(delim)
		if bytes.HasPrefix(body[j:], []byte("--")) {
			return nil, ErrNoSDPPart // the close delimiter
		}
		eol := bytes.IndexByte(body[j:], '\n')
		if eol < 0 {
			return nil, fmt.Errorf("%w: delimiter line at byte %d not ended", ErrBadMultipart, at)
		}
		start := j + eol + 1
		next := delimiterAt(body, delim, start)
		if next < 0 {
			return nil, fmt.Errorf("%w: part at byte %d not closed", ErrBadMultipart, start)
		}
		// The line break before a delimiter belongs to the delimiter.
		end := next - 1
		if end > start && body[end-1] == '\r' {
			end--
		}
		if end < start {
			end = start
		}
		if ct, content, ok := splitPart(body[start:end]); ok {
			if mt, err := sip.ParseMediaType(ct); err == nil && mt.Is("application", "sdp") {
				return content, nil
			}
		}
		at = next
	}
}

// delimiterAt finds delim at the start of a line at or after from.
func delimiterAt(body, delim []byte, from int) int {
	for from <= len(body) {
		i := bytes.Index(body[from:], delim)
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || body[i-1] == '\n' {
			return i
		}
		from = i + 1
	}
	return -1
}

// splitPart returns the Content-Type and the content of one body part;
// ok is false when its header block is not ended by an empty line.
func splitPart(part []byte) (contentType string, content []byte, ok bool) {
	rest := part
	for {
		eol := bytes.IndexByte(rest, '\n')
		if eol < 0 {
			return "", nil, false
		}
		line := bytes.TrimRight(rest[:eol], "\r")
		rest = rest[eol+1:]
		if len(line) == 0 {
			return contentType, rest, true
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if found && strings.EqualFold(strings.TrimSpace(string(name)), sip.HdrContentType) {
			contentType = strings.TrimSpace(string(value))
		}
	}
}

// FilterSDP applies the SIP-88 m-line filters to an SDP body: with bfcp,
// proto UDP/BFCP becomes TCP/BFCP with port 0; with ix, UDP/UDT/IX and
// UDP/DTLS/UDT/IX become RTP/AVP with port 0. Format lists, every other
// line, the line order and the line endings are kept. changed is false
// when nothing matched (the body is then returned as is).
func FilterSDP(body []byte, bfcp, ix bool) (out []byte, changed bool) {
	if !bfcp && !ix {
		return body, false
	}
	out = make([]byte, 0, len(body))
	rest := body
	for len(rest) > 0 {
		eol := bytes.IndexByte(rest, '\n')
		line, next := rest, []byte(nil)
		if eol >= 0 {
			line, next = rest[:eol+1], rest[eol+1:]
		}
		rest = next
		if nl, ok := filterMLine(line, bfcp, ix); ok {
			out = append(out, nl...)
			changed = true
			continue
		}
		out = append(out, line...)
	}
	if !changed {
		return body, false
	}
	return out, true
}

// filterMLine rewrites one "m=<media> <port> <proto> <fmt>..." line.
func filterMLine(line []byte, bfcp, ix bool) ([]byte, bool) {
	if !bytes.HasPrefix(line, []byte("m=")) {
		return nil, false
	}
	text := line
	var ending []byte
	if i := bytes.IndexAny(text, "\r\n"); i >= 0 {
		text, ending = text[:i], text[i:]
	}
	f := strings.Split(string(text), " ")
	if len(f) < 3 {
		return nil, false
	}
	var proto string
	switch p := f[2]; {
	case bfcp && strings.EqualFold(p, "UDP/BFCP"):
		proto = "TCP/BFCP"
	case ix && (strings.EqualFold(p, "UDP/UDT/IX") || strings.EqualFold(p, "UDP/DTLS/UDT/IX")):
		proto = "RTP/AVP"
	default:
		return nil, false
	}
	f[1], f[2] = "0", proto
	return append([]byte(strings.Join(f, " ")), ending...), true
}
