package transaction

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// Addr is a transport address (network, IP and port); see
// transport.Addr.
type Addr = transport.Addr

// Transport sends messages. For a response, dest is the source of the
// request; the transport applies RFC 3261 §18.2.2 and RFC 3581 (the
// connection the request came on, received/rport).
type Transport interface {
	Send(ctx context.Context, msg *sip.Message, dest Addr) error
}

// InlineReceiver is implemented by a Transport whose readers tolerate a
// Handler that blocks (sip/transport hands reading over to a fresh
// goroutine when a reader is held up): with it the layer calls the Handler
// in the goroutine that delivered the request, saving a goroutine switch
// per request.
type InlineReceiver interface {
	InlineReceive() bool
}

// Handler is the transaction user. HandleRequest gets every new request
// with its server transaction; an ACK that matches no transaction (the ACK
// of a 2xx, RFC 3261 §17.2.3) comes with a nil transaction, and so does an
// ACK absorbed by an Accepted INVITE server transaction (RFC 6026).
type Handler interface {
	HandleRequest(tx *ServerTx, req *sip.Message)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(tx *ServerTx, req *sip.Message)

// HandleRequest implements Handler.
func (f HandlerFunc) HandleRequest(tx *ServerTx, req *sip.Message) { f(tx, req) }

// Config configures a Layer.
type Config struct {
	Timers Timers
	// Clock is the time source; by default the real clock, whose timers
	// sit on a timing wheel with 10 ms resolution and run their callbacks
	// on the layer's worker goroutines (they stop with Close).
	Clock Clock
	// No100 turns off the automatic 100 Trying of INVITE server
	// transactions (a UAS that answers at once may not want it).
	No100 bool
	// OnStrayResponse gets responses that match no client transaction (a
	// proxy forwards 2xx retransmissions statelessly).
	OnStrayResponse func(resp *sip.Message, src Addr)
	Logger          *slog.Logger
}

// Errors.
var (
	ErrTimeout    = errors.New("transaction: timed out")
	ErrNoBranch   = errors.New("transaction: request has no Via branch")
	ErrTerminated = errors.New("transaction: terminated")
	ErrClosed     = errors.New("transaction: layer closed")
)

// Layer owns the transactions between a transport and a transaction user.
// It is safe for concurrent use.
type Layer struct {
	cfg Config
	tp  Transport
	h   Handler

	mu      sync.Mutex
	servers map[string]*ServerTx
	clients map[string]*ClientTx
	closed  bool
	wg      sync.WaitGroup

	pool   *pool
	wheel  *wheel // the default clock, nil with Config.Clock
	inline bool   // call the Handler in the delivering goroutine
}

// NewLayer validates cfg and returns a layer sending through tp and
// handing requests to h.
func NewLayer(cfg Config, tp Transport, h Handler) (*Layer, error) {
	if err := cfg.Timers.Validate(); err != nil {
		return nil, err
	}
	if tp == nil || h == nil {
		return nil, errors.New("transaction: a Transport and a Handler are required")
	}
	cfg.Timers = cfg.Timers.withDefaults()
	l := &Layer{tp: tp, h: h, servers: make(map[string]*ServerTx), clients: make(map[string]*ClientTx), pool: newPool()}
	if ir, ok := tp.(InlineReceiver); ok && ir.InlineReceive() {
		l.inline = true
	}
	if cfg.Clock == nil {
		l.wheel = newWheel(l.pool.run)
		cfg.Clock = l.wheel
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	l.cfg = cfg
	return l, nil
}

// afterFunc arms a transaction timer. On the default clock its callback
// runs on the wheel's goroutine itself: the transaction timers only move
// state, retransmit over UDP and hand anything that reaches the
// transaction user to the pool.
func (l *Layer) afterFunc(d time.Duration, f func()) Timer {
	if l.wheel != nil {
		return l.wheel.afterFunc(d, f, true)
	}
	return l.cfg.Clock.AfterFunc(d, f)
}

// Clock is the layer's time source (Config.Clock or the default real
// clock): a transaction user's own timers share its wheel and goroutines.
// Timers set on it after Close never fire.
func (l *Layer) Clock() Clock { return l.cfg.Clock }

// NewBranch returns a fresh RFC 3261 branch (z9hG4bK magic cookie).
func NewBranch() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "z9hG4bK" + hex.EncodeToString(b[:])
}

// serverKey identifies a server transaction (RFC 3261 §17.2.3): the branch,
// sent-by and method (ACK counts as INVITE), or for an RFC 2543 request
// without the magic cookie the Request-URI, From tag, Call-ID, CSeq number,
// top Via and method. (The To tag is left out of the RFC 2543 key so that
// the ACK, which carries the tag of our response, matches its INVITE.)
func serverKey(req *sip.Message) (string, error) {
	top, err := req.Via() // the top Via only (the others are not parsed)
	if err != nil {
		return "", fmt.Errorf("transaction: request without Via: %w", err)
	}
	method := req.Method()
	if method == "ACK" {
		method = "INVITE"
	}
	if b := top.Branch(); strings.HasPrefix(b, "z9hG4bK") {
		return b + "|" + strings.ToLower(top.SentBy()) + "|" + method, nil
	}
	cseq, err := req.CSeq()
	if err != nil {
		return "", err
	}
	callID, _ := req.CallID()
	var fromTag string
	if f, err := req.From(); err == nil {
		fromTag = f.Tag()
	}
	return fmt.Sprintf("2543|%s|%s|%s|%d|%s|%s", req.RequestURIString(), fromTag, callID, cseq.Seq, top.String(), method), nil
}

// clientKey identifies a client transaction (§17.1.3): branch and CSeq
// method.
func clientKey(branch, method string) string { return branch + "|" + method }

// Receive hands a message from the transport to the layer.
func (l *Layer) Receive(msg *sip.Message, src Addr) {
	if msg.IsRequest() {
		l.receiveRequest(msg, src)
		return
	}
	top, err := msg.Via()
	if err != nil {
		return
	}
	cseq, err := msg.CSeq()
	if err != nil {
		return
	}
	l.mu.Lock()
	tx := l.clients[clientKey(top.Branch(), cseq.Method)]
	l.mu.Unlock()
	if tx != nil {
		tx.receive(msg)
		return
	}
	if l.cfg.OnStrayResponse != nil {
		l.cfg.OnStrayResponse(msg, src)
	}
}

func (l *Layer) receiveRequest(req *sip.Message, src Addr) {
	key, err := serverKey(req)
	if err != nil {
		l.cfg.Logger.Debug("transaction: unmatched request", "err", err)
		return
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	// Handler calls are counted under l.mu, so that Close (which sets
	// closed under l.mu, then waits) never races an Add.
	tx := l.servers[key]
	if tx == nil && req.Method() == "ACK" {
		l.wg.Add(1)
		l.mu.Unlock()
		l.dispatch(nil, req) // the ACK of a 2xx belongs to the TU
		return
	}
	if tx != nil {
		l.wg.Add(1)
		l.mu.Unlock()
		if pass := tx.receive(req); pass {
			l.dispatch(nil, req)
		} else {
			l.wg.Done()
		}
		return
	}
	tx = newServerTx(l, key, req, src)
	l.servers[key] = tx
	l.wg.Add(1)
	l.mu.Unlock()
	tx.start()
	l.dispatch(tx, req)
}

// dispatch calls the Handler, here or on the pool; the caller has counted
// the call in l.wg.
func (l *Layer) dispatch(tx *ServerTx, req *sip.Message) {
	if l.inline {
		defer l.wg.Done()
		l.h.HandleRequest(tx, req)
		return
	}
	l.pool.run(func() {
		defer l.wg.Done()
		l.h.HandleRequest(tx, req)
	})
}

func (l *Layer) removeServer(key string, tx *ServerTx) {
	l.mu.Lock()
	if l.servers[key] == tx {
		delete(l.servers, key)
	}
	l.mu.Unlock()
}

func (l *Layer) removeClient(key string, tx *ClientTx) {
	l.mu.Lock()
	if l.clients[key] == tx {
		delete(l.clients, key)
	}
	l.mu.Unlock()
}

// FindInvite returns the INVITE server transaction a CANCEL refers to (same
// branch and sent-by, RFC 3261 §9.2), or nil.
func (l *Layer) FindInvite(cancel *sip.Message) *ServerTx {
	key, err := serverKey(cancel)
	if err != nil {
		return nil
	}
	key = strings.TrimSuffix(key, "|CANCEL") + "|INVITE"
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.servers[key]
}

// Request starts a client transaction for req, which must carry a top Via
// with a branch (NewBranch), sent to dest.
func (l *Layer) Request(ctx context.Context, req *sip.Message, dest Addr) (*ClientTx, error) {
	return l.request(ctx, req, dest, nil, nil)
}

// RequestFunc is Request with callbacks in place of the Responses
// channel: onResponse gets each response the channel would carry, in
// order and never two at once, in the goroutine that received it; onEnd is
// called once, after the last, when the transaction terminates (Err says
// why) — from the layer's goroutines when a timer or a failed first send
// ends it, so never inside RequestFunc itself. Neither may block for long:
// they run on the transport's reading goroutines.
func (l *Layer) RequestFunc(ctx context.Context, req *sip.Message, dest Addr, onResponse func(*ClientTx, *sip.Message), onEnd func(*ClientTx)) (*ClientTx, error) {
	if onResponse == nil || onEnd == nil {
		return nil, errors.New("transaction: RequestFunc needs both callbacks")
	}
	return l.request(ctx, req, dest, onResponse, onEnd)
}

func (l *Layer) request(ctx context.Context, req *sip.Message, dest Addr, onResp func(*ClientTx, *sip.Message), onEnd func(*ClientTx)) (*ClientTx, error) {
	top, err := req.Via()
	if err != nil || top.Branch() == "" {
		return nil, ErrNoBranch
	}
	cseq, err := req.CSeq()
	if err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	key := clientKey(top.Branch(), cseq.Method)
	tx := newClientTx(l, key, req, dest, onResp, onEnd)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	if l.clients[key] != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("transaction: branch %s already in use", top.Branch())
	}
	l.clients[key] = tx
	l.mu.Unlock()
	tx.start(ctx)
	return tx, nil
}

// Close terminates every transaction and waits for handler calls to end.
func (l *Layer) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	servers := make([]*ServerTx, 0, len(l.servers))
	for _, t := range l.servers {
		servers = append(servers, t)
	}
	clients := make([]*ClientTx, 0, len(l.clients))
	for _, t := range l.clients {
		clients = append(clients, t)
	}
	l.mu.Unlock()
	for _, t := range servers {
		t.terminate(ErrClosed)
	}
	for _, t := range clients {
		t.terminate(ErrClosed)
	}
	l.wg.Wait()
	if l.wheel != nil {
		l.wheel.close()
	}
	l.pool.close()
	return nil
}

// Counts returns the number of live server and client transactions.
func (l *Layer) Counts() (servers, clients int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.servers), len(l.clients)
}
