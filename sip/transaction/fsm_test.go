package transaction

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// fakeTransport records what the layer sends.
type fakeTransport struct {
	mu   sync.Mutex
	sent []*sip.Message
	err  error
}

func (f *fakeTransport) Send(_ context.Context, m *sip.Message, _ Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeTransport) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

func (f *fakeTransport) last() *sip.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) == 0 {
		return nil
	}
	return f.sent[len(f.sent)-1]
}

var (
	udp = Addr{Network: "udp", AddrPort: netip.MustParseAddrPort("192.0.2.9:5060")}
	tcp = Addr{Network: "tcp", AddrPort: netip.MustParseAddrPort("192.0.2.9:5060")}
)

type harness struct {
	l     *Layer
	tp    *fakeTransport
	clock *ManualClock
	txs   chan *ServerTx
	reqs  chan *sip.Message // requests passed to the TU with a nil tx (ACK of 2xx)
}

func newHarness(t *testing.T) *harness {
	h := &harness{tp: &fakeTransport{}, clock: NewManualClock(time.Unix(0, 0)), txs: make(chan *ServerTx, 8),
		reqs: make(chan *sip.Message, 8)}
	l, err := NewLayer(Config{Clock: h.clock}, h.tp, HandlerFunc(func(tx *ServerTx, req *sip.Message) {
		if tx == nil {
			h.reqs <- req
			return
		}
		h.txs <- tx
	}))
	if err != nil {
		t.Fatal(err)
	}
	h.l = l
	t.Cleanup(func() { l.Close() })
	return h
}

func msg(t *testing.T, s string) *sip.Message {
	t.Helper()
	m, err := sip.ParseMessage([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func request(t *testing.T, method, branch string) *sip.Message {
	return msg(t, method+` sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=`+branch+`
Max-Forwards: 70
From: <sip:alice@example.com>;tag=f1
To: <sip:bob@example.com>
Call-ID: call-1
CSeq: 1 `+method+`
Route: <sip:proxy.example.com;lr>
Content-Length: 0

`)
}

func response(t *testing.T, req *sip.Message, code int) *sip.Message {
	r, err := sip.NewResponse(req, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if code > 100 {
		_ = r.SetToTag("t9")
	}
	return r
}

func wantState(t *testing.T, got, want State) {
	t.Helper()
	if got != want {
		t.Fatalf("state %v, want %v", got, want)
	}
}

// Figure 5 (client INVITE) over UDP: Timer A retransmits at 0.5, 1.5,
// 3.5, 7.5, 15.5 and 31.5 s; Timer B ends it at 32 s with ErrTimeout.
func TestClientInviteTimersAB(t *testing.T) {
	h := newHarness(t)
	tx, err := h.l.Request(context.Background(), request(t, "INVITE", "z9hG4bKa"), udp)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, tx.State(), Calling)
	h.clock.Advance(31*time.Second + 600*time.Millisecond)
	if n := h.tp.count(); n != 7 {
		t.Fatalf("Timer A: %d sends, want 7", n)
	}
	h.clock.Advance(400 * time.Millisecond)
	<-tx.Done()
	if tx.Err() != ErrTimeout {
		t.Fatalf("Timer B: %v", tx.Err())
	}
}

// Figure 5: 1xx stops Timer A and B (Proceeding); a non-2xx final gets an
// ACK from the transaction, resent for each retransmitted final, and Timer
// D ends Completed.
func TestClientInviteNon2xx(t *testing.T) {
	h := newHarness(t)
	inv := request(t, "INVITE", "z9hG4bKb")
	tx, _ := h.l.Request(context.Background(), inv, udp)
	h.l.Receive(response(t, inv, 180), udp)
	wantState(t, tx.State(), Proceeding)
	h.clock.Advance(time.Minute)
	if h.tp.count() != 1 {
		t.Fatal("no retransmission in Proceeding")
	}
	wantState(t, tx.State(), Proceeding)
	busy := response(t, inv, 486)
	h.l.Receive(busy, udp)
	wantState(t, tx.State(), Completed)
	ack := h.tp.last()
	cs, _ := ack.CSeq()
	to, _ := ack.To()
	vias, _ := ack.Vias()
	if ack.Method() != "ACK" || cs.Method != "ACK" || cs.Seq != 1 || to.Tag() != "t9" || len(vias) != 1 ||
		vias[0].Branch() != "z9hG4bKb" || ack.Get("Route") != "<sip:proxy.example.com;lr>" {
		t.Fatalf("ACK:\n%s", ack)
	}
	h.l.Receive(busy, udp)
	if h.tp.count() != 3 {
		t.Fatal("a retransmitted final must get the ACK again")
	}
	if r := <-tx.Responses(); r.StatusCode() != 180 {
		t.Fatal(r.StatusCode())
	}
	if r := <-tx.Responses(); r.StatusCode() != 486 {
		t.Fatal(r.StatusCode())
	}
	h.clock.Advance(32 * time.Second)
	<-tx.Done()
	if tx.Err() != nil {
		t.Fatal(tx.Err())
	}
}

// RFC 6026: a 2xx moves the client INVITE to Accepted; retransmitted 2xx
// go to the TU; Timer M ends it. Over TCP there are no retransmissions and
// a non-2xx ends it at once after the ACK.
func TestClientInviteAcceptedAndTCP(t *testing.T) {
	h := newHarness(t)
	inv := request(t, "INVITE", "z9hG4bKc")
	tx, _ := h.l.Request(context.Background(), inv, udp)
	ok := response(t, inv, 200)
	h.l.Receive(ok, udp)
	wantState(t, tx.State(), Accepted)
	h.l.Receive(ok, udp)
	<-tx.Responses()
	<-tx.Responses()
	h.clock.Advance(32 * time.Second)
	<-tx.Done()

	inv2 := request(t, "INVITE", "z9hG4bKd")
	tx2, _ := h.l.Request(context.Background(), inv2, tcp)
	h.clock.Advance(10 * time.Second)
	if h.tp.count() != 2 {
		t.Fatalf("TCP: %d sends (no retransmissions)", h.tp.count())
	}
	h.l.Receive(response(t, inv2, 503), tcp)
	<-tx2.Done()
	if h.tp.last().Method() != "ACK" {
		t.Fatal("ACK over TCP")
	}
}

// Figure 6 (client non-INVITE): Timer E doubles to T2 (0.5, 1.5, 3.5, 7.5,
// 11.5, 15.5 ...), stays at T2 in Proceeding; Timer F times out at 32 s;
// a final moves to Completed and Timer K (T4) ends it.
func TestClientNonInvite(t *testing.T) {
	h := newHarness(t)
	tx, _ := h.l.Request(context.Background(), request(t, "OPTIONS", "z9hG4bKe"), udp)
	h.clock.Advance(11*time.Second + 600*time.Millisecond)
	if n := h.tp.count(); n != 6 {
		t.Fatalf("Timer E: %d sends, want 6", n)
	}
	h.clock.Advance(20 * time.Second)
	h.clock.Advance(400 * time.Millisecond)
	<-tx.Done()
	if tx.Err() != ErrTimeout {
		t.Fatal("Timer F", tx.Err())
	}

	req := request(t, "OPTIONS", "z9hG4bKf")
	tx, _ = h.l.Request(context.Background(), req, udp)
	before := h.tp.count()
	h.l.Receive(response(t, req, 100), udp)
	wantState(t, tx.State(), Proceeding)
	h.clock.Advance(4 * time.Second) // the pending E (0.5 s) fires, then every T2
	h.clock.Advance(4 * time.Second)
	if n := h.tp.count() - before; n != 2 {
		t.Fatalf("Proceeding retransmits every T2: %d", n)
	}
	h.l.Receive(response(t, req, 200), udp)
	wantState(t, tx.State(), Completed)
	h.clock.Advance(5 * time.Second)
	<-tx.Done()
	if tx.Err() != nil {
		t.Fatal(tx.Err())
	}
}

// Figure 7 (server INVITE): 100 Trying at once; a retransmitted INVITE
// gets the last provisional; a non-2xx final is retransmitted by Timer G
// until the ACK (Confirmed), and Timer I ends it; without the ACK Timer H
// ends it with ErrTimeout.
func TestServerInvite(t *testing.T) {
	h := newHarness(t)
	inv := request(t, "INVITE", "z9hG4bKg")
	h.l.Receive(inv, udp)
	tx := <-h.txs
	wantState(t, tx.State(), Proceeding)
	if h.tp.last().StatusCode() != 100 {
		t.Fatal("100 Trying")
	}
	h.l.Receive(inv, udp)
	if h.tp.count() != 2 || h.tp.last().StatusCode() != 100 {
		t.Fatal("retransmitted INVITE gets the provisional again")
	}
	if err := tx.Respond(response(t, inv, 486)); err != nil {
		t.Fatal(err)
	}
	wantState(t, tx.State(), Completed)
	h.clock.Advance(500 * time.Millisecond) // G: 0.5
	h.clock.Advance(1 * time.Second)        // G: 1.0 later
	if n := h.tp.count(); n != 5 {
		t.Fatalf("Timer G: %d sends, want 5", n)
	}
	acked := make(chan struct{})
	tx.OnAck(func(*sip.Message) { close(acked) })
	ack := buildACK(inv, response(t, inv, 486))
	h.l.Receive(ack, udp)
	<-acked
	wantState(t, tx.State(), Confirmed)
	h.clock.Advance(5 * time.Second) // Timer I
	<-tx.Done()

	inv2 := request(t, "INVITE", "z9hG4bKh")
	h.l.Receive(inv2, udp)
	tx2 := <-h.txs
	_ = tx2.Respond(response(t, inv2, 404))
	h.clock.Advance(32 * time.Second) // Timer H
	<-tx2.Done()
	if tx2.Err() != ErrTimeout {
		t.Fatal("Timer H", tx2.Err())
	}
}

// RFC 6026: a 2xx puts the server INVITE in Accepted: retransmitted
// INVITEs are absorbed, the ACK goes to the TU, Timer L ends it.
func TestServerInviteAccepted(t *testing.T) {
	h := newHarness(t)
	inv := request(t, "INVITE", "z9hG4bKi")
	h.l.Receive(inv, udp)
	tx := <-h.txs
	_ = tx.Respond(response(t, inv, 200))
	wantState(t, tx.State(), Accepted)
	n := h.tp.count()
	h.l.Receive(inv, udp)
	if h.tp.count() != n {
		t.Fatal("INVITE retransmission absorbed in Accepted")
	}
	ack, err := sip.ParseMessage([]byte(strings.Replace(strings.Replace(string(inv.Bytes()), "INVITE sip:", "ACK sip:", 1), "CSeq: 1 INVITE", "CSeq: 1 ACK", 1)))
	if err != nil {
		t.Fatal(err)
	}
	h.l.Receive(ack, udp)
	if r := <-h.reqs; r.Method() != "ACK" {
		t.Fatal(r)
	}
	if err := tx.Respond(response(t, inv, 486)); err == nil {
		t.Fatal("a non-2xx after a 2xx must be refused")
	}
	h.clock.Advance(32 * time.Second)
	<-tx.Done()
}

// Figure 8 (server non-INVITE): retransmissions absorbed in Trying,
// answered with the last response in Proceeding and Completed; Timer J
// ends it (at once over TCP).
func TestServerNonInvite(t *testing.T) {
	h := newHarness(t)
	req := request(t, "REGISTER", "z9hG4bKj")
	h.l.Receive(req, udp)
	tx := <-h.txs
	wantState(t, tx.State(), Trying)
	h.l.Receive(req, udp)
	if h.tp.count() != 0 {
		t.Fatal("absorbed in Trying")
	}
	_ = tx.Respond(response(t, req, 183))
	h.l.Receive(req, udp)
	if h.tp.count() != 2 {
		t.Fatal("Proceeding resends the provisional")
	}
	_ = tx.Respond(response(t, req, 200))
	h.l.Receive(req, udp)
	if h.tp.count() != 4 || h.tp.last().StatusCode() != 200 {
		t.Fatal("Completed resends the final")
	}
	h.clock.Advance(32 * time.Second) // Timer J
	<-tx.Done()

	req2 := request(t, "REGISTER", "z9hG4bKk")
	h.l.Receive(req2, tcp)
	tx2 := <-h.txs
	_ = tx2.Respond(response(t, req2, 200))
	<-tx2.Done() // J = 0 on TCP
}

// RFC 2543 fallback matching, CANCEL matching, stray responses, transport
// errors reported to the TU.
func TestMatchingAndErrors(t *testing.T) {
	h := newHarness(t)
	old := request(t, "INVITE", "1234")
	h.l.Receive(old, udp)
	tx := <-h.txs
	_ = tx.Respond(response(t, old, 486))
	ack := buildACK(old, response(t, old, 486))
	acked := make(chan struct{})
	tx.OnAck(func(*sip.Message) { close(acked) })
	h.l.Receive(ack, udp)
	<-acked // matched without a magic cookie, To tag ignored

	inv := request(t, "INVITE", "z9hG4bKl")
	h.l.Receive(inv, udp)
	itx := <-h.txs
	cancel, _ := buildCancel(inv)
	if got := h.l.FindInvite(cancel); got != itx {
		t.Fatal("CANCEL must find its INVITE")
	}

	stray := make(chan int, 1)
	h2 := newHarness(t)
	h2.l.cfg.OnStrayResponse = func(r *sip.Message, _ Addr) { stray <- r.StatusCode() }
	h2.l.Receive(response(t, request(t, "INVITE", "z9hG4bKzz"), 200), udp)
	if <-stray != 200 {
		t.Fatal("stray")
	}

	h3 := newHarness(t)
	h3.tp.err = context.DeadlineExceeded
	tx3, _ := h3.l.Request(context.Background(), request(t, "OPTIONS", "z9hG4bKm"), udp)
	<-tx3.Done()
	if tx3.Err() == nil {
		t.Fatal("transport error must reach the TU")
	}
}

// Layer.Cancel sends the CANCEL only after a provisional (RFC 3261 §9.1).
func TestCancelWaitsForProvisional(t *testing.T) {
	h := newHarness(t)
	inv := request(t, "INVITE", "z9hG4bKn")
	tx, _ := h.l.Request(context.Background(), inv, udp)
	ch, err := h.l.Cancel(context.Background(), tx)
	if err != nil {
		t.Fatal(err)
	}
	if h.tp.count() != 1 {
		t.Fatal("CANCEL sent before a provisional")
	}
	h.l.Receive(response(t, inv, 180), udp)
	ctx := <-ch
	if ctx.Request().Method() != "CANCEL" {
		t.Fatal(ctx.Request())
	}
	vias, _ := ctx.Request().Vias()
	if vias[0].Branch() != "z9hG4bKn" {
		t.Fatal("CANCEL keeps the INVITE's branch")
	}
}

func TestTimersValidate(t *testing.T) {
	if err := (Timers{T1: time.Second, T2: time.Millisecond, D: time.Second}).Validate(); err == nil ||
		!strings.Contains(err.Error(), "T2") || !strings.Contains(err.Error(), "timer D") {
		t.Fatal(err)
	}
	d := Timers{}.withDefaults()
	if d.B != 32*time.Second || d.K != 5*time.Second || d.G != 500*time.Millisecond || d.L != 32*time.Second {
		t.Fatalf("%+v", d)
	}
}
