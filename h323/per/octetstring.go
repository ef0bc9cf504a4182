package per

// OCTET STRING (X.691 17) and the octets of open types and other strings.

// PutOctetString writes b under the SIZE constraint c: no length for a fixed
// size below 64K (unaligned up to two octets), otherwise a length
// determinant and aligned octets, fragmented from 16K octets on.
func (e *Encoder) PutOctetString(b []byte, c Size) error {
	if c.fixed() && !c.Ext {
		if len(b) != c.Min {
			return e.errorDetail(ErrSize, "%d octets, want %d", len(b), c.Min)
		}
		if c.Min > 2 {
			e.Align()
		}
		e.putOctets(b)
		return nil
	}
	for done, more := 0, true; more; {
		k, m, err := e.PutCount(len(b), done, c)
		if err != nil {
			return err
		}
		if done == 0 && c.Ext && k == len(b) && c.fixed() && c.allows(k) {
			// Root value of an extensible fixed size: no length, as above.
			if k > 2 {
				e.Align()
			}
		} else if k > 0 {
			e.Align()
		}
		e.putOctets(b[done : done+k])
		done += k
		more = m
	}
	return nil
}

// putOctetsString is PutOctetString for an unconstrained string value (the
// octets of a GeneralString), without converting it.
func (e *Encoder) putOctetsString(s string) {
	for done, more := 0, true; more; {
		k, m := e.putUnconstrainedLength(len(s) - done)
		e.putStringOctets(s[done : done+k])
		done += k
		more = m
	}
}

// OctetString reads an OCTET STRING written by PutOctetString into a new
// slice.
func (d *Decoder) OctetString(c Size) ([]byte, error) {
	if d.rnd != nil {
		return d.randOctets(c), nil
	}
	if c.fixed() && !c.Ext {
		if c.Min > 2 {
			if err := d.Align(); err != nil {
				return nil, err
			}
		}
		return d.octets(c.Min)
	}
	var out []byte
	for done, more := 0, true; more; {
		k, m, err := d.Count(done, c, 8)
		if err != nil {
			return nil, err
		}
		if done == 0 && !m {
			// The usual single-fragment case: allocate once.
			if !(c.Ext && c.fixed() && k == c.Min && k <= 2) && k > 0 {
				if err := d.Align(); err != nil {
					return nil, err
				}
			}
			return d.octets(k)
		}
		if k > 0 {
			if err := d.Align(); err != nil {
				return nil, err
			}
		}
		if k > (d.end-d.pos)/8 {
			return nil, d.errorf(ErrTruncated)
		}
		start := len(out)
		out = append(out, make([]byte, k)...)
		d.readOctets(out[start:])
		done += k
		more = m
	}
	return out, nil
}

// FixedOctets reads an OCTET STRING of fixed size len(dst) (no extension
// marker) into dst; generated code uses it for [N]byte values.
func (d *Decoder) FixedOctets(dst []byte) error {
	if d.rnd != nil {
		for i := range dst {
			dst[i] = byte(d.rnd.Uint32())
		}
		return nil
	}
	if len(dst) > 2 {
		if err := d.Align(); err != nil {
			return err
		}
	}
	if len(dst) > (d.end-d.pos)/8 {
		return d.errorDetail(ErrTruncated, "need %d octets", len(dst))
	}
	d.readOctets(dst)
	return nil
}

// PutRawString writes s as an unconstrained octet string: a length
// determinant and aligned octets (GeneralString and other character string
// types that are not known-multiplier types, X.691 30.6).
func (e *Encoder) PutRawString(s string) {
	e.putOctetsString(s)
}

// RawString reads a string written by PutRawString.
func (d *Decoder) RawString() (string, error) {
	if d.rnd != nil {
		b := d.randOctets(Size{Min: 0, Max: 8})
		return string(b), nil
	}
	if d.pos&7 == 0 && d.end-d.pos >= 8 {
		// Fast path for the common short form: avoid the intermediate slice.
		n := int(d.buf[d.pos>>3])
		if n < 128 && n <= (d.end-d.pos)/8-1 {
			start := d.pos>>3 + 1
			d.pos += 8 * (n + 1)
			return string(d.buf[start : start+n]), nil
		}
	}
	b, err := d.OctetString(Size{Max: -1})
	return string(b), err
}
