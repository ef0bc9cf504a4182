package transaction

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// SIP-40 (figure 5, RFC 6026): a client INVITE started with RequestFunc
// hands the 180 and the 2xx to onResponse in order, then, when Timer M
// ends the Accepted state, calls onEnd once, after the last response.
func TestRequestFuncOrderAndEnd(t *testing.T) {
	h := newHarness(t)
	req := request(t, "INVITE", "z9hG4bKcb1")
	var mu sync.Mutex
	var got []int
	ended := make(chan error, 2)
	tx, err := h.l.RequestFunc(t.Context(), req, udp,
		func(_ *ClientTx, r *sip.Message) { mu.Lock(); got = append(got, r.StatusCode()); mu.Unlock() },
		func(tx *ClientTx) { ended <- tx.Err() })
	if err != nil {
		t.Fatal(err)
	}
	h.l.Receive(response(t, req, 180), udp)
	h.l.Receive(response(t, req, 200), udp)
	h.l.Receive(response(t, req, 200), udp) // a retransmission: to the TU while Accepted
	h.clock.Advance(32 * time.Second)       // Timer M
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("end: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("onEnd not called after Timer M")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[0] != 180 || got[1] != 200 || got[2] != 200 {
		t.Fatalf("responses %v, want [180 200 200]", got)
	}
	if _, open := <-tx.Responses(); open {
		t.Fatal("Responses carries data in callback mode")
	}
	select {
	case <-ended:
		t.Fatal("onEnd called twice")
	default:
	}
}

// A first send that fails ends the transaction with the transport error;
// onEnd comes from another goroutine, never inside RequestFunc, whose
// caller may hold locks onEnd needs.
func TestRequestFuncSendFailure(t *testing.T) {
	h := newHarness(t)
	h.tp.err = errors.New("unreachable")
	var callerLock sync.Mutex
	ended := make(chan error, 1)
	returned := make(chan struct{})
	go func() {
		callerLock.Lock()
		defer callerLock.Unlock()
		_, _ = h.l.RequestFunc(t.Context(), request(t, "OPTIONS", "z9hG4bKcb2"), udp,
			func(*ClientTx, *sip.Message) {},
			func(tx *ClientTx) {
				callerLock.Lock() // deadlocks if called inside RequestFunc
				callerLock.Unlock()
				ended <- tx.Err()
			})
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("RequestFunc did not return: onEnd ran inside it")
	}
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("no transport error reported")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("onEnd not called")
	}
	if _, err := h.l.RequestFunc(t.Context(), request(t, "OPTIONS", "z9hG4bKcb3"), udp, nil, nil); err == nil {
		t.Fatal("RequestFunc without callbacks accepted")
	}
}
