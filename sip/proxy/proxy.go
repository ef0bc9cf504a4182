package proxy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// Proxy is a stateful SIP proxy. It is safe for concurrent use.
type Proxy struct {
	cfg   Config
	tp    Transport
	layer *transaction.Layer
	log   *slog.Logger
	tag   string
	clock transaction.Clock
	// secret authenticates flow tokens and opaque Contact users.
	secret   []byte
	contacts contactTable
	sess     sessions

	calls    sync.Map // *transaction.ServerTx -> *call
	inflight tracker
	active   atomic.Int64
	draining atomic.Bool
	ctx      context.Context
	stop     context.CancelFunc
}

// New validates cfg and returns a proxy with its transaction layer over
// cfg.Transport.
func New(cfg Config) (*Proxy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.TimerC == 0 {
		cfg.TimerC = DefaultTimerC
	}
	if cfg.PoisonParam == "" {
		cfg.PoisonParam = "x-edge-poison"
	}
	if cfg.CallTagHeader == "" {
		cfg.CallTagHeader = DefaultCallTagHeader
	}
	if cfg.BoxID == "" {
		cfg.BoxID = sip.NewTag()
	}
	p := &Proxy{cfg: cfg, tp: cfg.Transport, log: cfg.Logger, tag: sip.NewTag(), clock: cfg.Clock, secret: make([]byte, 32)}
	if _, err := rand.Read(p.secret); err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.ctx, p.stop = context.WithCancel(context.Background())
	l, err := transaction.NewLayer(transaction.Config{Timers: cfg.Timers, Clock: cfg.Clock, Logger: cfg.Logger,
		OnStrayResponse: p.strayResponse}, cfg.Transport, p)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	p.layer = l
	if p.clock == nil {
		p.clock = l.Clock() // the layer's timing wheel
	}
	return p, nil
}

// Layer returns the proxy's transaction layer (the transport's Receiver).
func (p *Proxy) Layer() *transaction.Layer { return p.layer }

// Serve starts the transport's listeners with the proxy's layer as their
// receiver and blocks until ctx is done; then it shuts the proxy down.
func (p *Proxy) Serve(ctx context.Context) error {
	if err := p.tp.Start(ctx, p.layer); err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	<-ctx.Done()
	return p.Close()
}

// InProgress returns the number of INVITE transactions being forwarded.
func (p *Proxy) InProgress() int { return int(p.active.Load()) }

// Shutdown stops taking new requests (they are answered 503) and waits for
// the forwarded requests to get their final answer or ctx to end; then it
// cancels the pending branches, waits up to 2 s for their answers and closes.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.draining.Store(true)
	done := p.inflight.idle()
	select {
	case <-done:
	case <-ctx.Done():
		// Cancel what is still pending and give the 487s a moment to
		// come back and go upstream before the transactions are torn down.
		p.calls.Range(func(_, v any) bool { v.(*call).cancelBranches(); return true })
		grace := time.NewTimer(2 * time.Second)
		defer grace.Stop()
		select {
		case <-done:
		case <-grace.C:
		}
	}
	return p.Close()
}

// tracker counts the requests being forwarded; idle returns a channel
// closed when none is left.
type tracker struct {
	mu   sync.Mutex
	n    int
	wait chan struct{}
}

func (t *tracker) Add(d int) {
	t.mu.Lock()
	t.n += d
	if t.n == 0 && t.wait != nil {
		close(t.wait)
		t.wait = nil
	}
	t.mu.Unlock()
}

func (t *tracker) Done() { t.Add(-1) }

func (t *tracker) idle() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	if t.wait == nil {
		t.wait = make(chan struct{})
	}
	return t.wait
}

// Close terminates every transaction.
func (p *Proxy) Close() error {
	p.stop()
	p.stopSessions()
	return p.layer.Close()
}

func (p *Proxy) emit(e CallEvent) {
	if p.cfg.OnCall != nil {
		e.Time = p.clock.Now()
		p.cfg.OnCall(e)
	}
}

// reply answers req on tx with a response the proxy builds.
func (p *Proxy) reply(tx *transaction.ServerTx, req *sip.Message, code int, reason string, edit func(*sip.Message)) {
	resp, err := sip.NewResponse(req, code, reason)
	if err != nil {
		return
	}
	if code > 100 {
		if to, err := req.To(); err == nil && to.Tag() == "" {
			_ = resp.SetToTag(p.tag)
		}
	}
	if edit != nil {
		edit(resp)
	}
	if err := tx.Respond(resp); err != nil {
		p.log.Debug("proxy: respond", "code", code, "err", err)
	}
	if code >= 300 && req.Method() == sip.MethodInvite {
		p.emitFrom(req, tx.Source(), CallRejected, code)
	}
}

// HandleRequest implements transaction.Handler: the §16 pipeline (SIP-80).
func (p *Proxy) HandleRequest(tx *transaction.ServerTx, req *sip.Message) {
	if tx == nil {
		p.forwardStateless(req)
		return
	}
	src := tx.Source()
	// RFC 3261 §16.3 step 1 (reasonable syntax) is done once, by the
	// transport, which answers an invalid request 400/505 itself.
	method := req.Method()
	if method == sip.MethodCancel {
		p.handleCancel(tx, req)
		return
	}
	if p.draining.Load() {
		p.reply(tx, req, 503, "Shutting down", nil)
		return
	}
	// SIP-82, §16.3 step 3: Max-Forwards.
	mf := 70
	if req.Has(sip.HdrMaxForwards) {
		mf, _ = req.MaxForwards()
	}
	if mf == 0 {
		if method == sip.MethodOptions && req.IsOptionsToServer(p.isLocalHost) {
			p.answerOptions(tx, req)
			return
		}
		p.reply(tx, req, 483, "", nil)
		return
	}
	// SIP-85: poison and Via loops (§16.3 step 4).
	if p.looped(req) {
		p.reply(tx, req, 482, "", nil)
		return
	}
	// SIP-85 b: the call tag, shared by every fork.
	if method != sip.MethodAck {
		p.ensureCallTag(req)
	}
	// SIP-42, SIP-102: requests of released dialogs; CSeq tracking.
	if (p.sessionTimersOn() || p.sess.anyReleased.Load()) && p.inDialog(tx, req) {
		return
	}
	// SIP-87: ingress rewrites of the source zone.
	ingress := p.zoneOf(src)
	applyIngress(req, ingress)
	// SIP-101: an UPDATE refresh from a zone that does not allow it.
	if ingress != nil && !ingress.UpdateRefresh && isUpdateRefresh(req) {
		p.reply(tx, req, 405, "", func(r *sip.Message) { _ = r.Set(sip.HdrAllow, allowWithoutUpdate()) })
		return
	}
	// SIP-87 a, §16.3 step 5: Proxy-Require.
	if req.Has(sip.HdrProxyRequire) {
		for _, t := range p.cfg.ProxyRequireStrip {
			req.RemoveToken(sip.HdrProxyRequire, t)
		}
		if ingress != nil {
			for _, t := range ingress.ProxyRequireStrip {
				req.RemoveToken(sip.HdrProxyRequire, t)
			}
		}
		if toks, _ := req.Tokens(sip.HdrProxyRequire); len(toks) > 0 {
			p.reply(tx, req, 420, "", func(r *sip.Message) { _ = r.Set(sip.HdrUnsupported, strings.Join(toks, ", ")) })
			return
		}
	}
	// §16.4: Route information preprocessing.
	flowTok, err := p.preprocessRoute(req)
	if err != nil {
		p.reply(tx, req, 400, "Bad Route", nil)
		return
	}
	var dec Decision
	if flowTok != "" && !req.Has(sip.HdrRoute) {
		// RFC 5626 §5.3: our Path entry of an outbound registration names
		// the flow the request must take.
		flow, ok := p.parseFlowToken(flowTok)
		if !ok {
			p.reply(tx, req, 403, "Invalid flow token", nil)
			return
		}
		ru, _ := req.RequestURI()
		dec.Targets = []Target{{URI: ru, Dest: flow, FlowOnly: true}}
	} else if req.Has(sip.HdrRoute) {
		// SIP-81: a remaining Route set.
		if req.IsDialogForming() && p.cfg.FollowRoute != nil && !p.cfg.FollowRoute(req, src) {
			p.reply(tx, req, 403, "Route set not allowed", nil)
			return
		}
		ru, _ := req.RequestURI()
		dec.Targets = []Target{{URI: ru}}
	} else if t, ok := p.mappedTarget(req); ok {
		dec.Targets = []Target{t} // SIP-59: an opaque Contact of ours
	} else if t, ok, err := p.sipRoute(p.ctx, req, src); ok {
		if err != nil {
			p.log.Info("proxy: SIP route next hop", "err", err)
			p.reply(tx, req, 404, "", nil)
			return
		}
		dec.Targets = []Target{t} // SIP-89
	} else {
		if p.cfg.Local != nil && p.cfg.Local(tx, req, src) {
			return
		}
		if method == sip.MethodOptions && req.IsOptionsToServer(p.isLocalHost) {
			p.answerOptions(tx, req)
			return
		}
		var err error
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		dec, err = p.cfg.Router.Route(ctx, req, src)
		cancel()
		if err != nil {
			p.log.Warn("proxy: router", "err", err)
			p.reply(tx, req, 500, "Routing failed", nil)
			return
		}
	}
	if len(dec.Targets) == 0 {
		code, reason := dec.Status, dec.Reason
		if code == 0 {
			code = 404
		}
		p.reply(tx, req, code, reason, nil)
		return
	}
	// SIP-100: session-timer rules for INVITE.
	if method == sip.MethodInvite && p.cfg.SessionExpires > 0 {
		if code, minSE := p.sessionTimer(req); code != 0 {
			p.reply(tx, req, code, "", func(r *sip.Message) { _ = r.Set(sip.HdrMinSE, strconv.Itoa(minSE)) })
			return
		}
	}
	p.fork(tx, req, src, ingress, mf, dec.Targets)
}

func (p *Proxy) emitFrom(req *sip.Message, src transport.Addr, kind string, code int) {
	if p.cfg.OnCall == nil {
		return
	}
	if kind != CallDisconnected {
		if to, err := req.To(); err == nil && to.Tag() != "" {
			return // a re-INVITE is not a new call
		}
	}
	e := CallEvent{Kind: kind, RequestURI: req.RequestURIString(), Source: src, Status: code}
	e.CallID, _ = req.CallID()
	if a, err := req.From(); err == nil {
		e.From = a.URI.String()
	}
	if a, err := req.To(); err == nil {
		e.To = a.URI.String()
	}
	p.emit(e)
}

func (p *Proxy) answerOptions(tx *transaction.ServerTx, req *sip.Message) {
	resp, err := sip.NewOptionsResponse(req, sip.Methods, []string{"application/sdp"}, []string{"path", "outbound", "gruu", "timer"})
	if err != nil {
		return
	}
	_ = resp.SetToTag(p.tag)
	_ = tx.Respond(resp)
}

// sessionTimer applies SIP-100 to an INVITE; a non-zero code rejects it.
func (p *Proxy) sessionTimer(req *sip.Message) (code, minSE int) {
	se, ms := p.cfg.SessionExpires, p.cfg.MinSE
	reqMin := 0
	if req.Has(sip.HdrMinSE) {
		if v, err := req.MinSE(); err == nil {
			reqMin = v
		}
	}
	floor := max(ms, reqMin)
	if !req.Has(sip.HdrSessionExpires) {
		_ = req.Set(sip.HdrSessionExpires, strconv.Itoa(max(se, floor)))
		_ = req.Set(sip.HdrMinSE, strconv.Itoa(floor))
		return 0, 0
	}
	v, err := req.SessionExpires()
	if err != nil {
		return 400, 0
	}
	switch {
	case v.Delta < ms && req.HasToken(sip.HdrSupported, "timer"):
		return 422, ms
	case v.Delta < ms:
		v.Delta = ms
		_ = req.Set(sip.HdrSessionExpires, v.String())
	case v.Delta > se:
		v.Delta = max(se, floor)
		_ = req.Set(sip.HdrSessionExpires, v.String())
	}
	if reqMin < ms {
		_ = req.Set(sip.HdrMinSE, strconv.Itoa(ms))
	}
	return 0, 0
}

// isLocalHost reports whether host (a name or an address) is the box.
func (p *Proxy) isLocalHost(host string) bool {
	h := strings.Trim(host, "[]")
	if a, err := netip.ParseAddr(h); err == nil {
		for _, n := range [...]string{"udp", "tcp", "tls"} {
			if l := p.tp.LocalAddr(n); l.IsValid() && l.Addr() == a.Unmap() {
				return true
			}
		}
		return false
	}
	return p.cfg.IsLocalHost != nil && p.cfg.IsLocalHost(h)
}

// isUs reports whether a URI addresses this proxy: its host and port.
func (p *Proxy) isUs(u sip.URI) bool {
	if !p.isLocalHost(u.Host) {
		return false
	}
	if a, err := netip.ParseAddr(strings.Trim(u.Host, "[]")); err == nil {
		port := u.Port
		for _, n := range [...]string{"udp", "tcp", "tls"} {
			l := p.tp.LocalAddr(n)
			if !l.IsValid() || l.Addr() != a.Unmap() {
				continue
			}
			if port == 0 && (l.Port() == 5060 || l.Port() == 5061) || int(l.Port()) == port {
				return true
			}
		}
		return false
	}
	return true
}

// preprocessRoute implements RFC 3261 §16.4: undo a strict router's
// rewrite, then pop every Route entry that addresses us (two with double
// Record-Route). It returns the user part of the last entry popped that
// has one: the flow token of an outbound Path (RFC 5626 §5.3).
func (p *Proxy) preprocessRoute(req *sip.Message) (flowTok string, err error) {
	ru, err := req.RequestURI()
	if err != nil {
		return "", err
	}
	if ru.User == "" && p.isUs(ru) && req.Has(sip.HdrRoute) {
		rs, err := req.Routes()
		if err != nil {
			return "", err
		}
		last := rs[len(rs)-1]
		if err := req.SetRequestURI(last.URI); err != nil {
			return "", err
		}
		vals := req.Values(sip.HdrRoute)
		req.Del(sip.HdrRoute)
		for _, v := range vals[:len(vals)-1] {
			_ = req.Add(sip.HdrRoute, v)
		}
	}
	for req.Has(sip.HdrRoute) {
		top, err := req.Route()
		if err != nil {
			return "", err
		}
		if !p.isUs(top.URI) {
			break
		}
		if top.URI.User != "" {
			flowTok = top.URI.User
		}
		req.PopFirst(sip.HdrRoute)
	}
	return flowTok, nil
}

// loopHash is the part of our branch that detects loops (§16.6 step 8).
func loopHash(req *sip.Message) string {
	h := sha256.New()
	h.Write([]byte(req.RequestURIString()))
	h.Write([]byte{0})
	if a, err := req.From(); err == nil {
		h.Write([]byte(a.Tag()))
	}
	h.Write([]byte{0})
	if a, err := req.To(); err == nil {
		h.Write([]byte(a.Tag()))
	}
	h.Write([]byte{0})
	id, _ := req.CallID()
	h.Write([]byte(id))
	if c, err := req.CSeq(); err == nil {
		h.Write([]byte(strconv.FormatUint(uint64(c.Seq), 10)))
	}
	h.Write([]byte(req.Get(sip.HdrProxyRequire)))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

const branchPrefix = sip.BranchMagicCookie + "-cw"

func (p *Proxy) newBranch(req *sip.Message) string {
	return branchPrefix + loopHash(req) + "-" + strings.TrimPrefix(sip.NewBranch(), sip.BranchMagicCookie)
}

// looped reports a poisoned request (SIP-85 a) or a Via loop (§16.3 step 4).
func (p *Proxy) looped(req *sip.Message) bool {
	vias, err := req.Vias()
	if err != nil {
		return false
	}
	var h string
	for _, v := range vias {
		if tok, ok := v.Params.Get(p.cfg.PoisonParam); ok && tok == p.cfg.BoxID {
			return true
		}
		b := v.Branch()
		if !strings.HasPrefix(b, branchPrefix) || !p.isLocalHost(v.Host) {
			continue
		}
		if h == "" {
			h = loopHash(req)
		}
		if strings.HasPrefix(b[len(branchPrefix):], h+"-") {
			return true
		}
	}
	return false
}

// ErrNoAddress is returned when a target's next hop cannot be resolved.
var ErrNoAddress = errors.New("proxy: no address for next hop")

// nextHop resolves the transport address of a URI (RFC 3263 without
// NAPTR/SRV: an IP literal or an A/AAAA lookup).
func nextHop(ctx context.Context, u sip.URI) (transport.Addr, error) {
	network := u.Transport()
	if network == "" {
		network = "udp"
		if u.IsSecure() {
			network = "tls"
		}
	}
	switch network {
	case "udp", "tcp", "tls":
	default:
		return transport.Addr{}, fmt.Errorf("%w: transport %q", ErrNoAddress, network)
	}
	port := u.Port
	if port == 0 {
		port = 5060
		if network == "tls" {
			port = 5061
		}
	}
	host := u.Hostname()
	if m, ok := u.Param("maddr"); ok {
		host = m
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		as, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if lerr != nil || len(as) == 0 {
			return transport.Addr{}, fmt.Errorf("%w: %s: %v", ErrNoAddress, host, lerr)
		}
		a = as[0]
	}
	return transport.Addr{Network: network, AddrPort: netip.AddrPortFrom(a.Unmap(), uint16(port))}, nil
}

// recordRoute returns our Record-Route value for a network (SIP-84).
func (p *Proxy) recordRoute(network string) string {
	l := p.tp.LocalAddr(network)
	if !l.IsValid() {
		l = p.tp.LocalAddr("udp")
	}
	return "<sip:" + l.String() + ";transport=" + network + ";lr>"
}

// outgoing is a request prepared for one target.
type outgoing struct {
	msg  *sip.Message
	dest transport.Addr
	// contacts are the opaque users of a REGISTER's rewritten Contacts
	// (SIP-59), mapped back in its 2xx.
	contacts []string
	rules    *ZoneRules // the target zone's (SIP-88)
}

// prepare builds the request forwarded to one target (§16.6).
func (p *Proxy) prepare(ctx context.Context, req *sip.Message, t Target, src transport.Addr, mf int) (outgoing, error) {
	fwd := req.Clone()
	if t.URI.Scheme != "" {
		if err := fwd.SetRequestURI(t.URI); err != nil {
			return outgoing{}, err
		}
	}
	for i := len(t.Route) - 1; i >= 0; i-- {
		if err := fwd.Prepend(sip.HdrRoute, t.Route[i]); err != nil {
			return outgoing{}, err
		}
	}
	n := mf - 1
	if t.HopCount > 0 && n > t.HopCount {
		n = t.HopCount
	}
	fwd.SetMaxForwards(n)
	dest := t.Dest
	if !dest.AddrPort.IsValid() {
		u := t.URI
		if u.Scheme == "" {
			u, _ = fwd.RequestURI()
		}
		if fwd.Has(sip.HdrRoute) {
			r, err := fwd.Route()
			if err != nil {
				return outgoing{}, err
			}
			u = r.URI
		}
		var err error
		if dest, err = nextHop(ctx, u); err != nil {
			return outgoing{}, err
		}
	}
	if !p.cfg.NoRecordRoute && req.IsDialogForming() {
		if src.Network != dest.Network && src.Network != "" {
			_ = fwd.Prepend(sip.HdrRecordRoute, p.recordRoute(src.Network))
		}
		_ = fwd.Prepend(sip.HdrRecordRoute, p.recordRoute(dest.Network))
	}
	local := p.tp.LocalAddr(dest.Network)
	if !local.IsValid() {
		return outgoing{}, fmt.Errorf("proxy: no %s listener for %v", dest.Network, dest)
	}
	rules := p.egressRules(t, dest)
	applyEgress(fwd, rules)
	var contacts []string
	if fwd.Method() == sip.MethodRegister {
		var err error
		if contacts, err = p.registerEgress(fwd, t, src, dest); err != nil {
			return outgoing{}, err
		}
	}
	v := sip.Via{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(dest.Network),
		Host: local.Addr().String(), Port: int(local.Port())}
	v.Params = v.Params.Set("branch", p.newBranch(fwd))
	if dest.Network == "udp" {
		v.Params = v.Params.Set("rport", "")
	}
	if t.Poison {
		v.Params = v.Params.Set(p.cfg.PoisonParam, p.cfg.BoxID)
	}
	if err := fwd.PushVia(v); err != nil {
		return outgoing{}, err
	}
	return outgoing{msg: fwd, dest: dest, contacts: contacts, rules: rules}, nil
}

// forwardStateless forwards an ACK for a 2xx (it has no transaction).
func (p *Proxy) forwardStateless(req *sip.Message) {
	if req.Method() != sip.MethodAck || p.looped(req) {
		return
	}
	mf := 70
	if req.Has(sip.HdrMaxForwards) {
		mf, _ = req.MaxForwards()
	}
	if mf == 0 {
		return
	}
	flowTok, err := p.preprocessRoute(req)
	if err != nil {
		return
	}
	ru, err := req.RequestURI()
	if err != nil {
		return
	}
	t := Target{URI: ru}
	routed := req.Has(sip.HdrRoute)
	if !routed {
		if flowTok != "" {
			flow, ok := p.parseFlowToken(flowTok)
			if !ok {
				return
			}
			t.Dest, t.FlowOnly, routed = flow, true, true
		} else if mt, ok := p.mappedTarget(req); ok {
			t, routed = mt, true
		} else if p.isUs(ru) {
			return
		}
	}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	if !routed {
		if dec, err := p.cfg.Router.Route(ctx, req, transport.Addr{}); err == nil && len(dec.Targets) > 0 {
			t = dec.Targets[0]
		}
	}
	out, err := p.prepare(ctx, req, t, transport.Addr{}, mf)
	if err != nil {
		return
	}
	sendCtx := context.Context(ctx)
	if t.FlowOnly {
		sendCtx = transport.WithoutDial(ctx)
	}
	if err := p.tp.Send(sendCtx, out.msg, out.dest); err != nil {
		p.log.Debug("proxy: stateless ACK", "err", err)
	}
}

// strayResponse forwards a response no client transaction matched (a 2xx
// retransmission after the transaction ended); responses whose top Via is
// not ours are dropped (SIP-83).
func (p *Proxy) strayResponse(resp *sip.Message, _ transport.Addr) {
	top, err := resp.Via()
	if err != nil || !strings.HasPrefix(top.Branch(), branchPrefix) || !p.isLocalHost(top.Host) {
		return
	}
	if c := resp.StatusCode(); c < 200 || c >= 300 {
		return
	}
	_, _ = resp.PopVia()
	next, err := resp.Via()
	if err != nil {
		return
	}
	host := next.Host
	if r := next.Received(); r != "" {
		host = r
	}
	port := next.Port
	if rp, ok := next.RPort(); ok && rp != 0 {
		port = rp
	}
	if port == 0 {
		port = 5060
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return
	}
	dest := transport.Addr{Network: strings.ToLower(next.Transport), AddrPort: netip.AddrPortFrom(a, uint16(port))}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	_ = p.tp.Send(ctx, resp, dest)
}

func (p *Proxy) handleCancel(tx *transaction.ServerTx, req *sip.Message) {
	inv := p.layer.FindInvite(req)
	if inv == nil {
		p.reply(tx, req, 481, "", nil)
		return
	}
	p.reply(tx, req, 200, "", nil)
	inv.MarkCancelled()
	if c, ok := p.calls.Load(inv); ok {
		c.(*call).cancelBranches()
	}
}
