//go:build linux

package udpbatch

import (
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Limits of one segmented send: the kernel takes at most 64 segments
// (UDP_MAX_SEGMENTS) in one datagram of at most 64 KiB, and a segment must
// fit the path MTU; 1400 bytes fits any Ethernet path with room for the
// IPv6 and UDP headers, and media packets are smaller.
const (
	gsoMaxSegments = 64
	gsoMaxBytes    = 65000
	gsoMaxSegment  = 1400
)

// gsoBatch groups a Writer's queued datagrams for UDP generic segmentation
// offload (UDP_SEGMENT): a run of consecutive datagrams to one destination,
// all of one length but the last, which may be shorter, leaves as one
// sendmmsg entry whose iovecs are the datagrams, with the segment length
// in a control message. The kernel builds one packet and splits it late —
// on loopback only at the receiving socket — so the route lookup, the IP
// output path and the device transmit are paid once per run instead of
// once per datagram. Receivers see the datagrams unchanged.
type gsoBatch struct {
	on    bool
	to    []netip.AddrPort // destination of each queued datagram
	hdrs  []unix.Mmsghdr   // one per run
	spans []int            // datagrams in each run
	ctrl  []byte           // one UDP_SEGMENT control message per run
}

var cmsgSegmentSpace = unix.CmsgSpace(2)

func (g *gsoBatch) init() {
	g.to = make([]netip.AddrPort, BatchSize)
	g.hdrs = make([]unix.Mmsghdr, BatchSize)
	g.spans = make([]int, BatchSize)
	g.ctrl = make([]byte, BatchSize*cmsgSegmentSpace)
	for k := 0; k < BatchSize; k++ {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&g.ctrl[k*cmsgSegmentSpace]))
		h.Level, h.Type = unix.SOL_UDP, unix.UDP_SEGMENT
		h.SetLen(unix.CmsgLen(2))
	}
}

// group builds the sendmmsg headers for w's datagrams from index from on,
// one per run, and returns them with each run's length.
func (g *gsoBatch) group(w *Writer, from int) ([]unix.Mmsghdr, []int) {
	k := 0
	for i := from; i < w.n; k++ {
		seg := int(w.iovs[i].Len)
		j, total := i+1, seg
		if seg <= gsoMaxSegment {
			for j < w.n && j-i < gsoMaxSegments && g.to[j] == g.to[i] {
				l := int(w.iovs[j].Len)
				if l > seg || total+l > gsoMaxBytes {
					break
				}
				total += l
				j++
				if l < seg {
					break // a shorter datagram ends the run
				}
			}
		}
		h := &g.hdrs[k]
		h.Hdr.Iov = &w.iovs[i]
		h.Hdr.SetIovlen(j - i)
		h.Hdr.Name = w.hdrs[i].Hdr.Name
		h.Hdr.Namelen = w.hdrs[i].Hdr.Namelen
		if j-i > 1 {
			c := g.ctrl[k*cmsgSegmentSpace:]
			*(*uint16)(unsafe.Pointer(&c[unix.CmsgLen(0)])) = uint16(seg)
			h.Hdr.Control = &c[0]
			h.Hdr.SetControllen(unix.CmsgLen(2))
		} else {
			h.Hdr.Control = nil
			h.Hdr.SetControllen(0)
		}
		g.spans[k] = j - i
		i = j
	}
	return g.hdrs[:k], g.spans[:k]
}

var gsoProbe = sync.OnceValue(func() bool {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	_, err = unix.GetsockoptInt(fd, unix.SOL_UDP, unix.UDP_SEGMENT)
	return err == nil
})

// gsoSupported reports whether the kernel knows UDP_SEGMENT; a route that
// cannot segment still refuses it per send, and the writer then falls back.
func gsoSupported() bool { return gsoProbe() }

// SetSegmentation turns UDP segmentation offload on or off for a writer
// made by NewSocketWriter (it is on by default where the kernel supports
// it); it reports whether it is on. Turning it off gives one sendmmsg entry
// per datagram, as before segmentation existed. It can be turned on only
// while nothing is queued.
func (w *Writer) SetSegmentation(on bool) bool {
	switch {
	case !on:
		w.gso.on = false
	case w.sock != nil && gsoSupported() && w.n == 0:
		if w.gso.to == nil && w.hdrs != nil {
			w.gso.init()
		}
		w.gso.on = true
	}
	return w.gso.on
}
