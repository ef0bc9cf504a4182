package turn

import (
	"github.com/causeway-edge/causeway/internal/udpbatch"
	"net/netip"
	"testing"

	"github.com/pion/stun/v3"
)

// FuzzHandlePacket feeds arbitrary datagrams to the request handler as if
// from two UDP clients (one without auth, one of which has an allocation
// with a channel): no panic, no hang, and afterwards the server still
// answers a well-formed request.
func FuzzHandlePacket(f *testing.F) {
	seed := func(setters ...stun.Setter) []byte {
		m, err := stun.Build(append([]stun.Setter{stun.TransactionID}, setters...)...)
		if err != nil {
			f.Fatal(err)
		}
		return m.Raw
	}
	f.Add(seed(stun.BindingRequest))
	f.Add(seed(stun.NewType(stun.MethodAllocate, stun.ClassRequest), transport(17), stun.Fingerprint))
	f.Add(seed(stun.NewType(stun.MethodAllocate, stun.ClassRequest), transport(17), stun.NewUsername("alice"),
		stun.NewRealm("test"), stun.NewNonce("00"), stun.NewLongTermIntegrity("alice", "test", "secret")))
	f.Add(seed(stun.NewType(stun.MethodSend, stun.ClassIndication), peerAttr(netip.MustParseAddrPort("127.0.0.1:9")),
		rawAttr{attrData, []byte("x")}))
	f.Add(seed(stun.NewType(stun.MethodChannelBind, stun.ClassRequest), chanAttr(0x4000), peerAttr(netip.MustParseAddrPort("127.0.0.1:9"))))
	f.Add([]byte{0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4})
	f.Add([]byte{0x40, 0x00, 0xff, 0xff, 1})
	f.Add([]byte{})

	s := newTestServer(f, func(c *Config) { c.NoAuth = true })
	sink, err := udpbatch.ListenSocket(netip.AddrPortFrom(lo, 0), false)
	if err != nil {
		f.Fatal(err)
	}
	defer sink.Close()
	// A real client with an allocation and a channel to a peer, so that
	// fuzzed ChannelData and Send indications reach the relay path.
	c := dialUDP(f, s.udp, "", "")
	c.allocate()
	p := newPeer(f)
	c.do(stun.MethodChannelBind, chanAttr(0x4000), peerAttr(p.addr()))
	h := s.newHandler()
	cl := client{proto: protoUDP, udp: sink, remote: c.local(), local: s.udp}
	stranger := client{proto: protoUDP, udp: sink, remote: netip.MustParseAddrPort("127.0.0.1:1"), local: s.udp}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > relayBufSize-relayHeadroom {
			return // larger than a datagram the reader accepts
		}
		buf := append([]byte(nil), data...)
		h.packet(&cl, buf)
		h.flush()
		buf = append(buf[:0], data...)
		h.packet(&stranger, buf)
		h.flush()
		if s.closed.Load() {
			t.Fatal("server closed")
		}
	})
}
