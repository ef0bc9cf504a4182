package proxy

import (
	"errors"
	"sync"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// call is the state of one forwarded request: its server transaction and
// one branch per target (RFC 3261 §16.7 response context).
type call struct {
	p      *Proxy
	stx    *transaction.ServerTx
	req    *sip.Message
	src    transport.Addr
	invite bool
	// ingress are the rules of the zone the request came from: its
	// responses are sent to that zone (SIP-88).
	ingress *ZoneRules

	mu        sync.Mutex
	branches  []*branch
	open      int // branches without a final response
	pending   int // branches whose transaction has not ended
	finalSent bool
	answered  bool
	finals    []final
	settled   sync.Once // the request has its final answer upstream
}

type final struct {
	msg  *sip.Message
	ours bool // built here, carries no Via of ours
}

type branch struct {
	tx          *transaction.ClientTx
	t           Target
	dest        transport.Addr
	contacts    []string   // rewritten REGISTER Contacts (SIP-59)
	rules       *ZoneRules // the target zone's (SIP-87 c on its responses)
	provisional bool
	final       bool
	timerC      transaction.Timer
}

// fork sends req to every target in parallel (SIP-86).
func (p *Proxy) fork(stx *transaction.ServerTx, req *sip.Message, src transport.Addr, ingress *ZoneRules, mf int, targets []Target) {
	c := &call{p: p, stx: stx, req: req, src: src, invite: req.Method() == sip.MethodInvite, ingress: ingress}
	if c.invite {
		p.active.Add(1)
		p.emitFrom(req, src, CallAttempt, 0)
	}
	p.inflight.Add(1)
	p.calls.Store(stx, c)
	c.mu.Lock()
	for _, t := range targets {
		out, err := p.prepare(p.ctx, req, t, src, mf)
		if err == nil && t.FlowOnly && !p.flowUp(out.dest) {
			err = ErrFlowFailed
		}
		if err == nil && out.rules != nil && !out.rules.UpdateRefresh && isUpdateRefresh(req) {
			err = errUpdateRefresh // SIP-101 on the leg to that zone
		}
		if err == nil {
			// The branch's responses and end come as callbacks, on the
			// goroutines that read them; they wait for c.mu, held here.
			b := &branch{t: t, dest: out.dest, contacts: out.contacts, rules: out.rules}
			ctx := p.ctx
			if t.FlowOnly {
				ctx = transport.WithoutDial(ctx) // the flow or nothing (RFC 5626 §5.3)
			}
			var tx *transaction.ClientTx
			if tx, err = p.layer.RequestFunc(ctx, out.msg, out.dest, func(_ *transaction.ClientTx, r *sip.Message) { c.onResponse(b, r) },
				func(tx *transaction.ClientTx) { c.ended(b, tx) }); err == nil {
				b.tx = tx
				c.branches = append(c.branches, b)
				c.open++
				c.pending++
				if c.invite {
					b.timerC = p.clock.AfterFunc(p.cfg.TimerC, func() { c.fireTimerC(b) })
				}
				continue
			}
		}
		p.log.Info("proxy: branch not sent", "target", t.URI.String(), "err", err)
		code := 480
		var edit func(*sip.Message)
		switch {
		case errors.Is(err, errUpdateRefresh):
			code = 405
			edit = func(r *sip.Message) { _ = r.Set(sip.HdrAllow, allowWithoutUpdate()) }
		case t.FlowOnly:
			code = 430 // SIP-55, RFC 5626 §5.3
		case errors.Is(err, ErrNoAddress):
			code = 404
		case errors.Is(err, errContactTableFull):
			code = 503
		}
		if r, e := sip.NewResponse(req, code, ""); e == nil {
			if edit != nil {
				edit(r)
			}
			c.finals = append(c.finals, final{msg: r, ours: true})
		}
	}
	branches := len(c.branches)
	c.mu.Unlock()
	if branches == 0 {
		c.decide()
		c.cleanup()
		return
	}
	if stx.Cancelled() {
		c.cancelBranches()
	}
}

// ended is a branch's transaction terminating, after its last response:
// without a final response the branch counts as 408 (or 430 for a flow).
func (c *call) ended(b *branch, tx *transaction.ClientTx) {
	c.mu.Lock()
	decide := false
	if !b.final {
		b.final = true
		c.open--
		decide = c.open == 0
		code := 408
		if err := tx.Err(); b.t.FlowOnly && err != nil && !errors.Is(err, transaction.ErrTimeout) {
			code = 430 // the flow's connection could not carry it (RFC 5626 §5.3)
		}
		if r, err := sip.NewResponse(c.req, code, ""); err == nil {
			c.finals = append(c.finals, final{msg: r, ours: true})
		}
	}
	c.pending--
	last := c.pending == 0
	c.mu.Unlock()
	if b.timerC != nil {
		b.timerC.Stop()
	}
	if decide {
		c.decide()
	}
	if last {
		c.cleanup()
	}
}

func (c *call) cleanup() {
	c.p.calls.Delete(c.stx)
	c.settle()
}

// settle ends the request's count as in progress: once a final response
// went upstream, only 2xx retransmissions and ACKs remain.
func (c *call) settle() {
	c.settled.Do(func() {
		if c.invite {
			c.p.active.Add(-1)
		}
		c.p.inflight.Done()
	})
}

// fireTimerC cancels a branch that has not answered in Timer C (§16.6
// step 11, §16.8).
func (c *call) fireTimerC(b *branch) {
	c.mu.Lock()
	done := b.final
	c.mu.Unlock()
	if !done {
		_, _ = c.p.layer.Cancel(c.p.ctx, b.tx)
	}
}

// cancelBranches sends CANCEL on every INVITE branch without a final
// response (§16.10, SIP-41).
func (c *call) cancelBranches() {
	if !c.invite {
		return
	}
	c.mu.Lock()
	var open []*branch
	for _, b := range c.branches {
		if !b.final {
			open = append(open, b)
		}
	}
	c.mu.Unlock()
	for _, b := range open {
		_, _ = c.p.layer.Cancel(c.p.ctx, b.tx)
	}
}

func (c *call) forward(resp *sip.Message) {
	r := resp.Clone()
	if _, err := r.PopVia(); err != nil {
		return
	}
	if err := c.stx.Respond(r); err != nil {
		c.p.log.Debug("proxy: forward response", "code", r.StatusCode(), "err", err)
	}
}

func (c *call) onResponse(b *branch, resp *sip.Message) {
	resp = c.inbound(b, resp)
	code := resp.StatusCode()
	c.mu.Lock()
	switch {
	case code < 200:
		if code == 100 {
			c.mu.Unlock()
			return
		}
		b.provisional = true
		if c.invite && !b.final && b.timerC != nil {
			b.timerC.Stop()
			b.timerC = c.p.clock.AfterFunc(c.p.cfg.TimerC, func() { c.fireTimerC(b) })
		}
		skip := c.finalSent
		c.mu.Unlock()
		if !skip {
			c.forward(resp)
		}
	case code < 300:
		first := !b.final
		if first {
			b.final = true
			c.open--
		}
		firstAnswer := !c.answered
		if !c.invite && c.finalSent {
			// §16.7 step 5: only INVITE 2xx go upstream after a final
			// response; a non-INVITE transaction has its answer already.
			c.mu.Unlock()
			return
		}
		c.answered, c.finalSent = true, true
		c.mu.Unlock()
		if b.timerC != nil {
			b.timerC.Stop()
		}
		if m := c.req.Method(); m == sip.MethodInvite || m == sip.MethodUpdate {
			c.observeRefresh(b, resp) // SIP-102
		}
		notify := first && firstAnswer
		if notify { // before the 2xx leaves, so that events stay in call order
			switch c.req.Method() {
			case sip.MethodInvite:
				c.p.emitFrom(c.req, c.src, CallAnswered, code)
			case sip.MethodBye:
				c.p.emitFrom(c.req, c.src, CallDisconnected, code)
			}
		}
		c.forward(resp) // every 2xx goes upstream at once (§16.7 step 5)
		c.settle()
		if notify && c.invite {
			c.cancelBranches()
		}
	default:
		if b.final {
			c.mu.Unlock()
			return
		}
		b.final = true
		c.open--
		c.finals = append(c.finals, final{msg: resp})
		decide := c.open == 0
		c.mu.Unlock()
		if b.timerC != nil {
			b.timerC.Stop()
		}
		if code >= 600 {
			c.cancelBranches()
		}
		if decide {
			c.decide()
		}
	}
}

// decide sends the best final response once every branch has one
// (§16.7 step 6), unless a 2xx already went upstream.
func (c *call) decide() {
	c.mu.Lock()
	if c.finalSent {
		c.mu.Unlock()
		return
	}
	c.finalSent = true
	finals := c.finals
	c.mu.Unlock()
	best := choose(finals)
	var resp *sip.Message
	if best.msg == nil {
		resp, _ = sip.NewResponse(c.req, 408, "")
		best.ours = true
	} else {
		resp = best.msg.Clone()
		if !best.ours {
			if _, err := resp.PopVia(); err != nil {
				return
			}
		}
	}
	if resp == nil {
		return
	}
	code := resp.StatusCode()
	if code == 503 && !best.ours {
		_ = resp.SetStatus(500, "")
		code = 500
	}
	if c.stx.Cancelled() && code == 408 {
		_ = resp.SetStatus(487, "")
		code = 487
	}
	if code == 401 || code == 407 {
		for _, f := range finals {
			if f.msg == best.msg || (f.msg.StatusCode() != 401 && f.msg.StatusCode() != 407) {
				continue
			}
			for _, h := range [...]string{sip.HdrWWWAuthenticate, sip.HdrProxyAuthenticate} {
				for _, v := range f.msg.Values(h) {
					_ = resp.Add(h, v)
				}
			}
		}
	}
	if best.ours {
		if to, err := c.req.To(); err == nil && to.Tag() == "" {
			_ = resp.SetToTag(c.p.tag)
		}
	}
	if err := c.stx.Respond(resp); err != nil {
		c.p.log.Debug("proxy: final response", "code", code, "err", err)
	}
	c.settle()
	if c.invite {
		c.p.emitFrom(c.req, c.src, CallRejected, code)
	}
}

// choose picks the best final response (RFC 3261 §16.7 step 6): a 6xx,
// else the lowest class, preferring 401/407/415/420/484 within 4xx and
// answers from downstream over our own.
func choose(fs []final) final {
	rank := func(f final) int {
		code := f.msg.StatusCode()
		r := code / 100 * 10
		if code >= 600 {
			r = 0
		}
		switch code {
		case 401, 407, 415, 420, 484:
		default:
			r += 2
		}
		if f.ours {
			r += 5
		}
		return r
	}
	var best final
	for _, f := range fs {
		if best.msg == nil || rank(f) < rank(best) {
			best = f
		}
	}
	return best
}

// inbound applies the proxy's rewrites to a response received on a
// branch before it is relayed or kept for the final choice.
func (c *call) inbound(b *branch, resp *sip.Message) *sip.Message {
	code := resp.StatusCode()
	if code >= 200 && code < 300 && c.req.Method() == sip.MethodRegister && b.t.NoPath {
		resp = resp.Clone()
		c.p.mapBackContacts(resp, b.contacts)
	}
	// SIP-87 c from the target zone, SIP-88 toward the request's zone.
	if (b.rules != nil && b.rules.UpdateStrip || c.ingress != nil && c.ingress.UpdateStrip) && resp.Has(sip.HdrAllow) {
		resp = resp.Clone()
		resp.RemoveToken(sip.HdrAllow, sip.MethodUpdate)
	}
	return resp
}
