package policytest_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/cpl"
	"github.com/causeway-edge/causeway/cpl/policytest"
)

func client(t *testing.T, protocol string, tc *tls.Config, addrs ...string) *cpl.ServiceClient {
	t.Helper()
	c, err := cpl.NewServiceClient(cpl.ServiceConfig{Protocol: protocol, Servers: addrs, Path: "policy",
		Username: "u", Password: "p", Timeout: 300 * time.Millisecond, TLSConfig: tc,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var call = &cpl.Input{Destination: cpl.Aliases("bob@example.com"), UnauthenticatedOrigin: cpl.Aliases("alice@example.com")}

// The reference server records requests and answers scripted CPL; health,
// stalls and dynamic answers are under test control (BX-18, CPL-48..51).
func TestServer(t *testing.T) {
	s1 := policytest.NewServer(`<reject status="403" reason="one"/>`)
	defer s1.Close()
	s2 := policytest.NewServer(`<proxy/>`)
	defer s2.Close()
	c := client(t, "http", nil, s1.Addr(), s2.Addr())
	ctx := context.Background()
	decide := func() *cpl.Result {
		res, err := c.Evaluate(ctx, cpl.NewRequest(cpl.PolicyAdmin, call), call)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := decide(); r.Reason != "one" {
		t.Fatalf("%s", r)
	}
	req := s1.Requests()[0]
	if req.Method != http.MethodPost || req.Path != "/policy" || req.User != "u" || req.Password != "p" ||
		req.Form.Get("DESTINATION_ALIAS") != "bob@example.com" || req.Form.Get("POLICY_TYPE") != "ADMIN" {
		t.Errorf("recorded %+v", req)
	}
	s1.SetHealthy(false)
	c.Poll(ctx)
	if s1.Polls() != 1 || decide().Action != cpl.Proxy {
		t.Error("unhealthy server 1 not skipped")
	}
	s1.SetHealthy(true)
	c.Poll(ctx)
	s1.RespondWith(func(r policytest.Request) (int, string) {
		return 200, `<reject status="486" reason="` + r.Form.Get("UNAUTHENTICATED_SOURCE_ALIAS") + `"/>`
	})
	if r := decide(); r.Reason != "alice@example.com" {
		t.Errorf("dynamic answer: %s", r)
	}
	s1.Stall(true)
	if r := decide(); r.Action != cpl.Proxy {
		t.Errorf("stalled server 1 not failed over: %s", r)
	}
	s1.Stall(false)
	s1.Respond(500, "")
	s2.Respond(200, "garbage")
	c.Poll(ctx)
	if r := decide(); r.String() != `REJECT 403 "Service Unavailable"` {
		t.Errorf("all failing: %s", r)
	}
}

func TestTLSServer(t *testing.T) {
	s := policytest.NewTLSServer(`<reject status="403" reason="tls"/>`)
	defer s.Close()
	c := client(t, "https", s.TLSConfig(), s.Addr())
	res, err := c.Evaluate(context.Background(), cpl.NewRequest(cpl.PolicyAdmin, call), call)
	if err != nil || res.Reason != "tls" {
		t.Errorf("%v %v", res, err)
	}
}
