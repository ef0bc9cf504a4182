// Package tpkt implements the TPKT framing of RFC 1006 that H.225.0 call
// signalling and H.245 use over TCP: each packet is a 4-octet header
// (version 3, a reserved octet, and a 16-bit length that counts the header)
// followed by the payload. A packet with no payload is a keep-alive
// (H.460.18 uses it to hold NAT bindings open).
package tpkt

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	// HeaderLen is the length of the TPKT header.
	HeaderLen = 4
	// Version is the TPKT version octet.
	Version = 3
	// DefaultMaxSize is the default cap on a packet's length, header
	// included: 64 KiB, which admits every length the 16-bit field can hold.
	DefaultMaxSize = 64 << 10
	// maxLength is what the 16-bit length field can express.
	maxLength = 1<<16 - 1
)

// Errors returned by the reader and writer; test with errors.Is.
var (
	// ErrVersion reports a header whose first octet is not 3.
	ErrVersion = errors.New("tpkt: version is not 3")
	// ErrLength reports a length field below the header length.
	ErrLength = errors.New("tpkt: length shorter than the header")
	// ErrTooLarge reports a packet longer than the reader's cap, or a
	// payload too long for the 16-bit length field.
	ErrTooLarge = errors.New("tpkt: packet too large")
)

// KeepAlive is the empty TPKT: a header announcing no payload.
var KeepAlive = []byte{Version, 0, 0, HeaderLen}

// Reader reads TPKT packets from a byte stream. It buffers its input, so
// several packets arriving in one TCP segment and packets split across
// segments are both handled.
type Reader struct {
	r   *bufio.Reader
	max int
	hdr [HeaderLen]byte
	buf []byte
	off int64 // stream offset of the next header
}

// NewReader returns a Reader on r that refuses packets longer than maxSize
// octets including the header (DefaultMaxSize when maxSize <= 0).
func NewReader(r io.Reader, maxSize int) *Reader {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	return &Reader{r: bufio.NewReaderSize(r, 4096), max: maxSize}
}

// ReadPacket reads the next packet and returns its payload, which is empty
// for a keep-alive. The payload is valid until the next call. At the end of
// the stream it returns io.EOF when no octet of a further packet was read,
// and io.ErrUnexpectedEOF inside a packet.
func (r *Reader) ReadPacket() ([]byte, error) {
	hdr := r.hdr[:]
	if _, err := io.ReadFull(r.r, hdr); err != nil {
		return nil, err
	}
	if hdr[0] != Version {
		return nil, fmt.Errorf("%w: %#02x at stream offset %d", ErrVersion, hdr[0], r.off)
	}
	n := int(binary.BigEndian.Uint16(hdr[2:]))
	if n < HeaderLen {
		return nil, fmt.Errorf("%w: %d at stream offset %d", ErrLength, n, r.off)
	}
	if n > r.max {
		return nil, fmt.Errorf("%w: %d octets, cap %d, at stream offset %d", ErrTooLarge, n, r.max, r.off)
	}
	if cap(r.buf) < n-HeaderLen {
		r.buf = make([]byte, n-HeaderLen)
	}
	r.buf = r.buf[:n-HeaderLen]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	r.off += int64(n)
	return r.buf, nil
}

// Next reads packets until one carries a payload, skipping keep-alives.
func (r *Reader) Next() ([]byte, error) {
	for {
		p, err := r.ReadPacket()
		if err != nil || len(p) > 0 {
			return p, err
		}
	}
}

// Append appends a TPKT packet carrying payload to dst.
func Append(dst, payload []byte) ([]byte, error) {
	n := len(payload) + HeaderLen
	if n > maxLength {
		return dst, fmt.Errorf("%w: payload of %d octets", ErrTooLarge, len(payload))
	}
	dst = append(dst, Version, 0, byte(n>>8), byte(n))
	return append(dst, payload...), nil
}

// Write writes one TPKT packet carrying payload to w in a single Write call.
func Write(w io.Writer, payload []byte) error {
	pkt, err := Append(make([]byte, 0, len(payload)+HeaderLen), payload)
	if err != nil {
		return err
	}
	_, err = w.Write(pkt)
	return err
}
