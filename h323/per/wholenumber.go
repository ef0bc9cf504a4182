package per

import "math/bits"

// Whole numbers (X.691 clause 10.5 to 10.8, 13, 14): constrained,
// semi-constrained and unconstrained INTEGER values, normally small numbers
// and ENUMERATED indices.

// octetsFor returns the number of octets needed for v as an unsigned
// binary integer (at least one).
func octetsFor(v uint64) int {
	if v == 0 {
		return 1
	}
	return (bits.Len64(v) + 7) / 8
}

// putRange writes off, an offset from the lower bound, as a constrained whole
// number whose range is r1+1 (X.691 10.5.7, ALIGNED variant).
func (e *Encoder) putRange(off, r1 uint64) {
	switch {
	case r1 == 0:
	case r1 < 255: // range <= 255: minimal bit-field
		e.PutBits(off, bits.Len64(r1))
	case r1 == 255: // range == 256: one aligned octet
		e.Align()
		e.PutBits(off, 8)
	case r1 < 65536: // range <= 64K: two aligned octets
		e.Align()
		e.PutBits(off, 16)
	default: // indefinite-length case: octet count, then aligned octets
		n := octetsFor(off)
		e.putRange(uint64(n-1), uint64(octetsFor(r1)-1))
		e.Align()
		e.PutBits(off, 8*n)
	}
}

// getRange reads a constrained whole number of range r1+1 and returns its
// offset from the lower bound.
func (d *Decoder) getRange(r1 uint64) (uint64, error) {
	switch {
	case r1 == 0:
		return 0, nil
	case r1 < 255:
		n := bits.Len64(r1)
		if err := d.need(n); err != nil {
			return 0, err
		}
		v := d.bits(n)
		if v > r1 {
			return 0, d.errorDetail(ErrRange, "%d exceeds range %d", v, r1)
		}
		return v, nil
	case r1 == 255:
		if err := d.Align(); err != nil {
			return 0, err
		}
		return d.Bits(8)
	case r1 < 65536:
		if err := d.Align(); err != nil {
			return 0, err
		}
		v, err := d.Bits(16)
		if err == nil && v > r1 {
			return 0, d.errorDetail(ErrRange, "%d exceeds range %d", v, r1)
		}
		return v, err
	default:
		n, err := d.getRange(uint64(octetsFor(r1) - 1))
		if err != nil {
			return 0, err
		}
		if err := d.Align(); err != nil {
			return 0, err
		}
		v, err := d.Bits(8 * int(n+1))
		if err == nil && v > r1 {
			return 0, d.errorDetail(ErrRange, "%d exceeds range %d", v, r1)
		}
		return v, err
	}
}

// PutConstrained writes v as a constrained whole number in lb..ub.
func (e *Encoder) PutConstrained(v, lb, ub int64) error {
	if v < lb || v > ub {
		return e.errorDetail(ErrRange, "%d not in %d..%d", v, lb, ub)
	}
	e.putRange(uint64(v-lb), uint64(ub-lb))
	return nil
}

// Constrained reads a constrained whole number in lb..ub.
func (d *Decoder) Constrained(lb, ub int64) (int64, error) {
	if d.rnd != nil {
		return d.randRange(lb, ub), nil
	}
	off, err := d.getRange(uint64(ub - lb))
	return lb + int64(off), err
}

// PutConstrainedExt writes v for an extensible constraint lb..ub, ...: a
// zero bit and the constrained encoding inside the root, else a one bit and
// the unconstrained encoding (X.691 13.1).
func (e *Encoder) PutConstrainedExt(v, lb, ub int64) {
	if v >= lb && v <= ub {
		e.PutBit(false)
		e.putRange(uint64(v-lb), uint64(ub-lb))
		return
	}
	e.PutBit(true)
	e.PutUnconstrained(v)
}

// ConstrainedExt reads a value written by PutConstrainedExt.
func (d *Decoder) ConstrainedExt(lb, ub int64) (int64, error) {
	ext, err := d.Bit()
	if err != nil {
		return 0, err
	}
	if !ext {
		return d.Constrained(lb, ub)
	}
	return d.Unconstrained()
}

// PutSemiConstrained writes v >= lb as a semi-constrained whole number: a
// length determinant and the octets of v-lb (X.691 10.7).
func (e *Encoder) PutSemiConstrained(v, lb int64) error {
	if v < lb {
		return e.errorDetail(ErrRange, "%d below %d", v, lb)
	}
	off := uint64(v - lb)
	n := octetsFor(off)
	e.Align()
	e.PutBits(uint64(n), 8)
	e.PutBits(off, 8*n)
	return nil
}

// SemiConstrained reads a semi-constrained whole number with lower bound lb.
func (d *Decoder) SemiConstrained(lb int64) (int64, error) {
	if d.rnd != nil {
		return lb + int64(d.rnd.IntN(1000)), nil
	}
	n, err := d.intLength()
	if err != nil {
		return 0, err
	}
	v, err := d.Bits(8 * n)
	if err != nil {
		return 0, err
	}
	if int64(v) < 0 || lb+int64(v) < lb {
		return 0, d.errorDetail(ErrRange, "semi-constrained value overflows int64")
	}
	return lb + int64(v), nil
}

// intLength reads the length determinant of an integer encoding: 1..8 octets.
func (d *Decoder) intLength() (int, error) {
	if err := d.Align(); err != nil {
		return 0, err
	}
	n, err := d.Bits(8)
	if err != nil {
		return 0, err
	}
	if n == 0 || n > 8 {
		return 0, d.errorDetail(ErrRange, "integer of %d octets", n)
	}
	if err := d.Align(); err != nil {
		return 0, err
	}
	return int(n), nil
}

// PutUnconstrained writes v as an unconstrained whole number: a length
// determinant and the minimal two's-complement octets (X.691 10.8).
func (e *Encoder) PutUnconstrained(v int64) {
	n := 1
	for n < 8 {
		shift := 8*n - 1
		if v >= -(1<<shift) && v < 1<<shift {
			break
		}
		n++
	}
	e.Align()
	e.PutBits(uint64(n), 8)
	e.PutBits(uint64(v), 8*n)
}

// Unconstrained reads an unconstrained whole number.
func (d *Decoder) Unconstrained() (int64, error) {
	if d.rnd != nil {
		return int64(d.rnd.Uint64()) >> d.rnd.IntN(64), nil
	}
	n, err := d.intLength()
	if err != nil {
		return 0, err
	}
	v, err := d.Bits(8 * n)
	if err != nil {
		return 0, err
	}
	shift := 64 - 8*n
	return int64(v<<shift) >> shift, nil
}

// PutNormallySmall writes a normally small non-negative whole number
// (X.691 10.6): six bits below 64, else a semi-constrained number.
func (e *Encoder) PutNormallySmall(n int) {
	if n < 64 {
		e.PutBits(uint64(n), 7)
		return
	}
	e.PutBit(true)
	_ = e.PutSemiConstrained(int64(n), 0)
}

// normallySmall reads a normally small non-negative whole number, limited to
// what an int index can hold.
func (d *Decoder) normallySmall() (int, error) {
	big, err := d.Bit()
	if err != nil {
		return 0, err
	}
	if !big {
		v, err := d.Bits(6)
		return int(v), err
	}
	v, err := d.SemiConstrained(0)
	if err != nil {
		return 0, err
	}
	if v > 1<<20 {
		return 0, d.errorDetail(ErrRange, "normally small number %d", v)
	}
	return int(v), nil
}

// PutEnumerated writes the index of an ENUMERATED value: root values
// 0..root-1 as a constrained number, extension values as a normally small
// number after a one bit (X.691 14).
func (e *Encoder) PutEnumerated(idx, root int, extensible bool) error {
	if idx < 0 || (!extensible && idx >= root) {
		return e.errorDetail(ErrRange, "enumeration index %d of %d", idx, root)
	}
	if extensible {
		if idx >= root {
			e.PutBit(true)
			e.PutNormallySmall(idx - root)
			return nil
		}
		e.PutBit(false)
	}
	e.putRange(uint64(idx), uint64(root-1))
	return nil
}

// Enumerated reads an ENUMERATED index written by PutEnumerated; known is the
// number of root plus known extension values (used only for random values).
func (d *Decoder) Enumerated(root, known int, extensible bool) (int, error) {
	if d.rnd != nil {
		return d.rnd.IntN(known), nil
	}
	if extensible {
		ext, err := d.Bit()
		if err != nil {
			return 0, err
		}
		if ext {
			n, err := d.normallySmall()
			return root + n, err
		}
	}
	v, err := d.getRange(uint64(root - 1))
	return int(v), err
}
