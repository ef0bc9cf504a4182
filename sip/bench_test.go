package sip

import (
	"os"
	"path/filepath"
	"testing"
)

// The benchmark messages live in testdata/bench so that bench/sipparse
// feeds the very same bytes to sipgo.
//
// invite.sip is the message of sipgo's own BenchmarkParser
// (github.com/emiago/sipgo, sip/parser_test.go) with its random branch
// (GenerateBranch: "z9hG4bK." and 16 characters) and Call-ID ("gotest-" and
// a 19-digit UnixNano) replaced by fixed strings of the same lengths: 470
// bytes with a 129-byte SDP body and the headers Via, From, To, Call-ID,
// CSeq, Contact, Content-Type, Content-Length. proxy-invite.sip is an
// INVITE as a proxy sees it: 16 headers with two Vias, Record-Route, Route,
// Allow, Supported and Session-Expires. response.sip is the 200 OK
// answering invite.sip.
var (
	benchINVITE      = readBench("invite.sip")
	benchProxyINVITE = readBench("proxy-invite.sip")
	benchResponse    = readBench("response.sip")
)

func readBench(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "bench", name))
	if err != nil {
		panic(err) // test data shipped with the package
	}
	return b
}

var sink struct {
	s string
	n int
	b []byte
}

func TestBenchMessages(t *testing.T) {
	if len(benchINVITE) != 470 {
		t.Fatalf("benchINVITE is %d bytes, want the 470 of sipgo's template", len(benchINVITE))
	}
	for _, data := range [][]byte{benchINVITE, benchProxyINVITE, benchResponse} {
		m := must(ParseMessage(data))(t)
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(m.Body()) != 129 {
			t.Fatalf("body %d", len(m.Body()))
		}
	}
	if n := must(ParseMessage(benchProxyINVITE))(t).NumFields(); n != 16 {
		t.Fatalf("proxy INVITE has %d headers, want 16", n)
	}
}

// BenchmarkParseINVITE parses sipgo's benchmark INVITE and reads the Via
// branch, From tag, To URI, Call-ID, CSeq number and Contact URI.
func BenchmarkParseINVITE(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchINVITE)))
	for b.Loop() {
		m, err := ParseMessage(benchINVITE)
		if err != nil {
			b.Fatal(err)
		}
		via, err := m.Via()
		if err != nil {
			b.Fatal(err)
		}
		from, err := m.From()
		if err != nil {
			b.Fatal(err)
		}
		to, err := m.To()
		if err != nil {
			b.Fatal(err)
		}
		callID, err := m.CallID()
		if err != nil {
			b.Fatal(err)
		}
		cseq, err := m.CSeq()
		if err != nil {
			b.Fatal(err)
		}
		contact, err := m.Contact()
		if err != nil {
			b.Fatal(err)
		}
		sink.s = via.Branch()
		sink.s = from.Tag()
		sink.s = to.URI.Host
		sink.s = callID
		sink.n = int(cseq.Seq)
		sink.s = contact.URI.User
	}
}

// BenchmarkParseProxyINVITE parses the 16-header proxied INVITE and reads
// what a proxy routes on: Via branch, From tag, To URI, Call-ID, CSeq,
// Max-Forwards, the top Route and the Contact URI.
func BenchmarkParseProxyINVITE(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchProxyINVITE)))
	for b.Loop() {
		m, err := ParseMessage(benchProxyINVITE)
		if err != nil {
			b.Fatal(err)
		}
		via, err := m.Via()
		if err != nil {
			b.Fatal(err)
		}
		from, err := m.From()
		if err != nil {
			b.Fatal(err)
		}
		to, err := m.To()
		if err != nil {
			b.Fatal(err)
		}
		callID, err := m.CallID()
		if err != nil {
			b.Fatal(err)
		}
		cseq, err := m.CSeq()
		if err != nil {
			b.Fatal(err)
		}
		mf, err := m.MaxForwards()
		if err != nil {
			b.Fatal(err)
		}
		route, err := m.Route()
		if err != nil {
			b.Fatal(err)
		}
		contact, err := m.Contact()
		if err != nil {
			b.Fatal(err)
		}
		sink.s = via.Branch()
		sink.s = from.Tag()
		sink.s = to.URI.Host
		sink.s = callID
		sink.n = int(cseq.Seq) + mf
		sink.s = route.URI.Host
		sink.s = contact.URI.Host
	}
}

// BenchmarkParseResponse parses a 200 OK and reads the status, Via branch,
// To tag, CSeq and Call-ID — what a client transaction matches on.
func BenchmarkParseResponse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchResponse)))
	for b.Loop() {
		m, err := ParseMessage(benchResponse)
		if err != nil {
			b.Fatal(err)
		}
		via, err := m.Via()
		if err != nil {
			b.Fatal(err)
		}
		to, err := m.To()
		if err != nil {
			b.Fatal(err)
		}
		cseq, err := m.CSeq()
		if err != nil {
			b.Fatal(err)
		}
		callID, err := m.CallID()
		if err != nil {
			b.Fatal(err)
		}
		sink.n = m.StatusCode() + int(cseq.Seq)
		sink.s = via.Branch()
		sink.s = to.Tag()
		sink.s = callID
	}
}

// BenchmarkSerialize writes the parsed INVITE: Unedited into a fresh slice
// (Bytes) and into a reused buffer (AppendTo), and Proxied after the edits a
// proxy makes (Clone, Via pushed, Max-Forwards decremented).
func BenchmarkSerialize(b *testing.B) {
	m, err := ParseMessage(benchINVITE)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Unedited", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink.b = m.Bytes()
		}
	})
	b.Run("AppendTo", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = m.AppendTo(buf[:0])
		}
		sink.b = buf
	})
	via := Via{Transport: "UDP", Host: "192.0.2.1", Port: 5060, Params: ";branch=z9hG4bK776asdhds"}
	b.Run("Proxied", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := m.Clone()
			if err := c.PushVia(via); err != nil {
				b.Fatal(err)
			}
			c.SetMaxForwards(69)
			sink.b = c.Bytes()
		}
	})
}
