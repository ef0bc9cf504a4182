package per

import (
	"fmt"
	"strings"
)

// BitString is a BIT STRING value: Len bits stored most significant bit
// first in Bytes (the unused low bits of the last octet are zero).
type BitString struct {
	Bytes []byte
	Len   int
}

// At returns bit i (0 is the first, most significant bit).
func (b BitString) At(i int) bool {
	if i < 0 || i >= b.Len {
		return false
	}
	return b.Bytes[i/8]&(0x80>>(i%8)) != 0
}

// String formats the bits as ASN.1 bstring notation, e.g. '0101'B.
func (b BitString) String() string {
	var s strings.Builder
	s.WriteByte('\'')
	for i := 0; i < b.Len; i++ {
		if b.At(i) {
			s.WriteByte('1')
		} else {
			s.WriteByte('0')
		}
	}
	s.WriteString("'B")
	return s.String()
}

func (b BitString) valid() error {
	if b.Len < 0 || (b.Len+7)/8 > len(b.Bytes) {
		return fmt.Errorf("%w: BitString of %d bits in %d octets", ErrSize, b.Len, len(b.Bytes))
	}
	return nil
}

// putBitField writes the first n bits of b.
func (e *Encoder) putBitField(b []byte, n int) {
	for i := 0; n > 0; i++ {
		k := min(n, 8)
		e.PutBits(uint64(b[i]>>(8-k)), k)
		n -= k
	}
}

// PutBitString writes b under the SIZE constraint c (X.691 16): no length
// for a fixed size below 64K (aligned above 16 bits), otherwise a length
// determinant in bits and aligned bits, fragmented from 16K bits on.
func (e *Encoder) PutBitString(b BitString, c Size) error {
	if err := b.valid(); err != nil {
		return &Error{Offset: e.n, Err: err}
	}
	if c.fixed() && !c.Ext {
		if b.Len != c.Min {
			return e.errorDetail(ErrSize, "%d bits, want %d", b.Len, c.Min)
		}
		if c.Min > 16 {
			e.Align()
		}
		e.putBitField(b.Bytes, b.Len)
		return nil
	}
	for done, more := 0, true; more; {
		k, m, err := e.PutCount(b.Len, done, c)
		if err != nil {
			return err
		}
		fixedRoot := done == 0 && c.Ext && c.fixed() && c.allows(k) && k == b.Len
		if (fixedRoot && k > 16) || (!fixedRoot && k > 0) {
			e.Align()
		}
		// Fragments are multiples of 16K bits, so done is octet aligned.
		e.putBitField(b.Bytes[done/8:], k)
		done += k
		more = m
	}
	return nil
}

// BitString reads a BIT STRING written by PutBitString.
func (d *Decoder) BitString(c Size) (BitString, error) {
	if d.rnd != nil {
		return d.randBits(c), nil
	}
	if c.fixed() && !c.Ext {
		if c.Min > 16 {
			if err := d.Align(); err != nil {
				return BitString{}, err
			}
		}
		return d.bitField(c.Min)
	}
	var out BitString
	for done, more := 0, true; more; {
		k, m, err := d.Count(done, c, 1)
		if err != nil {
			return BitString{}, err
		}
		fixedRoot := done == 0 && c.Ext && c.fixed() && k == c.Min
		if (fixedRoot && k > 16) || (!fixedRoot && k > 0) {
			if err := d.Align(); err != nil {
				return BitString{}, err
			}
		}
		part, err := d.bitField(k)
		if err != nil {
			return BitString{}, err
		}
		if done == 0 && !m {
			return part, nil
		}
		out.Bytes = append(out.Bytes, part.Bytes...)
		out.Len += k
		done += k
		more = m
	}
	return out, nil
}

// bitField reads n bits into a new BitString.
func (d *Decoder) bitField(n int) (BitString, error) {
	if err := d.need(n); err != nil {
		return BitString{}, err
	}
	out := BitString{Bytes: make([]byte, (n+7)/8), Len: n}
	for i := 0; n > 0; i++ {
		k := min(n, 8)
		out.Bytes[i] = byte(d.bits(k) << (8 - k))
		n -= k
	}
	return out, nil
}
