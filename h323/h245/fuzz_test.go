package h245_test

import (
	"encoding/hex"
	"errors"
	"runtime"
	"testing"

	"github.com/causeway-edge/causeway/h323/h245"
	"github.com/causeway-edge/causeway/h323/internal/corpus"
	"github.com/causeway-edge/causeway/h323/per"
)

func allocated() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// FuzzMultimediaSystemControlMessage checks the decoder invariants of spec
// h323.md §4.8 on H.245 PDUs, seeded with V6 to V8 and the corpus.
func FuzzMultimediaSystemControlMessage(f *testing.F) {
	for _, v := range []string{"4A40", "6D400135", "6D810206A0"} {
		b, _ := hex.DecodeString(v)
		f.Add(b)
	}
	msgs, err := corpus.All()
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range msgs {
		if m.Transport == corpus.H245 {
			b, err := per.Marshal(m.H245)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m h245.MultimediaSystemControlMessage
		before := allocated()
		err := per.Unmarshal(data, &m)
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
		b1, err := per.Marshal(&m)
		if err != nil {
			t.Fatalf("re-encoding a decoded value: %v", err)
		}
		var w h245.MultimediaSystemControlMessage
		if err := per.Unmarshal(b1, &w); err != nil {
			t.Fatalf("decoding the re-encoding %x: %v", b1, err)
		}
		b2, _ := per.Marshal(&w)
		if hex.EncodeToString(b1) != hex.EncodeToString(b2) {
			t.Fatalf("re-encoding is not stable:\n%x\n%x", b1, b2)
		}
	})
}

func tcs(b *testing.B) []byte {
	raw, err := per.Marshal(corpus.TerminalCapabilitySet())
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkTCSDecode(b *testing.B) {
	raw := tcs(b)
	var d per.Decoder
	var m h245.MultimediaSystemControlMessage
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		d.Reset(raw)
		if err := m.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTCSEncode(b *testing.B) {
	m := corpus.TerminalCapabilitySet()
	var e per.Encoder
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.Reset()
		if err := m.Encode(&e); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(e.Bytes())))
}
