//go:build linux

package udpbatch

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func listenPair(t *testing.T) (*net.UDPConn, netip.AddrPort) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// expect reads want from c, in order, byte for byte.
func expect(t *testing.T, c *net.UDPConn, want [][]byte) {
	t.Helper()
	buf := make([]byte, 2048)
	for i, w := range want {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if !bytes.Equal(buf[:n], w) {
			t.Fatalf("datagram %d: got %d bytes %x…, want %d bytes %x…", i, n, buf[:min(n, 4)], len(w), w[:min(len(w), 4)])
		}
	}
}

// segmentingWriter returns a socket on 127.0.0.1 and its writer with
// segmentation on; it skips the test where the kernel has none.
func segmentingWriter(t *testing.T) (*Socket, *Writer) {
	t.Helper()
	src, err := ListenSocket(netip.MustParseAddrPort("127.0.0.1:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	w := NewSocketWriter(src)
	if !w.SetSegmentation(true) {
		t.Skip("kernel without UDP_SEGMENT")
	}
	return src, w
}

func payload(i, n int) []byte {
	b := bytes.Repeat([]byte{byte(i)}, n)
	b[0] = byte(i >> 8)
	return b
}

// TestSocketWriterSegments: runs of datagrams to one destination leave as
// one segmented send each and arrive unchanged and in order.
func TestSocketWriterSegments(t *testing.T) {
	_, w := segmentingWriter(t)
	c1, to1 := listenPair(t)
	c2, to2 := listenPair(t)
	var want1, want2 [][]byte
	queue := func(b []byte, to netip.AddrPort) {
		if err := w.Queue(b, to); err != nil {
			t.Fatal(err)
		}
		if to == to1 {
			want1 = append(want1, b)
		} else {
			want2 = append(want2, b)
		}
	}
	for i := 0; i < 20; i++ {
		queue(payload(i, 100), to1)
	}
	queue(payload(20, 50), to1) // shorter: ends the run
	for i := 0; i < 5; i++ {
		queue(payload(100+i, 100), to2)
	}
	for i := 0; i < 3; i++ {
		queue(payload(200+i, 100), to1)
	}
	queue(payload(300, 1500), to1) // beyond gsoMaxSegment: alone
	_, spans := w.gso.group(w, 0)
	if got, want := spans, []int{21, 5, 3, 1}; !slices.Equal(got, want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	if err := w.Flush(); err != nil || w.Len() != 0 {
		t.Fatalf("flush: %v, %d left", err, w.Len())
	}
	expect(t, c1, want1)
	expect(t, c2, want2)

	one := payload(1, 200)
	send := func() {
		_ = w.Queue(one, to2)
		_ = w.Queue(one, to2)
		_ = w.Flush()
	}
	if a := testing.AllocsPerRun(50, send); a != 0 {
		t.Fatalf("%v allocations per segmented flush", a)
	}
	var all [][]byte
	for i := 0; i < 2*51; i++ { // AllocsPerRun runs once more to warm up
		all = append(all, one)
	}
	expect(t, c2, all)
}

// TestSocketWriterSegmentFallback: a socket the kernel will not segment
// for (here: UDP checksums off, which GSO refuses with EINVAL) still
// delivers every datagram, one per entry from then on.
func TestSocketWriterSegmentFallback(t *testing.T) {
	src, w := segmentingWriter(t)
	if err := src.Control(func(fd uintptr) error {
		return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NO_CHECK, 1)
	}); err != nil {
		t.Fatal(err)
	}
	c, to := listenPair(t)
	var want [][]byte
	for i := 0; i < 10; i++ {
		b := payload(i, 120)
		want = append(want, b)
		if err := w.Queue(b, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	expect(t, c, want)
	if w.gso.on {
		t.Fatal("segmentation still on after the kernel refused it")
	}
}

// TestSocketWriterSegmentationOff: with segmentation off every datagram
// is its own entry.
func TestSocketWriterSegmentationOff(t *testing.T) {
	src, err := ListenSocket(netip.MustParseAddrPort("127.0.0.1:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	w := NewSocketWriter(src)
	if w.SetSegmentation(false) {
		t.Fatal("SetSegmentation(false) reports on")
	}
	c, to := listenPair(t)
	want := [][]byte{payload(1, 80), payload(2, 80), payload(3, 80)}
	for _, b := range want {
		_ = w.Queue(b, to)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	expect(t, c, want)
}
