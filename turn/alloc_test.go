package turn

import (
	"net"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

// The relay path allocates nothing per packet, both ways, measured over
// real sockets: ChannelData client -> peer and peer -> client.
func TestRelayPathAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count needs a quiet process")
	}
	s := newTestServer(t, func(c *Config) { c.NoAuth = true })
	cl, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	c := &tclient{t: t, udp: cl, server: s.udp, inbox: make(chan []byte, 16), resps: make(chan *stun.Message, 16)}
	go c.readLoop()
	_, relay := c.allocate()
	p := newPeer(t)
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4000), peerAttr(p.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	cl.Close() // from here on the test reads the client socket itself
	cl2, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(c.local()))
	if err != nil {
		t.Skip("client port taken meanwhile: " + err.Error())
	}
	defer cl2.Close()
	frame := append([]byte{0x40, 0x00, 0x00, 160}, make([]byte, 160)...)
	buf := make([]byte, 2048)
	p.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	cl2.SetReadDeadline(time.Now().Add(10 * time.Second))
	toPeer := func() {
		if _, err := cl2.WriteToUDPAddrPort(frame, s.udp); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.c.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
	}
	toClient := func() {
		if _, err := p.c.WriteToUDPAddrPort(frame[4:], relay); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cl2.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
	}
	toPeer()
	toClient()
	if a := testing.AllocsPerRun(300, toPeer); a != 0 {
		t.Fatalf("%.2f allocations per packet to the peer", a)
	}
	if a := testing.AllocsPerRun(300, toClient); a != 0 {
		t.Fatalf("%.2f allocations per packet to the client", a)
	}
}
