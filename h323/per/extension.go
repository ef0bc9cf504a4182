package per

// Extensible SEQUENCE and CHOICE types (X.691 19.6 to 19.9, 23.5 to 23.8).

// Extensions records how the extension additions of an extensible SEQUENCE
// value arrived, so that re-encoding a decoded value reproduces its octets:
// the length of the presence bitmap, which known additions were present
// (mandatory additions are only re-emitted when they were), and the raw
// open-type contents of additions the generated code does not know.
//
// The zero value describes a value built in code: every mandatory addition
// is emitted and the bitmap covers every known addition. Generated types
// embed an Extensions in an unexported field.
type Extensions struct {
	known   uint64    // presence of known additions as received (bit i)
	unknown *[][]byte // additions at positions known.. as received; nil entries = absent
	n       int32     // bitmap length received
	decoded bool
}

// raw returns the unknown additions kept in x.
func (x *Extensions) raw() [][]byte {
	if x.unknown == nil {
		return nil
	}
	return *x.unknown
}

// Keep reports whether mandatory known addition i is to be encoded: always
// for a value built in code, and for a decoded value only if it was present.
func (x *Extensions) Keep(i int) bool {
	return !x.decoded || x.known&(1<<i) != 0
}

// HasUnknown reports whether the value carried extension additions that the
// generated code does not know (kept raw for re-encoding).
func (x *Extensions) HasUnknown() bool {
	for _, u := range x.raw() {
		if u != nil {
			return true
		}
	}
	return false
}

// Len returns the length of the presence bitmap to encode for the known
// additions present (bit i of present for addition i, known of them), or 0
// when no addition is present and the extension bit is zero.
func (x *Extensions) Len(present uint64, known int) int {
	last := 0
	unknown := x.raw()
	for i := len(unknown) - 1; i >= 0; i-- {
		if unknown[i] != nil {
			last = known + i + 1
			break
		}
	}
	if last == 0 && present == 0 {
		return 0
	}
	if !x.decoded {
		return max(known, last)
	}
	for i := known - 1; i >= 0 && last == 0; i-- {
		if present&(1<<i) != 0 {
			last = i + 1
		}
	}
	return max(int(x.n), last)
}

// PutExtensionBitmap writes the length (n-1, a normally small number) and the
// n presence bits of the extension additions: known ones from present,
// later ones from the raw additions kept in x.
func (e *Encoder) PutExtensionBitmap(x *Extensions, present uint64, known, n int) {
	e.PutNormallySmall(n - 1)
	unknown := x.raw()
	for i := 0; i < n; i++ {
		if i < known {
			e.PutBit(present&(1<<i) != 0)
			continue
		}
		j := i - known
		e.PutBit(j < len(unknown) && unknown[j] != nil)
	}
}

// PutUnknownExtensions writes the raw additions kept in x, after the known
// additions.
func (e *Encoder) PutUnknownExtensions(x *Extensions) {
	for _, u := range x.raw() {
		if u != nil {
			e.putOpenOctets(u)
		}
	}
}

// ExtensionBitmap reads the presence bitmap of the extension additions of a
// SEQUENCE with known known additions, records it in x and returns the
// presence bits of the known additions (bit i for addition i).
func (d *Decoder) ExtensionBitmap(x *Extensions, known int) (uint64, error) {
	if d.rnd != nil {
		return d.randExtensions(x, known), nil
	}
	m, err := d.normallySmall()
	if err != nil {
		return 0, err
	}
	n := m + 1
	if err := d.need(n); err != nil {
		return 0, err
	}
	x.decoded, x.n, x.known, x.unknown = true, int32(n), 0, nil
	for i := 0; i < n; i++ {
		if d.bits(1) == 0 {
			continue
		}
		if i < known {
			x.known |= 1 << i
			continue
		}
		if x.unknown == nil {
			u := make([][]byte, n-known)
			x.unknown = &u
		}
		(*x.unknown)[i-known] = []byte{} // present; filled by UnknownExtensions
	}
	return x.known, nil
}

// RootOnly makes x describe a value without extension additions, as decoded
// from a version-1 style encoding whose extension bit was zero: mandatory
// additions are no longer emitted (optional ones that are set still are).
// Decoders call it when the extension bit is zero.
func (x *Extensions) RootOnly() {
	x.decoded, x.n, x.known = true, 0, 0
	if x.unknown != nil {
		x.unknown = nil
	}
}

// UnknownExtensions reads the open types of the additions that the bitmap
// marked present beyond the known ones and keeps their contents in x.
func (d *Decoder) UnknownExtensions(x *Extensions) error {
	unknown := x.raw()
	for i, u := range unknown {
		if u == nil {
			continue
		}
		if d.rnd != nil {
			unknown[i] = d.randOctets(Size{Min: 1, Max: 6})
			continue
		}
		b, err := d.OpenRaw()
		if err != nil {
			return err
		}
		unknown[i] = b
	}
	return nil
}

// PutChoice writes the index of a CHOICE alternative: a root index 0..root-1
// as a constrained number (after a zero bit when extensible), or an
// extension index idx-root as a normally small number after a one bit. The
// encoding of an extension alternative follows as an open type.
func (e *Encoder) PutChoice(idx, root int, extensible bool) {
	if extensible {
		if idx >= root {
			e.PutBit(true)
			e.PutNormallySmall(idx - root)
			return
		}
		e.PutBit(false)
	}
	e.putRange(uint64(idx), uint64(root-1))
}

// Choice reads a CHOICE index written by PutChoice; an extension alternative
// comes back as root plus its extension index. known is the number of root
// plus known extension alternatives (used only for random values).
func (d *Decoder) Choice(root, known int, extensible bool) (int, error) {
	if d.rnd != nil {
		return d.randChoice(root, known, extensible), nil
	}
	if extensible {
		ext, err := d.Bit()
		if err != nil {
			return 0, err
		}
		if ext {
			n, err := d.normallySmall()
			if err != nil {
				return 0, err
			}
			return root + n, nil
		}
	}
	v, err := d.getRange(uint64(root - 1))
	return int(v), err
}
