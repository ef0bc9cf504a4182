package transaction

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// State is a transaction state (RFC 3261 §17 figures 5–8, RFC 6026).
type State uint8

// States.
const (
	Calling State = iota
	Trying
	Proceeding
	Accepted
	Completed
	Confirmed
	Terminated
)

func (s State) String() string {
	return [...]string{"Calling", "Trying", "Proceeding", "Accepted", "Completed", "Confirmed", "Terminated"}[s]
}

// ServerTx is a server transaction: the transaction user answers the
// request with Respond.
type ServerTx struct {
	l      *Layer
	key    string
	req    *sip.Message
	src    Addr
	invite bool

	mu        sync.Mutex
	state     State
	last      *sip.Message // last response sent
	interval  time.Duration
	timers    []Timer
	err       error
	done      chan struct{}
	cancelled bool
	onAck     func(*sip.Message)
}

func newServerTx(l *Layer, key string, req *sip.Message, src Addr) *ServerTx {
	tx := &ServerTx{l: l, key: key, req: req, src: src, invite: req.Method() == "INVITE", done: make(chan struct{})}
	if tx.invite {
		tx.state = Proceeding
	} else {
		tx.state = Trying
	}
	return tx
}

// start sends the automatic 100 Trying of an INVITE (RFC 3261 §17.2.1).
func (tx *ServerTx) start() {
	if tx.invite && !tx.l.cfg.No100 {
		if r, err := sip.NewResponse(tx.req, 100, ""); err == nil {
			tx.mu.Lock()
			tx.last = r
			tx.mu.Unlock()
			tx.send(r)
		}
	}
}

// Request is the request the transaction serves.
func (tx *ServerTx) Request() *sip.Message { return tx.req }

// Source is where the request came from.
func (tx *ServerTx) Source() Addr { return tx.src }

// State returns the current state.
func (tx *ServerTx) State() State {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.state
}

// Done is closed when the transaction terminates.
func (tx *ServerTx) Done() <-chan struct{} { return tx.done }

// Err is why the transaction terminated: nil for a normal end, ErrTimeout
// when Timer H fired without an ACK, or the transport error.
func (tx *ServerTx) Err() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.err
}

// OnAck sets a function that gets the ACK of a non-2xx final response.
func (tx *ServerTx) OnAck(f func(*sip.Message)) {
	tx.mu.Lock()
	tx.onAck = f
	tx.mu.Unlock()
}

// Cancelled reports whether a CANCEL for this INVITE was received (the
// transaction user answers 487).
func (tx *ServerTx) Cancelled() bool {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.cancelled
}

// MarkCancelled records a CANCEL for this INVITE; the TU then sends 487.
func (tx *ServerTx) MarkCancelled() {
	tx.mu.Lock()
	tx.cancelled = true
	tx.mu.Unlock()
}

// ErrState: the response is not allowed in the transaction's state.
var ErrState = errors.New("transaction: response not allowed in this state")

// Respond sends a response through the transaction (figures 7 and 8).
func (tx *ServerTx) Respond(resp *sip.Message) error {
	code := resp.StatusCode()
	t := tx.l.cfg.Timers
	reliable := tx.src.Reliable()
	tx.mu.Lock()
	switch st := tx.state; {
	case st == Terminated || st == Completed || st == Confirmed,
		st == Accepted && !(code >= 200 && code < 300):
		tx.mu.Unlock()
		return fmt.Errorf("%w: %d in %v", ErrState, code, st)
	}
	tx.last = resp
	switch {
	case code < 200:
		if !tx.invite {
			tx.state = Proceeding
		}
	case tx.invite && code < 300: // RFC 6026: Accepted, Timer L
		if tx.state != Accepted {
			tx.state = Accepted
			tx.after(t.L, tx.timerL)
		}
	case tx.invite: // 300-699: Completed, Timers G and H
		tx.state = Completed
		if !reliable {
			tx.interval = t.G
			tx.after(t.G, tx.timerG)
		}
		tx.after(t.H, tx.timerH)
	default: // non-INVITE final: Completed, Timer J
		tx.state = Completed
		if reliable {
			tx.mu.Unlock()
			err := tx.send(resp)
			tx.terminate(err)
			return err
		}
		tx.after(t.J, tx.timerJ)
	}
	tx.mu.Unlock()
	return tx.send(resp)
}

// after starts a timer; the caller holds tx.mu.
func (tx *ServerTx) after(d time.Duration, f func()) {
	tx.timers = append(tx.timers, tx.l.afterFunc(d, f))
}

func (tx *ServerTx) send(m *sip.Message) error {
	if err := tx.l.tp.Send(context.Background(), m, tx.src); err != nil {
		tx.terminate(fmt.Errorf("transaction: transport: %w", err))
		return err
	}
	return nil
}

// receive handles a retransmission or ACK matched to this transaction. It
// reports whether the message also goes to the TU (an ACK absorbed in the
// Accepted state, RFC 6026).
func (tx *ServerTx) receive(m *sip.Message) (toTU bool) {
	tx.mu.Lock()
	if m.Method() == "ACK" {
		switch tx.state {
		case Completed:
			tx.state = Confirmed
			for _, t := range tx.timers {
				t.Stop()
			}
			tx.timers = nil
			onAck := tx.onAck
			if tx.src.Reliable() {
				tx.mu.Unlock()
				tx.terminate(nil)
			} else {
				tx.after(tx.l.cfg.Timers.I, tx.timerI)
				tx.mu.Unlock()
			}
			if onAck != nil {
				onAck(m)
			}
			return false
		case Accepted:
			tx.mu.Unlock()
			return true
		}
		tx.mu.Unlock()
		return false
	}
	// A retransmitted request: resend the last response (Proceeding,
	// Completed); absorbed in Trying and Accepted.
	last := tx.last
	st := tx.state
	tx.mu.Unlock()
	if last != nil && (st == Proceeding || st == Completed) {
		tx.send(last)
	}
	return false
}

func (tx *ServerTx) timerG() {
	tx.mu.Lock()
	if tx.state != Completed {
		tx.mu.Unlock()
		return
	}
	tx.interval = min(2*tx.interval, tx.l.cfg.Timers.T2)
	tx.after(tx.interval, tx.timerG)
	last := tx.last
	tx.mu.Unlock()
	tx.send(last)
}

func (tx *ServerTx) timerH() {
	tx.mu.Lock()
	st := tx.state
	tx.mu.Unlock()
	if st == Completed {
		tx.terminate(ErrTimeout) // no ACK: the TU is told
	}
}

func (tx *ServerTx) timerI() { tx.terminate(nil) }

func (tx *ServerTx) timerJ() { tx.terminate(nil) }

func (tx *ServerTx) timerL() { tx.terminate(nil) }

// terminate ends the transaction once.
func (tx *ServerTx) terminate(err error) {
	tx.mu.Lock()
	if tx.state == Terminated {
		tx.mu.Unlock()
		return
	}
	tx.state = Terminated
	tx.err = err
	for _, t := range tx.timers {
		t.Stop()
	}
	tx.timers = nil
	tx.mu.Unlock()
	close(tx.done)
	tx.l.removeServer(tx.key, tx)
}
