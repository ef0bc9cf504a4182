package proxy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// This file is SIP-101 and SIP-102: the refresh method per zone and the
// release of a call whose session timer runs out while the box keeps its
// signalling (Record-Route).

// releasedFor is how long a released dialog is remembered so that its
// late in-dialog requests get 481 (SIP-42).
const releasedFor = 5 * time.Minute

// maxReleased bounds that memory.
const maxReleased = 100000

// errUpdateRefresh fails a branch whose zone refuses UPDATE refreshes.
var errUpdateRefresh = errors.New("proxy: zone does not allow SIP UPDATE for session refresh")

// isUpdateRefresh reports an UPDATE that refreshes a session (RFC 4028
// §7.4: it carries Session-Expires).
func isUpdateRefresh(req *sip.Message) bool {
	return req.Method() == sip.MethodUpdate && req.Has(sip.HdrSessionExpires)
}

// allowWithoutUpdate is the Allow of a 405 to an UPDATE refresh.
func allowWithoutUpdate() string {
	var ms []string
	for _, m := range sip.Methods {
		if m != sip.MethodUpdate {
			ms = append(ms, m)
		}
	}
	return strings.Join(ms, ", ")
}

// session is one dialog whose session timer the proxy watches (SIP-43).
type session struct {
	callID         string
	caller, callee sip.Address // From of the INVITE, To of its 2xx (tags included)
	// Where our BYEs go: Request-URI (the party's Contact), route set
	// beyond us, and the transport address when that route set is empty.
	callerURI, calleeURI     sip.URI
	toCaller, toCallee       []string
	callerDest, calleeDest   transport.Addr
	callerSeq, calleeSeq     uint32
	interval                 int // negotiated Session-Expires, seconds
	timer                    transaction.Timer
	callerTag, calleeTag     string
	requestURI, from, toAddr string // for the call event
}

// sessions holds the watched dialogs and the released ones.
type sessions struct {
	mu       sync.Mutex
	m        map[string]*session
	released map[string]time.Time
	// releasedCalls holds the Call-IDs the TU released (Release), for
	// calls the proxy may not watch; anyReleased says it has ever had one,
	// so that in-dialog requests are checked without session timers too.
	releasedCalls map[string]time.Time
	anyReleased   atomic.Bool
}

func dialogKey(callID, a, b string) string {
	if a > b {
		a, b = b, a
	}
	return callID + "\x00" + a + "\x00" + b
}

func keyOf(m *sip.Message) (string, bool) {
	id, err := m.CallID()
	if err != nil {
		return "", false
	}
	f, err := m.From()
	if err != nil {
		return "", false
	}
	t, err := m.To()
	if err != nil || t.Tag() == "" {
		return "", false
	}
	return dialogKey(id, f.Tag(), t.Tag()), true
}

// sessionTimersOn: SIP-102 applies when the box keeps the signalling and
// session timers are configured.
func (p *Proxy) sessionTimersOn() bool {
	return p.cfg.SessionExpires > 0 && !p.cfg.NoRecordRoute
}

// releasedAt reports whether the release of k in m still holds at now;
// an expired mark is dropped.
func releasedAt[K comparable](m map[K]time.Time, k K, now time.Time) bool {
	until, ok := m[k]
	if !ok {
		return false
	}
	if now.Before(until) {
		return true
	}
	delete(m, k)
	return false
}

// inDialog handles an in-dialog request before routing: a released
// dialog's request is refused (true, answered 481); otherwise the
// dialog's CSeq is tracked and a BYE ends the watch.
func (p *Proxy) inDialog(tx *transaction.ServerTx, req *sip.Message) bool {
	key, ok := keyOf(req)
	if !ok {
		return false
	}
	now := p.clock.Now()
	p.sess.mu.Lock()
	id, err := req.CallID()
	if (err == nil && releasedAt(p.sess.releasedCalls, id, now)) || releasedAt(p.sess.released, key, now) {
		p.sess.mu.Unlock()
		if req.Method() != sip.MethodAck {
			p.reply(tx, req, 481, "", nil)
		}
		return true
	}
	s := p.sess.m[key]
	if s == nil {
		p.sess.mu.Unlock()
		return false
	}
	if c, err := req.CSeq(); err == nil {
		if f, err := req.From(); err == nil && f.Tag() == s.callerTag {
			s.callerSeq = max(s.callerSeq, c.Seq)
		} else {
			s.calleeSeq = max(s.calleeSeq, c.Seq)
		}
	}
	if req.Method() == sip.MethodBye {
		delete(p.sess.m, key)
		if s.timer != nil {
			s.timer.Stop()
		}
	}
	p.sess.mu.Unlock()
	return false
}

// observeRefresh is called with every 2xx to an INVITE or UPDATE the
// proxy relays: an initial INVITE's 2xx with Session-Expires starts a
// watch, a refresh's 2xx restarts it with the interval it carries
// (SIP-102, RFC 4028 §8: 2xx values are observed, not changed).
func (c *call) observeRefresh(b *branch, resp *sip.Message) {
	p := c.p
	if !p.sessionTimersOn() || !resp.Has(sip.HdrSessionExpires) {
		return
	}
	se, err := resp.SessionExpires()
	if err != nil || se.Delta <= 0 {
		return
	}
	key, ok := keyOf(resp)
	if !ok {
		return
	}
	p.sess.mu.Lock()
	defer p.sess.mu.Unlock()
	if p.sess.m == nil {
		p.sess.m = map[string]*session{}
		p.sess.released = map[string]time.Time{}
	}
	s := p.sess.m[key]
	if s == nil {
		if to, err := c.req.To(); err != nil || to.Tag() != "" || c.req.Method() != sip.MethodInvite {
			return // a refresh of a dialog we do not watch
		}
		if s = p.newSession(c, b, resp); s == nil {
			return
		}
		p.sess.m[key] = s
	}
	s.interval = se.Delta
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = p.clock.AfterFunc(expiryDeadline(se.Delta), func() { p.expire(key, s) })
}

// expiryDeadline is SIP-102's deadline: SE − min(32, SE/3) seconds.
func expiryDeadline(se int) time.Duration {
	return time.Duration(se-min(32, se/3)) * time.Second
}

// newSession records what the proxy needs to release the dialog that a
// 2xx to an initial INVITE forms.
func (p *Proxy) newSession(c *call, b *branch, resp *sip.Message) *session {
	id, err := resp.CallID()
	if err != nil {
		return nil
	}
	from, err1 := c.req.From()
	to, err2 := resp.To()
	callerC, err3 := c.req.Contact()
	calleeC, err4 := resp.Contact()
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return nil
	}
	s := &session{callID: id, caller: from, callee: to, callerURI: callerC.URI, calleeURI: calleeC.URI,
		callerDest: c.src, calleeDest: b.dest, callerTag: from.Tag(), calleeTag: to.Tag(),
		requestURI: c.req.RequestURIString(), from: from.URI.String(), toAddr: to.URI.String()}
	if cs, err := c.req.CSeq(); err == nil {
		s.callerSeq = cs.Seq
	}
	if resp.Has(sip.HdrRecordRoute) {
		rr, err := resp.RecordRoutes()
		if err != nil {
			return nil
		}
		first, last := -1, -1
		for i, r := range rr {
			if p.isUs(r.URI) {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first >= 0 {
			// The 2xx lists the hops from the callee's side to the caller's.
			for i := first - 1; i >= 0; i-- {
				s.toCallee = append(s.toCallee, rr[i].String())
			}
			for i := last + 1; i < len(rr); i++ {
				s.toCaller = append(s.toCaller, rr[i].String())
			}
		}
	}
	return s
}

// expire releases a dialog whose refresh did not come in time: BYE to
// both parties (SIP-102, SIP-42); later requests of it get 481.
func (p *Proxy) expire(key string, s *session) {
	p.sess.mu.Lock()
	if p.sess.m[key] != s {
		p.sess.mu.Unlock()
		return
	}
	delete(p.sess.m, key)
	now := p.clock.Now()
	if len(p.sess.released) >= maxReleased {
		for k, until := range p.sess.released {
			if !now.Before(until) || len(p.sess.released) >= maxReleased {
				delete(p.sess.released, k)
			}
		}
	}
	p.sess.released[key] = now.Add(releasedFor)
	p.sess.mu.Unlock()
	// s is out of the table: nothing changes it any more.
	toCallee := p.bye(s.callID, s.caller, s.callee, s.callerSeq+1, s.calleeURI, s.toCallee, s.calleeDest)
	toCaller := p.bye(s.callID, s.callee, s.caller, s.calleeSeq+1, s.callerURI, s.toCaller, s.callerDest)
	p.log.Info("proxy: session timer expired, call released", "call-id", s.callID, "interval", s.interval)
	p.emit(CallEvent{Kind: CallDisconnected, CallID: s.callID, From: s.from, To: s.toAddr, RequestURI: s.requestURI, Status: 408})
	for _, m := range []*outgoing{toCallee, toCaller} {
		if m == nil {
			continue
		}
		tx, err := p.layer.Request(p.ctx, m.msg, m.dest)
		if err != nil {
			p.log.Debug("proxy: session-expiry BYE", "err", err)
			continue
		}
		go func() {
			for range tx.Responses() {
			}
		}()
	}
}

// bye builds a BYE the box originates within a dialog, from one party
// to the other.
func (p *Proxy) bye(callID string, from, to sip.Address, seq uint32, ruri sip.URI, route []string, dest transport.Addr) *outgoing {
	m, err := sip.NewRequest(sip.MethodBye, ruri)
	if err != nil {
		return nil
	}
	if m.SetFrom(from) != nil || m.SetTo(to) != nil || m.Set(sip.HdrCallID, callID) != nil ||
		m.SetCSeq(sip.CSeq{Seq: seq, Method: sip.MethodBye}) != nil {
		return nil
	}
	_ = m.Set(sip.HdrReason, `SIP;cause=408;text="Session timer expired"`)
	for _, r := range route {
		if m.Add(sip.HdrRoute, r) != nil {
			return nil
		}
	}
	if len(route) > 0 || !dest.AddrPort.IsValid() {
		u := ruri
		if len(route) > 0 {
			r, err := m.Route()
			if err != nil {
				return nil
			}
			u = r.URI
		}
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		d, err := nextHop(ctx, u)
		cancel()
		if err != nil {
			return nil
		}
		dest = d
	}
	local := p.tp.LocalAddr(dest.Network)
	if !local.IsValid() {
		return nil
	}
	v := sip.Via{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(dest.Network),
		Host: local.Addr().String(), Port: int(local.Port())}
	v.Params = v.Params.Set("branch", p.newBranch(m))
	if dest.Network == "udp" {
		v.Params = v.Params.Set("rport", "")
	}
	if m.PushVia(v) != nil {
		return nil
	}
	return &outgoing{msg: m, dest: dest}
}

// stopSessions stops every session timer (Close).
func (p *Proxy) stopSessions() {
	p.sess.mu.Lock()
	defer p.sess.mu.Unlock()
	for _, s := range p.sess.m {
		if s.timer != nil {
			s.timer.Stop()
		}
	}
}

// Sessions returns the number of dialogs whose session timer the proxy
// watches (SIP-102).
func (p *Proxy) Sessions() int {
	p.sess.mu.Lock()
	defer p.sess.mu.Unlock()
	return len(p.sess.m)
}
