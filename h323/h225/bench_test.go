package h225_test

import (
	"testing"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/internal/corpus"
	"github.com/causeway-edge/causeway/h323/per"
)

// rrqV4 is the V4 RRQ of spec h323.md §4.3 (no extension additions).
var rrqV4 = mustHex(rasVectors[4])

func BenchmarkRRQDecode(b *testing.B) {
	var d per.Decoder
	var m h225.RasMessage
	b.ReportAllocs()
	b.SetBytes(int64(len(rrqV4)))
	for i := 0; i < b.N; i++ {
		d.Reset(rrqV4)
		if err := m.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRRQEncode(b *testing.B) {
	var m h225.RasMessage
	if err := per.Unmarshal(rrqV4, &m); err != nil {
		b.Fatal(err)
	}
	var e per.Encoder
	b.ReportAllocs()
	b.SetBytes(int64(len(rrqV4)))
	for i := 0; i < b.N; i++ {
		e.Reset()
		if err := m.Encode(&e); err != nil {
			b.Fatal(err)
		}
	}
}

// setupUUIE is the H323-UserInformation of the corpus SETUP: two fastStart
// proposals and a tunnelled TerminalCapabilitySet.
func setupUUIE(b *testing.B) []byte {
	setup, err := corpus.Setup()
	if err != nil {
		b.Fatal(err)
	}
	data, ok := setup.Get(0x7E)
	if !ok {
		b.Fatal("no user-user element")
	}
	return data[1:]
}

func BenchmarkSetupDecode(b *testing.B) {
	raw := setupUUIE(b)
	var d per.Decoder
	var m h225.H323UserInformation
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		d.Reset(raw)
		if err := m.Decode(&d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetupEncode(b *testing.B) {
	raw := setupUUIE(b)
	var m h225.H323UserInformation
	if err := per.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	var e per.Encoder
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		e.Reset()
		if err := m.Encode(&e); err != nil {
			b.Fatal(err)
		}
	}
}
