package demux

import (
	"context"
	"net"
	"net/netip"
	"testing"
)

// BenchmarkSharedPortToLeg measures the per-packet work of the relay: a
// 172-byte RTP packet demultiplexed from the shared port (ID lookup, class
// check, latch check), bridged, and sent out of a per-leg port with one
// sendto.
func BenchmarkSharedPortToLeg(b *testing.B) {
	m := newTestMux(b, Medium, MuxConfig{})
	st, err := m.Register(StreamSpec{RecvID: 42, SendID: 7})
	if err != nil {
		b.Fatal(err)
	}
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: loopback.AsSlice()}) // never read: the kernel drops when full
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	base := freeBase(b, 2)
	leg, err := OpenLeg(context.Background(), LegConfig{Local: loopback, Ports: Pair{base, base + 1}, Mode: Signaled,
		RemoteRTP: sink.LocalAddr().(*net.UDPAddr).AddrPort()})
	if err != nil {
		b.Fatal(err)
	}
	defer leg.Close()
	Bridge(st, leg)
	data := withID(42, rtpPacket(1, 1, 160))
	p := fuzzPacket(data, netip.AddrPortFrom(loopback, 40000))
	s := m.out[0][0]
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p.off, p.n = Headroom, len(data)
		m.handle(s, p)
	}
}

// BenchmarkClassify measures first-byte classification.
func BenchmarkClassify(b *testing.B) {
	pkt := rtpPacket(1, 1, 160)
	b.ReportAllocs()
	for b.Loop() {
		if ClassifyFirstByte(pkt, false) != KindRTP || IsRTCP(pkt) {
			b.Fatal("misclassified")
		}
	}
}
