package registrar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
)

// Event is a registration event (SIP-130, CDR-22).
type Event struct {
	Name      string // "Registration Accepted", "Unregistration Accepted", ...
	Level     int
	AOR       string
	Contact   string
	CallID    string
	Source    Source
	Code      int  // response code, 0 for events without one
	Auth      bool // authenticated
	Requested int  // requested expiry
	Granted   int  // granted expiry
	Reason    string
}

// Registrar answers REGISTER requests for its local domains and serves
// location lookups. It is safe for concurrent use.
type Registrar struct {
	cfg     Config
	domains map[string]bool
	allow   []*pattern.Pattern
	deny    []*pattern.Pattern
	tag     string
}

// New validates cfg and returns a Registrar.
func New(cfg Config) (*Registrar, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	r := &Registrar{cfg: cfg, domains: map[string]bool{}, tag: sip.NewTag()}
	for _, d := range cfg.Domains {
		r.domains[strings.ToLower(d)] = true
	}
	for _, e := range cfg.AllowList {
		p, _ := e.compile() // checked by Validate
		r.allow = append(r.allow, p)
	}
	for _, e := range cfg.DenyList {
		p, _ := e.compile()
		r.deny = append(r.deny, p)
	}
	return r, nil
}

// Store returns the registrar's binding store.
func (r *Registrar) Store() Store { return r.cfg.Store }

// IsLocal reports whether host is one of the registrar's domains (SIP-50).
func (r *Registrar) IsLocal(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	if r.domains[h] {
		return true
	}
	return r.cfg.IsLocal != nil && r.cfg.IsLocal(h)
}

// NormalizeAOR returns the lookup key of a SIP URI: user@host lower-cased
// (aliases compare case-insensitively, SIP-53).
func NormalizeAOR(u sip.URI) string {
	return strings.ToLower(sip.Unescape(u.AOR()))
}

func (r *Registrar) emit(e Event) {
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(e)
	}
}

// errCode carries a response code out of Store.Update.
type errCode struct {
	code   int
	reason string
}

func (e *errCode) Error() string { return strconv.Itoa(e.code) + " " + e.reason }

// Register answers one REGISTER received over network ("udp", "tcp", "tls")
// from src. It returns the response to send; an error means no response
// could be built (the request is unusable).
func (r *Registrar) Register(ctx context.Context, req *sip.Message, src Source) (*sip.Message, error) {
	if req.Method() != sip.MethodRegister {
		return nil, fmt.Errorf("registrar: %s is not a REGISTER", req.Method())
	}
	if r.cfg.Classify != nil {
		c := r.cfg.Classify(src.Network, src.Addr)
		c.Network, c.Addr = src.Network, src.Addr
		src = c
	}
	reply := func(code int, reason string, edit func(*sip.Message)) (*sip.Message, error) {
		resp, err := sip.NewResponse(req, code, reason)
		if err != nil {
			return nil, fmt.Errorf("registrar: %w", err)
		}
		if err := resp.SetToTag(r.tag); err != nil {
			return nil, fmt.Errorf("registrar: %w", err)
		}
		if edit != nil {
			edit(resp)
		}
		return resp, nil
	}
	to, err := req.To()
	if err != nil || !to.URI.IsSIP() || to.URI.User == "" {
		return reply(400, "Bad To", nil)
	}
	// SIP-50: only URI AORs of a local domain register here.
	if !r.IsLocal(to.URI.Hostname()) {
		return reply(403, "Not a local domain", nil)
	}
	aor := NormalizeAOR(to.URI)
	callID, _ := req.CallID()
	cseq, err := req.CSeq()
	if err != nil {
		return reply(400, "Bad CSeq", nil)
	}
	ev := Event{AOR: aor, CallID: callID, Source: src}
	reject := func(code int, reason string, name string) (*sip.Message, error) {
		if name == "Registration Rejected" {
			name = r.rejectName(ctx, req, aor, callID)
		}
		ev.Name, ev.Level, ev.Code, ev.Reason = name, 1, code, reason
		r.emit(ev)
		return reply(code, reason, nil)
	}

	// (2) authentication.
	var username string
	if r.cfg.Authenticator != nil {
		d, err := r.cfg.Authenticator.Authenticate(ctx, req, src.Addr.Addr())
		if err != nil {
			return reply(500, "Authentication unavailable", nil)
		}
		if d.Result != digest.Authenticated {
			resp, err := digest.Respond(req, d)
			if err != nil {
				return nil, fmt.Errorf("registrar: %w", err)
			}
			_ = resp.SetToTag(r.tag)
			if d.Result == digest.Forbidden {
				ev.Name, ev.Level, ev.Code = "Registration Rejected", 1, resp.StatusCode()
				r.emit(ev)
			}
			return resp, nil
		}
		username = d.Username
		ev.Auth = true
	}
	// (3) proxied gate.
	if src.Proxied && (r.cfg.AcceptProxied == nil || !r.cfg.AcceptProxied(src.Zone)) {
		return reject(403, "Proxied registrations not accepted", "Registration Rejected")
	}
	// (4) restriction policy.
	switch r.cfg.Restriction {
	case AllowList:
		if !matchAny(r.allow, aor) {
			return reject(403, "Forbidden", "Registration Rejected")
		}
	case DenyList:
		if matchAny(r.deny, aor) {
			return reject(403, "Forbidden", "Registration Rejected")
		}
	case PolicyService:
		ok, code, reason, err := r.cfg.Policy(ctx, Request{AOR: aor, Source: src, Authenticated: ev.Auth, Username: username, Message: req})
		if err != nil {
			return reject(503, "Policy service unavailable", "Registration Rejected")
		}
		if !ok {
			if code == 0 {
				code, reason = 403, "Service Unavailable"
			}
			return reject(code, reason, "Registration Rejected")
		}
	}
	// (5) subzone registration policy, never for proxied ones.
	if !src.Proxied && r.cfg.SubzoneAllows != nil && !r.cfg.SubzoneAllows(src, aor) {
		return reject(403, "Forbidden", "Registration Rejected")
	}

	contacts, err := req.Contacts()
	if err != nil {
		return reply(400, "Bad Contact", nil)
	}
	now := r.cfg.Now()
	hdrExpires := -1
	if req.Has(sip.HdrExpires) {
		if hdrExpires, err = req.Expires(); err != nil {
			return reply(400, "Bad Expires", nil)
		}
	}
	var paths []string
	if req.Has("Path") {
		ps, err := req.Paths()
		if err != nil {
			return reply(400, "Bad Path", nil)
		}
		for _, p := range ps {
			paths = append(paths, p.String())
		}
	}
	wildcard := false
	for _, c := range contacts {
		if c.Wildcard {
			wildcard = true
		}
	}
	if wildcard && (len(contacts) != 1 || hdrExpires != 0) {
		return reply(400, "Wildcard Contact needs Expires: 0 and no other Contact", nil)
	}

	// (7) expiry of every contact, before anything changes (RFC 3261 §10.3 step 7).
	type change struct {
		b         Binding
		requested int
		granted   int // 0 removes
	}
	var changes []change
	supportsOutbound := req.HasToken(sip.HdrSupported, "outbound")
	supportsGRUU := req.HasToken(sip.HdrSupported, "gruu")
	for _, c := range contacts {
		if c.Wildcard {
			continue
		}
		if !c.URI.IsSIP() {
			return reply(400, "Unsupported Contact URI", nil)
		}
		want := hdrExpires
		if v, ok := c.Param("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return reply(400, "Bad Contact expires", nil)
			}
			want = n
		}
		if want < 0 {
			want = DefaultRequested
		}
		b := Binding{AOR: aor, CallID: callID, CSeq: cseq.Seq, Source: src.Addr, Network: src.Network,
			Zone: src.Zone, Proxied: src.Proxied, Authenticated: ev.Auth, Username: username,
			UserAgent: req.UserAgent(), Path: paths, Q: 1000}
		if inst, ok := c.Param("+sip.instance"); ok {
			b.Instance = strings.Trim(sip.Unquote(inst), "<>")
		}
		if rid, ok := c.Param("reg-id"); ok {
			b.RegID = rid
		}
		if q, ok := c.Param("q"); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f >= 0 && f <= 1 {
				b.Q = int(f*1000 + 0.5)
			}
		}
		b.Outbound = b.Instance != "" && b.RegID != "" && supportsOutbound
		if r.cfg.GRUU && b.Instance != "" && supportsGRUU {
			b.GRUU = "sip:" + aor + ";gr=" + b.Instance
		}
		c.Params = c.Params.Del("expires").Del("pub-gruu").Del("temp-gruu")
		b.Contact = c.String()
		ch := change{b: b, requested: want}
		if want > 0 {
			triple := r.cfg.Standard
			if b.Outbound {
				triple = r.cfg.Outbound
			}
			g, ok := triple.Grant(want, r.cfg.Rand)
			if !ok {
				ev.Name, ev.Level, ev.Code, ev.Requested = "Registration Rejected", 1, 423, want
				r.emit(ev)
				return reply(423, "", func(m *sip.Message) { _ = m.Set(sip.HdrMinExpires, strconv.Itoa(triple.Min)) })
			}
			ch.granted = g
		}
		changes = append(changes, ch)
	}
	// (6) capacity gate for new bindings.
	if r.cfg.Admit != nil {
		current, err := r.cfg.Store.Lookup(ctx, aor, now)
		if err != nil {
			return reply(500, "Location service unavailable", nil)
		}
		for _, ch := range changes {
			if ch.granted == 0 || slices.ContainsFunc(current, func(b Binding) bool { return b.Key() == ch.b.Key() }) {
				continue
			}
			if err := r.cfg.Admit(ctx, ch.b); err != nil {
				return reject(503, "Service Unavailable", "Registration Rejected")
			}
		}
	}

	var events []Event
	bindings, err := r.cfg.Store.Update(ctx, aor, now, func(cur []Binding) ([]Binding, error) {
		events = events[:0]
		if wildcard {
			for _, b := range cur {
				if b.CallID == callID && cseq.Seq <= b.CSeq {
					return nil, &errCode{500, "CSeq out of order"}
				}
			}
			for _, b := range cur {
				events = append(events, Event{Name: "Unregistration Accepted", Level: 1, AOR: aor, Contact: b.Contact, CallID: callID, Source: src, Code: 200, Auth: ev.Auth})
			}
			return nil, nil
		}
		next := slices.Clone(cur)
		for _, ch := range changes {
			key := ch.b.Key()
			i := slices.IndexFunc(next, func(b Binding) bool { return b.Key() == key })
			if i >= 0 {
				old := next[i]
				if old.CallID == callID && cseq.Seq <= old.CSeq {
					return nil, &errCode{500, "CSeq out of order"}
				}
				if ch.granted == 0 {
					events = append(events, Event{Name: "Unregistration Accepted", Level: 1, AOR: aor, Contact: old.Contact, CallID: callID, Source: src, Code: 200, Auth: ev.Auth, Requested: 0})
					next = slices.Delete(next, i, i+1)
					continue
				}
				name, level := "Registration Refresh Accepted", 3
				if old.CallID != callID {
					events = append(events, Event{Name: "Registration Removed", Level: 1, AOR: aor, Contact: old.Contact, CallID: old.CallID, Reason: "Registration superseded"})
					name, level = "Registration Accepted", 1
					ch.b.Created = now
				} else {
					ch.b.Created = old.Created
				}
				ch.b.Expires = now.Add(time.Duration(ch.granted) * time.Second)
				next[i] = ch.b
				events = append(events, Event{Name: name, Level: level, AOR: aor, Contact: ch.b.Contact, CallID: callID, Source: src, Code: 200, Auth: ev.Auth, Requested: ch.requested, Granted: ch.granted})
				continue
			}
			if ch.granted == 0 {
				continue // removing an unknown binding is a no-op
			}
			ch.b.Created = now
			ch.b.Expires = now.Add(time.Duration(ch.granted) * time.Second)
			next = append(next, ch.b)
			events = append(events, Event{Name: "Registration Accepted", Level: 1, AOR: aor, Contact: ch.b.Contact, CallID: callID, Source: src, Code: 200, Auth: ev.Auth, Requested: ch.requested, Granted: ch.granted})
		}
		return next, nil
	})
	if err != nil {
		var ec *errCode
		if errors.As(err, &ec) {
			return reject(ec.code, ec.reason, "Registration Rejected")
		}
		return reply(500, "Location service unavailable", nil)
	}
	for _, e := range events {
		r.emit(e)
	}
	outbound := false
	for _, ch := range changes {
		outbound = outbound || (ch.b.Outbound && ch.granted > 0)
	}
	return reply(200, "", func(m *sip.Message) {
		for _, b := range bindings {
			a, err := sip.ParseAddress(b.Contact)
			if err != nil {
				continue
			}
			left := int(b.Expires.Sub(now).Round(time.Second) / time.Second)
			a.Params = a.Params.Set("expires", strconv.Itoa(left))
			if b.GRUU != "" {
				a.Params = a.Params.Set("pub-gruu", sip.Quote(b.GRUU))
			}
			_ = m.AddAddress(sip.HdrContact, a)
		}
		for _, p := range paths {
			_ = m.Add("Path", p)
		}
		if outbound {
			_ = m.Set(sip.HdrRequire, "outbound")
			if r.cfg.FlowTimer > 0 {
				_ = m.Set("Flow-Timer", strconv.Itoa(r.cfg.FlowTimer))
			}
		}
		_ = m.Set(sip.HdrDate, now.UTC().Format(time.RFC1123))
	})
}

// rejectName names a rejection event (SIP-130): an unregistration, a
// refresh of a binding made under the same Call-ID, or a registration.
func (r *Registrar) rejectName(ctx context.Context, req *sip.Message, aor, callID string) string {
	if req.Get(sip.HdrExpires) == "0" || req.Get(sip.HdrContact) == "*" {
		return "Unregistration Rejected"
	}
	if bs, err := r.cfg.Store.Lookup(ctx, aor, r.cfg.Now()); err == nil {
		for _, b := range bs {
			if b.CallID == callID {
				return "Registration Refresh Rejected"
			}
		}
	}
	return "Registration Rejected"
}

func matchAny(ps []*pattern.Pattern, alias string) bool {
	for _, p := range ps {
		if m, err := p.Match(alias); err == nil && m.Matched {
			return true
		}
	}
	return false
}

// Lookup returns the bindings a request for uri reaches, highest q first:
// every binding of the AOR, or for a public GRUU (a gr parameter) only the
// bindings of that instance (SIP-56, SIP-57).
func (r *Registrar) Lookup(ctx context.Context, uri sip.URI) ([]Binding, error) {
	if !uri.IsSIP() {
		return nil, nil
	}
	bs, err := r.cfg.Store.Lookup(ctx, NormalizeAOR(uri), r.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("registrar: lookup: %w", err)
	}
	if gr, ok := uri.Param("gr"); ok {
		bs = slices.DeleteFunc(bs, func(b Binding) bool { return b.Instance == "" || !strings.EqualFold(b.Instance, sip.Unescape(gr)) })
	}
	slices.SortStableFunc(bs, func(a, b Binding) int { return b.Q - a.Q })
	return bs, nil
}

// Remove removes every binding of aor (operator forced removal, SIP-60).
func (r *Registrar) Remove(ctx context.Context, aor string) (int, error) {
	n := 0
	_, err := r.cfg.Store.Update(ctx, strings.ToLower(aor), r.cfg.Now(), func(cur []Binding) ([]Binding, error) {
		n = len(cur)
		for _, b := range cur {
			r.emit(Event{Name: "Registration Removed", Level: 1, AOR: b.AOR, Contact: b.Contact, CallID: b.CallID, Reason: "Operator forced removal"})
		}
		return nil, nil
	})
	return n, err
}

// Bindings returns every active binding.
func (r *Registrar) Bindings(ctx context.Context) ([]Binding, error) {
	var out []Binding
	err := r.cfg.Store.Range(ctx, r.cfg.Now(), func(b Binding) bool { out = append(out, b); return true })
	return out, err
}

// Sweep frees the bindings of a MemoryStore that have expired, emitting a
// "Registration Removed" event for each; other stores expire on their own.
func (r *Registrar) Sweep() int {
	ms, ok := r.cfg.Store.(*MemoryStore)
	if !ok {
		return 0
	}
	gone := ms.Sweep(r.cfg.Now())
	for _, b := range gone {
		r.emit(Event{Name: "Registration Removed", Level: 1, AOR: b.AOR, Contact: b.Contact, CallID: b.CallID, Reason: "Registration expired"})
	}
	return len(gone)
}

// Run sweeps expired bindings every interval until ctx is done.
func (r *Registrar) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.Sweep()
		}
	}
}
