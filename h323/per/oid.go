package per

import (
	"fmt"
	"strconv"
	"strings"
)

// ObjectIdentifier is an OBJECT IDENTIFIER value: its arcs in order.
type ObjectIdentifier []uint32

// ParseObjectIdentifier parses dotted notation such as "0.0.8.2250.0.7".
func ParseObjectIdentifier(s string) (ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("per: object identifier %q: need at least two arcs", s)
	}
	oid := make(ObjectIdentifier, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("per: object identifier %q: arc %d: %w", s, i, err)
		}
		oid[i] = uint32(v)
	}
	if err := oid.check(); err != nil {
		return nil, fmt.Errorf("per: object identifier %q: %w", s, err)
	}
	return oid, nil
}

// MustParseObjectIdentifier is ParseObjectIdentifier for constants; it
// panics on a malformed literal.
func MustParseObjectIdentifier(s string) ObjectIdentifier {
	oid, err := ParseObjectIdentifier(s)
	if err != nil {
		panic(err)
	}
	return oid
}

// String returns the dotted notation.
func (o ObjectIdentifier) String() string {
	var b strings.Builder
	for i, a := range o {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(a), 10))
	}
	return b.String()
}

// Equal reports whether o and p have the same arcs.
func (o ObjectIdentifier) Equal(p ObjectIdentifier) bool {
	if len(o) != len(p) {
		return false
	}
	for i := range o {
		if o[i] != p[i] {
			return false
		}
	}
	return true
}

func (o ObjectIdentifier) check() error {
	if len(o) < 2 {
		return fmt.Errorf("%w: object identifier with %d arcs", ErrRange, len(o))
	}
	if o[0] > 2 || (o[0] < 2 && o[1] > 39) || uint64(o[0])*40+uint64(o[1]) > 1<<32-1 {
		return fmt.Errorf("%w: object identifier first arcs %d.%d", ErrRange, o[0], o[1])
	}
	return nil
}

// appendBase128 appends v in the X.690 base-128 form of a subidentifier.
func appendBase128(b []byte, v uint64) []byte {
	n := 1
	for t := v >> 7; t > 0; t >>= 7 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		c := byte(v>>(7*i)) & 0x7F
		if i > 0 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

// PutObjectIdentifier writes o: a length determinant and the X.690 contents
// octets, octet-aligned (X.691 24).
func (e *Encoder) PutObjectIdentifier(o ObjectIdentifier) error {
	if err := o.check(); err != nil {
		return &Error{Offset: e.n, Err: err}
	}
	var tmp [64]byte
	content := appendBase128(tmp[:0], uint64(o[0])*40+uint64(o[1]))
	for _, a := range o[2:] {
		content = appendBase128(content, uint64(a))
	}
	e.putUnconstrainedLength(len(content))
	if len(content) >= fragment {
		return e.errorDetail(ErrSize, "object identifier of %d octets", len(content))
	}
	e.putOctets(content)
	return nil
}

// ObjectIdentifier reads an OBJECT IDENTIFIER.
func (d *Decoder) ObjectIdentifier() (ObjectIdentifier, error) {
	if d.rnd != nil {
		return d.randOID(), nil
	}
	n, more, err := d.getUnconstrainedLength()
	if err != nil {
		return nil, err
	}
	if more || n == 0 {
		return nil, d.errorDetail(ErrInvalid, "object identifier of %d octets", n)
	}
	if n > (d.end-d.pos)/8 {
		return nil, d.errorDetail(ErrTruncated, "object identifier of %d octets", n)
	}
	content := d.buf[d.pos>>3 : d.pos>>3+n]
	if content[n-1]&0x80 != 0 {
		return nil, d.errorDetail(ErrInvalid, "object identifier ends inside an arc")
	}
	arcs := 1 // the first subidentifier holds two arcs
	for _, c := range content {
		if c&0x80 == 0 {
			arcs++
		}
	}
	oid := make(ObjectIdentifier, arcs)
	var v uint64
	i := 0
	for j, c := range content {
		if v == 0 && c == 0x80 {
			return nil, d.errorDetail(ErrInvalid, "non-minimal object identifier arc at octet %d", j)
		}
		v = v<<7 | uint64(c&0x7F)
		if v > 1<<32-1+80 {
			return nil, d.errorDetail(ErrRange, "object identifier arc too large")
		}
		if c&0x80 != 0 {
			continue
		}
		if i == 0 {
			switch {
			case v < 40:
				oid[0], oid[1] = 0, uint32(v)
			case v < 80:
				oid[0], oid[1] = 1, uint32(v-40)
			default:
				oid[0], oid[1] = 2, uint32(v-80)
			}
			i = 2
		} else {
			if v > 1<<32-1 {
				return nil, d.errorDetail(ErrRange, "object identifier arc too large")
			}
			oid[i] = uint32(v)
			i++
		}
		v = 0
	}
	d.pos += 8 * n
	return oid, nil
}
