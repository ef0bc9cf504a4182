//go:build !linux

package udpbatch

import (
	"net"
	"net/netip"
)

// Writer sends queued datagrams one at a time where sendmmsg is not
// available.
type Writer struct {
	c    *net.UDPConn
	bufs [][]byte
	to   []netip.AddrPort
}

// NewWriter prepares a writer over c.
func NewWriter(c *net.UDPConn) (*Writer, error) { return &Writer{c: c}, nil }

// Queue adds a datagram.
func (w *Writer) Queue(b []byte, to netip.AddrPort) error {
	w.bufs, w.to = append(w.bufs, b), append(w.to, to)
	return nil
}

// Flush sends everything queued.
func (w *Writer) Flush() error {
	var first error
	for i, b := range w.bufs {
		if _, err := w.c.WriteToUDPAddrPort(b, w.to[i]); err != nil && first == nil {
			first = err
		}
	}
	w.bufs, w.to = w.bufs[:0], w.to[:0]
	return first
}

// Len is the number of queued datagrams.
func (w *Writer) Len() int { return len(w.bufs) }

// SetSegmentation reports false: UDP segmentation offload is Linux only.
func (w *Writer) SetSegmentation(on bool) bool { return false }
