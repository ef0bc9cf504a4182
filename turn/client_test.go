package turn

import (
	"bufio"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

var lo = netip.MustParseAddr("127.0.0.1")

// fakeClock is a settable clock shared with the server.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// freeRange returns a relay port range of n ports starting at a free
// port below the traversal media range.
func freeRange(t testing.TB, n int) (uint16, uint16) {
	t.Helper()
	for try := 0; try < 100; try++ {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice(), Port: 20000 + int(time.Now().UnixNano()%10000)})
		if err != nil {
			continue
		}
		p := uint16(c.LocalAddr().(*net.UDPAddr).Port) &^ 1
		c.Close()
		if int(p)+n < traversalMediaStart {
			return p, p + uint16(n) - 1
		}
	}
	t.Fatal("no relay range")
	return 0, 0
}

type testServer struct {
	*Server
	clock  *fakeClock
	udp    netip.AddrPort
	tcp    netip.AddrPort
	events chan Event
}

// newTestServer starts a server on 127.0.0.1 with user alice/secret in
// realm "test", loopback peers allowed, and a fake clock.
func newTestServer(t testing.TB, edit func(*Config)) *testServer {
	t.Helper()
	min, max := freeRange(t, 64)
	clock := &fakeClock{}
	clock.ns.Store(time.Unix(1700000000, 0).UnixNano())
	events := make(chan Event, 64)
	cfg := Config{
		Listeners: []Listener{
			{Network: UDP, Addr: netip.AddrPortFrom(lo, 0)},
			{Network: TCP, Addr: netip.AddrPortFrom(lo, 0)},
		},
		RelayAddress: lo, RelayPortMin: min, RelayPortMax: max, MaxRelays: 64,
		Realm: "test", Credentials: StaticCredentials{"alice": "secret", "bob": "builder"},
		AllowedPeers:   []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		TCPAllocations: true,
		Now:            clock.now,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnEvent: func(e Event) {
			select {
			case events <- e:
			default:
			}
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ts := &testServer{Server: s, clock: clock, events: events}
	addrs := s.Addrs()
	ts.udp = addrPortOf(addrs[0])
	if len(addrs) > 1 {
		ts.tcp = addrPortOf(addrs[1])
	}
	return ts
}

// tclient is a minimal TURN client for tests, over UDP or TCP.
type tclient struct {
	t        testing.TB
	udp      *net.UDPConn
	tcp      net.Conn
	dgram    net.Conn // DTLS: one message per read
	br       *bufio.Reader
	server   netip.AddrPort
	user     string
	pass     string
	realm    string
	nonce    string
	mu       sync.Mutex
	inbox    chan []byte // ChannelData and indications
	resps    chan *stun.Message
	stopOnce sync.Once
}

func dialUDP(t testing.TB, server netip.AddrPort, user, pass string) *tclient {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	tc := &tclient{t: t, udp: c, server: server, user: user, pass: pass, inbox: make(chan []byte, 256), resps: make(chan *stun.Message, 16)}
	go tc.readLoop()
	t.Cleanup(func() { c.Close() })
	return tc
}

func dialTCP(t testing.TB, server netip.AddrPort, user, pass string) *tclient {
	c, err := net.Dial("tcp", server.String())
	if err != nil {
		t.Fatal(err)
	}
	tc := &tclient{t: t, tcp: c, br: bufio.NewReader(c), server: server, user: user, pass: pass,
		inbox: make(chan []byte, 256), resps: make(chan *stun.Message, 16)}
	go tc.readLoop()
	t.Cleanup(func() { c.Close() })
	return tc
}

// dialConn wraps an established stream (TLS) or DTLS connection.
func dialConn(t testing.TB, conn net.Conn, datagram bool, user, pass string) *tclient {
	tc := &tclient{t: t, user: user, pass: pass, inbox: make(chan []byte, 256), resps: make(chan *stun.Message, 16)}
	if datagram {
		tc.dgram = conn
	} else {
		tc.tcp, tc.br = conn, bufio.NewReader(conn)
	}
	go tc.readLoop()
	t.Cleanup(func() { conn.Close() })
	return tc
}

func (c *tclient) local() netip.AddrPort {
	if c.udp != nil {
		return c.udp.LocalAddr().(*net.UDPAddr).AddrPort()
	}
	if c.dgram != nil {
		return addrPortOf(c.dgram.LocalAddr())
	}
	return addrPortOf(c.tcp.LocalAddr())
}

func (c *tclient) readLoop() {
	buf := make([]byte, 4096)
	for {
		var frame []byte
		if c.dgram != nil {
			n, err := c.dgram.Read(buf)
			if err != nil {
				return
			}
			frame = append([]byte(nil), buf[:n]...)
		} else if c.udp != nil {
			n, _, err := c.udp.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			frame = append([]byte(nil), buf[:n]...)
		} else {
			hdr, err := c.br.Peek(4)
			if err != nil {
				return
			}
			total := headerLen + int(binary.BigEndian.Uint16(hdr[2:]))
			if isChannelData(hdr) {
				total = 4 + pad4(int(binary.BigEndian.Uint16(hdr[2:])))
			}
			frame = make([]byte, total)
			if _, err := io.ReadFull(c.br, frame); err != nil {
				return
			}
		}
		if isSTUN(frame) {
			m := &stun.Message{Raw: frame}
			if m.Decode() == nil && (m.Type.Class == stun.ClassSuccessResponse || m.Type.Class == stun.ClassErrorResponse) {
				c.resps <- m
				continue
			}
		}
		c.inbox <- frame
	}
}

func (c *tclient) write(b []byte) {
	c.t.Helper()
	var err error
	if c.dgram != nil {
		_, err = c.dgram.Write(b)
	} else if c.udp != nil {
		_, err = c.udp.WriteToUDPAddrPort(b, c.server)
	} else {
		_, err = c.tcp.Write(b)
	}
	if err != nil {
		c.t.Fatal(err)
	}
}

// raw sends a request built from setters (no auth) and returns the
// response.
func (c *tclient) raw(setters ...stun.Setter) *stun.Message {
	c.t.Helper()
	m, err := stun.Build(append([]stun.Setter{stun.TransactionID}, setters...)...)
	if err != nil {
		c.t.Fatal(err)
	}
	c.write(m.Raw)
	return c.wait(m.TransactionID)
}

func (c *tclient) wait(txid [12]byte) *stun.Message {
	c.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case r := <-c.resps:
			if r.TransactionID == txid {
				return r
			}
		case <-timeout:
			c.t.Fatal("no response")
			return nil
		}
	}
}

// do sends an authenticated request, answering a 401/438 challenge once.
func (c *tclient) do(method stun.Method, setters ...stun.Setter) *stun.Message {
	c.t.Helper()
	for attempt := 0; attempt < 3; attempt++ {
		all := []stun.Setter{stun.TransactionID, stun.NewType(method, stun.ClassRequest)}
		all = append(all, setters...)
		if c.nonce != "" {
			all = append(all, stun.NewUsername(c.user), stun.NewRealm(c.realm), stun.NewNonce(c.nonce),
				stun.NewLongTermIntegrity(c.user, c.realm, c.pass))
		}
		all = append(all, stun.Fingerprint)
		m, err := stun.Build(all...)
		if err != nil {
			c.t.Fatal(err)
		}
		c.write(m.Raw)
		r := c.wait(m.TransactionID)
		if code := errCode(r); code == 401 || code == 438 {
			var realm stun.Realm
			var nonce stun.Nonce
			if realm.GetFrom(r) == nil && nonce.GetFrom(r) == nil && (c.nonce == "" || code == 438) {
				c.realm, c.nonce = string(realm), string(nonce)
				continue
			}
		}
		return r
	}
	c.t.Fatal("challenge loop")
	return nil
}

func errCode(m *stun.Message) int {
	var ec stun.ErrorCodeAttribute
	if m.Type.Class != stun.ClassErrorResponse || ec.GetFrom(m) != nil {
		return 0
	}
	return int(ec.Code)
}

func transport(p byte) stun.Setter { return rawAttr{attrReqTransport, []byte{p, 0, 0, 0}} }

func (c *tclient) allocate(extra ...stun.Setter) (*stun.Message, netip.AddrPort) {
	c.t.Helper()
	r := c.do(stun.MethodAllocate, append([]stun.Setter{transport(protoUDPNumber)}, extra...)...)
	if errCode(r) != 0 {
		return r, netip.AddrPort{}
	}
	v, _ := attr(r, stun.AttrXORRelayedAddress)
	a, _ := xorAddr(v, r.TransactionID[:])
	return r, a
}

func peerAttr(p netip.AddrPort) stun.Setter { return addrAttr(attrXORPeerAddress, p) }

func chanAttr(n uint16) stun.Setter {
	return rawAttr{attrChannelNumber, []byte{byte(n >> 8), byte(n), 0, 0}}
}

func (c *tclient) next(t testing.TB) []byte {
	t.Helper()
	select {
	case b := <-c.inbox:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("nothing relayed to the client")
		return nil
	}
}

// peer is a UDP socket standing for a TURN peer.
type peer struct {
	t testing.TB
	c *net.UDPConn
}

func newPeer(t testing.TB) *peer { return newPeerAt(t, lo) }

func newPeerAt(t testing.TB, a netip.Addr) *peer {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: a.AsSlice()})
	if err != nil {
		t.Skip("cannot bind a peer on " + a.String() + ": " + err.Error())
	}
	t.Cleanup(func() { c.Close() })
	return &peer{t, c}
}

func (p *peer) addr() netip.AddrPort { return p.c.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *peer) recv() ([]byte, netip.AddrPort) {
	p.t.Helper()
	buf := make([]byte, 4096)
	p.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := p.c.ReadFromUDPAddrPort(buf)
	if err != nil {
		p.t.Fatal(err)
	}
	return buf[:n], from
}

func newPeerErr(a netip.Addr) (*net.UDPConn, error) {
	return net.ListenUDP("udp", &net.UDPAddr{IP: a.AsSlice()})
}

func netipAddrPort(a netip.Addr, p uint16) netip.AddrPort { return netip.AddrPortFrom(a, p) }
