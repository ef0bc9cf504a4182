package transport_test

import (
	"bufio"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
)

// blockingServer answers 200 at once, except a request whose Call-ID is
// "block": that one waits for release, as a handler asking a slow policy
// service would.
func blockingServer(t *testing.T) (*server, func()) {
	release := make(chan struct{})
	var once sync.Once
	s := newServer(t, nil, transaction.HandlerFunc(func(tx *transaction.ServerTx, req *sip.Message) {
		if tx == nil {
			return
		}
		if id, _ := req.CallID(); id == "block" {
			<-release
		}
		r, _ := sip.NewResponse(req, 200, "")
		_ = tx.Respond(r)
	}))
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the server's cleanup
	return s, free
}

func withCallID(req, id string) string {
	m, _ := sip.ParseMessage([]byte(req))
	_ = m.Set("Call-ID", id)
	return string(m.Bytes())
}

// SIP-30: the transaction layer runs handlers in the transport's reading
// goroutine; a handler that blocks does not hold up the requests behind
// it on UDP: another goroutine takes over reading.
func TestUDPBlockedHandlerDoesNotStopReading(t *testing.T) {
	s, release := blockingServer(t)
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := s.tp.LocalAddr("udp")
	c.WriteToUDPAddrPort([]byte(withCallID(options("z9hG4bKblock", "SIP/2.0/UDP 127.0.0.1:5060"), "block")), to)
	c.WriteToUDPAddrPort([]byte(withCallID(options("z9hG4bKfree", "SIP/2.0/UDP 127.0.0.1:5060"), "free")), to)
	buf := make([]byte, 4096)
	read := func() string {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		m, err := sip.ParseMessage(buf[:n])
		if err != nil {
			t.Fatal(err)
		}
		id, _ := m.CallID()
		return id
	}
	if id := read(); id != "free" {
		t.Fatalf("first answer for %q, want the unblocked request's", id)
	}
	release()
	if id := read(); id != "block" {
		t.Fatalf("second answer for %q", id)
	}
}

// The same on one TCP connection: the reading continues at the next
// message boundary in another goroutine, and the blocked request is
// answered on the connection once its handler returns.
func TestTCPBlockedHandlerDoesNotStopReading(t *testing.T) {
	s, release := blockingServer(t)
	c, err := net.Dial("tcp", s.tp.LocalAddr("tcp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(withCallID(options("z9hG4bKblock", "SIP/2.0/TCP 127.0.0.1:5060"), "block")))
	c.Write([]byte(withCallID(options("z9hG4bKfree", "SIP/2.0/TCP 127.0.0.1:5060"), "free")))
	r := sip.NewReader(bufio.NewReader(c))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if id, _ := readResponse(t, r).CallID(); id != "free" {
		t.Fatalf("first answer for %q, want the unblocked request's", id)
	}
	release()
	if id, _ := readResponse(t, r).CallID(); id != "block" {
		t.Fatalf("second answer for %q", id)
	}
	c.Write([]byte(withCallID(options("z9hG4bKafter", "SIP/2.0/TCP 127.0.0.1:5060"), "after")))
	if id, _ := readResponse(t, r).CallID(); id != "after" {
		t.Fatalf("answer for %q after the handover", id)
	}
}
