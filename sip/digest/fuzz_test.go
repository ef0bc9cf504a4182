package digest

import (
	"context"
	"testing"
)

// FuzzParseCredentials: header values never panic; accepted credentials
// re-render to something that parses to the same values, and checking
// them never panics.
func FuzzParseCredentials(f *testing.F) {
	f.Add(`Digest username="meetingroom1", realm="TANDBERG", nonce="abc", uri="sip:example.com", response="282f27418570e0574caadf7299cc98e3", qop=auth, nc=00000001, cnonce="0a4f113b"`)
	f.Add(`Digest username="a", realm="TANDBERG", nonce="n", uri="sip:x", response="r", algorithm=SHA-256-sess`)
	f.Add(`Digest realm="x", nonce="y", stale=TRUE`)
	f.Add(`NTLM abc`)
	f.Add(``)
	s, err := NewServer(Config{Store: MemoryStore{"a": "b", "meetingroom1": "mypassword"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if ch, err := ParseChallenge(v); err == nil {
			if _, err := ParseChallenge(ch.String()); err != nil {
				t.Fatalf("challenge %q re-rendered as %q: %v", v, ch.String(), err)
			}
		}
		c, err := ParseCredentials(v)
		if err != nil {
			return
		}
		if _, err := s.Check(context.Background(), c, "REGISTER", []byte("body")); err != nil {
			t.Fatal(err)
		}
		c2, err := ParseCredentials(c.String())
		if err != nil || c2.Username != c.Username || c2.Response != c.Response || c2.Nonce != c.Nonce {
			t.Fatalf("%q re-rendered as %q: %v", v, c.String(), err)
		}
	})
}
