package demux

import (
	"testing"
)

// The relay path allocates nothing per packet (DMX-22): a datagram in
// through the shared port, demultiplexed, bridged and sent out of a
// per-leg port — measured over real sockets, end to end.
func TestRelayPathAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count needs a quiet process")
	}
	m := newTestMux(t, Medium, MuxConfig{})
	cst, err := m.Register(StreamSpec{RecvID: 42, SendID: 7})
	if err != nil {
		t.Fatal(err)
	}
	far := newEndpoint(t)
	leg := openLeg(t, LegConfig{Mode: Signaled, RemoteRTP: far.addr()})
	Bridge(cst, leg)
	src := newEndpoint(t)
	dgram := withID(42, rtpPacket(1, 0x1234, 160))
	to := shared(m, false)
	buf := make([]byte, 2048)
	roundTrip := func() {
		if _, err := src.c.WriteToUDPAddrPort(dgram, to); err != nil {
			t.Fatal(err)
		}
		if _, _, err := far.c.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip() // latch
	if avg := testing.AllocsPerRun(500, roundTrip); avg != 0 {
		t.Fatalf("%.2f allocations per relayed packet", avg)
	}
	// And the reverse direction, adding the multiplex ID in the headroom.
	back := rtpPacket(2, 0x4321, 160)
	far.send(leg.LocalRTP(), back)
	_, _ = src.recv()
	rev := func() {
		if _, err := far.c.WriteToUDPAddrPort(back, leg.LocalRTP()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := src.c.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
	}
	if avg := testing.AllocsPerRun(500, rev); avg != 0 {
		t.Fatalf("%.2f allocations per relayed packet (reverse)", avg)
	}
}
