package udpbatch

import (
	"net"
	"net/netip"
	"testing"
)

// Sockets added with AddShared are read into one reader: every datagram
// reaches its own socket's handler intact, and a shared reader refuses a
// second poller and Add.
func TestPollerSharedReader(t *testing.T) {
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	lo := netip.MustParseAddrPort("127.0.0.1:0")
	r := NewSharedReader(256, 4)
	type got struct {
		sock int
		data string
	}
	ch := make(chan got, 64)
	var socks []*Socket
	for i := 0; i < 4; i++ {
		s, err := ListenSocket(lo, false)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		i := i
		if err := p.AddShared(s, r, func(n int) {
			for k := 0; k < n; k++ {
				ch <- got{i, string(r.Msgs[k].Data(4))}
			}
		}); err != nil {
			t.Fatal(err)
		}
		socks = append(socks, s)
	}
	if err := p.Add(socks[0], r, func(int) {}); err == nil {
		t.Fatal("Add took a shared reader")
	}
	other, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	s, err := ListenSocket(lo, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := other.AddShared(s, r, func(int) {}); err == nil {
		t.Fatal("a shared reader served two pollers")
	}
	if err := p.AddShared(s, NewSocketReader(s, 64, 0), func(int) {}); err == nil {
		t.Fatal("AddShared took a socket's own reader")
	}

	cli, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	const per = 20
	for k := 0; k < per; k++ {
		for i, s := range socks {
			if _, err := cli.WriteToUDPAddrPort([]byte{byte('a' + i), byte('A' + k)}, s.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
	}
	next := make([]int, len(socks))
	for n := 0; n < per*len(socks); n++ {
		g := <-ch
		if want := string([]byte{byte('a' + g.sock), byte('A' + next[g.sock])}); g.data != want {
			t.Fatalf("socket %d: got %q, want %q", g.sock, g.data, want)
		}
		next[g.sock]++
	}
}
