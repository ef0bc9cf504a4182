package per

// Length determinants (X.691 10.9) and the 16K fragmentation of long lists
// and strings.

// Size is an effective SIZE constraint: Min..Max, with Max < 0 meaning no
// upper bound, and Ext set when the constraint has an extension marker.
type Size struct {
	Min, Max int
	Ext      bool
}

// fixed reports whether the constraint allows exactly one length below 64K.
func (c Size) fixed() bool { return c.Min == c.Max && c.Max < 65536 }

// bounded reports whether lengths are encoded as constrained numbers.
func (c Size) bounded() bool { return c.Max >= 0 && c.Max < 65536 }

func (c Size) allows(n int) bool { return n >= c.Min && (c.Max < 0 || n <= c.Max) }

const fragment = 16384 // X.691 10.9.3.8: the 16K unit of fragments

// putUnconstrainedLength writes the aligned length determinant of the next
// fragment of a list with rem items left and returns the fragment size and
// whether another determinant follows the fragment.
func (e *Encoder) putUnconstrainedLength(rem int) (int, bool) {
	e.Align()
	switch {
	case rem < 128:
		e.PutBits(uint64(rem), 8)
		return rem, false
	case rem < fragment:
		e.PutBits(0x8000|uint64(rem), 16)
		return rem, false
	default:
		m := min(rem/fragment, 4)
		e.PutBits(0xC0|uint64(m), 8)
		return m * fragment, true
	}
}

// getUnconstrainedLength reads an aligned length determinant; more reports a
// fragment after which another determinant follows.
func (d *Decoder) getUnconstrainedLength() (n int, more bool, err error) {
	if err := d.Align(); err != nil {
		return 0, false, err
	}
	if err := d.need(8); err != nil {
		return 0, false, err
	}
	b := d.bits(8)
	switch {
	case b&0x80 == 0:
		return int(b), false, nil
	case b&0xC0 == 0x80:
		if err := d.need(8); err != nil {
			return 0, false, err
		}
		return int(b&0x3F)<<8 | int(d.bits(8)), false, nil
	default:
		m := int(b & 0x3F)
		if m < 1 || m > 4 {
			return 0, false, d.errorDetail(ErrInvalid, "fragment multiplier %d", m)
		}
		return m * fragment, true, nil
	}
}

// PutCount writes the length determinant that precedes the items of a list
// (SEQUENCE OF, or the characters, octets or bits of a string) starting at
// item done of total; pass done = 0 first. It returns how many items follow
// the determinant and whether another determinant follows them: a list of
// 16K items or more is split into fragments (X.691 10.9.3.8).
func (e *Encoder) PutCount(total, done int, c Size) (k int, more bool, err error) {
	if done == 0 {
		inRoot := c.allows(total)
		if c.Ext {
			e.PutBit(!inRoot)
		} else if !inRoot {
			return 0, false, e.errorDetail(ErrSize, "length %d not in %d..%d", total, c.Min, c.Max)
		}
		if inRoot && c.bounded() {
			if c.Min == c.Max {
				return total, false, nil
			}
			e.putRange(uint64(total-c.Min), uint64(c.Max-c.Min))
			return total, false, nil
		}
	}
	k, more = e.putUnconstrainedLength(total - done)
	return k, more, nil
}

// Count reads a determinant written by PutCount; done is the number of items
// read so far (0 first). minBits is the least number of bits one item takes;
// the count is refused unless that many bits remain for every item, which
// bounds allocation by the input size (minBits 0 turns the check off).
func (d *Decoder) Count(done int, c Size, minBits int) (k int, more bool, err error) {
	k, more, _, err = d.count(done, c, minBits)
	return k, more, err
}

// count is Count that also reports whether the length was encoded under the
// root constraint (false after an extension bit of one, or for the second and
// later fragments).
func (d *Decoder) count(done int, c Size, minBits int) (k int, more, root bool, err error) {
	if d.rnd != nil {
		return d.randCount(done, c), false, done == 0, nil
	}
	root = done == 0
	if done == 0 {
		if c.Ext {
			ext, err := d.Bit()
			if err != nil {
				return 0, false, false, err
			}
			root = !ext
		}
		if root && c.bounded() {
			k = c.Min
			if c.Min != c.Max {
				off, err := d.getRange(uint64(c.Max - c.Min))
				if err != nil {
					return 0, false, false, err
				}
				k += int(off)
			}
			return k, false, true, d.checkItems(k, minBits)
		}
	}
	k, more, err = d.getUnconstrainedLength()
	if err != nil {
		return 0, false, false, err
	}
	if !more && !c.Ext && !c.allows(done+k) {
		return 0, false, false, d.errorDetail(ErrSize, "length %d not in %d..%d", done+k, c.Min, c.Max)
	}
	return k, more, root && !more, d.checkItems(k, minBits)
}

// checkItems refuses a count of items that cannot fit in the remaining input.
func (d *Decoder) checkItems(k, minBits int) error {
	if minBits < 1 {
		return nil
	}
	if k > (d.end-d.pos)/minBits {
		return d.errorDetail(ErrTruncated, "%d items of at least %d bits", k, minBits)
	}
	return nil
}
