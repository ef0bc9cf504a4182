package sip

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fuzz targets (spec §4.4): no panic on any input, memory bounded by the
// input, and parse(serialise(m)) == m. Run them with, e.g.,
//
//	go test -run '^$' -fuzz FuzzParseMessage -fuzztime 5m -parallel 1 ./sip
//
// The seed corpus is the torture collection and the benchmark messages.

func addSeeds(f *testing.F) {
	for _, dir := range []string{"testdata/torture", "testdata/bench"} {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			if filepath.Ext(p) == ".md" {
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(proxied))
	f.Add([]byte(registerFixture))
	f.Add([]byte("\r\n\r\n" + streamMsg("INVITE", "v=0\r\n") + "\r\n" + streamMsg("BYE", "")))
}

func FuzzParseMessage(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		m, err := ParseMessage(data)
		if !bytes.Equal(orig, data) {
			t.Fatal("ParseMessage modified its input")
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Reason == "" || pe.Status == 0 {
				t.Fatalf("error %T %v is not a complete *ParseError", err, err)
			}
			if len(pe.Data) > MaxErrorData || !bytes.HasPrefix(data, pe.Data) {
				t.Fatal("ParseError.Data is not the input's first bytes")
			}
			return
		}
		out := m.Bytes()
		start := int(m.msgStart)
		if len(out) != m.Len() || start+len(out) > len(data) || !bytes.Equal(out, data[start:start+len(out)]) {
			t.Fatalf("unedited message is not its input: %q", out)
		}
		m2, err := ParseMessage(out)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !bytes.Equal(m2.Bytes(), out) || m2.NumFields() != m.NumFields() {
			t.Fatal("parse(serialise(m)) != m")
		}
		exercise(m)
		if m.Validate() == nil {
			for _, err := range []error{errOf(m.Via()), errOf(m.From()), errOf(m.To()), errOf(m.CallID()), errOf(m.CSeq())} {
				if err != nil {
					t.Fatalf("valid message, mandatory header fails: %v", err)
				}
			}
		}
		editRoundTrip(t, m)
		if !bytes.Equal(orig, data) {
			t.Fatal("edits modified the input")
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

// exercise calls every accessor; none may panic.
func exercise(m *Message) {
	_, _ = m.RequestURI()
	_, _ = m.Vias()
	_ = m.ViaCount()
	_, _ = m.Contacts()
	_, _ = m.Routes()
	_, _ = m.RecordRoutes()
	_, _ = m.Paths()
	_, _ = m.Addresses(HdrPAssertedIdentity)
	_, _ = m.ReferTo()
	_, _ = m.ReferredBy()
	_, _ = m.MaxForwards()
	_, _ = m.ContentLength()
	_, _ = m.ContentType()
	_, _ = m.Expires()
	_, _ = m.MinExpires()
	_, _ = m.Tokens(HdrSupported)
	_ = m.HasToken(HdrAllow, "UPDATE")
	_, _ = m.Auths(HdrAuthorization)
	_, _ = m.Auths(HdrWWWAuthenticate)
	_, _ = m.SessionExpires()
	_, _ = m.MinSE()
	_, _ = m.Event()
	_, _ = m.SubscriptionState()
	_, _ = m.Warnings()
	_, _ = m.Date()
	_ = m.IsDialogForming()
	_ = m.IsCallRelated(false)
	for range m.All() {
	}
	if v, err := m.Via(); err == nil {
		_ = v.Branch()
		_, _ = v.RPort()
		_ = v.String()
	}
	if a, err := m.From(); err == nil {
		_ = a.String()
		_ = a.URI.Equal(a.URI)
	}
}

// editRoundTrip makes a proxy's edits on a copy and checks that the result
// parses back with the edited values.
func editRoundTrip(t *testing.T, m *Message) {
	c := m.Clone()
	via := Via{Transport: "TCP", Host: "192.0.2.1", Port: 5060, Params: ";branch=z9hG4bKfuzz"}
	if err := c.PushVia(via); err != nil {
		t.Fatal(err)
	}
	c.SetMaxForwards(69)
	c.RemoveToken(HdrAllow, "UPDATE")
	c.Del(HdrPAssertedIdentity)
	if err := c.SetBody("text/plain", []byte("fuzz")); err != nil {
		t.Fatal(err)
	}
	out := c.Bytes()
	back, err := ParseMessage(out)
	if err != nil {
		t.Fatalf("edited message does not parse: %v\n%q", err, out)
	}
	if !bytes.Equal(back.Bytes(), out) {
		t.Fatal("edited message does not round-trip")
	}
	if v, err := back.Via(); err != nil || v.Branch() != "z9hG4bKfuzz" {
		t.Fatalf("pushed Via lost: %v %v", v, err)
	}
	if n, err := back.MaxForwards(); err != nil || n != 69 {
		t.Fatalf("Max-Forwards %d %v", n, err)
	}
	if string(back.Body()) != "fuzz" {
		t.Fatalf("body %q", back.Body())
	}
	if back.HasToken(HdrAllow, "UPDATE") {
		t.Fatal("UPDATE not stripped")
	}
	if _, ok := c.PopFirst(HdrVia); !ok {
		t.Fatal("pop of the pushed Via")
	}
	if _, err := ParseMessage(c.Bytes()); err != nil {
		t.Fatalf("after pop: %v", err)
	}
}

// chunkReader returns at most n bytes per Read, to vary segmentation.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

func FuzzReader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		chunk := 1
		if len(data) > 0 {
			chunk = int(data[0])%64 + 1
		}
		r := NewReaderLimits(&chunkReader{r: bytes.NewReader(data), n: chunk}, Limits{MaxSize: 4096})
		total := 0
		for i := 0; i <= len(data)+1; i++ {
			m, err := r.ReadMessage()
			if err != nil {
				var pe *ParseError
				if !errors.Is(err, io.EOF) && !errors.As(err, &pe) {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				if pe != nil && (len(pe.Data) > MaxErrorData || !bytes.Contains(data, pe.Data)) {
					t.Fatalf("ParseError.Data %q is not from the stream", pe.Data)
				}
				if pe != nil && pe.Framing {
					if _, again := r.ReadMessage(); again != err {
						t.Fatal("framing error is not final")
					}
					return
				}
				if errors.Is(err, io.EOF) {
					return
				}
				continue
			}
			out := m.Bytes()
			total += len(out)
			if total > len(data) || !bytes.Contains(data, out) {
				t.Fatalf("message %q is not from the stream", out)
			}
			if len(out) > 4096 {
				t.Fatal("message over the limit")
			}
			back, err := NewReader(bytes.NewReader(out)).ReadMessage()
			if err != nil || !bytes.Equal(back.Bytes(), out) {
				t.Fatalf("stream message does not round-trip: %v", err)
			}
		}
		t.Fatal("reader did not make progress")
	})
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"sip:alice@atlanta.example.com;transport=tcp", "sips:[2001:db8::1]:5061;lr?x=y",
		"tel:+1-201-555-0123;ext=1", "tel:7042;phone-context=example.com", "urn:service:sos",
		"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
		"sip:%61lice@h;%6C%72;n%61me=v%61lue%25%34%31", "soap.beep://192.0.2.103:3002"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		out := u.String()
		u2, err := ParseURI(out)
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", out, s, err)
		}
		if u2.String() != out || !u.Equal(u2) {
			t.Fatalf("URI %q does not round-trip: %q", s, out)
		}
	})
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{`"J Rosenberg \\\"" <sip:jdrosen@example.com>;tag=98asjd8`, "sip:a@b.com;tag=1",
		"caller<sip:caller@example.com>;tag=323", "*", `"x" <tel:+1555>;q=0.5;+sip.instance="<urn:uuid:1>"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		out := a.String()
		a2, err := ParseAddress(out)
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", out, s, err)
		}
		if a2.String() != out || a2.Display != a.Display || !a.URI.Equal(a2.URI) {
			t.Fatalf("address %q does not round-trip: %q", s, out)
		}
		checkGetMatchesAll(t, a.Params)
		checkGetMatchesAll(t, a.URI.Params)
	})
}

// checkGetMatchesAll: Params.Get gives the first value All yields.
func checkGetMatchesAll(t *testing.T, p Params) {
	seen := map[string]bool{}
	for n, v := range p.All() {
		k := strings.ToLower(n)
		if seen[k] {
			continue
		}
		seen[k] = true
		if got, ok := p.Get(n); !ok || got != v {
			t.Fatalf("Params(%q).Get(%q) = %q, %v; All gives %q", p, n, got, ok, v)
		}
	}
}
