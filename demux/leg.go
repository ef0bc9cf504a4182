package demux

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// LegConfig configures a per-leg relay port pair (a leg that is not
// demuxed).
type LegConfig struct {
	Local netip.Addr
	// Ports: RTP on Ports.RTP and RTCP on Ports.RTCP, or both on Ports.RTP
	// when RTCPMux (RFC 5761).
	Ports   Pair
	RTCPMux bool
	// RemoteRTP and RemoteRTCP are the signalled far-end addresses.
	RemoteRTP, RemoteRTCP netip.AddrPort
	Mode                  RemoteMode
	// DSCP mark for the leg's media (DSCPAudio or DSCPVideo; -1 none).
	DSCP int
	// QUIC accepts first bytes 80..127 as QUIC (RFC 9443); else dropped.
	QUIC bool
	// Sink receives RTP and RTCP; OnSTUN, OnDTLS and OnOther (ZRTP, TURN
	// ChannelData, QUIC) receive what else shares the port (DMX-20). Each
	// runs on the reader goroutine.
	Sink    Sink
	OnSTUN  Sink
	OnDTLS  Sink
	OnOther Sink
	// InactivityTimeout raises OnInactive once after that long without a
	// packet (default 300 s).
	InactivityTimeout time.Duration
	OnInactive        func(*Leg)
	Now               func() time.Time
}

// Leg is a per-leg media port pair with latching (DMX-13, DMX-18,
// DMX-20). It is an Endpoint.
type Leg struct {
	cfg   LegConfig
	rtpS  *sock
	rtcpS *sock
	now   func() time.Time
	sink  atomic.Pointer[Sink]
	rtp   atomic.Pointer[latch]
	rtcp  atomic.Pointer[latch]
	ssrc  atomic.Uint32 // SSRC of the latched RTP sender (anti-hijack)
	cnt   counters
	drops dropCounters

	wg       sync.WaitGroup
	done     chan struct{}
	closed   atomic.Bool
	inactive atomic.Bool
}

// OpenLeg binds the leg's ports on cfg.Local and starts its readers.
func OpenLeg(ctx context.Context, cfg LegConfig) (*Leg, error) {
	if cfg.InactivityTimeout <= 0 {
		cfg.InactivityTimeout = DefaultInactivityTimeout
	}
	l := &Leg{cfg: cfg, now: cfg.Now, done: make(chan struct{})}
	if l.now == nil {
		l.now = time.Now
	}
	open := func(port uint16, rtcp bool) (*sock, error) {
		c, err := listenUDP(ctx, cfg.Local, port, false)
		if err != nil {
			return nil, err
		}
		if err := setDSCP(c, cfg.Local, cfg.DSCP); err != nil {
			c.Close()
			return nil, err
		}
		local := c.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort()
		s, err := newSock(c, local, rtcp)
		if err != nil {
			c.Close()
		}
		return s, err
	}
	var err error
	if l.rtpS, err = open(cfg.Ports.RTP, false); err != nil {
		return nil, err
	}
	if cfg.RTCPMux {
		l.rtcpS = l.rtpS
	} else if l.rtcpS, err = open(cfg.Ports.RTCP, true); err != nil {
		l.rtpS.conn.Close()
		return nil, err
	}
	if cfg.Sink != nil {
		l.SetSink(cfg.Sink)
	}
	l.cnt.lastSeen.Store(l.now().UnixNano())
	l.wg.Add(1)
	go l.rtpS.serve(l.handle, &l.wg)
	if !cfg.RTCPMux {
		l.wg.Add(1)
		go l.rtcpS.serve(l.handle, &l.wg)
	}
	l.wg.Add(1)
	go l.idleLoop()
	return l, nil
}

// LocalRTP and LocalRTCP are the bound addresses.
func (l *Leg) LocalRTP() netip.AddrPort  { return l.rtpS.local }
func (l *Leg) LocalRTCP() netip.AddrPort { return l.rtcpS.local }

// SetSink implements Endpoint.
func (l *Leg) SetSink(s Sink) {
	if s == nil {
		l.sink.Store(nil)
		return
	}
	l.sink.Store(&s)
}

// Remote returns the latched RTP and RTCP addresses.
func (l *Leg) Remote() (rtp, rtcp netip.AddrPort) {
	if x := l.rtp.Load(); x != nil {
		rtp = x.addr
	}
	if x := l.rtcp.Load(); x != nil {
		rtcp = x.addr
	}
	return rtp, rtcp
}

// Stats returns the leg's counters.
func (l *Leg) Stats() Stats { return l.cnt.stats() }

// Drops returns the leg's drop counters.
func (l *Leg) Drops() Drops { return l.drops.snapshot() }

// handle classifies a datagram on a leg port (DMX-20) and delivers it.
func (l *Leg) handle(s *sock, p *Packet) {
	b := p.Bytes()
	var other Sink
	switch ClassifyFirstByte(b, l.cfg.QUIC) {
	case KindRTP:
	case KindSTUN:
		other = l.cfg.OnSTUN
	case KindDTLS:
		other = l.cfg.OnDTLS
	case KindDrop:
		l.drops.add(DropClassMismatch)
		return
	default:
		other = l.cfg.OnOther
	}
	if other != nil {
		other(p)
		return
	}
	if !classOK(b, s.rtcp, l.cfg.RTCPMux) {
		l.drops.add(DropClassMismatch)
		l.cnt.drops.Add(1)
		return
	}
	p.RTCP = IsRTCP(b)
	now := l.now().UnixNano()
	if l.cfg.Mode != Signaled && !l.accept(s, p, now) {
		l.drops.add(DropNotLatched)
		l.cnt.drops.Add(1)
		return
	}
	l.cnt.seen(now, p.n, p.RTCP)
	if p.RTCP {
		l.cnt.keepRTCP(b)
	}
	if sink := l.sink.Load(); sink != nil {
		(*sink)(p)
		return
	}
	l.drops.add(DropNoSink)
}

func classOK(b []byte, rtcpPort, mux bool) bool {
	if len(b) < 8 {
		return false
	}
	if mux {
		return len(b) >= 12 || IsRTCP(b)
	}
	if rtcpPort {
		return IsRTCP(b)
	}
	return !IsRTCP(b) && len(b) >= 12
}

// accept latches a leg without multiplex IDs: the first packet latches;
// a new source re-latches only with the latched SSRC and at most once per
// RelatchInterval (DMX-18).
func (l *Leg) accept(s *sock, p *Packet, now int64) bool {
	ptr := &l.rtp
	if p.RTCP && !l.cfg.RTCPMux {
		ptr = &l.rtcp
	}
	b := p.Bytes()
	ssrc := rtpSSRC(b, p.RTCP)
	cur := ptr.Load()
	if cur != nil && cur.addr == p.From {
		return true
	}
	if cur == nil {
		if !ptr.CompareAndSwap(nil, &latch{addr: p.From, via: s}) {
			return l.accept(s, p, now)
		}
		if !p.RTCP {
			l.ssrc.Store(ssrc)
		}
		l.cnt.latches.Add(1)
		l.cnt.lastLatch.Store(now)
		return true
	}
	if known := l.ssrc.Load(); known == 0 || ssrc != known {
		return false
	}
	last := l.cnt.lastLatch.Load()
	if now-last < int64(RelatchInterval) || !l.cnt.lastLatch.CompareAndSwap(last, now) {
		return false
	}
	ptr.Store(&latch{addr: p.From, via: s})
	l.cnt.relatches.Add(1)
	return true
}

// rtpSSRC is the sender SSRC of an RTP (bytes 8..11) or RTCP (4..7)
// packet.
func rtpSSRC(b []byte, rtcp bool) uint32 {
	off := 8
	if rtcp {
		off = 4
	}
	if len(b) < off+4 {
		return 0
	}
	return binary.BigEndian.Uint32(b[off:])
}

// WritePacket implements Endpoint: RTP from the RTP port, RTCP from the
// RTCP port (or the one port with rtcp-mux), to the latched or signalled
// address per the RemoteMode. With Latching and nothing received yet,
// nothing is sent (D-30).
func (l *Leg) WritePacket(p *Packet) error {
	s, ptr, signalled := l.rtpS, &l.rtp, l.cfg.RemoteRTP
	if p.RTCP && !l.cfg.RTCPMux {
		s, ptr, signalled = l.rtcpS, &l.rtcp, l.cfg.RemoteRTCP
	}
	var to netip.AddrPort
	if x := ptr.Load(); x != nil && l.cfg.Mode != Signaled {
		to = x.addr
	} else if l.cfg.Mode != Latching && signalled.IsValid() {
		to = signalled
	} else {
		l.cnt.unsent.Add(1)
		return nil
	}
	if err := s.writeTo(p.Bytes(), to); err != nil {
		return fmt.Errorf("demux: leg %v: %w", s.local, err)
	}
	l.cnt.sent.Add(1)
	return nil
}

// WriteRTP sends an RTP packet.
func (l *Leg) WriteRTP(b []byte) error { return sendCopy(l, b, false) }

// WriteRTCP sends an RTCP packet.
func (l *Leg) WriteRTCP(b []byte) error { return sendCopy(l, b, true) }

// CheckIdle raises OnInactive once when no packet arrived for the
// inactivity timeout. The leg calls it every second.
func (l *Leg) CheckIdle(now time.Time) {
	idle := now.Sub(time.Unix(0, l.cnt.lastSeen.Load()))
	if idle < l.cfg.InactivityTimeout {
		l.inactive.Store(false)
		return
	}
	if !l.inactive.Swap(true) && l.cfg.OnInactive != nil {
		l.cfg.OnInactive(l)
	}
}

func (l *Leg) idleLoop() {
	defer l.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			l.CheckIdle(l.now())
		}
	}
}

// Close closes the leg's sockets and waits for its goroutines.
func (l *Leg) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	close(l.done)
	err := l.rtpS.conn.Close()
	if l.rtcpS != l.rtpS {
		err = errors.Join(err, l.rtcpS.conn.Close())
	}
	l.wg.Wait()
	return err
}
