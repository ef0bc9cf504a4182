package demux

import (
	"fmt"
	"net/netip"
	"sync"
)

// Headroom is the space kept in front of every received packet so that a
// 4-byte multiplex ID can be written in place when it is forwarded to a
// shared port.
const Headroom = 4

// bufSize holds any UDP datagram a media port should see (jumbo frames
// are dropped as truncated).
const bufSize = 2048

// Packet is one received RTP or RTCP packet in a buffer owned by the
// socket reader. It is valid only during the Sink call that delivers it:
// a Sink that keeps the bytes must copy them.
type Packet struct {
	buf  []byte
	off  int // start of the packet in buf; at least Headroom
	n    int
	RTCP bool
	// From is the source transport address.
	From netip.AddrPort
}

// Bytes returns the RTP or RTCP packet (without any multiplex ID).
func (p *Packet) Bytes() []byte { return p.buf[p.off : p.off+p.n] }

// withID writes id in the headroom and returns the ID-prefixed datagram.
func (p *Packet) withID(id uint32) []byte {
	b := p.buf[p.off-Headroom : p.off+p.n]
	b[0], b[1], b[2], b[3] = byte(id>>24), byte(id>>16), byte(id>>8), byte(id)
	return b
}

// Sink receives packets. It runs on the socket's reader goroutine and must
// not block for long or keep the packet after it returns.
type Sink func(*Packet)

// Endpoint is one side of a relay: something that media can be written to
// and that delivers the media it receives to a Sink. Stream and Leg are
// Endpoints.
type Endpoint interface {
	// WritePacket sends the packet (RTP or RTCP by p.RTCP) to the far end,
	// using p's headroom if it needs to.
	WritePacket(p *Packet) error
	// SetSink sets where received packets go; nil drops them.
	SetSink(Sink)
}

// scratch buffers for WriteRTP/WriteRTCP, which must copy caller bytes
// behind a multiplex ID.
var scratch = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// sendCopy copies caller bytes behind headroom in a pooled buffer and
// writes them through w.
func sendCopy(w Endpoint, b []byte, rtcp bool) error {
	if len(b)+Headroom > bufSize {
		return fmt.Errorf("demux: %d-byte packet too large", len(b))
	}
	bp := scratch.Get().(*[]byte)
	copy((*bp)[Headroom:], b)
	p := Packet{buf: *bp, off: Headroom, n: len(b), RTCP: rtcp}
	err := w.WritePacket(&p)
	scratch.Put(bp)
	return err
}
