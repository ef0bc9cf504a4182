package per

import "fmt"

// Encoder writes an ALIGNED PER encoding bit by bit. The zero value is an
// empty encoder ready for use.
type Encoder struct {
	buf []byte
	n   int // bits written
}

// NewEncoder returns an encoder that appends to buf[:0], reusing its storage.
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{buf: buf[:0]}
}

// Reset discards everything written, keeping the storage.
func (e *Encoder) Reset() {
	e.buf = e.buf[:0]
	e.n = 0
}

// Len returns the number of bits written so far.
func (e *Encoder) Len() int { return e.n }

// Bytes returns the complete encoding: the bits written so far padded with
// zero bits to an octet boundary, or a single zero octet when nothing was
// written (X.691 10.1.3). The slice aliases the encoder's storage.
func (e *Encoder) Bytes() []byte {
	if e.n == 0 {
		e.buf = append(e.buf[:0], 0)
		e.n = 8
	}
	return e.buf
}

func (e *Encoder) errorf(err error) error {
	return &Error{Offset: e.n, Err: err}
}

func (e *Encoder) errorDetail(err error, format string, args ...any) error {
	return &Error{Offset: e.n, Err: fmt.Errorf("%w: "+format, append([]any{err}, args...)...)}
}

// PutBit writes one bit.
func (e *Encoder) PutBit(b bool) {
	if e.n&7 == 0 {
		e.buf = append(e.buf, 0)
	}
	if b {
		e.buf[len(e.buf)-1] |= 0x80 >> (e.n & 7)
	}
	e.n++
}

// PutBits writes the n low-order bits of v, most significant first (n <= 64).
func (e *Encoder) PutBits(v uint64, n int) {
	for n > 0 {
		used := e.n & 7
		if used == 0 {
			if n >= 8 {
				// Whole octets while aligned.
				e.buf = append(e.buf, byte(v>>(n-8)))
				e.n += 8
				n -= 8
				continue
			}
			e.buf = append(e.buf, 0)
		}
		free := 8 - used
		take := min(free, n)
		chunk := byte(v>>(n-take)) & byte(1<<take-1)
		e.buf[len(e.buf)-1] |= chunk << (free - take)
		n -= take
		e.n += take
	}
}

// Align pads with zero bits to the next octet boundary.
func (e *Encoder) Align() {
	e.n = len(e.buf) * 8
}

// putOctets writes whole octets at the current (possibly unaligned) position.
func (e *Encoder) putOctets(b []byte) {
	if e.n&7 == 0 {
		e.buf = append(e.buf, b...)
		e.n += 8 * len(b)
		return
	}
	for _, c := range b {
		e.PutBits(uint64(c), 8)
	}
}

// putStringOctets is putOctets for a string, without converting it.
func (e *Encoder) putStringOctets(s string) {
	if e.n&7 == 0 {
		e.buf = append(e.buf, s...)
		e.n += 8 * len(s)
		return
	}
	for i := 0; i < len(s); i++ {
		e.PutBits(uint64(s[i]), 8)
	}
}

// Missing returns the error for a mandatory component (or selected CHOICE
// alternative) that is nil; generated Encode methods return it.
func (e *Encoder) Missing() error { return e.errorf(ErrMissing) }

// NoAlternative returns the error for a CHOICE value whose Choice field does
// not name an alternative.
func (e *Encoder) NoAlternative(choice uint32) error {
	return e.errorDetail(ErrNoAlternative, "choice %d", choice)
}
