package per

import (
	"fmt"
	"math/rand/v2"
)

// DefaultMaxDepth is the nesting limit of a zero Decoder.
const DefaultMaxDepth = 64

// Decoder reads an ALIGNED PER encoding bit by bit. Use [Decoder.Reset] to
// point it at an input; the zero value decodes an empty input.
type Decoder struct {
	buf  []byte
	pos  int // bit position in buf
	end  int // bits in buf
	base int // bit offset of buf[0] in the outermost encoding

	depth int
	// MaxDepth caps the nesting of constructed types (SEQUENCE, CHOICE,
	// SEQUENCE OF, open types); 0 means DefaultMaxDepth.
	MaxDepth int

	rnd *rand.Rand // non-nil: synthesize random valid values (random.go)
}

// NewDecoder returns a decoder reading b.
func NewDecoder(b []byte) *Decoder {
	d := new(Decoder)
	d.Reset(b)
	return d
}

// Reset makes d read b from its first bit.
func (d *Decoder) Reset(b []byte) {
	*d = Decoder{buf: b, end: 8 * len(b), MaxDepth: d.MaxDepth}
}

// Offset returns the bit offset of the next bit to be read, counted from the
// start of the outermost encoding.
func (d *Decoder) Offset() int { return d.base + d.pos }

// Remaining returns the number of unread bits.
func (d *Decoder) Remaining() int { return d.end - d.pos }

func (d *Decoder) errorf(err error) error {
	return &Error{Offset: d.base + d.pos, Err: err}
}

func (d *Decoder) errorDetail(err error, format string, args ...any) error {
	return &Error{Offset: d.base + d.pos, Err: fmt.Errorf("%w: "+format, append([]any{err}, args...)...)}
}

// need reports ErrTruncated unless n more bits are available.
func (d *Decoder) need(n int) error {
	if n >= 0 && d.end-d.pos >= n {
		return nil
	}
	return d.truncated(n)
}

// truncated is the error for a read of n bits past the end of the input.
func (d *Decoder) truncated(n int) error {
	return d.errorDetail(ErrTruncated, "need %d bits, have %d", n, d.end-d.pos)
}

// Enter records one more level of nesting; it fails with ErrDepth beyond
// MaxDepth. Generated Decode methods call it on entry and Leave on success.
func (d *Decoder) Enter() error {
	d.depth++
	limit := d.MaxDepth
	if limit == 0 {
		limit = DefaultMaxDepth
	}
	if d.depth > limit {
		return d.errorf(ErrDepth)
	}
	return nil
}

// Leave undoes one Enter.
func (d *Decoder) Leave() { d.depth-- }

// Bit reads one bit (a BOOLEAN value).
func (d *Decoder) Bit() (bool, error) {
	if d.rnd == nil && d.pos < d.end {
		b := d.buf[d.pos>>3]&(0x80>>(d.pos&7)) != 0
		d.pos++
		return b, nil
	}
	return d.bitSlow()
}

func (d *Decoder) bitSlow() (bool, error) {
	if d.rnd != nil {
		return d.rnd.IntN(2) == 1, nil
	}
	return false, d.truncated(1)
}

// Bits reads n bits (n <= 64), most significant first. Generated code reads
// the presence bitmap of OPTIONAL components with it.
func (d *Decoder) Bits(n int) (uint64, error) {
	if d.rnd != nil {
		if n == 0 {
			return 0, nil
		}
		return d.randPreamble(n), nil
	}
	if err := d.need(n); err != nil {
		return 0, err
	}
	return d.bits(n), nil
}

// bits reads n bits that are known to be available.
func (d *Decoder) bits(n int) uint64 {
	var v uint64
	for n > 0 {
		off := d.pos & 7
		b := d.buf[d.pos>>3]
		if off == 0 && n >= 8 {
			v = v<<8 | uint64(b)
			d.pos += 8
			n -= 8
			continue
		}
		avail := 8 - off
		take := min(avail, n)
		v = v<<take | uint64(b>>(avail-take))&(1<<take-1)
		n -= take
		d.pos += take
	}
	return v
}

// Align skips to the next octet boundary.
func (d *Decoder) Align() error {
	p := (d.pos + 7) &^ 7
	if p > d.end {
		return d.errorf(ErrTruncated)
	}
	d.pos = p
	return nil
}

// octets returns the next n whole octets (aligned or not) as a fresh slice.
func (d *Decoder) octets(n int) ([]byte, error) {
	if n > (d.end-d.pos)/8 {
		return nil, d.errorDetail(ErrTruncated, "need %d octets", n)
	}
	out := make([]byte, n)
	d.readOctets(out)
	return out, nil
}

// readOctets fills dst from the input; the caller checked availability.
func (d *Decoder) readOctets(dst []byte) {
	if d.pos&7 == 0 {
		copy(dst, d.buf[d.pos>>3:])
		d.pos += 8 * len(dst)
		return
	}
	for i := range dst {
		dst[i] = byte(d.bits(8))
	}
}

// Done checks that a complete encoding (an open type's contents or a whole
// message) was consumed: what is left must be padding within the last octet,
// or the single zero octet that stands for an empty encoding.
func (d *Decoder) Done() error {
	if d.rnd != nil {
		return nil
	}
	used := (d.pos + 7) / 8
	if used == 0 {
		used = 1
	}
	if used*8 < d.end {
		return d.errorDetail(ErrTrailing, "%d octets", d.end/8-used)
	}
	return nil
}
