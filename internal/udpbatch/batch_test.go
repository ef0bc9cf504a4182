package udpbatch

import (
	"context"
	"net"
	"net/netip"
	"testing"
)

// A burst of datagrams is read back in order, with headroom, sources and
// lengths intact, and without allocating.
func TestReaderBatch(t *testing.T) {
	ctx := context.Background()
	srv, err := Listen(ctx, netip.MustParseAddrPort("127.0.0.1:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r, err := NewReader(srv, 2048, 4)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	to := srv.LocalAddr().(*net.UDPAddr).AddrPort()
	from := cli.LocalAddr().(*net.UDPAddr).AddrPort()
	const total = 10
	for i := 0; i < total; i++ {
		if _, err := cli.WriteToUDPAddrPort(make([]byte, 100+i), to); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for got < total {
		n, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			m := &r.Msgs[i]
			if m.N != 100+got || m.From != from || len(m.Data(4)) != m.N {
				t.Fatalf("datagram %d: n=%d from %v", got, m.N, m.From)
			}
			got++
		}
	}
	send := func() {
		_, _ = cli.WriteToUDPAddrPort([]byte("x"), to)
		_, _ = r.Read()
	}
	if a := testing.AllocsPerRun(100, send); a != 0 {
		t.Fatalf("%v allocations per read", a)
	}
}

// Two SO_REUSEPORT sockets share one port.
func TestReusePort(t *testing.T) {
	ctx := context.Background()
	a, err := Listen(ctx, netip.MustParseAddrPort("127.0.0.1:0"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Listen(ctx, a.LocalAddr().(*net.UDPAddr).AddrPort(), true)
	if err != nil {
		t.Skip("SO_REUSEPORT unavailable: " + err.Error())
	}
	b.Close()
}

// A queued burst goes out in one flush, in order, to each destination,
// without allocating.
func TestWriterBatch(t *testing.T) {
	ctx := context.Background()
	src, err := Listen(ctx, netip.MustParseAddrPort("127.0.0.1:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	w, err := NewWriter(src)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := Listen(ctx, netip.MustParseAddrPort("127.0.0.1:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	to := dst.LocalAddr().(*net.UDPAddr).AddrPort()
	payloads := make([][]byte, 40) // more than one batch
	for i := range payloads {
		payloads[i] = []byte{byte(i), 1, 2}
		if err := w.Queue(payloads[i], to); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil || w.Len() != 0 {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for i := range payloads {
		n, _, err := dst.ReadFromUDPAddrPort(buf)
		if err != nil || n != 3 || buf[0] != byte(i) {
			t.Fatalf("datagram %d: n=%d first=%d err=%v", i, n, buf[0], err)
		}
	}
	one := []byte("x")
	send := func() {
		_ = w.Queue(one, to)
		_ = w.Flush()
		_, _, _ = dst.ReadFromUDPAddrPort(buf)
	}
	if a := testing.AllocsPerRun(100, send); a != 0 {
		t.Fatalf("%v allocations per flush", a)
	}
}
