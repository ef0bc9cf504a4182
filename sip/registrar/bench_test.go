package registrar

import (
	"context"
	"fmt"
	"testing"

	"github.com/causeway-edge/causeway/sip"
)

// BenchmarkRegister: a REGISTER for a new AOR each time (parse excluded).
func BenchmarkRegister(b *testing.B) {
	r, _ := newReg(b, Config{})
	msgs := make([]*sip.Message, 4096)
	for i := range msgs {
		aor := fmt.Sprintf("u%d@example.com", i)
		msgs[i] = reg(b, aor, "c"+aor, 1, "60", "", "<sip:u@192.0.2.10:5060>")
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		if i >= len(msgs) { // refreshes after the first round: raise the CSeq
			m = m.Clone()
			_ = m.SetCSeq(sip.CSeq{Seq: uint32(i/len(msgs) + 1), Method: "REGISTER"})
		}
		resp, err := r.Register(ctx, m, src)
		if err != nil || resp.StatusCode() != 200 {
			b.Fatal(err, resp)
		}
	}
}

// BenchmarkRegisterHarness is BenchmarkRegister's own per-iteration work
// (the Clone and CSeq edit of a refresh) without Register: subtract it to
// get Register's cost.
func BenchmarkRegisterHarness(b *testing.B) {
	msgs := make([]*sip.Message, 4096)
	for i := range msgs {
		aor := fmt.Sprintf("u%d@example.com", i)
		msgs[i] = reg(b, aor, "c"+aor, 1, "60", "", "<sip:u@192.0.2.10:5060>")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		if i >= len(msgs) {
			m = m.Clone()
			_ = m.SetCSeq(sip.CSeq{Seq: uint32(i/len(msgs) + 1), Method: "REGISTER"})
		}
		if m == nil {
			b.Fatal("no message")
		}
	}
}

// BenchmarkLookup: the proxy's location lookup for an AOR with 2 bindings.
func BenchmarkLookup(b *testing.B) {
	r, _ := newReg(b, Config{})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, _ = r.Register(ctx, reg(b, "bob@example.com", fmt.Sprint("c", i), 1, "60", "", fmt.Sprintf("<sip:bob@192.0.2.%d>", i+1)), src)
	}
	u := sip.URI{Scheme: "sip", User: "bob", Host: "example.com"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs, err := r.Lookup(ctx, u)
		if err != nil || len(bs) != 2 {
			b.Fatal(err)
		}
	}
}
