package demux

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// freeBase finds an even port with n consecutive free UDP ports on
// 127.0.0.1 (the shared pairs of a test Mux).
func freeBase(t testing.TB, n int) uint16 {
	t.Helper()
	for try := 0; try < 200; try++ {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		base := uint16(c.LocalAddr().(*net.UDPAddr).Port) &^ 1
		c.Close()
		if base < 1024 || int(base)+n > 65533 {
			continue
		}
		var held []*net.UDPConn
		ok := true
		for p := 0; p < n && ok; p++ {
			c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(base) + p})
			if err != nil {
				ok = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

func newTestMux(t testing.TB, size Size, cfg MuxConfig) *Mux {
	t.Helper()
	n := 2
	if size == Large {
		n = 12
	}
	base := freeBase(t, n)
	cfg.Range = RangeConfig{Start: base, End: base + 999, Size: size}
	if cfg.Addrs == nil {
		cfg.Addrs = []netip.Addr{loopback}
	}
	m, err := NewMux(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// endpoint is a simulated media endpoint: one UDP socket.
type endpoint struct {
	t *testing.T
	c *net.UDPConn
}

func newEndpoint(t *testing.T) *endpoint {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &endpoint{t, c}
}

func (e *endpoint) addr() netip.AddrPort { return e.c.LocalAddr().(*net.UDPAddr).AddrPort() }

func (e *endpoint) send(to netip.AddrPort, b []byte) {
	e.t.Helper()
	if _, err := e.c.WriteToUDPAddrPort(b, to); err != nil {
		e.t.Fatal(err)
	}
}

func (e *endpoint) recv() ([]byte, netip.AddrPort) {
	e.t.Helper()
	buf := make([]byte, 2048)
	e.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := e.c.ReadFromUDPAddrPort(buf)
	if err != nil {
		e.t.Fatal(err)
	}
	return buf[:n], from
}

func rtpPacket(seq uint16, ssrc uint32, payload int) []byte {
	b := make([]byte, 12+payload)
	b[0], b[1] = 0x80, 96
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[8:], ssrc)
	for i := 12; i < len(b); i++ {
		b[i] = byte(i)
	}
	return b
}

func withID(id uint32, b []byte) []byte {
	out := make([]byte, 4+len(b))
	binary.BigEndian.PutUint32(out, id)
	copy(out[4:], b)
	return out
}

func rtcpSR() []byte {
	b := make([]byte, 28)
	b[0], b[1], b[3] = 0x80, 200, 6
	binary.BigEndian.PutUint32(b[4:], 0x1234)
	return b
}

type got struct {
	data []byte
	rtcp bool
	from netip.AddrPort
}

func chanSink(ch chan got) Sink {
	return func(p *Packet) {
		ch <- got{append([]byte(nil), p.Bytes()...), p.RTCP, p.From}
	}
}

func shared(m *Mux, rtcp bool) netip.AddrPort {
	p := m.Pairs()[0]
	if rtcp {
		return netip.AddrPortFrom(loopback, p.RTCP)
	}
	return netip.AddrPortFrom(loopback, p.RTP)
}

// D-17, D-18, D-19, D-21: framing, class by port, invalid IDs, short
// datagrams (DMX-16, DMX-17, DMX-19, DMX-21). The drops are observed by a
// marker packet sent after them on the same socket, which the single
// reader delivers only after it has handled the earlier ones.
func TestSharedPortFraming(t *testing.T) {
	m := newTestMux(t, Medium, MuxConfig{})
	ch := make(chan got, 16)
	if _, err := m.Register(StreamSpec{CallID: "c1", RecvID: 42, SendID: 7, Sink: chanSink(ch)}); err != nil {
		t.Fatal(err)
	}
	ep := newEndpoint(t)
	rtp := rtpPacket(1, 0xabc, 8) // 20-byte RTP
	ep.send(shared(m, false), withID(42, rtp))
	g := <-ch
	if g.rtcp || string(g.data) != string(rtp) {
		t.Fatalf("D-17 %+v", g)
	}
	ep.send(shared(m, true), withID(42, rtp))                     // D-18 RTP bytes on the RTCP port
	ep.send(shared(m, false), withID(0, rtp))                     // D-19
	ep.send(shared(m, false), make([]byte, 10))                   // D-21
	ep.send(shared(m, false), withID(99, rtp))                    // unknown ID
	ep.send(shared(m, true), withID(42, rtcpSR()))                // D-18 SR on the RTCP port: delivered
	ep.send(shared(m, false), withID(42, rtpPacket(2, 0xabc, 8))) // marker
	first, second := <-ch, <-ch
	if !((first.rtcp && !second.rtcp) || (!first.rtcp && second.rtcp)) {
		t.Fatalf("want one RTCP and one RTP: %+v %+v", first, second)
	}
	d := m.Drops()
	if d[DropClassMismatch] != 1 || d[DropBadID] != 1 || d[DropTooShort] != 1 || d[DropUnknownID] != 1 {
		t.Fatalf("drops %v", d)
	}
}

// D-20, D-23: keep-alives latch and are absorbed; return media leaves the
// shared port with the peer's ID, to the latched address (DMX-18, DMX-19).
func TestKeepAliveLatchAndReturn(t *testing.T) {
	latched := make(chan netip.AddrPort, 1)
	m := newTestMux(t, Medium, MuxConfig{OnLatched: func(_ *Stream, a netip.AddrPort) { latched <- a }})
	ch := make(chan got, 4)
	st, _ := m.Register(StreamSpec{RecvID: 42, SendID: 7, Mode: Latching, Sink: chanSink(ch)})
	ep := newEndpoint(t)
	// D-30 analogue on a shared port: Latching sends nothing before the
	// first packet.
	if err := st.WriteRTP(rtpPacket(1, 1, 4)); err != nil || st.Stats().Unsent != 1 {
		t.Fatal("nothing may be sent before latching")
	}
	ep.send(shared(m, false), withID(42, rtpPacket(1, 5, 0))) // 16-byte keep-alive
	if a := <-latched; a != ep.addr() {
		t.Fatalf("latched %v", a)
	}
	if rtp, _ := st.Remote(); rtp != ep.addr() {
		t.Fatal("D-20 remote RTP")
	}
	out := rtpPacket(9, 77, 10)
	if err := st.WriteRTP(out); err != nil {
		t.Fatal(err)
	}
	b, from := ep.recv()
	if from != shared(m, false) || string(b) != string(withID(7, out)) {
		t.Fatalf("D-23 from %v: % x", from, b)
	}
	s := st.Stats()
	if s.KeepAlives != 1 || s.Packets != 0 || s.Sent != 1 || len(ch) != 0 {
		t.Fatalf("keep-alive must not be forwarded: %+v", s)
	}
}

// D-22: a new source with the right ID re-latches at most once per
// second (DMX-18); a spoofed source inside that second is not latched.
func TestRelatchRateLimit(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(1000, 0).UnixNano())
	relatched := make(chan netip.AddrPort, 1)
	m := newTestMux(t, Medium, MuxConfig{
		Now:         func() time.Time { return time.Unix(0, now.Load()) },
		OnRelatched: func(_ *Stream, a netip.AddrPort) { relatched <- a },
	})
	ch := make(chan got, 8)
	st, _ := m.Register(StreamSpec{RecvID: 42, SendID: 7, Sink: chanSink(ch)})
	a, b := newEndpoint(t), newEndpoint(t)
	a.send(shared(m, false), withID(42, rtpPacket(1, 1, 4)))
	<-ch
	now.Add(int64(200 * time.Millisecond))
	b.send(shared(m, false), withID(42, rtpPacket(2, 1, 4))) // spoof within 0.2 s
	a.send(shared(m, false), withID(42, rtpPacket(3, 1, 4))) // marker from the latched source
	if g := <-ch; g.from != a.addr() {
		t.Fatalf("spoofed packet delivered from %v", g.from)
	}
	if rtp, _ := st.Remote(); rtp != a.addr() || m.Drops()[DropNotLatched] != 1 {
		t.Fatalf("re-latched too early: %v drops %v", rtp, m.Drops())
	}
	now.Add(int64(1300 * time.Millisecond)) // 1.5 s after the latch
	b.send(shared(m, false), withID(42, rtpPacket(4, 1, 4)))
	if got := <-relatched; got != b.addr() {
		t.Fatalf("relatched %v", got)
	}
	<-ch
	if st.Stats().Relatches != 1 {
		t.Fatal(st.Stats())
	}
}

// D-15, D-16: the seed's worked example on a Medium E: the C-facing and
// home-facing streams of one call, and many other calls, share one pair
// with no cross-talk; the SIP home leg is a per-leg pair bridged to the
// C-facing stream (DMX-15, DMX-23).
func TestManyCallsOneSharedPairNoCrossTalk(t *testing.T) {
	latched := make(chan uint32, 64)
	m := newTestMux(t, Medium, MuxConfig{OnLatched: func(st *Stream, _ netip.AddrPort) { latched <- st.RecvID() }})
	const calls = 20
	type call struct {
		cside, home *endpoint
		cst, hst    *Stream
	}
	cs := make([]call, calls)
	for i := range cs {
		c := &cs[i]
		c.cside, c.home = newEndpoint(t), newEndpoint(t)
		id := uint32(1000 + 2*i)
		var err error
		// The C assigned id+100 for packets from us on its leg, the home
		// endpoint id+200; we assigned id and id+1.
		if c.cst, err = m.Register(StreamSpec{CallID: "call", LegID: "c", RecvID: id, SendID: id + 100}); err != nil {
			t.Fatal(err)
		}
		if c.hst, err = m.Register(StreamSpec{CallID: "call", LegID: "home", RecvID: id + 1, SendID: id + 200}); err != nil {
			t.Fatal(err)
		}
		Bridge(c.cst, c.hst)
	}
	// Every home endpoint latches first (an Assent endpoint sends
	// keep-alives), then every C side sends one packet with its own SSRC.
	for i := range cs {
		cs[i].home.send(shared(m, false), withID(cs[i].hst.RecvID(), rtpPacket(0, 0, 0)))
	}
	for range cs { // keep-alives are absorbed: wait for the latch events
		select {
		case <-latched:
		case <-time.After(5 * time.Second):
			t.Fatal("home streams never latched")
		}
	}
	for i := range cs {
		cs[i].cside.send(shared(m, false), withID(cs[i].cst.RecvID(), rtpPacket(uint16(i), uint32(5000+i), 20)))
	}
	for i := range cs {
		b, from := cs[i].home.recv()
		want := withID(cs[i].hst.SendID(), rtpPacket(uint16(i), uint32(5000+i), 20))
		if string(b) != string(want) || from != shared(m, false) {
			t.Fatalf("call %d: home got % x from %v", i, b[:16], from)
		}
	}
}

// D-26: the shared pair is bound on every local address with the same
// numbers (DMX-9); D-31: shared ports are marked DSCP 34 (DMX-14).
func TestDualAddressAndDSCP(t *testing.T) {
	second := netip.MustParseAddr("127.0.0.2")
	if c, err := net.ListenUDP("udp", &net.UDPAddr{IP: second.AsSlice()}); err != nil {
		t.Skip("127.0.0.2 is not bindable here: " + err.Error())
	} else {
		c.Close()
	}
	m := newTestMux(t, Medium, MuxConfig{Addrs: []netip.Addr{loopback, second}})
	seen := map[netip.AddrPort]bool{}
	for _, s := range m.socks {
		seen[s.local] = true
		d, err := dscpOf(s.conn, s.local.Addr())
		if err != nil || d != DSCPVideo {
			t.Fatalf("D-31 DSCP %d %v", d, err)
		}
	}
	p := m.Pairs()[0]
	for _, a := range []netip.Addr{loopback, second} {
		if !seen[netip.AddrPortFrom(a, p.RTP)] || !seen[netip.AddrPortFrom(a, p.RTCP)] {
			t.Fatalf("D-26 %v not bound on %v: %v", p, a, seen)
		}
	}
}

// DMX-22: on Large systems a call's streams share the least-loaded of the
// six pairs; IDs are allocated, unique, and quarantined after Close.
func TestLargePairsAndIDs(t *testing.T) {
	now := time.Unix(0, 0)
	var mu sync.Mutex
	m := newTestMux(t, Large, MuxConfig{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	if len(m.Pairs()) != 6 {
		t.Fatal(m.Pairs())
	}
	var streams []*Stream
	for call := 0; call < 6; call++ {
		for leg := 0; leg < 2; leg++ {
			st, err := m.Register(StreamSpec{CallID: string(rune('a' + call))})
			if err != nil {
				t.Fatal(err)
			}
			streams = append(streams, st)
		}
	}
	for call := 0; call < 6; call++ {
		a, b := streams[2*call], streams[2*call+1]
		if a.Pair() != b.Pair() || a.Pair() != m.Pairs()[call] {
			t.Fatalf("call %d on %v and %v", call, a.Pair(), b.Pair())
		}
	}
	if streams[0].RecvID() != 1 || streams[1].RecvID() != 2 {
		t.Fatal("IDs from 1")
	}
	if _, err := m.Register(StreamSpec{RecvID: 2}); err == nil {
		t.Fatal("duplicate ID accepted")
	}
	streams[0].Close()
	if _, err := m.Register(StreamSpec{RecvID: 1}); err == nil {
		t.Fatal("ID reused within quarantine")
	}
	mu.Lock()
	now = now.Add(IDQuarantine)
	mu.Unlock()
	if _, err := m.Register(StreamSpec{RecvID: 1}); err != nil {
		t.Fatal(err)
	}
}

// DMX-11, DMX-22: stale after 3 keep-alive intervals, inactive after the
// inactivity timeout; both reported once.
func TestIdleEvents(t *testing.T) {
	start := time.Unix(5000, 0)
	var stale, inactive atomic.Int32
	m := newTestMux(t, Medium, MuxConfig{
		Now:        func() time.Time { return start },
		OnStale:    func(*Stream) { stale.Add(1) },
		OnInactive: func(*Stream) { inactive.Add(1) },
	})
	if _, err := m.Register(StreamSpec{}); err != nil {
		t.Fatal(err)
	}
	m.CheckIdle(start.Add(59 * time.Second))
	if stale.Load() != 0 {
		t.Fatal("stale too early")
	}
	m.CheckIdle(start.Add(60 * time.Second))
	m.CheckIdle(start.Add(61 * time.Second))
	if stale.Load() != 1 || inactive.Load() != 0 {
		t.Fatal(stale.Load(), inactive.Load())
	}
	m.CheckIdle(start.Add(300 * time.Second))
	m.CheckIdle(start.Add(301 * time.Second))
	if inactive.Load() != 1 {
		t.Fatal(inactive.Load())
	}
}

// ReadersPerPort spreads one shared port over several SO_REUSEPORT
// sockets, each with its own reader; every stream's packets still arrive.
func TestReusePortReaders(t *testing.T) {
	m := newTestMux(t, Medium, MuxConfig{ReadersPerPort: 2})
	if len(m.socks) != 4 {
		t.Fatalf("%d sockets", len(m.socks))
	}
	ch := make(chan got, 64)
	const n = 16
	eps := make([]*endpoint, n)
	for i := range eps {
		eps[i] = newEndpoint(t)
		if _, err := m.Register(StreamSpec{RecvID: uint32(i + 1), Sink: chanSink(ch)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, ep := range eps {
		ep.send(shared(m, false), withID(uint32(i+1), rtpPacket(1, uint32(i), 4)))
	}
	seen := map[netip.AddrPort]bool{}
	for range eps {
		select {
		case g := <-ch:
			seen[g.from] = true
		case <-time.After(5 * time.Second):
			t.Fatal("packets lost")
		}
	}
	if len(seen) != n {
		t.Fatal(seen)
	}
}
