// Package sipparse benchmarks the causeway sip codec side by side with
// github.com/emiago/sipgo's parser on the same messages, in one go test run:
//
//	cd bench/sipparse && go test -run '^$' -bench . -benchmem
//
// It is its own module so that sipgo never becomes a dependency of the
// library. Each benchmark parses the message and reads the same fields
// through each library's typed API.
package sipparse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/causeway-edge/causeway/sip"
	sipgo "github.com/emiago/sipgo/sip"
)

var (
	invite      = read("invite.sip")
	proxyInvite = read("proxy-invite.sip")
	response    = read("response.sip")
)

func read(name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "sip", "testdata", "bench", name))
	if err != nil {
		panic(err)
	}
	return b
}

var sink struct {
	s string
	n int
	b []byte
}

// TestSameAnswers checks that both libraries parse the messages and read
// the same values, so the benchmarks compare equal work.
func TestSameAnswers(t *testing.T) {
	p := sipgo.NewParser()
	for _, data := range [][]byte{invite, proxyInvite} {
		m, err := sip.ParseMessage(data)
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.ParseSIP(data)
		if err != nil {
			t.Fatal(err)
		}
		req := g.(*sipgo.Request)
		via, _ := m.Via()
		from, _ := m.From()
		to, _ := m.To()
		callID, _ := m.CallID()
		cseq, _ := m.CSeq()
		contact, _ := m.Contact()
		gb, _ := req.Via().Params.Get("branch")
		gt, _ := req.From().Params.Get("tag")
		checks := [][2]string{
			{via.Branch(), gb},
			{from.Tag(), gt},
			{to.URI.Host, req.To().Address.Host},
			{callID, req.CallID().Value()},
			{cseq.String(), req.CSeq().Value()},
			{contact.URI.User, req.Contact().Address.User},
		}
		for i, c := range checks {
			if c[0] != c[1] || c[0] == "" {
				t.Errorf("check %d: causeway %q, sipgo %q", i, c[0], c[1])
			}
		}
	}
	if _, err := p.ParseSIP(response); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkParseINVITE(b *testing.B) {
	b.Run("causeway", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := sip.ParseMessage(invite)
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
	})
	b.Run("sipgo", func(b *testing.B) {
		b.ReportAllocs()
		p := sipgo.NewParser()
		for b.Loop() {
			msg, err := p.ParseSIP(invite)
			if err != nil {
				b.Fatal(err)
			}
			req := msg.(*sipgo.Request)
			via, from, to, callID, cseq, contact := req.Via(), req.From(), req.To(), req.CallID(), req.CSeq(), req.Contact()
			if via == nil || from == nil || to == nil || callID == nil || cseq == nil || contact == nil {
				b.Fatal("missing header")
			}
			sink.s, _ = via.Params.Get("branch")
			sink.s, _ = from.Params.Get("tag")
			sink.s = to.Address.Host
			sink.s = string(*callID)
			sink.n = int(cseq.SeqNo)
			sink.s = contact.Address.User
		}
	})
}

func BenchmarkParseProxyINVITE(b *testing.B) {
	b.Run("causeway", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := sip.ParseMessage(proxyInvite)
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
	})
	b.Run("sipgo", func(b *testing.B) {
		b.ReportAllocs()
		p := sipgo.NewParser()
		for b.Loop() {
			msg, err := p.ParseSIP(proxyInvite)
			if err != nil {
				b.Fatal(err)
			}
			req := msg.(*sipgo.Request)
			via, from, to, callID, cseq, mf, route, contact := req.Via(), req.From(), req.To(), req.CallID(),
				req.CSeq(), req.MaxForwards(), req.Route(), req.Contact()
			if via == nil || from == nil || to == nil || callID == nil || cseq == nil || mf == nil || route == nil || contact == nil {
				b.Fatal("missing header")
			}
			sink.s, _ = via.Params.Get("branch")
			sink.s, _ = from.Params.Get("tag")
			sink.s = to.Address.Host
			sink.s = string(*callID)
			sink.n = int(cseq.SeqNo) + int(*mf)
			sink.s = route.Address.Host
			sink.s = contact.Address.Host
		}
	})
}

func BenchmarkParseResponse(b *testing.B) {
	b.Run("causeway", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := sip.ParseMessage(response)
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
	})
	b.Run("sipgo", func(b *testing.B) {
		b.ReportAllocs()
		p := sipgo.NewParser()
		for b.Loop() {
			msg, err := p.ParseSIP(response)
			if err != nil {
				b.Fatal(err)
			}
			res := msg.(*sipgo.Response)
			via, to, cseq, callID := res.Via(), res.To(), res.CSeq(), res.CallID()
			if via == nil || to == nil || cseq == nil || callID == nil {
				b.Fatal("missing header")
			}
			sink.n = res.StatusCode + int(cseq.SeqNo)
			sink.s, _ = via.Params.Get("branch")
			sink.s, _ = to.Params.Get("tag")
			sink.s = string(*callID)
		}
	})
}

// BenchmarkSerialize writes the parsed INVITE unedited, and after the
// edits a proxy makes (copy, Via pushed, Max-Forwards set).
func BenchmarkSerialize(b *testing.B) {
	m, err := sip.ParseMessage(invite)
	if err != nil {
		b.Fatal(err)
	}
	g, err := sipgo.NewParser().ParseSIP(invite)
	if err != nil {
		b.Fatal(err)
	}
	req := g.(*sipgo.Request)
	b.Run("Unedited/causeway", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink.b = m.Bytes()
		}
	})
	b.Run("Unedited/sipgo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink.s = req.String()
		}
	})
	via := sip.Via{Transport: "UDP", Host: "192.0.2.1", Port: 5060, Params: ";branch=z9hG4bK776asdhds"}
	b.Run("Proxied/causeway", func(b *testing.B) {
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
	b.Run("Proxied/sipgo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := req.Clone()
			params := sipgo.NewParams()
			params.Add("branch", "z9hG4bK776asdhds")
			c.PrependHeader(&sipgo.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
				Host: "192.0.2.1", Port: 5060, Params: params})
			mf := sipgo.MaxForwardsHeader(69)
			c.ReplaceHeader(&mf)
			sink.s = c.String()
		}
	})
}
