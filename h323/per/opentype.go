package per

// Open types (X.691 11.2): a complete encoding wrapped in a length
// determinant, used for extension additions, extension alternatives and
// TYPE-IDENTIFIER.&Type values.

// BeginOpen starts an open type: it aligns and reserves one octet for the
// length. Encode the contents, then call EndOpen with the returned mark.
func (e *Encoder) BeginOpen() int {
	e.Align()
	e.buf = append(e.buf, 0)
	e.n += 8
	return len(e.buf)
}

// EndOpen completes the open type begun at mark: it pads the contents to an
// octet (an empty encoding becomes one zero octet) and writes the length
// determinant in front of them, moving the contents when the length needs
// more than the reserved octet.
func (e *Encoder) EndOpen(mark int) {
	e.Align()
	if len(e.buf) == mark {
		e.buf = append(e.buf, 0)
		e.n += 8
	}
	n := len(e.buf) - mark
	switch {
	case n < 128:
		e.buf[mark-1] = byte(n)
	case n < fragment:
		e.buf = append(e.buf, 0)
		copy(e.buf[mark+1:], e.buf[mark:])
		e.buf[mark-1] = 0x80 | byte(n>>8)
		e.buf[mark] = byte(n)
		e.n += 8
	default:
		content := append([]byte(nil), e.buf[mark:]...)
		e.buf = e.buf[:mark-1]
		e.n = 8 * len(e.buf)
		e.putOpenOctets(content)
	}
}

// putOpenOctets writes content as length-prefixed, fragmented octets.
func (e *Encoder) putOpenOctets(content []byte) {
	for done, more := 0, true; more; {
		k, m := e.putUnconstrainedLength(len(content) - done)
		e.putOctets(content[done : done+k])
		done += k
		more = m
	}
}

// PutOpenRaw writes b, a complete encoding of some type, as an open type.
// b must hold at least one octet.
func (e *Encoder) PutOpenRaw(b []byte) error {
	if len(b) == 0 {
		return e.errorDetail(ErrSize, "open type value must hold a complete encoding of at least one octet")
	}
	e.putOpenOctets(b)
	return nil
}

// openOctets reads the length-prefixed octets of an open type; the result
// aliases the input unless the value was fragmented.
func (d *Decoder) openOctets() ([]byte, error) {
	var out []byte
	for first, more := true, true; more; first = false {
		k, m, err := d.getUnconstrainedLength()
		if err != nil {
			return nil, err
		}
		if first && k == 0 && !m {
			// X.691 11.2: an open type holds a complete encoding, which is
			// at least one octet (an empty value is sent as 0x00).
			return nil, d.errorDetail(ErrInvalid, "empty open type")
		}
		if k > (d.end-d.pos)/8 {
			return nil, d.errorDetail(ErrTruncated, "open type of %d octets", k)
		}
		part := d.buf[d.pos>>3 : d.pos>>3+k]
		d.pos += 8 * k
		if first && !m {
			return part, nil
		}
		out = append(out, part...)
		more = m
	}
	return out, nil
}

// OpenRaw reads an open type and returns a copy of its contents.
func (d *Decoder) OpenRaw() ([]byte, error) {
	if d.rnd != nil {
		return d.randOctets(Size{Min: 1, Max: 12}), nil
	}
	b, err := d.openOctets()
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// OpenType reads the length of an open type and returns a decoder for its
// contents; decode the contained value from it and call its Done method.
func (d *Decoder) OpenType() (Decoder, error) {
	if d.rnd != nil {
		return Decoder{rnd: d.rnd, depth: d.depth, MaxDepth: d.MaxDepth}, nil
	}
	b, err := d.openOctets()
	if err != nil {
		return Decoder{}, err
	}
	base := d.base + d.pos - 8*len(b) // exact unless the value was fragmented
	return Decoder{buf: b, end: 8 * len(b), base: base, depth: d.depth, MaxDepth: d.MaxDepth}, nil
}
