//go:build linux

package transport

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// SIP-30: the blocking UDP reader returns the datagrams queued (in
// batches), marks one larger than its buffer, and a reader blocked in the
// socket is woken by Close (no receive timeout set, so only the shutdown
// can wake it).
func TestUDPSockBatchAndClose(t *testing.T) {
	s, err := listenUDP(netip.MustParseAddrPort("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptTimeval(s.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{}); err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payloads := []string{"one", "two", "three", string(make([]byte, 200))}
	for _, p := range payloads {
		if _, err := c.WriteToUDPAddrPort([]byte(p), s.local); err != nil {
			t.Fatal(err)
		}
	}
	rd, ok := s.newReader(100)
	if !ok {
		t.Fatal("no reader on an open socket")
	}
	var got []udpDatagram
	for len(got) < len(payloads) {
		batch, err := rd.read(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range batch {
			d.data = append([]byte(nil), d.data...)
			got = append(got, d)
		}
	}
	from := c.LocalAddr().(*net.UDPAddr).AddrPort()
	for i, d := range got[:3] {
		if string(d.data) != payloads[i] || d.from != from || d.truncated {
			t.Fatalf("datagram %d: %q from %v truncated %v", i, d.data, d.from, d.truncated)
		}
	}
	if !got[3].truncated {
		t.Fatal("a datagram larger than the buffer is not marked truncated")
	}
	// An answer goes out on the same socket.
	if err := s.writeTo([]byte("back"), from); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, src, err := c.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "back" || src != s.local {
		t.Fatalf("answer %q from %v: %v", buf[:n], src, err)
	}
	done := make(chan error)
	go func() {
		_, err := rd.read(nil)
		rd.done()
		done <- err
	}()
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("blocked reader returned %v, want net.ErrClosed", err)
	}
	if _, ok := s.newReader(100); ok {
		t.Fatal("a reader registered on a closed socket")
	}
	if err := s.writeTo([]byte("x"), from); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}
