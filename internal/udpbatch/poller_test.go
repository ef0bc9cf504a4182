package udpbatch

import (
	"errors"
	"net"
	"net/netip"
	"testing"
)

// A Poller serves several Sockets from one goroutine: datagrams sent to
// each arrive at its handler with their sources; a SocketWriter batch and
// WriteTo answer; after Close a socket is no longer served and writes
// fail with net.ErrClosed.
func TestPollerServesSockets(t *testing.T) {
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	lo := netip.MustParseAddrPort("127.0.0.1:0")
	type got struct {
		sock int
		data string
		from netip.AddrPort
	}
	ch := make(chan got, 64)
	var socks []*Socket
	for i := 0; i < 3; i++ {
		s, err := ListenSocket(lo, false)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r := NewSocketReader(s, 2048, 8)
		i := i
		if err := p.Add(s, r, func(n int) {
			for k := 0; k < n; k++ {
				ch <- got{i, string(r.Msgs[k].Data(8)), r.Msgs[k].From}
			}
		}); err != nil {
			t.Fatal(err)
		}
		socks = append(socks, s)
	}
	if err := p.Add(socks[0], NewSocketReader(socks[0], 64, 0), func(int) {}); err == nil {
		t.Fatal("a socket added twice")
	}
	cli, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	from := cli.LocalAddr().(*net.UDPAddr).AddrPort()
	for i, s := range socks {
		for k := 0; k < 5; k++ {
			if _, err := cli.WriteToUDPAddrPort([]byte{byte('a' + i), byte('0' + k)}, s.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
	}
	next := make([]int, len(socks))
	for n := 0; n < 15; n++ {
		g := <-ch
		if want := string([]byte{byte('a' + g.sock), byte('0' + next[g.sock])}); g.data != want || g.from != from {
			t.Fatalf("socket %d: got %q from %v, want %q from %v", g.sock, g.data, g.from, want, from)
		}
		next[g.sock]++
	}
	// Answers: a batch and a single datagram.
	w := NewSocketWriter(socks[1])
	for k := 0; k < 3; k++ {
		if err := w.Queue([]byte{'w', byte('0' + k)}, from); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := socks[2].WriteTo([]byte("one"), from); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	for _, want := range []string{"w0", "w1", "w2", "one"} {
		n, src, err := cli.ReadFromUDPAddrPort(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q from %v (%v), want %q", buf[:n], src, err, want)
		}
	}
	// A closed socket is no longer served or writable; the others still are.
	if err := socks[0].Close(); err != nil {
		t.Fatal(err)
	}
	if err := socks[0].WriteTo([]byte("x"), from); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
	if err := NewSocketWriter(socks[0]).Queue([]byte("x"), from); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.WriteToUDPAddrPort([]byte("c0"), socks[2].LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if g := <-ch; g.sock != 2 || g.data != "c0" {
		t.Fatalf("%+v", g)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := ListenSocket(lo, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := p.Add(s, NewSocketReader(s, 64, 0), func(int) {}); !errors.Is(err, ErrPollerClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
}

// Serving a batch through a Poller allocates nothing.
func TestPollerAllocatesNothing(t *testing.T) {
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s, err := ListenSocket(netip.MustParseAddrPort("127.0.0.1:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := NewSocketReader(s, 256, 4)
	w := NewSocketWriter(s)
	done := make(chan struct{}, 1)
	cli, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	back := cli.LocalAddr().(*net.UDPAddr).AddrPort()
	if err := p.Add(s, r, func(n int) {
		for k := 0; k < n; k++ {
			_ = w.Queue(r.Msgs[k].Data(4), back)
		}
		_ = w.Flush()
		done <- struct{}{}
	}); err != nil {
		t.Fatal(err)
	}
	msg, buf := []byte("ping"), make([]byte, 16)
	allocs := testing.AllocsPerRun(50, func() {
		_, _ = cli.WriteToUDPAddrPort(msg, s.LocalAddr())
		<-done
		_, _, _ = cli.ReadFromUDPAddrPort(buf)
	})
	if allocs > 0 {
		t.Fatalf("%.1f allocations per datagram", allocs)
	}
}

// A socket on the unspecified IPv4 address hears IPv4 (and, where the
// host has IPv6, IPv6) senders, as the net package's listeners do.
func TestListenSocketUnspecified(t *testing.T) {
	s, err := ListenSocket(netip.MustParseAddrPort("0.0.0.0:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	port := s.LocalAddr().Port()
	r := NewSocketReader(s, 64, 0)
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got := make(chan netip.AddrPort, 2)
	if err := p.Add(s, r, func(n int) {
		for k := 0; k < n; k++ {
			got <- r.Msgs[k].From
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"127.0.0.1", "::1"} {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
		if err != nil {
			if ip == "::1" {
				continue // no IPv6 here
			}
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(netip.MustParseAddr(ip), port)); err != nil {
			t.Fatal(err)
		}
		if from := <-got; from != c.LocalAddr().(*net.UDPAddr).AddrPort() {
			t.Fatalf("from %v, want %v", from, c.LocalAddr())
		}
	}
}
