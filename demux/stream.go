package demux

import (
	"fmt"
	"net/netip"
	"sync/atomic"
)

// Stream is one demuxed media stream on a shared pair (DMX-17, DMX-18,
// DMX-22).
type Stream struct {
	mux    *Mux
	spec   StreamSpec
	recvID uint32
	pair   int
	sendID atomic.Uint32
	sink   atomic.Pointer[Sink]
	rtp    atomic.Pointer[latch]
	rtcp   atomic.Pointer[latch]
	cnt    counters

	stale, inactive, closed atomic.Bool
}

// RecvID is the multiplex ID of packets to this stream.
func (st *Stream) RecvID() uint32 { return st.recvID }

// SendID is the multiplex ID put on packets from this stream.
func (st *Stream) SendID() uint32 { return st.sendID.Load() }

// SetSendID sets the ID the far end assigned (e.g. from an H.245
// OpenLogicalChannelAck).
func (st *Stream) SetSendID(id uint32) { st.sendID.Store(id) }

// Pair is the shared pair the stream lives on.
func (st *Stream) Pair() Pair { return st.mux.pairs[st.pair] }

// Spec returns the stream's specification.
func (st *Stream) Spec() StreamSpec { return st.spec }

// SetSink implements Endpoint.
func (st *Stream) SetSink(s Sink) {
	if s == nil {
		st.sink.Store(nil)
		return
	}
	st.sink.Store(&s)
}

// Remote returns the latched RTP and RTCP addresses (zero until latched).
func (st *Stream) Remote() (rtp, rtcp netip.AddrPort) {
	if l := st.rtp.Load(); l != nil {
		rtp = l.addr
	}
	if l := st.rtcp.Load(); l != nil {
		rtcp = l.addr
	}
	return rtp, rtcp
}

// Stats returns the stream's counters.
func (st *Stream) Stats() Stats { return st.cnt.stats() }

// accept latches or checks the source of a packet that carried the
// stream's ID: the first packet latches; a new source re-latches at most
// once per RelatchInterval (DMX-18).
func (st *Stream) accept(s *sock, from netip.AddrPort, now int64) bool {
	ptr := &st.rtp
	if s.rtcp {
		ptr = &st.rtcp
	}
	cur := ptr.Load()
	if cur != nil && cur.addr == from && cur.via == s {
		return true
	}
	if cur == nil {
		if !ptr.CompareAndSwap(nil, &latch{addr: from, via: s}) {
			return st.accept(s, from, now)
		}
		st.cnt.latches.Add(1)
		st.cnt.lastLatch.Store(now)
		if f := st.mux.cfg.OnLatched; f != nil {
			f(st, from)
		}
		return true
	}
	last := st.cnt.lastLatch.Load()
	if now-last < int64(RelatchInterval) || !st.cnt.lastLatch.CompareAndSwap(last, now) {
		return false
	}
	ptr.Store(&latch{addr: from, via: s})
	st.cnt.relatches.Add(1)
	if f := st.mux.cfg.OnRelatched; f != nil {
		f(st, from)
	}
	return true
}

func (st *Stream) deliver(p *Packet, now int64) {
	st.cnt.seen(now, p.n, p.RTCP)
	if p.RTCP {
		st.cnt.keepRTCP(p.Bytes())
	}
	if sink := st.sink.Load(); sink != nil {
		(*sink)(p)
		return
	}
	st.mux.drops.add(DropNoSink)
}

// WritePacket implements Endpoint: the packet leaves the shared socket
// with the stream's SendID in front, toward the latched address (or the
// signalled one, per the RemoteMode). Without a known address nothing is
// sent (DMX-13).
func (st *Stream) WritePacket(p *Packet) error {
	id := st.sendID.Load()
	if id == 0 {
		st.cnt.unsent.Add(1)
		return ErrNoSendID
	}
	if p.off < Headroom {
		return fmt.Errorf("demux: packet without headroom")
	}
	via, to, ok := st.route(p.RTCP)
	if !ok {
		st.cnt.unsent.Add(1)
		return nil
	}
	if err := via.writeTo(p.withID(id), to); err != nil {
		return fmt.Errorf("demux: stream %d: %w", st.recvID, err)
	}
	st.cnt.sent.Add(1)
	return nil
}

func (st *Stream) route(rtcp bool) (*sock, netip.AddrPort, bool) {
	l, signalled, k := st.rtp.Load(), st.spec.RemoteRTP, 0
	if rtcp {
		l, signalled, k = st.rtcp.Load(), st.spec.RemoteRTCP, 1
	}
	if l != nil && st.spec.Mode != Signaled {
		return l.via, l.addr, true
	}
	if st.spec.Mode != Latching && signalled.IsValid() {
		return st.mux.out[st.pair][k], signalled, true
	}
	return nil, netip.AddrPort{}, false
}

// WriteRTP sends an RTP packet (copied behind the multiplex ID).
func (st *Stream) WriteRTP(b []byte) error { return sendCopy(st, b, false) }

// WriteRTCP sends an RTCP packet.
func (st *Stream) WriteRTCP(b []byte) error { return sendCopy(st, b, true) }

// Close removes the stream; its ID stays quarantined for 60 s so late
// packets cannot reach a new stream (DMX-22).
func (st *Stream) Close() error {
	if !st.closed.Swap(true) {
		st.mux.unregister(st)
	}
	return nil
}
