package demux

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func openLeg(t *testing.T, cfg LegConfig) *Leg {
	t.Helper()
	cfg.Local = loopback
	if cfg.Ports == (Pair{}) {
		base := freeBase(t, 2)
		cfg.Ports = Pair{base, base + 1}
	}
	l, err := OpenLeg(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// D-30: a Latching leg sends nothing until the first packet arrives, then
// answers to its source (DMX-13).
func TestLegLatchingSendsNothingFirst(t *testing.T) {
	ch := make(chan got, 4)
	l := openLeg(t, LegConfig{Mode: Latching, Sink: chanSink(ch)})
	ep := newEndpoint(t)
	if err := l.WriteRTP(rtpPacket(1, 1, 10)); err != nil || l.Stats().Unsent != 1 || l.Stats().Sent != 0 {
		t.Fatalf("D-30: sent before latching: %+v", l.Stats())
	}
	ep.send(l.LocalRTP(), rtpPacket(1, 99, 10))
	<-ch
	out := rtpPacket(2, 1, 10)
	if err := l.WriteRTP(out); err != nil {
		t.Fatal(err)
	}
	if b, from := ep.recv(); string(b) != string(out) || from != l.LocalRTP() {
		t.Fatalf("return media % x from %v", b, from)
	}
}

// DMX-18: without IDs a new source re-latches only with the latched SSRC
// (and not within a second); a spoofed source with another SSRC is not
// latched.
func TestLegAntiHijack(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(100, 0).UnixNano())
	ch := make(chan got, 8)
	l := openLeg(t, LegConfig{Mode: Latching, Sink: chanSink(ch), Now: func() time.Time { return time.Unix(0, now.Load()) }})
	a, spoof := newEndpoint(t), newEndpoint(t)
	a.send(l.LocalRTP(), rtpPacket(1, 0xAAAA, 4))
	<-ch
	now.Add(int64(5 * time.Second)) // the rate limit is not what stops it
	spoof.send(l.LocalRTP(), rtpPacket(2, 0xBBBB, 4))
	a.send(l.LocalRTP(), rtpPacket(3, 0xAAAA, 4)) // marker
	if g := <-ch; g.from != a.addr() {
		t.Fatalf("spoofed source delivered: %v", g.from)
	}
	if rtp, _ := l.Remote(); rtp != a.addr() || l.Drops()[DropNotLatched] != 1 {
		t.Fatal("spoofed source latched")
	}
	spoof.send(l.LocalRTP(), rtpPacket(4, 0xAAAA, 4)) // same SSRC: a NAT rebinding
	if g := <-ch; g.from != spoof.addr() {
		t.Fatal("re-latch with the same SSRC refused")
	}
	if rtp, _ := l.Remote(); rtp != spoof.addr() || l.Stats().Relatches != 1 {
		t.Fatal("not re-latched")
	}
}

// DMX-20: STUN, DTLS and RTP/RTCP sharing an rtcp-mux port each reach
// their consumer; unknown first bytes are dropped.
func TestLegClassification(t *testing.T) {
	media, stun, dtls := make(chan got, 4), make(chan got, 1), make(chan got, 1)
	l := openLeg(t, LegConfig{RTCPMux: true, Mode: LatchAfterFirst, Sink: chanSink(media),
		OnSTUN: chanSink(stun), OnDTLS: chanSink(dtls)})
	ep := newEndpoint(t)
	ep.send(l.LocalRTP(), []byte{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42})
	ep.send(l.LocalRTP(), []byte{0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	ep.send(l.LocalRTP(), []byte{0xC0, 1, 2, 3})
	ep.send(l.LocalRTP(), rtcpSR())
	ep.send(l.LocalRTP(), rtpPacket(1, 5, 4))
	<-stun
	<-dtls
	if g := <-media; !g.rtcp {
		t.Fatal("rtcp-mux: SR must be RTCP")
	}
	if g := <-media; g.rtcp {
		t.Fatal("RTP classified as RTCP")
	}
	if l.Drops()[DropClassMismatch] != 1 {
		t.Fatal(l.Drops())
	}
}

// D-15: the SIP example: the C-facing stream is on the shared pair, the
// plain-SIP home leg on its own pair, bridged; media flows both ways with
// IDs added and stripped and payloads untouched (DMX-15, DMX-23).
func TestSharedStreamBridgedToLeg(t *testing.T) {
	m := newTestMux(t, Medium, MuxConfig{})
	cside := newEndpoint(t)
	cst, err := m.Register(StreamSpec{CallID: "sip", RecvID: 42, SendID: 7, RemoteRTCP: cside.addr()})
	if err != nil {
		t.Fatal(err)
	}
	home := newEndpoint(t)
	leg := openLeg(t, LegConfig{Mode: LatchAfterFirst, RemoteRTP: home.addr()})
	Bridge(cst, leg)
	in := rtpPacket(1, 0x1111, 160)
	cside.send(shared(m, false), withID(42, in))
	if b, from := home.recv(); string(b) != string(in) || from != leg.LocalRTP() {
		t.Fatalf("to home: % x from %v", b[:12], from)
	}
	back := rtpPacket(2, 0x2222, 160)
	home.send(leg.LocalRTP(), back)
	if b, from := cside.recv(); string(b) != string(withID(7, back)) || from != shared(m, false) {
		t.Fatalf("to C: % x from %v", b[:16], from)
	}
	// RTCP receiver report from the home side: stats carry loss and jitter.
	rr := []byte{0x81, 201, 0, 7, 0, 0, 0x22, 0x22, 0, 0, 0x11, 0x11, 25, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 77, 0, 0, 0, 0, 0, 0, 0, 0}
	home.send(leg.LocalRTCP(), rr)
	if b, from := cside.recv(); string(b) != string(withID(7, rr)) || from != shared(m, true) {
		t.Fatalf("RR to C: % x from %v", b, from) // RTCP is forwarded from the shared RTCP port
	}
	if s := leg.Stats(); s.FractionLost != 25 || s.TotalLost != 3 || s.Jitter != 77 {
		t.Fatalf("RTCP stats %+v", s)
	}
}

// DMX-22: legs report inactivity once.
func TestLegInactivity(t *testing.T) {
	start := time.Unix(10, 0)
	fired := make(chan struct{}, 2)
	l := openLeg(t, LegConfig{Now: func() time.Time { return start }, OnInactive: func(*Leg) { fired <- struct{}{} }})
	l.CheckIdle(start.Add(299 * time.Second))
	l.CheckIdle(start.Add(300 * time.Second))
	l.CheckIdle(start.Add(400 * time.Second))
	if len(fired) != 1 {
		t.Fatalf("fired %d times", len(fired))
	}
}
