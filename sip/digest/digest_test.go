package digest

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// §3.11 vectors (SIP-71): seed credentials, RFC 2617 §3.5 and SHA-256.
func TestVectors(t *testing.T) {
	ha1, _ := HA1(MD5, "meetingroom1", "TANDBERG", "mypassword")
	if ha1 != "b9339aa36354578a89bfd6956b892faa" {
		t.Fatal(ha1)
	}
	n := "dcd98b7102dd2f0e8b11d0f600bfb0c093"
	for _, c := range []struct {
		name string
		alg  string
		p    Params
		want string
	}{
		{"REGISTER qop=auth", MD5, Params{Method: "REGISTER", URI: "sip:example.com", Nonce: n, NC: "00000001", CNonce: "0a4f113b", QOP: "auth"}, "282f27418570e0574caadf7299cc98e3"},
		{"REGISTER no qop", MD5, Params{Method: "REGISTER", URI: "sip:example.com", Nonce: n}, "41d4919afabb8d252e992e187dcf4e61"},
		{"INVITE qop=auth", MD5, Params{Method: "INVITE", URI: "sip:alice@example.com", Nonce: n, NC: "00000001", CNonce: "0a4f113b", QOP: "auth"}, "e951e29161836f8faa0da5195d4c3c8c"},
		{"SHA-256 REGISTER", SHA256, Params{Algorithm: SHA256, Method: "REGISTER", URI: "sip:example.com", Nonce: n, NC: "00000001", CNonce: "0a4f113b", QOP: "auth"}, "b408837bd1345b0afeb95f45cc543fc073ab2a63ea6aad3132bd04180dba2325"},
	} {
		h1, _ := HA1(c.alg, "meetingroom1", "TANDBERG", "mypassword")
		if got, err := Response(h1, c.p); err != nil || got != c.want {
			t.Errorf("%s: %s %v", c.name, got, err)
		}
	}
	// RFC 2617 §3.5 (Mufasa).
	mh1, _ := HA1(MD5, "Mufasa", "testrealm@host.com", "Circle Of Life")
	got, _ := Response(mh1, Params{Method: "GET", URI: "/dir/index.html", Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		NC: "00000001", CNonce: "0a4f113b", QOP: "auth"})
	if got != "6629fae49393a05397450978507c4ef1" {
		t.Fatal("Mufasa", got)
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newServer(t *testing.T, edit func(*Config)) (*Server, *clock) {
	c := &clock{time.Unix(1000, 0)}
	cfg := Config{Store: MemoryStore{"meetingroom1": "mypassword"}, Now: c.now}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func register(t *testing.T) *sip.Message {
	t.Helper()
	m, err := sip.ParseMessage([]byte("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n" +
		"From: <sip:meetingroom1@example.com>;tag=a1\r\nTo: <sip:meetingroom1@example.com>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n" +
		"Contact: <sip:meetingroom1@192.0.2.1>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func answer(t *testing.T, s *Server, cl *Client, req *sip.Message) (*sip.Message, Decision) {
	t.Helper()
	ctx := context.Background()
	d, err := s.Authenticate(ctx, req, netip.MustParseAddr("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Result == Authenticated || d.Result == Forbidden {
		return nil, d
	}
	resp, err := Respond(req, d)
	if err != nil {
		t.Fatal(err)
	}
	return resp, d
}

// SIP-71, SIP-77: challenge, client answer, verify; REGISTER gets 401 and
// WWW-Authenticate, other requests 407 and Proxy-Authenticate.
func TestChallengeAnswerVerify(t *testing.T) {
	s, _ := newServer(t, func(c *Config) { c.Algorithms = []string{SHA256, MD5} })
	cl := &Client{Username: "meetingroom1", Password: "mypassword"}
	req := register(t)
	resp, d := answer(t, s, cl, req)
	if d.Result != Challenged || resp.StatusCode() != 401 || len(resp.Values("WWW-Authenticate")) != 2 {
		t.Fatalf("%v %s", d.Result, resp)
	}
	if !strings.Contains(resp.Values("WWW-Authenticate")[0], `qop="auth"`) || !strings.Contains(resp.Values("WWW-Authenticate")[0], "algorithm=SHA-256") {
		t.Fatal(resp.Values("WWW-Authenticate"))
	}
	if err := cl.Authorize(req, resp); err != nil {
		t.Fatal(err)
	}
	if _, d := answer(t, s, cl, req); d.Result != Authenticated || d.Username != "meetingroom1" {
		t.Fatalf("%+v", d)
	}
	// INVITE: 407.
	inv := register(t)
	_ = inv.SetRequestURI(mustURI(t, "sip:alice@example.com"))
	inv2, _ := sip.ParseMessage([]byte(strings.Replace(strings.Replace(string(inv.Bytes()), "REGISTER sip:", "INVITE sip:", 1), "CSeq: 1 REGISTER", "CSeq: 1 INVITE", 1)))
	resp, d = answer(t, s, cl, inv2)
	if resp.StatusCode() != 407 || len(resp.Values("Proxy-Authenticate")) == 0 {
		t.Fatalf("%s", resp)
	}
	if err := cl.Authorize(inv2, resp); err != nil {
		t.Fatal(err)
	}
	if _, d := answer(t, s, cl, inv2); d.Result != Authenticated {
		t.Fatal(d.Result)
	}
}

func mustURI(t *testing.T, s string) sip.URI {
	u, err := sip.ParseURI(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// credsFor builds seed-vector credentials on a nonce the server issued.
func credsFor(s *Server, nc string) Credentials {
	nonce := s.Challenges(false)[0].Nonce
	ha1, _ := HA1(MD5, "meetingroom1", "TANDBERG", "mypassword")
	c := Credentials{Username: "meetingroom1", Realm: "TANDBERG", Nonce: nonce, URI: "sip:example.com", NC: nc, CNonce: "0a4f113b", QOP: "auth"}
	c.Response, _ = Response(ha1, Params{Method: "REGISTER", URI: c.URI, Nonce: nonce, NC: nc, CNonce: c.CNonce, QOP: "auth"})
	return c
}

func recompute(c Credentials, nc string) Credentials {
	ha1, _ := HA1(MD5, c.Username, c.Realm, "mypassword")
	c.NC = nc
	c.Response, _ = Response(ha1, Params{Method: "REGISTER", URI: c.URI, Nonce: c.Nonce, NC: nc, CNonce: c.CNonce, QOP: "auth"})
	return c
}

// SIP-72: nonce lifetime, use count, nc replay, limit with eviction,
// format.
func TestNonceLifecycle(t *testing.T) {
	ctx := context.Background()
	s, clk := newServer(t, nil)
	c := credsFor(s, "00000001")
	clk.t = clk.t.Add(299 * time.Second)
	if r, _ := s.Check(ctx, c, "REGISTER", nil); r != Authenticated {
		t.Fatal("valid at t=299", r)
	}
	clk.t = clk.t.Add(2 * time.Second)
	if r, _ := s.Check(ctx, recompute(c, "00000002"), "REGISTER", nil); r != Stale {
		t.Fatal("stale at t=301", r)
	}

	s, _ = newServer(t, nil)
	c = credsFor(s, "00000001")
	for i := 1; i <= 128; i++ {
		if r, _ := s.Check(ctx, recompute(c, hex8(i)), "REGISTER", nil); r != Authenticated {
			t.Fatalf("use %d: %v", i, r)
		}
	}
	if r, _ := s.Check(ctx, recompute(c, hex8(129)), "REGISTER", nil); r != Stale {
		t.Fatal("129th use must be stale", r)
	}

	s, _ = newServer(t, nil)
	c = credsFor(s, "00000003")
	s.Check(ctx, c, "REGISTER", nil)
	if r, _ := s.Check(ctx, recompute(c, "00000002"), "REGISTER", nil); r != Failed {
		t.Fatal("nc going backwards is a replay", r)
	}
	if r, _ := s.Check(ctx, recompute(c, "00000003"), "REGISTER", nil); r != Failed {
		t.Fatal("nc repeated is a replay", r)
	}

	s, _ = newServer(t, func(c *Config) { c.NonceLimit = 2 })
	first := credsFor(s, "00000001")
	credsFor(s, "00000001")
	credsFor(s, "00000001") // evicts the first
	if r, _ := s.Check(ctx, first, "REGISTER", nil); r != Stale {
		t.Fatal("evicted nonce must be stale", r)
	}

	n := s.Challenges(false)[0].Nonce
	if len(n) != 60 || !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(n) {
		t.Fatalf("nonce %q", n)
	}
	s32, _ := newServer(t, func(c *Config) { c.NonceLength = 32 })
	if len(s32.Challenges(false)[0].Nonce) != 32 {
		t.Fatal("length 32")
	}
}

func hex8(i int) string { return fmt.Sprintf("%08x", i) }

// SIP-73: three bad answers are re-challenged, the fourth gets 403 and
// Message Rejected; missing credentials are challenged and not counted.
func TestRetryLimit(t *testing.T) {
	var events []string
	s, _ := newServer(t, func(c *Config) {
		c.OnEvent = func(name string, level int, _ string) { events = append(events, name) }
	})
	bad := &Client{Username: "meetingroom1", Password: "wrong"}
	req := register(t)
	resp, d := answer(t, s, bad, req) // no credentials: not counted
	if d.Result != Challenged {
		t.Fatal(d.Result)
	}
	for i := 1; i <= 3; i++ {
		if err := bad.Authorize(req, resp); err != nil {
			t.Fatal(err)
		}
		resp, d = answer(t, s, bad, req)
		if d.Result != Failed || resp.StatusCode() != 401 {
			t.Fatalf("bad answer %d: %v", i, d.Result)
		}
	}
	if err := bad.Authorize(req, resp); err != nil {
		t.Fatal(err)
	}
	if _, d := answer(t, s, bad, req); d.Result != Forbidden || d.Status != 403 {
		t.Fatalf("fourth: %+v", d)
	}
	if len(events) != 1 || events[0] != "Message Rejected" {
		t.Fatal(events)
	}
	resp403, _ := Respond(req, Decision{Result: Forbidden, Status: 403})
	if resp403.StatusCode() != 403 {
		t.Fatal(resp403)
	}
}

// RFC 2069 (no qop) and auth-int answers are accepted.
func TestNoQOPAndAuthInt(t *testing.T) {
	ctx := context.Background()
	for _, qop := range []string{"-", "auth-int"} {
		s, _ := newServer(t, func(c *Config) { c.QOP = qop })
		cl := &Client{Username: "meetingroom1", Password: "mypassword"}
		req := register(t)
		_ = req.SetBody("text/plain", []byte("hello"))
		resp, _ := answer(t, s, cl, req)
		if err := cl.Authorize(req, resp); err != nil {
			t.Fatal(err)
		}
		if _, d := answer(t, s, cl, req); d.Result != Authenticated {
			t.Fatalf("qop %s: %v", qop, d.Result)
		}
		// auth-int covers the body: a changed body fails.
		if qop == "auth-int" {
			c, _ := ParseCredentials(req.Values("Authorization")[0])
			if r, _ := s.Check(ctx, recomputeNC(c, 2), "REGISTER", []byte("tampered")); r != Failed {
				t.Fatal("auth-int must cover the body", r)
			}
		}
	}
}

func recomputeNC(c Credentials, nc int) Credentials {
	c.NC = hex8(nc)
	return c // the response stays the old one: it cannot match anyway
}

func TestConfigValidate(t *testing.T) {
	err := Config{NonceLength: 10, NonceLifetime: time.Second, MaxUses: 2000, NonceLimit: 70000, RetryLimit: 20,
		Algorithms: []string{"SHA-1"}}.Validate()
	for _, f := range []string{"nonce length", "lifetime", "use count", "nonce limit", "retry limit", "SHA-1", "CredentialStore"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("missing %q in %v", f, err)
		}
	}
}

// A store holding only HA1 (no plaintext) verifies as well.
func TestHA1Store(t *testing.T) {
	ha1, _ := HA1(MD5, "meetingroom1", "TANDBERG", "mypassword")
	store := storeFunc(func(realm, user string) (Credential, bool) {
		return Credential{HA1: map[string]string{MD5: ha1}}, user == "meetingroom1"
	})
	s, _ := newServer(t, func(c *Config) { c.Store = store })
	cl := &Client{Username: "meetingroom1", Password: "mypassword"}
	req := register(t)
	resp, _ := answer(t, s, cl, req)
	_ = cl.Authorize(req, resp)
	if _, d := answer(t, s, cl, req); d.Result != Authenticated {
		t.Fatal(d.Result)
	}
}

type storeFunc func(realm, user string) (Credential, bool)

func (f storeFunc) Lookup(_ context.Context, realm, user string) (Credential, bool, error) {
	c, ok := f(realm, user)
	return c, ok, nil
}
