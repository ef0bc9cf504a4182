package registrar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	tag     string
	mem     *MemoryStore // cfg.Store when it is one: the copy-free update path
	hist    *history

	pol   atomic.Pointer[policy] // swapped whole, never modified (SIP-58)
	polMu sync.Mutex             // serialises policy writers

	date atomic.Pointer[dateLine]
}

// New validates cfg and returns a Registrar.
func New(cfg Config) (*Registrar, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	r := &Registrar{cfg: cfg, domains: map[string]bool{}, tag: sip.NewTag(), hist: newHistory(cfg.HistorySize)}
	r.mem, _ = cfg.Store.(*MemoryStore)
	for _, d := range cfg.Domains {
		r.domains[strings.ToLower(d)] = true
	}
	p, err := compilePolicy(RestrictionPolicy{Restriction: cfg.Restriction, AllowList: cfg.AllowList, DenyList: cfg.DenyList})
	if err != nil {
		return nil, err // checked by Validate
	}
	r.pol.Store(p)
	return r, nil
}

// Store returns the registrar's binding store.
func (r *Registrar) Store() Store { return r.cfg.Store }

// IsLocal reports whether host is one of the registrar's domains (SIP-50).
func (r *Registrar) IsLocal(host string) bool {
	h := strings.Trim(host, "[]")
	if r.domains[h] || r.domains[strings.ToLower(h)] {
		return true
	}
	return r.cfg.IsLocal != nil && r.cfg.IsLocal(strings.ToLower(h))
}

// NormalizeAOR returns the lookup key of a SIP URI: user@host lower-cased
// (aliases compare case-insensitively, SIP-53).
func NormalizeAOR(u sip.URI) string {
	return strings.ToLower(sip.Unescape(u.AOR()))
}

func (r *Registrar) emit(e *Event) {
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(*e)
	}
}

// errCode carries a response code out of Store.Update.
type errCode struct {
	code   int
	reason string
}

func (e *errCode) Error() string { return strconv.Itoa(e.code) + " " + e.reason }

var (
	errCSeq    = &errCode{500, "CSeq out of order"}
	errBlocked = &errCode{403, "Forbidden"}
	errTooMany = &errCode{403, "Too many bindings for this AOR"}
)

// change is one Contact of a REGISTER and what it did to the bindings.
type change struct {
	b         Binding
	requested int
	granted   int // 0 removes
	outcome   outcome
}

type outcome uint8

const (
	outNone      outcome = iota // removal of an unknown binding: a no-op
	outAdded                    // a new binding
	outRefreshed                // same Call-ID, higher CSeq
	outReplaced                 // a new Call-ID superseded the binding
	outRemoved                  // unregistered (expires 0)
)

// regOp is the binding update of one REGISTER, applied atomically per AOR
// by the store (RFC 3261 §10.3 steps 6-8, SIP-58).
type regOp struct {
	reg      *Registrar
	aor      string
	callID   string
	cseq     uint32
	now      time.Time
	wildcard bool
	pol      *policy // the restriction policy the checks ran under
	changes  []change
	// Outputs; apply resets them, since a store may retry it.
	superseded []Binding
	removed    []Binding
}

func (op *regOp) apply(cur []Binding) ([]Binding, error) {
	op.superseded, op.removed = op.superseded[:0], op.removed[:0]
	for i := range op.changes {
		op.changes[i].outcome = outNone
	}
	if op.wildcard {
		for i := range cur {
			if cur[i].CallID == op.callID && op.cseq <= cur[i].CSeq {
				return nil, errCSeq
			}
		}
		op.removed = append(op.removed, cur...)
		return nil, nil
	}
	// A policy swapped in since the checks (Unregister and block) is
	// applied here, under the AOR's lock, so a block cannot be raced.
	if p := op.reg.pol.Load(); p != op.pol && !p.listsAllow(op.aor) &&
		slices.ContainsFunc(op.changes, func(c change) bool { return c.granted > 0 }) {
		return nil, errBlocked
	}
	next := make([]Binding, len(cur), len(cur)+len(op.changes))
	copy(next, cur)
	for ci := range op.changes {
		ch := &op.changes[ci]
		i := -1
		for j := range next {
			if sameKey(&next[j], &ch.b) {
				i = j
				break
			}
		}
		if i < 0 {
			if ch.granted > 0 {
				ch.b.Created = op.now
				ch.b.Expires = op.now.Add(time.Duration(ch.granted) * time.Second)
				next = append(next, ch.b)
				ch.outcome = outAdded
			}
			continue
		}
		old := &next[i]
		if old.CallID == op.callID && op.cseq <= old.CSeq {
			return nil, errCSeq
		}
		if ch.granted == 0 {
			op.removed = append(op.removed, *old)
			next = slices.Delete(next, i, i+1)
			ch.outcome = outRemoved
			continue
		}
		if old.CallID != op.callID {
			op.superseded = append(op.superseded, *old)
			ch.b.Created = op.now
			ch.outcome = outReplaced
		} else {
			ch.b.Created = old.Created
			ch.outcome = outRefreshed
		}
		ch.b.Expires = op.now.Add(time.Duration(ch.granted) * time.Second)
		*old = ch.b
	}
	if len(next) > len(cur) && len(next) > op.reg.cfg.MaxBindingsPerAOR {
		return nil, errTooMany
	}
	if len(next) == 0 {
		return nil, nil
	}
	return next, nil
}

// Register answers one REGISTER received from src. It returns the response
// to send; an error means no response could be built (the request is
// unusable).
func (r *Registrar) Register(ctx context.Context, req *sip.Message, src Source) (*sip.Message, error) {
	if req.Method() != sip.MethodRegister {
		return nil, fmt.Errorf("registrar: %s is not a REGISTER", req.Method())
	}
	if r.cfg.Classify != nil {
		c := r.cfg.Classify(src.Network, src.Addr)
		c.Network, c.Addr, c.Flow = src.Network, src.Addr, src.Flow
		src = c
	}
	to, err := req.To()
	if err != nil || !to.URI.IsSIP() || to.URI.User == "" {
		return r.respond(req, false, 400, "Bad To", nil)
	}
	toTagged := to.Tag() != ""
	// SIP-50: only URI AORs of a local domain register here.
	if !r.IsLocal(to.URI.Hostname()) {
		return r.respond(req, toTagged, 403, "Not a local domain", nil)
	}
	aor := NormalizeAOR(to.URI)
	callID, err := req.CallID()
	if err != nil {
		return r.respond(req, toTagged, 400, "Bad Call-ID", nil)
	}
	cseq, err := req.CSeq()
	if err != nil || cseq.Method != sip.MethodRegister {
		return r.respond(req, toTagged, 400, "Bad CSeq", nil)
	}
	ev := Event{AOR: aor, CallID: callID, Source: src}

	// (2) authentication.
	var username string
	if r.cfg.Authenticator != nil {
		d, err := r.cfg.Authenticator.Authenticate(ctx, req, src.Addr.Addr())
		if err != nil {
			return r.respond(req, toTagged, 500, "Authentication unavailable", nil)
		}
		if d.Result != digest.Authenticated {
			resp, err := digest.Respond(req, d)
			if err != nil {
				return nil, fmt.Errorf("registrar: %w", err)
			}
			_ = resp.SetToTag(r.tag)
			if d.Result == digest.Forbidden {
				ev.Name, ev.Level, ev.Code = "Registration Rejected", 1, resp.StatusCode()
				r.emit(&ev)
			}
			return resp, nil
		}
		username = d.Username
		ev.Auth = true
	}
	// (3) proxied gate.
	if src.Proxied && (r.cfg.AcceptProxied == nil || !r.cfg.AcceptProxied(src.Zone)) {
		return r.reject(ctx, req, toTagged, &ev, 403, "Proxied registrations not accepted")
	}
	// (4) restriction policy, as in force now: a refresh is checked like
	// a first registration (SIP-58).
	pol := r.pol.Load()
	switch pol.Restriction {
	case AllowList, DenyList:
		if !pol.listsAllow(aor) {
			return r.reject(ctx, req, toTagged, &ev, 403, "Forbidden")
		}
	case PolicyService:
		ok, code, reason, err := r.cfg.Policy(ctx, Request{AOR: aor, Source: src, Authenticated: ev.Auth, Username: username, Message: req})
		if err != nil {
			return r.reject(ctx, req, toTagged, &ev, 503, "Policy service unavailable")
		}
		if !ok {
			if code == 0 {
				code, reason = 403, "Service Unavailable"
			}
			return r.reject(ctx, req, toTagged, &ev, code, reason)
		}
	}
	// (5) subzone registration policy, never for proxied ones.
	if !src.Proxied && r.cfg.SubzoneAllows != nil && !r.cfg.SubzoneAllows(src, aor) {
		return r.reject(ctx, req, toTagged, &ev, 403, "Forbidden")
	}

	var one [1]sip.Address
	var contacts []sip.Address
	if req.Count(sip.HdrContact) == 1 {
		one[0], err = req.Contact()
		contacts = one[:]
	} else {
		contacts, err = req.Contacts()
	}
	if err != nil {
		return r.respond(req, toTagged, 400, "Bad Contact", nil)
	}
	now := r.cfg.Now()
	hdrExpires := -1
	if req.Has(sip.HdrExpires) {
		if hdrExpires, err = req.Expires(); err != nil {
			return r.respond(req, toTagged, 400, "Bad Expires", nil)
		}
	}
	var paths []string
	if req.Has(sip.HdrPath) {
		ps, err := req.Paths()
		if err != nil {
			return r.respond(req, toTagged, 400, "Bad Path", nil)
		}
		paths = make([]string, len(ps))
		for i, p := range ps {
			paths[i] = p.String()
		}
	}
	wildcard := false
	for i := range contacts {
		wildcard = wildcard || contacts[i].Wildcard
	}
	if wildcard && (len(contacts) != 1 || hdrExpires != 0) {
		return r.respond(req, toTagged, 400, "Wildcard Contact needs Expires: 0 and no other Contact", nil)
	}

	// (7) expiry of every contact, before anything changes (RFC 3261 §10.3 step 7).
	op := regOp{reg: r, aor: aor, callID: callID, cseq: cseq.Seq, now: now, wildcard: wildcard, pol: pol,
		changes: make([]change, 0, len(contacts))}
	supportsOutbound := req.HasToken(sip.HdrSupported, "outbound")
	supportsGRUU := r.cfg.GRUU && req.HasToken(sip.HdrSupported, "gruu")
	ua := req.UserAgent()
	class := ""
	if r.cfg.DeviceClass != nil && !wildcard {
		class = r.cfg.DeviceClass(ua)
	}
	family := ""
	switch a := src.Addr.Addr(); {
	case a.Is4() || a.Is4In6():
		family = "IPv4"
	case a.Is6():
		family = "IPv6"
	}
	for i := range contacts {
		c := &contacts[i]
		if c.Wildcard {
			continue
		}
		if !c.URI.IsSIP() {
			return r.respond(req, toTagged, 400, "Unsupported Contact URI", nil)
		}
		want := hdrExpires
		if v, ok := c.Param("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return r.respond(req, toTagged, 400, "Bad Contact expires", nil)
			}
			want = n
		}
		if want < 0 {
			want = DefaultRequested
		}
		b := Binding{AOR: aor, CallID: callID, CSeq: cseq.Seq, Source: src.Addr, Network: src.Network,
			Family: family, Flow: src.Flow, Zone: src.Zone, Proxied: src.Proxied, Authenticated: ev.Auth,
			Username: username, UserAgent: ua, Path: paths, Q: 1000, Protocol: ProtocolSIP, Type: TypeSIPUA,
			DeviceClass: class, Peer: r.cfg.PeerID}
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
		if supportsGRUU && b.Instance != "" {
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
				r.emit(&ev)
				return r.respond(req, toTagged, 423, "", func(b []byte) []byte {
					return appendHeader(b, sip.HdrMinExpires, strconv.Itoa(triple.Min))
				})
			}
			ch.granted = g
		}
		op.changes = append(op.changes, ch)
	}
	// (6) capacity gate for new bindings.
	if r.cfg.Admit != nil {
		current, err := r.cfg.Store.Lookup(ctx, aor, now)
		if err != nil {
			return r.respond(req, toTagged, 500, "Location service unavailable", nil)
		}
		for i := range op.changes {
			ch := &op.changes[i]
			if ch.granted == 0 || slices.ContainsFunc(current, func(b Binding) bool { return sameKey(&b, &ch.b) }) {
				continue
			}
			if err := r.cfg.Admit(ctx, ch.b); err != nil {
				return r.reject(ctx, req, toTagged, &ev, 503, "Service Unavailable")
			}
		}
	}

	var bindings []Binding
	if r.mem != nil {
		bindings, err = r.mem.update(aor, now, op.apply)
	} else {
		// A store of its own may keep fn: give it an op of its own.
		gop := &regOp{reg: r, aor: aor, callID: callID, cseq: cseq.Seq, now: now, wildcard: wildcard, pol: pol,
			changes: slices.Clone(op.changes)}
		bindings, err = r.cfg.Store.Update(ctx, aor, now, gop.apply)
		copy(op.changes, gop.changes)
		op.superseded, op.removed = gop.superseded, gop.removed
	}
	if err != nil {
		var ec *errCode
		if errors.As(err, &ec) {
			return r.reject(ctx, req, toTagged, &ev, ec.code, ec.reason)
		}
		return r.respond(req, toTagged, 500, "Location service unavailable", nil)
	}
	r.ended(op.superseded, now, ReasonSuperseded, &ev)
	r.ended(op.removed, now, ReasonUnregistered, &ev)
	outbound := false
	for i := range op.changes {
		ch := &op.changes[i]
		outbound = outbound || (ch.b.Outbound && ch.granted > 0)
		if r.cfg.OnEvent == nil {
			continue
		}
		name, level := "Registration Accepted", 1
		switch ch.outcome {
		case outRefreshed:
			name, level = "Registration Refresh Accepted", 3
		case outAdded, outReplaced:
		default:
			continue
		}
		r.cfg.OnEvent(Event{Name: name, Level: level, AOR: aor, Contact: ch.b.Contact, CallID: callID, Source: src,
			Code: 200, Auth: ev.Auth, Requested: ch.requested, Granted: ch.granted})
	}
	date := r.dateOf(now)
	return r.respond(req, toTagged, 200, "", func(b []byte) []byte {
		for i := range bindings {
			b = appendContact(b, &bindings[i], now)
		}
		for _, p := range paths {
			b = appendHeader(b, sip.HdrPath, p)
		}
		if outbound {
			b = appendHeader(b, sip.HdrRequire, "outbound")
			if r.cfg.FlowTimer > 0 {
				b = appendHeader(b, sip.HdrFlowTimer, strconv.Itoa(r.cfg.FlowTimer))
			}
		}
		return appendHeader(b, sip.HdrDate, date)
	})
}

// reject answers a REGISTER refused by a check and emits its event.
func (r *Registrar) reject(ctx context.Context, req *sip.Message, toTagged bool, ev *Event, code int, reason string) (*sip.Message, error) {
	ev.Name, ev.Level, ev.Code, ev.Reason = r.rejectName(ctx, req, ev.AOR, ev.CallID), 1, code, reason
	r.emit(ev)
	return r.respond(req, toTagged, code, reason, nil)
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

// Bindings returns every active binding.
func (r *Registrar) Bindings(ctx context.Context) ([]Binding, error) {
	var out []Binding
	err := r.cfg.Store.Range(ctx, r.cfg.Now(), func(b Binding) bool { out = append(out, b); return true })
	return out, err
}

// Sweep frees the bindings of a MemoryStore that have expired, recording
// each in the history and emitting its "Registration Removed" event and
// OnEnd (SIP-58); other stores expire on their own.
func (r *Registrar) Sweep() int {
	if r.mem == nil {
		return 0
	}
	gone := r.mem.Sweep(r.cfg.Now())
	r.ended(gone, time.Time{}, ReasonExpired, nil)
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
