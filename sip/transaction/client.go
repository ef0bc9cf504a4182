package transaction

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// ClientTx is a client transaction: responses arrive on Responses; Done is
// closed when it terminates, and Err says why.
type ClientTx struct {
	l      *Layer
	key    string
	req    *sip.Message
	dest   Addr
	invite bool
	resps  chan *sip.Message

	mu       sync.Mutex
	state    State
	interval time.Duration
	timers   []Timer
	ack      *sip.Message
	err      error
	done     chan struct{}
	provis   bool
	cancelFn func() // a CANCEL waiting for the first provisional (§9.1)

	// Callback mode (RequestFunc): responses queue here and are handed to
	// onResp one at a time, in order, by whichever goroutine finds the
	// queue idle; onEnd follows the last.
	onResp   func(*ClientTx, *sip.Message)
	onEnd    func(*ClientTx)
	queue    []*sip.Message
	ended    bool
	draining bool
}

func newClientTx(l *Layer, key string, req *sip.Message, dest Addr, onResp func(*ClientTx, *sip.Message), onEnd func(*ClientTx)) *ClientTx {
	tx := &ClientTx{l: l, key: key, req: req, dest: dest, invite: req.Method() == "INVITE",
		done: make(chan struct{}), onResp: onResp, onEnd: onEnd}
	if onResp == nil {
		tx.resps = make(chan *sip.Message, 32)
	} else {
		tx.resps = make(chan *sip.Message)
	}
	if tx.invite {
		tx.state = Calling
	} else {
		tx.state = Trying
	}
	return tx
}

// Request is the request the transaction sends.
func (tx *ClientTx) Request() *sip.Message { return tx.req }

// Responses delivers provisional and final responses (and, for INVITE,
// every 2xx while Accepted). It is closed when the transaction ends. A
// transaction started with RequestFunc delivers to its callbacks instead.
func (tx *ClientTx) Responses() <-chan *sip.Message { return tx.resps }

// Done is closed when the transaction terminates.
func (tx *ClientTx) Done() <-chan struct{} { return tx.done }

// State returns the current state.
func (tx *ClientTx) State() State {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.state
}

// Err is why the transaction ended: nil after a final response,
// ErrTimeout (Timer B or F), or a transport error.
func (tx *ClientTx) Err() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.err
}

func (tx *ClientTx) after(d time.Duration, f func()) {
	tx.timers = append(tx.timers, tx.l.afterFunc(d, f))
}

func (tx *ClientTx) stopTimers() {
	for _, t := range tx.timers {
		t.Stop()
	}
	tx.timers = nil
}

// start sends the request and arms Timers A/B (INVITE) or E/F.
func (tx *ClientTx) start(ctx context.Context) {
	t := tx.l.cfg.Timers
	tx.mu.Lock()
	if tx.invite {
		if !tx.dest.Reliable() {
			tx.interval = t.A
			tx.after(t.A, tx.retransmit)
		}
		tx.after(t.B, tx.timeout)
	} else {
		if !tx.dest.Reliable() {
			tx.interval = t.E
			tx.after(t.E, tx.retransmit)
		}
		tx.after(t.F, tx.timeout)
	}
	tx.mu.Unlock()
	if err := tx.l.tp.Send(ctx, tx.req, tx.dest); err != nil {
		// The caller of Request may hold its own locks: the end is
		// reported from another goroutine.
		tx.end(fmt.Errorf("transaction: transport: %w", err), true)
	}
}

// retransmitCtx is the context of retransmissions.
var retransmitCtx = transport.WithoutDial(context.Background())

// retransmit is Timer A (doubling) or E (doubling up to T2; T2 once
// Proceeding).
func (tx *ClientTx) retransmit() {
	t := tx.l.cfg.Timers
	tx.mu.Lock()
	switch {
	case tx.invite && tx.state == Calling:
		tx.interval *= 2
	case !tx.invite && tx.state == Trying:
		tx.interval = min(2*tx.interval, t.T2)
	case !tx.invite && tx.state == Proceeding:
		tx.interval = t.T2
	default:
		tx.mu.Unlock()
		return
	}
	tx.after(tx.interval, tx.retransmit)
	tx.mu.Unlock()
	// On the wheel's goroutine: never dial (a request the transport moved
	// to TCP, SIP-36, goes over the connection its first send opened).
	if err := tx.l.tp.Send(retransmitCtx, tx.req, tx.dest); err != nil {
		tx.end(fmt.Errorf("transaction: transport: %w", err), true)
	}
}

func (tx *ClientTx) timeout() {
	tx.mu.Lock()
	st := tx.state
	tx.mu.Unlock()
	if st == Calling || st == Trying || st == Proceeding {
		tx.end(ErrTimeout, true)
	}
}

// expire is Timers M, D and K.
func (tx *ClientTx) expire() { tx.end(nil, true) }

// receive handles a response matched to the transaction (figures 5, 6
// and RFC 6026).
func (tx *ClientTx) receive(resp *sip.Message) {
	code := resp.StatusCode()
	t := tx.l.cfg.Timers
	reliable := tx.dest.Reliable()
	tx.mu.Lock()
	switch tx.state {
	case Calling, Trying, Proceeding:
	case Accepted:
		tx.mu.Unlock()
		if code >= 200 && code < 300 {
			tx.deliver(resp) // 2xx retransmissions go to the TU (RFC 6026)
		}
		return
	case Completed:
		ack := tx.ack
		tx.mu.Unlock()
		if ack != nil && code >= 300 {
			_ = tx.l.tp.Send(context.Background(), ack, tx.dest) // resend our ACK
		}
		return
	default:
		tx.mu.Unlock()
		return
	}
	switch {
	case code < 200:
		if tx.state != Proceeding {
			tx.state = Proceeding
			if tx.invite {
				tx.stopTimers() // Timers A and B apply only in Calling (figure 5)
			}
		}
		first := !tx.provis
		tx.provis = true
		cancel := tx.cancelFn
		tx.cancelFn = nil
		tx.mu.Unlock()
		tx.deliver(resp)
		if first && cancel != nil {
			cancel()
		}
		return
	case tx.invite && code < 300:
		tx.state = Accepted
		tx.stopTimers()
		tx.after(t.M, tx.expire)
		tx.mu.Unlock()
		tx.deliver(resp)
		return
	case tx.invite:
		tx.state = Completed
		tx.stopTimers()
		tx.ack = buildACK(tx.req, resp)
		ack := tx.ack
		if reliable {
			tx.mu.Unlock()
			tx.deliver(resp)
			_ = tx.l.tp.Send(context.Background(), ack, tx.dest)
			tx.terminate(nil)
			return
		}
		tx.after(t.D, tx.expire)
		tx.mu.Unlock()
		tx.deliver(resp)
		_ = tx.l.tp.Send(context.Background(), ack, tx.dest)
		return
	default:
		tx.state = Completed
		tx.stopTimers()
		if reliable {
			tx.mu.Unlock()
			tx.deliver(resp)
			tx.terminate(nil)
			return
		}
		tx.after(t.K, tx.expire)
		tx.mu.Unlock()
		tx.deliver(resp)
	}
}

// deliver passes a response to the TU; a TU that does not read is not
// allowed to block the transport: beyond the buffer, responses are dropped
// (they are retransmitted or superseded). In callback mode the response
// is queued and, if no goroutine is handing responses over, handed over
// here.
func (tx *ClientTx) deliver(resp *sip.Message) {
	tx.mu.Lock()
	if tx.state == Terminated {
		tx.mu.Unlock()
		return
	}
	if tx.onResp != nil {
		tx.queue = append(tx.queue, resp)
		run := !tx.draining
		tx.draining = true
		tx.mu.Unlock()
		if run {
			tx.drain()
		}
		return
	}
	defer tx.mu.Unlock()
	select {
	case tx.resps <- resp:
	default:
		tx.l.cfg.Logger.Warn("transaction: response dropped: the transaction user is not reading", "status", resp.StatusCode())
	}
}

// drain hands the queued responses, then the end, to the callbacks; one
// goroutine at a time drains.
func (tx *ClientTx) drain() {
	for {
		tx.mu.Lock()
		if len(tx.queue) > 0 {
			r := tx.queue[0]
			tx.queue[0] = nil
			tx.queue = tx.queue[1:]
			tx.mu.Unlock()
			tx.onResp(tx, r)
			continue
		}
		if tx.ended && tx.onEnd != nil {
			f := tx.onEnd
			tx.onEnd = nil
			tx.mu.Unlock()
			f(tx)
			continue
		}
		tx.draining = false
		tx.mu.Unlock()
		return
	}
}

func (tx *ClientTx) terminate(err error) { tx.end(err, false) }

// end terminates the transaction once; in callback mode onEnd is called
// after the queued responses, here or, when async (a timer, or the caller
// of Request may hold locks), on the layer's pool.
func (tx *ClientTx) end(err error, async bool) {
	tx.mu.Lock()
	if tx.state == Terminated {
		tx.mu.Unlock()
		return
	}
	tx.state = Terminated
	tx.err = err
	tx.stopTimers()
	close(tx.resps)
	run := false
	if tx.onResp != nil {
		tx.ended = true
		run = !tx.draining
		tx.draining = true
	}
	tx.mu.Unlock()
	close(tx.done)
	tx.l.removeClient(tx.key, tx)
	if run {
		if async {
			tx.l.pool.run(tx.drain)
		} else {
			tx.drain()
		}
	}
}

// buildACK makes the ACK of a non-2xx final response (RFC 3261 §17.1.1.3):
// Request-URI, Call-ID, From, CSeq number and Route of the INVITE, the
// top Via only, and the To of the response.
func buildACK(inv, resp *sip.Message) *sip.Message {
	uri, err := inv.RequestURI()
	if err != nil {
		return nil
	}
	ack, err := sip.NewRequest("ACK", uri)
	if err != nil {
		return nil
	}
	if v, err := inv.Via(); err == nil {
		_ = ack.PushVia(v)
	}
	if from, err := inv.From(); err == nil {
		_ = ack.SetFrom(from)
	}
	if to, err := resp.To(); err == nil {
		_ = ack.SetTo(to)
	}
	callID, _ := inv.CallID()
	_ = ack.Set("Call-ID", callID)
	if cs, err := inv.CSeq(); err == nil {
		_ = ack.SetCSeq(sip.CSeq{Seq: cs.Seq, Method: "ACK"})
	}
	for _, r := range inv.Values("Route") {
		_ = ack.Add("Route", r)
	}
	if mf := inv.Get("Max-Forwards"); mf != "" {
		_ = ack.Set("Max-Forwards", mf)
	}
	return ack
}

// Cancel builds the CANCEL of a client INVITE transaction (RFC 3261 §9.1)
// and sends it in its own client transaction once a provisional response
// has arrived (at once if one has). The returned channel yields that
// transaction, or is closed without one if the INVITE ended first.
func (l *Layer) Cancel(ctx context.Context, inv *ClientTx) (<-chan *ClientTx, error) {
	if !inv.invite {
		return nil, fmt.Errorf("transaction: CANCEL applies to INVITE, not %s", inv.req.Method())
	}
	c, err := buildCancel(inv.req)
	if err != nil {
		return nil, err
	}
	out := make(chan *ClientTx, 1)
	send := func() {
		defer close(out)
		tx, err := l.Request(ctx, c, inv.dest)
		if err == nil {
			out <- tx
		}
	}
	inv.mu.Lock()
	switch {
	case inv.state == Proceeding:
		inv.mu.Unlock()
		go send()
	case inv.state == Calling:
		inv.cancelFn = func() { go send() }
		inv.mu.Unlock()
	default:
		inv.mu.Unlock()
		close(out)
	}
	return out, nil
}

func buildCancel(inv *sip.Message) (*sip.Message, error) {
	uri, err := inv.RequestURI()
	if err != nil {
		return nil, err
	}
	c, err := sip.NewRequest("CANCEL", uri)
	if err != nil {
		return nil, err
	}
	v, err := inv.Via()
	if err != nil {
		return nil, ErrNoBranch
	}
	_ = c.PushVia(v)
	for _, h := range []string{"From", "To", "Call-ID"} {
		_ = c.Set(h, inv.Get(h))
	}
	cs, err := inv.CSeq()
	if err != nil {
		return nil, err
	}
	_ = c.SetCSeq(sip.CSeq{Seq: cs.Seq, Method: "CANCEL"})
	for _, r := range inv.Values("Route") {
		_ = c.Add("Route", r)
	}
	return c, nil
}
