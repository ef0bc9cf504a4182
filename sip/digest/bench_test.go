package digest

import (
	"context"
	"testing"
)

// BenchmarkDigestVerify checks one qop=auth MD5 answer: credential lookup,
// HA1, response hash, constant-time compare, nonce and nc bookkeeping.
func BenchmarkDigestVerify(b *testing.B) {
	s, err := NewServer(Config{Store: MemoryStore{"meetingroom1": "mypassword"}, MaxUses: 1024})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	nonce := s.Challenges(false)[0].Nonce
	ha1, _ := HA1(MD5, "meetingroom1", "TANDBERG", "mypassword")
	creds := make([]Credentials, 1000)
	for i := range creds {
		c := Credentials{Username: "meetingroom1", Realm: "TANDBERG", Nonce: nonce, URI: "sip:example.com",
			NC: hex8(i + 1), CNonce: "0a4f113b", QOP: "auth"}
		c.Response, _ = Response(ha1, Params{Method: "REGISTER", URI: c.URI, Nonce: nonce, NC: c.NC, CNonce: c.CNonce, QOP: "auth"})
		creds[i] = c
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(creds) { // a fresh nonce every 1000 uses
			b.StopTimer()
			s.mu.Lock()
			for _, el := range s.nonces {
				el.Value.(*nonceState).uses, el.Value.(*nonceState).lastNC = 0, 0
			}
			s.mu.Unlock()
			i = 0
			b.StartTimer()
		}
		if r, _ := s.Check(ctx, creds[i], "REGISTER", nil); r != Authenticated {
			b.Fatal(r)
		}
		i++
	}
}
