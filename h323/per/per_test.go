package per

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

// vector is one hand-computed X.691 ALIGNED encoding: enc writes a value,
// dec reads it back and checks it.
type vector struct {
	name string
	hex  string
	enc  func(e *Encoder) error
	dec  func(t *testing.T, d *Decoder)
}

func intVec(name, h string, lb, ub, v int64) vector {
	return vector{name, h,
		func(e *Encoder) error { return e.PutConstrained(v, lb, ub) },
		func(t *testing.T, d *Decoder) {
			got, err := d.Constrained(lb, ub)
			require.NoError(t, err)
			require.Equal(t, v, got)
		}}
}

// Vectors derived by hand from X.691 (07/2002) clauses 10 to 30, ALIGNED
// variant. Spec h323.md §4.2 lists the cases that must be bit-exact.
var vectors = []vector{
	// 10.5.7.1: range <= 255 is a minimal bit-field.
	intVec("constrained 0..7 = 5", "A0", 0, 7, 5),
	intVec("constrained 1..65535 = 1 (range 65535: two octets)", "0000", 1, 65535, 1),
	// 10.5.7.2: range 256 is one aligned octet.
	{"constrained 0..255 after one bit", "8012",
		func(e *Encoder) error { e.PutBit(true); return e.PutConstrained(0x12, 0, 255) },
		func(t *testing.T, d *Decoder) {
			b, _ := d.Bit()
			require.True(t, b)
			v, err := d.Constrained(0, 255)
			require.NoError(t, err)
			require.EqualValues(t, 0x12, v)
		}},
	// 10.5.7.3: range <= 64K is two aligned octets.
	intVec("constrained 0..256 = 3", "0003", 0, 256, 3),
	intVec("constrained 0..65535 = 0x1234", "1234", 0, 65535, 0x1234),
	// 10.5.7.4: indefinite-length case, length as constrained 1..octets.
	intVec("constrained 0..65536 = 1", "0001", 0, 65536, 1),
	intVec("constrained 0..4294967295 = 9", "0009", 0, 4294967295, 9),
	intVec("constrained 0..4294967295 = 0x12345678", "C012345678", 0, 4294967295, 0x12345678),
	intVec("TimeToLive 1..4294967295 = 1800", "400707", 1, 4294967295, 1800),
	intVec("constrained -262144..262143 = -1", "8003FFFF", -262144, 262143, -1),
	intVec("constrained 5..5 = 5 (no bits)", "00", 5, 5, 5),
	// 10.7: semi-constrained.
	{"semi-constrained lb 0 = 256", "020100",
		func(e *Encoder) error { return e.PutSemiConstrained(256, 0) },
		func(t *testing.T, d *Decoder) {
			v, err := d.SemiConstrained(0)
			require.NoError(t, err)
			require.EqualValues(t, 256, v)
		}},
	{"semi-constrained lb -1 = 0", "0101",
		func(e *Encoder) error { return e.PutSemiConstrained(0, -1) },
		func(t *testing.T, d *Decoder) {
			v, err := d.SemiConstrained(-1)
			require.NoError(t, err)
			require.EqualValues(t, 0, v)
		}},
	// 10.8: unconstrained, two's complement.
	unc("0", "0100", 0), unc("127", "017F", 127), unc("128", "020080", 128),
	unc("-1", "01FF", -1), unc("-128", "0180", -128), unc("-129", "02FF7F", -129),
	unc("max int64", "087FFFFFFFFFFFFFFF", 1<<63-1),
	// 10.6: normally small numbers.
	{"normally small 5", "0A",
		func(e *Encoder) error { e.PutNormallySmall(5); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.normallySmall()
			require.NoError(t, err)
			require.Equal(t, 5, v)
		}},
	{"normally small 63", "7E",
		func(e *Encoder) error { e.PutNormallySmall(63); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.normallySmall()
			require.NoError(t, err)
			require.Equal(t, 63, v)
		}},
	{"normally small 64", "800140",
		func(e *Encoder) error { e.PutNormallySmall(64); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.normallySmall()
			require.NoError(t, err)
			require.Equal(t, 64, v)
		}},
	// 13.1 / 12: extensible INTEGER(0..16383, ...) (GenericIdentifier.standard).
	{"extensible 0..16383 = 18 (root)", "000012",
		func(e *Encoder) error { e.PutConstrainedExt(18, 0, 16383); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.ConstrainedExt(0, 16383)
			require.NoError(t, err)
			require.EqualValues(t, 18, v)
		}},
	{"extensible 0..16383 = 20000 (outside root)", "80024E20",
		func(e *Encoder) error { e.PutConstrainedExt(20000, 0, 16383); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.ConstrainedExt(0, 16383)
			require.NoError(t, err)
			require.EqualValues(t, 20000, v)
		}},
	// 14: ENUMERATED.
	{"enumerated root of 4, index 3", "C0",
		func(e *Encoder) error { return e.PutEnumerated(3, 4, false) },
		func(t *testing.T, d *Decoder) {
			v, err := d.Enumerated(4, 4, false)
			require.NoError(t, err)
			require.Equal(t, 3, v)
		}},
	{"extensible enumerated, root index 3", "60",
		func(e *Encoder) error { return e.PutEnumerated(3, 4, true) },
		func(t *testing.T, d *Decoder) {
			v, err := d.Enumerated(4, 5, true)
			require.NoError(t, err)
			require.Equal(t, 3, v)
		}},
	{"extensible enumerated, first extension value", "80",
		func(e *Encoder) error { return e.PutEnumerated(4, 4, true) },
		func(t *testing.T, d *Decoder) {
			v, err := d.Enumerated(4, 5, true)
			require.NoError(t, err)
			require.Equal(t, 4, v)
		}},
	// 23: CHOICE index. RasMessage UCF is root alternative 7 of 25.
	{"choice 7 of 25, extensible", "1C",
		func(e *Encoder) error { e.PutChoice(7, 25, true); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.Choice(25, 33, true)
			require.NoError(t, err)
			require.Equal(t, 7, v)
		}},
	{"choice extension alternative 25 of 25 (RIP)", "80",
		func(e *Encoder) error { e.PutChoice(25, 25, true); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.Choice(25, 33, true)
			require.NoError(t, err)
			require.Equal(t, 25, v)
		}},
	{"choice of one alternative takes no bits", "00",
		func(e *Encoder) error { e.PutChoice(0, 1, false); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.Choice(1, 1, false)
			require.NoError(t, err)
			require.Equal(t, 0, v)
		}},
	// 10.9: length determinants.
	countVec("unconstrained count 5", "05", Size{Max: -1}, 5),
	countVec("unconstrained count 200", "80C8", Size{Max: -1}, 200),
	countVec("unconstrained count 16383", "BFFF", Size{Max: -1}, 16383),
	countVec("SIZE(1..256) count 2", "01", Size{Min: 1, Max: 256}, 2),
	countVec("SIZE(0..7) count 3", "60", Size{Max: 7}, 3),
	countVec("SIZE(2) count 2 (no length)", "00", Size{Min: 2, Max: 2}, 2),
	countVec("SIZE(1..4, ...) count 2 (root)", "20", Size{Min: 1, Max: 4, Ext: true}, 2),
	countVec("SIZE(1..4, ...) count 9 (extension)", "8009", Size{Min: 1, Max: 4, Ext: true}, 9),
	// 17: OCTET STRING.
	octVec("fixed 2 octets unaligned after one bit", "D5E680", Size{Min: 2, Max: 2}, "ABCD", true),
	octVec("fixed 4 octets aligned after one bit", "80C0A80001", Size{Min: 4, Max: 4}, "C0A80001", true),
	octVec("SIZE(1..20) 2 octets", "08ABCD", Size{Min: 1, Max: 20}, "ABCD", false),
	octVec("unconstrained 2 octets", "02ABCD", Size{Max: -1}, "ABCD", false),
	octVec("unconstrained empty", "00", Size{Max: -1}, "", false),
	octVec("SIZE(16) GUID", "00112233445566778899AABBCCDDEEFF", Size{Min: 16, Max: 16}, "00112233445566778899AABBCCDDEEFF", false),
	// 16: BIT STRING.
	bitVec("fixed 3 bits", "A0", Size{Min: 3, Max: 3}, BitString{[]byte{0xA0}, 3}),
	bitVec("SIZE(0..2048) 4 bits", "0004A0", Size{Max: 2048}, BitString{[]byte{0xA0}, 4}),
	bitVec("unconstrained 12 bits", "0CABC0", Size{Max: -1}, BitString{[]byte{0xAB, 0xC0}, 12}),
	// 24: OBJECT IDENTIFIER (H.225.0 v7 protocol identifier).
	{"oid 0.0.8.2250.0.7", "0600089 14A0007",
		func(e *Encoder) error { return e.PutObjectIdentifier(MustParseObjectIdentifier("0.0.8.2250.0.7")) },
		func(t *testing.T, d *Decoder) {
			v, err := d.ObjectIdentifier()
			require.NoError(t, err)
			require.Equal(t, "0.0.8.2250.0.7", v.String())
		}},
	{"oid 2.999.3", "03883703",
		func(e *Encoder) error { return e.PutObjectIdentifier(ObjectIdentifier{2, 999, 3}) },
		func(t *testing.T, d *Decoder) {
			v, err := d.ObjectIdentifier()
			require.NoError(t, err)
			require.Equal(t, "2.999.3", v.String())
		}},
	// 30: known-multiplier character strings.
	strVec("dialledDigits 6432: 13-char alphabet, 4-bit indices", "069765",
		NewCharString(IA5String, Size{Min: 1, Max: 128}, "0123456789#*,"), "6432", false),
	strVec("h323-ID alice: BMPString 1..256", "0400610 06C006900630065",
		NewCharString(BMPString, Size{Min: 1, Max: 256}, ""), "alice", false),
	strVec("signalType 5: 17-char alphabet, 8-bit codes, unaligned", "9A80",
		NewCharString(IA5String, Size{Min: 1, Max: 1}, "0123456789#*ABCD!"), "5", true),
	strVec("NumericString 1..16 '12'", "1023",
		NewCharString(NumericString, Size{Min: 1, Max: 16}, ""), "12", false),
	strVec("PrintableString unconstrained 'AB'", "024142",
		NewCharString(PrintableString, Size{Max: -1}, ""), "AB", false),
	strVec("IA5String 1..512 url", "00026869 21",
		NewCharString(IA5String, Size{Min: 1, Max: 512}, ""), "hi!", false),
	strVec("BMPString beyond the BMP (surrogate pair)", "02D83DDE00",
		NewCharString(BMPString, Size{Max: -1}, ""), "\U0001F600", false),
	{"GeneralString '5'", "0135",
		func(e *Encoder) error { e.PutRawString("5"); return nil },
		func(t *testing.T, d *Decoder) {
			v, err := d.RawString()
			require.NoError(t, err)
			require.Equal(t, "5", v)
		}},
	// 11.2: open types.
	{"open type of an empty encoding", "0100",
		func(e *Encoder) error { m := e.BeginOpen(); e.EndOpen(m); return nil },
		func(t *testing.T, d *Decoder) {
			sub, err := d.OpenType()
			require.NoError(t, err)
			require.NoError(t, sub.Done())
		}},
	{"open type of 3 bits", "01A0",
		func(e *Encoder) error { m := e.BeginOpen(); e.PutBits(5, 3); e.EndOpen(m); return nil },
		func(t *testing.T, d *Decoder) {
			sub, err := d.OpenType()
			require.NoError(t, err)
			v, err := sub.Bits(3)
			require.NoError(t, err)
			require.EqualValues(t, 5, v)
			require.NoError(t, sub.Done())
		}},
	// 19.7: extension bitmap of three additions, first and third present.
	{"extension bitmap 101", "0540",
		func(e *Encoder) error {
			var x Extensions
			e.PutExtensionBitmap(&x, 0b101, 3, x.Len(0b101, 3))
			return nil
		},
		func(t *testing.T, d *Decoder) {
			var x Extensions
			p, err := d.ExtensionBitmap(&x, 3)
			require.NoError(t, err)
			require.EqualValues(t, 0b101, p)
			require.False(t, x.Keep(1))
			require.True(t, x.Keep(2))
		}},
}

func unc(name, h string, v int64) vector {
	return vector{"unconstrained " + name, h,
		func(e *Encoder) error { e.PutUnconstrained(v); return nil },
		func(t *testing.T, d *Decoder) {
			got, err := d.Unconstrained()
			require.NoError(t, err)
			require.Equal(t, v, got)
		}}
}

func countVec(name, h string, c Size, n int) vector {
	return vector{name, h,
		func(e *Encoder) error { _, _, err := e.PutCount(n, 0, c); return err },
		func(t *testing.T, d *Decoder) {
			k, more, err := d.Count(0, c, 0)
			require.NoError(t, err)
			require.False(t, more)
			require.Equal(t, n, k)
		}}
}

func octVec(name, h string, c Size, val string, lead bool) vector {
	return vector{"octet string " + name, h,
		func(e *Encoder) error {
			if lead {
				e.PutBit(true)
			}
			b, _ := hex.DecodeString(val)
			return e.PutOctetString(b, c)
		},
		func(t *testing.T, d *Decoder) {
			if lead {
				_, _ = d.Bit()
			}
			got, err := d.OctetString(c)
			require.NoError(t, err)
			require.Equal(t, strings.ToUpper(val), strings.ToUpper(hex.EncodeToString(got)))
		}}
}

func bitVec(name, h string, c Size, v BitString) vector {
	return vector{"bit string " + name, h,
		func(e *Encoder) error { return e.PutBitString(v, c) },
		func(t *testing.T, d *Decoder) {
			got, err := d.BitString(c)
			require.NoError(t, err)
			require.Equal(t, v, got)
		}}
}

func strVec(name, h string, cs CharString, v string, lead bool) vector {
	return vector{name, h,
		func(e *Encoder) error {
			if lead {
				e.PutBit(true)
			}
			return e.PutString(v, &cs)
		},
		func(t *testing.T, d *Decoder) {
			if lead {
				_, _ = d.Bit()
			}
			got, err := d.String(&cs)
			require.NoError(t, err)
			require.Equal(t, v, got)
		}}
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			want := unhex(t, v.hex)
			var e Encoder
			require.NoError(t, v.enc(&e))
			require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(e.Bytes()))
			var d Decoder
			d.Reset(want)
			v.dec(t, &d)
			require.NoError(t, d.Done())
		})
	}
}

func TestCharStringParameters(t *testing.T) {
	// Spec h323.md §4.2: dialledDigits 13-char alphabet -> 4-bit indices
	// (max code > 15); signalType "0123456789#*ABCD!" -> 8-bit raw codes.
	dd := NewCharString(IA5String, Size{Min: 1, Max: 128}, "0123456789#*,")
	require.Equal(t, 4, dd.Bits)
	require.True(t, dd.Indexed)
	require.Equal(t, "#*,0123456789", dd.Alphabet)
	st := NewCharString(IA5String, Size{Min: 1, Max: 1}, "0123456789#*ABCD!")
	require.Equal(t, 8, st.Bits)
	require.False(t, st.Indexed)
	ia5 := NewCharString(IA5String, Size{Max: -1}, "")
	require.Equal(t, 8, ia5.Bits)
	require.False(t, ia5.Indexed)
	num := NewCharString(NumericString, Size{Max: -1}, "")
	require.Equal(t, 4, num.Bits)
	require.True(t, num.Indexed)
	bmp := NewCharString(BMPString, Size{Max: -1}, "")
	require.Equal(t, 16, bmp.Bits)
	abcd := NewCharString(IA5String, Size{Max: -1}, "ABCD")
	require.Equal(t, 2, abcd.Bits)
	require.True(t, abcd.Indexed)
}

// TestFragmentation covers X.691 10.9.3.8: lengths of 16K and more are sent
// in fragments of 16K, 32K, 48K or 64K items, ending with a determinant for
// the remainder (which may be zero).
func TestFragmentation(t *testing.T) {
	for _, n := range []int{16383, 16384, 16389, 65536, 70000, 147456} {
		b := bytes.Repeat([]byte{0x5A}, n)
		var e Encoder
		require.NoError(t, e.PutOctetString(b, Size{Max: -1}))
		out := e.Bytes()
		// Expected layout.
		var want []byte
		for rem := n; ; {
			if rem < 128 {
				want = append(want, byte(rem))
				want = append(want, b[:rem]...)
				break
			}
			if rem < 16384 {
				want = append(want, 0x80|byte(rem>>8), byte(rem))
				want = append(want, b[:rem]...)
				break
			}
			m := min(rem/16384, 4)
			want = append(want, 0xC0|byte(m))
			want = append(want, b[:m*16384]...)
			rem -= m * 16384
		}
		require.Equal(t, len(want), len(out), "n=%d", n)
		require.True(t, bytes.Equal(want, out), "n=%d", n)
		var d Decoder
		d.Reset(out)
		got, err := d.OctetString(Size{Max: -1})
		require.NoError(t, err)
		require.Equal(t, n, len(got))
		require.NoError(t, d.Done())

		// The same lengths as an open type: EndOpen must rewrite the
		// reserved length octet into the fragmented form.
		e.Reset()
		e.PutBit(true)
		m := e.BeginOpen()
		e.putOctets(b)
		e.EndOpen(m)
		d.Reset(e.Bytes())
		_, _ = d.Bit()
		sub, err := d.OpenType()
		require.NoError(t, err)
		require.Equal(t, 8*n, sub.Remaining())
		require.NoError(t, d.Done())
	}
}

func TestFragmentedList(t *testing.T) {
	// A SEQUENCE OF BOOLEAN with 16385 items: C1, 16384 bits, 01, 1 bit.
	const n = 16385
	var e Encoder
	for i, more := 0, true; more; {
		k, m, err := e.PutCount(n, i, Size{Max: -1})
		require.NoError(t, err)
		for end := i + k; i < end; i++ {
			e.PutBit(i%3 == 0)
		}
		more = m
	}
	out := e.Bytes()
	require.Equal(t, byte(0xC1), out[0])
	require.Equal(t, byte(0x01), out[1+16384/8])
	var d Decoder
	d.Reset(out)
	got := 0
	for more := true; more; {
		k, m, err := d.Count(got, Size{Max: -1}, 1)
		require.NoError(t, err)
		for j := 0; j < k; j++ {
			b, err := d.Bit()
			require.NoError(t, err)
			require.Equal(t, got%3 == 0, b)
			got++
		}
		more = m
	}
	require.Equal(t, n, got)
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		dec  func(d *Decoder) error
		want error
	}{
		{"truncated two-octet number", "12", func(d *Decoder) error { _, err := d.Constrained(0, 65535); return err }, ErrTruncated},
		{"index 31 of 25 root alternatives", "F8", func(d *Decoder) error { _, err := d.Choice(25, 25, false); return err }, ErrRange},
		{"constrained value above bound", "FFFF", func(d *Decoder) error { _, err := d.Constrained(0, 1000); return err }, ErrRange},
		{"length beyond input", "7F00", func(d *Decoder) error { _, err := d.OctetString(Size{Max: -1}); return err }, ErrTruncated},
		{"count exceeding remaining input", "7F", func(d *Decoder) error { _, _, err := d.Count(0, Size{Max: -1}, 8); return err }, ErrTruncated},
		{"non-minimal oid arc", "0200 80", func(d *Decoder) error { _, err := d.ObjectIdentifier(); return err }, ErrInvalid},
		{"oid ending inside an arc", "0181", func(d *Decoder) error { _, err := d.ObjectIdentifier(); return err }, ErrInvalid},
		{"empty oid", "00", func(d *Decoder) error { _, err := d.ObjectIdentifier(); return err }, ErrInvalid},
		{"digit index outside alphabet", "00F0", func(d *Decoder) error {
			cs := NewCharString(IA5String, Size{Min: 1, Max: 128}, "0123456789#*,")
			_, err := d.String(&cs)
			return err
		}, ErrAlphabet},
		{"IA5 code above 127", "0180", func(d *Decoder) error {
			cs := NewCharString(IA5String, Size{Max: -1}, "")
			_, err := d.String(&cs)
			return err
		}, ErrAlphabet},
		{"unpaired surrogate", "01D800", func(d *Decoder) error {
			cs := NewCharString(BMPString, Size{Max: -1}, "")
			_, err := d.String(&cs)
			return err
		}, ErrAlphabet},
		{"bad fragment multiplier", "C5", func(d *Decoder) error { _, err := d.OctetString(Size{Max: -1}); return err }, ErrInvalid},
		{"size below minimum", "00", func(d *Decoder) error { _, err := d.OctetString(Size{Min: 1, Max: 70000}); return err }, ErrSize},
		{"empty open type", "00", func(d *Decoder) error { _, err := d.OpenType(); return err }, ErrInvalid},
		{"integer length of 9 octets", "09", func(d *Decoder) error { _, err := d.Unconstrained(); return err }, ErrRange},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d Decoder
			d.Reset(unhex(t, c.in))
			err := c.dec(&d)
			require.Error(t, err)
			require.True(t, errors.Is(err, c.want), "got %v", err)
			var pe *Error
			require.True(t, errors.As(err, &pe))
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	var e Encoder
	require.ErrorIs(t, e.PutConstrained(0, 1, 65535), ErrRange)
	require.ErrorIs(t, e.PutOctetString([]byte{1, 2, 3}, Size{Min: 4, Max: 4}), ErrSize)
	require.ErrorIs(t, e.PutOctetString(nil, Size{Min: 1, Max: 20}), ErrSize)
	dd := NewCharString(IA5String, Size{Min: 1, Max: 128}, "0123456789#*,")
	require.ErrorIs(t, e.PutString("12a", &dd), ErrAlphabet)
	require.ErrorIs(t, e.PutString("", &dd), ErrSize)
	require.ErrorIs(t, e.PutObjectIdentifier(ObjectIdentifier{3, 1}), ErrRange)
	require.ErrorIs(t, e.PutEnumerated(4, 4, false), ErrRange)
	require.ErrorIs(t, e.PutOpenRaw(nil), ErrSize)
	require.ErrorIs(t, e.PutBitString(BitString{Bytes: nil, Len: 3}, Size{Max: -1}), ErrSize)
}

func TestErrorPath(t *testing.T) {
	var d Decoder
	d.Reset([]byte{0x12})
	_, err := d.Constrained(0, 65535)
	err = Index(err, 1)
	err = Field(err, "terminalAlias")
	err = Field(err, "RegistrationRequest")
	var pe *Error
	require.ErrorAs(t, err, &pe)
	require.Equal(t, []string{"RegistrationRequest", "terminalAlias", "[1]"}, pe.Path)
	require.Equal(t, 0, pe.Offset)
	require.Equal(t, "per: RegistrationRequest.terminalAlias[1]: input truncated: need 16 bits, have 8 at bit 0", err.Error())
}

func TestDepthLimit(t *testing.T) {
	d := Decoder{MaxDepth: 3}
	for i := 0; i < 3; i++ {
		require.NoError(t, d.Enter())
	}
	require.ErrorIs(t, d.Enter(), ErrDepth)
}

func TestDoneRejectsTrailingOctets(t *testing.T) {
	var d Decoder
	d.Reset([]byte{0x80, 0x00})
	_, _ = d.Bit()
	require.ErrorIs(t, d.Done(), ErrTrailing)
	d.Reset([]byte{0x00})
	require.NoError(t, d.Done(), "a single zero octet is the empty encoding")
}

func TestExtensionsLen(t *testing.T) {
	var fresh Extensions
	require.Equal(t, 0, fresh.Len(0, 4))
	require.Equal(t, 4, fresh.Len(0b0010, 4), "a value built in code declares every known addition")
	require.True(t, fresh.Keep(3))

	var root Extensions
	root.RootOnly()
	require.False(t, root.Keep(0), "a decoded root-only value re-encodes without additions")
	require.Equal(t, 0, root.Len(0, 4))
	require.Equal(t, 2, root.Len(0b10, 4))
}

func TestParseObjectIdentifier(t *testing.T) {
	o, err := ParseObjectIdentifier("0.0.8.235.0.2.5")
	require.NoError(t, err)
	require.True(t, o.Equal(ObjectIdentifier{0, 0, 8, 235, 0, 2, 5}))
	for _, bad := range []string{"", "1", "1.x", "3.1", "0.40", "1.2.99999999999"} {
		_, err := ParseObjectIdentifier(bad)
		require.Error(t, err, bad)
	}
}
