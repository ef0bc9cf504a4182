package transaction

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// udpTransport is a minimal real-socket transport for these tests: one
// UDP socket, a reader feeding a Layer, and a drop function that simulates
// loss on the way out.
type udpTransport struct {
	c    *net.UDPConn
	drop func(*sip.Message) bool
	wg   sync.WaitGroup
}

func newUDPTransport(t testing.TB) *udpTransport {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return &udpTransport{c: c}
}

func (u *udpTransport) addr() Addr {
	return Addr{Network: "udp", AddrPort: u.c.LocalAddr().(*net.UDPAddr).AddrPort()}
}

func (u *udpTransport) Send(_ context.Context, m *sip.Message, dest Addr) error {
	if u.drop != nil && u.drop(m) {
		return nil
	}
	_, err := u.c.WriteToUDPAddrPort(m.Bytes(), dest.AddrPort)
	return err
}

func (u *udpTransport) serve(l *Layer) {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		buf := make([]byte, 65535)
		for {
			n, from, err := u.c.ReadFromUDPAddrPort(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			m, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
			if err != nil {
				continue
			}
			l.Receive(m, Addr{Network: "udp", AddrPort: netip.AddrPortFrom(from.Addr().Unmap(), from.Port())})
		}
	}()
}

func (u *udpTransport) close() { u.c.Close(); u.wg.Wait() }

// Over real UDP sockets on 127.0.0.1, with the first two requests and the
// first response lost, the client's Timer E retransmissions and the
// server's retransmission answers get the OPTIONS through; the real clock
// runs with T1 shortened to 20 ms.
func TestOverUDPWithLoss(t *testing.T) {
	timers := Timers{T1: 20 * time.Millisecond, T2: 160 * time.Millisecond, T4: 200 * time.Millisecond}
	srvTP, cliTP := newUDPTransport(t), newUDPTransport(t)
	var dropReq, dropResp atomic.Int32
	dropReq.Store(2)
	dropResp.Store(1)
	cliTP.drop = func(m *sip.Message) bool { return m.IsRequest() && dropReq.Add(-1) >= 0 }
	srvTP.drop = func(m *sip.Message) bool { return !m.IsRequest() && dropResp.Add(-1) >= 0 }
	var served atomic.Int32
	srv, err := NewLayer(Config{Timers: timers}, srvTP, HandlerFunc(func(tx *ServerTx, req *sip.Message) {
		served.Add(1)
		r, _ := sip.NewResponse(req, 200, "")
		_ = tx.Respond(r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := NewLayer(Config{Timers: timers}, cliTP, HandlerFunc(func(*ServerTx, *sip.Message) {}))
	if err != nil {
		t.Fatal(err)
	}
	srvTP.serve(srv)
	cliTP.serve(cli)
	defer func() { srv.Close(); cli.Close(); srvTP.close(); cliTP.close() }()

	req := request(t, "OPTIONS", NewBranch())
	tx, err := cli.Request(context.Background(), req, srvTP.addr())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-tx.Responses():
		if r.StatusCode() != 200 {
			t.Fatal(r.StatusCode())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no response through loss")
	}
	if served.Load() != 1 {
		t.Fatalf("the TU saw %d requests; retransmissions must be absorbed", served.Load())
	}
	<-tx.Done()
}

// BenchmarkTransactionNonInvite: an OPTIONS in through a loopback UDP
// socket, a server transaction, a 200 out, read back by the client socket.
func BenchmarkTransactionNonInvite(b *testing.B) {
	srvTP := newUDPTransport(b)
	srv, err := NewLayer(Config{}, srvTP, HandlerFunc(func(tx *ServerTx, req *sip.Message) {
		r, _ := sip.NewResponse(req, 200, "")
		_ = tx.Respond(r)
	}))
	if err != nil {
		b.Fatal(err)
	}
	srvTP.serve(srv)
	defer func() { srv.Close(); srvTP.close() }()
	cli, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	to := srvTP.addr().AddrPort
	buf := make([]byte, 4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		req := []byte("OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK" +
			itoa(i) + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=f1\r\nTo: <sip:bob@example.com>\r\n" +
			"Call-ID: bench\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
		if _, err := cli.WriteToUDPAddrPort(req, to); err != nil {
			b.Fatal(err)
		}
		if _, _, err := cli.ReadFromUDPAddrPort(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func itoa(i int) string {
	var b [20]byte
	p := len(b)
	for i > 0 || p == len(b) {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b[p:])
}
