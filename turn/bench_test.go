package turn

import (
	"testing"

	"github.com/pion/stun/v3"
)

// BenchmarkChannelDataToPeer measures the client-to-peer fast path: a
// 172-byte ChannelData frame looked up by 5-tuple and channel, checked
// against the permission, and sent to the peer (one sendmmsg per op).
func BenchmarkChannelDataToPeer(b *testing.B) {
	s := newTestServer(b, func(c *Config) { c.NoAuth = true })
	c := dialUDP(b, s.udp, "", "")
	c.allocate()
	p := newPeer(b)
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4000), peerAttr(p.addr())); errCode(r) != 0 {
		b.Fatal(r)
	}
	frame := make([]byte, 4+172)
	frame[0], frame[1], frame[2], frame[3] = 0x40, 0x00, 0x00, 172
	h := s.newHandler()
	cl := client{proto: protoUDP, udp: nil, remote: c.local(), local: s.udp}
	b.ReportAllocs()
	b.SetBytes(172)
	for b.Loop() {
		h.packet(&cl, frame)
		h.flush()
	}
}

// BenchmarkDataIndication measures building a Data indication in place.
func BenchmarkDataIndication(b *testing.B) {
	buf := make([]byte, relayBufSize)
	txid := make([]byte, 12)
	peer := lo
	b.ReportAllocs()
	for b.Loop() {
		_ = dataIndication(buf, relayHeadroom, 172, netipAddrPort(peer, 5000), txid)
	}
}
