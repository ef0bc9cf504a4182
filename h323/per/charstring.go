package per

import (
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Known-multiplier character strings (X.691 30): IA5String, NumericString,
// PrintableString, VisibleString and BMPString, with their SIZE and
// permitted-alphabet (FROM) constraints.

// StringKind names a known-multiplier character string type.
type StringKind uint8

// Known-multiplier character string types.
const (
	IA5String StringKind = iota
	NumericString
	PrintableString
	VisibleString
	BMPString
)

const printableChars = " '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// CharString holds what the encoding of one constrained character string
// type depends on. Build it with [NewCharString]; generated code stores the
// result in package variables.
type CharString struct {
	// Size is the effective SIZE constraint (in characters).
	Size Size
	// Bits is the number of bits per character in the ALIGNED variant.
	Bits int
	// Alphabet lists the permitted characters in ascending order; empty
	// means every character of the type up to Max.
	Alphabet string
	// Indexed reports that each character is encoded as its position in
	// Alphabet, because the greatest code does not fit in Bits bits.
	Indexed bool
	// Max is the greatest character code of the type.
	Max rune
}

// NewCharString computes the encoding parameters of kind under the SIZE
// constraint c and the permitted alphabet from (empty: none), per X.691
// 30.5.2 to 30.5.4 for the ALIGNED variant.
func NewCharString(kind StringKind, c Size, from string) CharString {
	cs := CharString{Size: c, Max: 127}
	alphabet := from
	switch kind {
	case NumericString:
		if alphabet == "" {
			alphabet = " 0123456789"
		}
	case PrintableString:
		if alphabet == "" {
			alphabet = printableChars
		}
	case VisibleString:
		cs.Max = 126
	case BMPString:
		cs.Max = 0xFFFF
	}
	n := int(cs.Max) + 1
	if alphabet != "" {
		chars := []byte(alphabet)
		sort.Slice(chars, func(i, j int) bool { return chars[i] < chars[j] })
		uniq := chars[:0]
		for i, c := range chars {
			if i == 0 || c != chars[i-1] {
				uniq = append(uniq, c)
			}
		}
		alphabet = string(uniq)
		n = len(alphabet)
		cs.Alphabet = alphabet
	}
	b := 0
	for 1<<b < n {
		b++
	}
	switch { // ALIGNED: round up to a power of two
	case b <= 1:
		b = 1
	case b <= 2:
		b = 2
	case b <= 4:
		b = 4
	case b <= 8:
		b = 8
	case b <= 16:
		b = 16
	default:
		b = 32
	}
	cs.Bits = b
	maxCode := int(cs.Max)
	if cs.Alphabet != "" {
		maxCode = int(cs.Alphabet[len(cs.Alphabet)-1])
	}
	cs.Indexed = maxCode >= 1<<b
	return cs
}

// code maps a character to the value written for it, or reports false when
// the character is not permitted.
func (cs *CharString) code(r rune) (uint64, bool) {
	if r < 0 || r > cs.Max {
		return 0, false
	}
	if cs.Alphabet == "" {
		return uint64(r), true
	}
	if r > 0x7F {
		return 0, false
	}
	i := strings.IndexByte(cs.Alphabet, byte(r))
	if i < 0 {
		return 0, false
	}
	if cs.Indexed {
		return uint64(i), true
	}
	return uint64(r), true
}

// char maps an encoded value back to its character.
func (cs *CharString) char(v uint64) (rune, bool) {
	if cs.Indexed {
		if v >= uint64(len(cs.Alphabet)) {
			return 0, false
		}
		return rune(cs.Alphabet[v]), true
	}
	if v > uint64(cs.Max) {
		return 0, false
	}
	if cs.Alphabet != "" && strings.IndexByte(cs.Alphabet, byte(v)) < 0 {
		return 0, false
	}
	return rune(v), true
}

// alignChars reports whether the characters of a string of n characters are
// octet-aligned (X.691 30.5.6 to 30.5.8), given whether the length came from
// the root constraint.
func (cs *CharString) alignChars(n int, root bool) bool {
	if n == 0 {
		return false
	}
	c := cs.Size
	if root && c.fixed() {
		return c.Max*cs.Bits > 16
	}
	if root && c.bounded() {
		return c.Max*cs.Bits >= 16
	}
	return true
}

// units returns the number of characters of s: bytes for the 8-bit types,
// UTF-16 code units for BMPString.
func (cs *CharString) units(s string) (int, bool) {
	if cs.Max <= 0xFF {
		return len(s), true
	}
	n := 0
	for _, r := range s {
		if r == utf8.RuneError {
			return 0, false
		}
		n += utf16.RuneLen(r)
	}
	return n, true
}

// PutString writes s, a value of the character string type cs.
func (e *Encoder) PutString(s string, cs *CharString) error {
	n, ok := cs.units(s)
	if !ok {
		return e.errorDetail(ErrAlphabet, "invalid UTF-8 in %q", s)
	}
	wide := cs.Max > 0xFF
	c := cs.Size
	if c.fixed() && !c.Ext {
		if n != c.Min {
			return e.errorDetail(ErrSize, "%d characters, want %d", n, c.Min)
		}
		if cs.alignChars(n, true) {
			e.Align()
		}
		return e.putChars(s, cs, wide)
	}
	if !wide {
		// Fragments split byte strings at character boundaries.
		for done, more := 0, true; more; {
			k, m, err := e.PutCount(n, done, c)
			if err != nil {
				return err
			}
			if cs.alignChars(k, done == 0 && c.allows(n)) {
				e.Align()
			}
			if err := e.putChars(s[done:done+k], cs, false); err != nil {
				return err
			}
			done += k
			more = m
		}
		return nil
	}
	if n < fragment {
		k, _, err := e.PutCount(n, 0, c)
		if err != nil {
			return err
		}
		if cs.alignChars(k, c.allows(n)) {
			e.Align()
		}
		return e.putChars(s, cs, true)
	}
	units := utf16.Encode([]rune(s))
	for done, more := 0, true; more; {
		k, m, err := e.PutCount(n, done, c)
		if err != nil {
			return err
		}
		if cs.alignChars(k, done == 0 && c.allows(n)) {
			e.Align()
		}
		for _, u := range units[done : done+k] {
			e.PutBits(uint64(u), cs.Bits)
		}
		done += k
		more = m
	}
	return nil
}

// putChars writes the characters of s.
func (e *Encoder) putChars(s string, cs *CharString, wide bool) error {
	if wide {
		for _, r := range s {
			if r >= 0x10000 {
				hi, lo := utf16.EncodeRune(r)
				e.PutBits(uint64(hi), cs.Bits)
				e.PutBits(uint64(lo), cs.Bits)
				continue
			}
			e.PutBits(uint64(r), cs.Bits)
		}
		return nil
	}
	for i := 0; i < len(s); i++ {
		v, ok := cs.code(rune(s[i]))
		if !ok {
			return e.errorDetail(ErrAlphabet, "character %q", s[i])
		}
		e.PutBits(v, cs.Bits)
	}
	return nil
}

// String reads a value of the character string type cs.
func (d *Decoder) String(cs *CharString) (string, error) {
	if d.rnd != nil {
		return d.randString(cs), nil
	}
	c := cs.Size
	if c.fixed() && !c.Ext {
		if cs.alignChars(c.Min, true) {
			if err := d.Align(); err != nil {
				return "", err
			}
		}
		return d.chars(c.Min, cs, nil)
	}
	var acc []byte
	for done, more := 0, true; more; {
		k, m, root, err := d.count(done, c, cs.Bits)
		if err != nil {
			return "", err
		}
		if cs.alignChars(k, root) {
			if err := d.Align(); err != nil {
				return "", err
			}
		}
		if done == 0 && !m {
			return d.chars(k, cs, nil)
		}
		s, err := d.chars(k, cs, acc)
		if err != nil {
			return "", err
		}
		acc = []byte(s)
		done += k
		more = m
	}
	return string(acc), nil
}

// chars reads n characters and appends them (as UTF-8) to prefix.
func (d *Decoder) chars(n int, cs *CharString, prefix []byte) (string, error) {
	if err := d.need(n * cs.Bits); err != nil {
		return "", err
	}
	if cs.Max > 0xFF {
		var small [64]byte
		out := prefix
		if out == nil && 3*n <= len(small) {
			out = small[:0]
		}
		for i := 0; i < n; i++ {
			u := rune(d.bits(cs.Bits))
			if utf16.IsSurrogate(u) {
				if i+1 >= n {
					return "", d.errorDetail(ErrAlphabet, "unpaired surrogate %#04x", u)
				}
				r := utf16.DecodeRune(u, rune(d.bits(cs.Bits)))
				if r == utf8.RuneError {
					return "", d.errorDetail(ErrAlphabet, "unpaired surrogate %#04x", u)
				}
				out = utf8.AppendRune(out, r)
				i++
				continue
			}
			out = utf8.AppendRune(out, u)
		}
		return string(out), nil
	}
	if cs.Bits == 8 && !cs.Indexed && d.pos&7 == 0 {
		raw := d.buf[d.pos>>3 : d.pos>>3+n]
		for _, b := range raw {
			if _, ok := cs.char(uint64(b)); !ok {
				return "", d.errorDetail(ErrAlphabet, "character code %d", b)
			}
		}
		d.pos += 8 * n
		if prefix == nil {
			return string(raw), nil
		}
		return string(append(prefix, raw...)), nil
	}
	var small [64]byte
	out := prefix
	if out == nil && n <= len(small) {
		out = small[:0]
	}
	for i := 0; i < n; i++ {
		v := d.bits(cs.Bits)
		r, ok := cs.char(v)
		if !ok {
			return "", d.errorDetail(ErrAlphabet, "character value %d", v)
		}
		out = append(out, byte(r))
	}
	return string(out), nil
}
