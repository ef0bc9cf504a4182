package h225_test

import (
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/internal/corpus"
	"github.com/causeway-edge/causeway/h323/per"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// Golden vectors of spec h323.md §4.3 that are RAS messages and the UUIE
// of V5; they seed the fuzz corpora.
var (
	rasVectors = []string{
		"1C 00 00", "1C 12 33", "80 05 00 00 00 00 09",
		"00 00 00 00 06 00 08 91 4A 00 07 00 C0 A8 00 01 06 B7 02 00",
		"0C 80 00 01 06 00 08 91 4A 00 07 00 01 00 C0 A8 00 0A 06 B8 01 00 C0 A8 00 0A 06 B7 02 00 02 40 04 00 61 00 6C 00 69 00 63 00 65 01 80 97 65 00 B5 00 12 34",
	}
	uuieV5 = "25 C0 06 00 08 91 4A 00 07 58 A8 00 11 00 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 10 80 01 00"
)

// allocated returns the bytes allocated so far by the process.
func allocated() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// checkDecode is the fuzz invariant of spec h323.md §4.8: decoding
// arbitrary bytes never panics, fails with a *per.Error, allocates at most
// a small multiple of the input size, and whatever decodes re-encodes to a
// fixed point.
func checkDecode(t *testing.T, data []byte, mk func() per.Value) {
	v := mk()
	before := allocated()
	err := per.Unmarshal(data, v)
	if grown := allocated() - before; grown > 1<<20+1024*uint64(len(data)) {
		t.Fatalf("decoding %d octets allocated %d bytes", len(data), grown)
	}
	if err != nil {
		var pe *per.Error
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *per.Error", err)
		}
		return
	}
	b1, err := per.Marshal(v)
	if err != nil {
		t.Fatalf("re-encoding a decoded value: %v", err)
	}
	w := mk()
	if err := per.Unmarshal(b1, w); err != nil {
		t.Fatalf("decoding the re-encoding %x: %v", b1, err)
	}
	b2, err := per.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(b1) != hex.EncodeToString(b2) {
		t.Fatalf("re-encoding is not stable:\n%x\n%x", b1, b2)
	}
}

func FuzzRasMessage(f *testing.F) {
	for _, v := range rasVectors {
		f.Add(mustHex(v))
	}
	msgs, err := corpus.All()
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range msgs {
		if m.Transport == corpus.RAS {
			b, err := m.Payload()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data, func() per.Value { return new(h225.RasMessage) })
	})
}

func FuzzH323UserInformation(f *testing.F) {
	f.Add(mustHex(uuieV5))
	msgs, err := corpus.All()
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range msgs {
		if m.Transport == corpus.CallSignalling {
			if data, ok := m.Q931.Get(0x7E); ok && len(data) > 1 {
				f.Add(data[1:])
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data, func() per.Value { return new(h225.H323UserInformation) })
	})
}
