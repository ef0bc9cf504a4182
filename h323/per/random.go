package per

import "math/rand/v2"

// Random values: a Decoder whose rnd field is set does not read input but
// invents a valid value for every request the generated Decode methods make.
// Because those requests carry the constraints, the values it yields satisfy
// them, which is what property tests need.

// Random fills v with a random valid value drawn from r. Nesting is damped
// as it deepens (fewer optional components, shorter lists, unknown extension
// alternatives where a CHOICE allows them); Random returns an [*Error] with
// ErrDepth when a value still nests too deep, and the caller tries another
// seed.
func Random(v Value, r *rand.Rand) error {
	d := Decoder{rnd: r}
	return v.Decode(&d)
}

func (d *Decoder) randRange(lb, ub int64) int64 {
	span := uint64(ub - lb)
	switch d.rnd.IntN(4) {
	case 0:
		return lb
	case 1:
		return ub
	}
	if span == 1<<64-1 {
		return int64(d.rnd.Uint64())
	}
	return lb + int64(d.rnd.Uint64N(span+1))
}

// presence returns the probability, in eighths, that an optional part is
// present at the current depth.
func (d *Decoder) presence() int {
	switch {
	case d.depth <= 3:
		return 4
	case d.depth <= 6:
		return 2
	case d.depth <= 8:
		return 1
	}
	return 0
}

func (d *Decoder) randPreamble(n int) uint64 {
	var v uint64
	p := d.presence()
	for i := 0; i < n; i++ {
		v <<= 1
		if d.rnd.IntN(8) < p {
			v |= 1
		}
	}
	return v
}

func (d *Decoder) randCount(done int, c Size) int {
	if done > 0 {
		return 0
	}
	hi := c.Min + 3
	if d.depth > 6 {
		hi = c.Min
	}
	if c.Max >= 0 && hi > c.Max {
		hi = c.Max
	}
	return c.Min + d.rnd.IntN(hi-c.Min+1)
}

func (d *Decoder) randOctets(c Size) []byte {
	n := d.randCount(0, Size{Min: c.Min, Max: min(c.Max, c.Min+8)})
	if c.Max < 0 {
		n = c.Min + d.rnd.IntN(9)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(d.rnd.Uint32())
	}
	return b
}

func (d *Decoder) randBits(c Size) BitString {
	n := c.Min + d.rnd.IntN(20)
	if c.Max >= 0 && n > c.Max {
		n = c.Max
	}
	b := BitString{Bytes: make([]byte, (n+7)/8), Len: n}
	for i := range b.Bytes {
		b.Bytes[i] = byte(d.rnd.Uint32())
	}
	if n%8 != 0 {
		b.Bytes[len(b.Bytes)-1] &= 0xFF << (8 - n%8)
	}
	return b
}

func (d *Decoder) randString(cs *CharString) string {
	c := cs.Size
	n := c.Min + d.rnd.IntN(6)
	if c.Max >= 0 && n > c.Max {
		n = c.Max
	}
	out := make([]rune, n)
	for i := range out {
		switch {
		case cs.Alphabet != "":
			out[i] = rune(cs.Alphabet[d.rnd.IntN(len(cs.Alphabet))])
		case cs.Max > 0xFF && d.rnd.IntN(4) == 0:
			out[i] = rune(0xA0 + d.rnd.IntN(0xD000)) // below the surrogates
		default:
			out[i] = rune(0x20 + d.rnd.IntN(0x5F))
		}
	}
	return string(out)
}

func (d *Decoder) randOID() ObjectIdentifier {
	o := ObjectIdentifier{uint32(d.rnd.IntN(3)), uint32(d.rnd.IntN(40))}
	for i := d.rnd.IntN(5); i > 0; i-- {
		o = append(o, d.rnd.Uint32N(1<<uint(1+d.rnd.IntN(31))))
	}
	return o
}

func (d *Decoder) randExtensions(x *Extensions, known int) uint64 {
	*x = Extensions{decoded: true, n: int32(known)}
	p := d.presence()
	for i := 0; i < known; i++ {
		if d.rnd.IntN(8) < p+1 {
			x.known |= 1 << i
		}
	}
	if d.rnd.IntN(4) == 0 {
		extra := 1 + d.rnd.IntN(2)
		x.n = int32(known + extra)
		u := make([][]byte, extra)
		u[extra-1] = []byte{}
		x.unknown = &u
	}
	return x.known
}

func (d *Decoder) randChoice(root, known int, extensible bool) int {
	if extensible && (d.depth > 10 || d.rnd.IntN(10) == 0) {
		return known + d.rnd.IntN(3) // an alternative this code does not know
	}
	return d.rnd.IntN(known)
}
