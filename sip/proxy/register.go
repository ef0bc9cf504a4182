package proxy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// This file is SIP-59: a REGISTER the box forwards either gets a Path
// header (RFC 3327, with an RFC 5626 flow token and ob for an outbound
// registration), or, toward a zone with RFC3327 No, has every Contact
// rewritten to an opaque URI of the box that maps back to the original
// contact and the flow the REGISTER came on.

// pendingContact is how long a rewritten Contact is kept before the
// registrar's 2xx says how long it was granted (64×T1).
const pendingContact = 32 * time.Second

// maxContacts bounds the rewritten-Contact table; beyond it new
// rewrites replace nothing and the REGISTER is answered 503.
const maxContacts = 200000

// errContactTableFull refuses a Contact rewrite beyond maxContacts.
var errContactTableFull = errors.New("proxy: rewritten-Contact table full")

// contactMapping is one rewritten Contact.
type contactMapping struct {
	orig     string         // the Contact URI the UA registered
	flow     transport.Addr // where its REGISTER came from
	outbound bool           // RFC 5626: only over that flow
	expires  time.Time
}

// contactTable maps opaque user parts to the contacts they stand for.
type contactTable struct {
	mu        sync.Mutex
	m         map[string]contactMapping
	nextSweep time.Time
}

func (t *contactTable) sweep(now time.Time) {
	if now.Before(t.nextSweep) {
		return
	}
	t.nextSweep = now.Add(pendingContact)
	for k, v := range t.m {
		if !now.Before(v.expires) {
			delete(t.m, k)
		}
	}
}

// put records a rewrite, never shortening an expiry already granted.
func (t *contactTable) put(now time.Time, tok string, m contactMapping) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]contactMapping{}
	}
	t.sweep(now)
	old, ok := t.m[tok]
	if !ok && len(t.m) >= maxContacts {
		return false
	}
	if ok && old.expires.After(m.expires) {
		m.expires = old.expires
	}
	t.m[tok] = m
	return true
}

func (t *contactTable) get(now time.Time, tok string) (contactMapping, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m, ok := t.m[tok]
	if !ok || !now.Before(m.expires) {
		return contactMapping{}, false
	}
	return m, true
}

// grant sets the expiry the registrar granted; 0 removes the mapping.
func (t *contactTable) grant(now time.Time, tok string, secs int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m, ok := t.m[tok]
	if !ok {
		return
	}
	if secs <= 0 {
		delete(t.m, tok)
		return
	}
	m.expires = now.Add(time.Duration(secs) * time.Second)
	t.m[tok] = m
}

// Len returns the number of live rewritten Contacts.
func (t *contactTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// RewrittenContacts returns the number of Contact rewrites held for
// REGISTERs forwarded to zones with RFC3327 No (SIP-59), expired ones not
// yet swept included.
func (p *Proxy) RewrittenContacts() int { return p.contacts.len() }

// isOutboundRegister reports an RFC 5626 registration: a Contact with
// +sip.instance and reg-id, and Supported: outbound (SIP-55).
func isOutboundRegister(req *sip.Message) bool {
	if req.Method() != sip.MethodRegister || !req.HasToken(sip.HdrSupported, "outbound") {
		return false
	}
	cs, err := req.Contacts()
	if err != nil {
		return false
	}
	for _, c := range cs {
		if c.Params.Has("+sip.instance") && c.Params.Has("reg-id") {
			return true
		}
	}
	return false
}

func (p *Proxy) mac(b []byte) []byte {
	h := hmac.New(sha256.New, p.secret)
	h.Write(b)
	return h.Sum(nil)
}

const flowMACLen = 10

// flowToken encodes a flow as an RFC 5626 §5.2 flow token: the network,
// address and port, authenticated with the box's secret so that a token
// cannot be forged to reach an arbitrary address.
func (p *Proxy) flowToken(a transport.Addr) string {
	var b []byte
	switch a.Network {
	case "udp":
		b = append(b, 'u')
	case "tcp":
		b = append(b, 't')
	case "tls":
		b = append(b, 's')
	default:
		return ""
	}
	b = append(b, a.AddrPort.Addr().Unmap().AsSlice()...)
	b = binary.BigEndian.AppendUint16(b, a.AddrPort.Port())
	b = append(b, p.mac(b)[:flowMACLen]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseFlowToken decodes a flow token made by flowToken; ok is false for
// anything else, a forged or altered token included.
func (p *Proxy) parseFlowToken(s string) (transport.Addr, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || (len(b) != 1+4+2+flowMACLen && len(b) != 1+16+2+flowMACLen) {
		return transport.Addr{}, false
	}
	body, sum := b[:len(b)-flowMACLen], b[len(b)-flowMACLen:]
	if !hmac.Equal(sum, p.mac(body)[:flowMACLen]) {
		return transport.Addr{}, false
	}
	var network string
	switch body[0] {
	case 'u':
		network = "udp"
	case 't':
		network = "tcp"
	case 's':
		network = "tls"
	default:
		return transport.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(body[1 : len(body)-2])
	if !ok {
		return transport.Addr{}, false
	}
	port := binary.BigEndian.Uint16(body[len(body)-2:])
	return transport.Addr{Network: network, AddrPort: netip.AddrPortFrom(ip, port)}, true
}

// opaqueUser is the user part that stands for one Contact of one AOR
// registered over one flow: the same inputs give the same user, so a
// refresh updates the registrar's binding instead of adding one.
func (p *Proxy) opaqueUser(aor, contact string, flow transport.Addr) string {
	sum := p.mac([]byte(aor + "\x00" + contact + "\x00" + flow.String()))
	return "cw" + hex.EncodeToString(sum[:12])
}

// registerEgress applies SIP-59 to a REGISTER forwarded toward t over
// dest, received from src. It returns the opaque users of the Contacts it
// rewrote.
func (p *Proxy) registerEgress(fwd *sip.Message, t Target, src, dest transport.Addr) ([]string, error) {
	local := p.tp.LocalAddr(dest.Network)
	if !local.IsValid() {
		local = p.tp.LocalAddr("udp")
	}
	if !t.NoPath {
		user, params := "", ";transport="+dest.Network+";lr"
		if isOutboundRegister(fwd) && src.AddrPort.IsValid() {
			if tok := p.flowToken(src); tok != "" {
				user, params = tok+"@", params+";ob"
			}
		}
		return nil, fwd.Prepend(sip.HdrPath, "<sip:"+user+local.String()+params+">")
	}
	if !fwd.Has(sip.HdrContact) {
		return nil, nil
	}
	contacts, err := fwd.Contacts()
	if err != nil {
		return nil, err
	}
	to, err := fwd.To()
	if err != nil {
		return nil, err
	}
	ob := isOutboundRegister(fwd)
	now := p.clock.Now()
	var users []string
	for i, c := range contacts {
		if c.Wildcard {
			continue
		}
		orig := c.URI.String()
		user := p.opaqueUser(to.URI.AOR(), orig, src)
		u, err := sip.ParseURI("sip:" + user + "@" + local.String() + ";transport=" + dest.Network)
		if err != nil {
			return nil, err
		}
		if !p.contacts.put(now, user, contactMapping{orig: orig, flow: src, outbound: ob, expires: now.Add(pendingContact)}) {
			return nil, errContactTableFull
		}
		contacts[i].URI = u
		users = append(users, user)
	}
	fwd.Del(sip.HdrContact)
	for _, c := range contacts {
		if err := fwd.AddAddress(sip.HdrContact, c); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// mapBackContacts restores the original Contacts in a 2xx to a REGISTER
// whose Contacts were rewritten, and records the expiry the registrar
// granted to each; a rewritten Contact missing from the 2xx is no longer
// bound (RFC 3261 §10.3 step 8) and is forgotten.
func (p *Proxy) mapBackContacts(resp *sip.Message, users []string) {
	now := p.clock.Now()
	listed := map[string]bool{}
	defer func() {
		for _, u := range users {
			if !listed[u] {
				p.contacts.grant(now, u, 0)
			}
		}
	}()
	if !resp.Has(sip.HdrContact) {
		return
	}
	contacts, err := resp.Contacts()
	if err != nil {
		return
	}
	def := -1
	if resp.Has(sip.HdrExpires) {
		if v, err := resp.Expires(); err == nil {
			def = v
		}
	}
	changed := false
	for i, c := range contacts {
		if c.Wildcard || c.URI.User == "" || !p.isUs(c.URI) {
			continue
		}
		m, ok := p.contacts.get(now, c.URI.User)
		if !ok {
			continue
		}
		exp := def
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				exp = n
			}
		}
		if exp < 0 {
			exp = 3600 // RFC 3261 §10.2.1.1 default
		}
		p.contacts.grant(now, c.URI.User, exp)
		if exp > 0 {
			listed[c.URI.User] = true
		}
		u, err := sip.ParseURI(m.orig)
		if err != nil {
			continue
		}
		contacts[i].URI = u
		changed = true
	}
	if !changed {
		return
	}
	resp.Del(sip.HdrContact)
	for _, c := range contacts {
		_ = resp.AddAddress(sip.HdrContact, c)
	}
}

// mappedTarget routes a request whose Request-URI is one of the box's
// opaque Contact URIs to the original contact over the original flow.
func (p *Proxy) mappedTarget(req *sip.Message) (Target, bool) {
	ru, err := req.RequestURI()
	if err != nil || ru.User == "" || !ru.IsSIP() || !p.isUs(ru) {
		return Target{}, false
	}
	m, ok := p.contacts.get(p.clock.Now(), ru.User)
	if !ok {
		return Target{}, false
	}
	u, err := sip.ParseURI(m.orig)
	if err != nil {
		return Target{}, false
	}
	return Target{URI: u, Dest: m.flow, FlowOnly: m.outbound}, true
}

// ErrFlowFailed fails a branch to a FlowOnly target whose flow is gone;
// the branch's answer is 430 Flow Failed (SIP-55, RFC 5626 §5.3).
var ErrFlowFailed = errors.New("proxy: flow failed")

// FlowChecker is implemented by a Transport that can tell whether a
// connection-oriented flow is still open; with it, a request for a gone
// flow is answered 430 without dialling a new connection. Without it the
// proxy sends and answers 430 when the transport cannot deliver.
type FlowChecker interface {
	Connected(dest transport.Addr) bool
}

// flowUp reports whether a flow may carry a request: UDP flows always
// may (their liveness is the UA's keep-alive business, RFC 5626 §4.4).
func (p *Proxy) flowUp(dest transport.Addr) bool {
	if !dest.Reliable() {
		return true
	}
	if fc, ok := p.tp.(FlowChecker); ok {
		return fc.Connected(dest)
	}
	if p.cfg.FlowAlive != nil {
		return p.cfg.FlowAlive(dest)
	}
	return true
}
