package cpl

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// policyServer is a scripted policy service on 127.0.0.1 that records
// what it is asked.
type policyServer struct {
	*httptest.Server
	mu       sync.Mutex
	forms    []url.Values
	methods  []string
	auth     []string
	body     string
	status   int
	statusOK bool
	polled   chan struct{}
}

func newPolicyServer(t *testing.T, body string) *policyServer {
	ps := &policyServer{body: body, status: 200, statusOK: true, polled: make(chan struct{}, 16)}
	ps.Server = httptest.NewServer(http.HandlerFunc(ps.serve))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *policyServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/status" {
		ps.mu.Lock()
		ok := ps.statusOK
		ps.mu.Unlock()
		select {
		case ps.polled <- struct{}{}:
		default:
		}
		if !ok {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	u, p, _ := r.BasicAuth()
	ps.mu.Lock()
	ps.forms = append(ps.forms, r.Form)
	ps.methods = append(ps.methods, r.Method)
	ps.auth = append(ps.auth, u+":"+p)
	status, body := ps.status, ps.body
	ps.mu.Unlock()
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (ps *policyServer) addr() string { return ps.Listener.Addr().String() }

func (ps *policyServer) requests() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.forms)
}

func (ps *policyServer) set(status int, body string, statusOK bool) {
	ps.mu.Lock()
	ps.status, ps.body, ps.statusOK = status, body, statusOK
	ps.mu.Unlock()
}

// deadAddr returns a 127.0.0.1 address nobody listens on.
func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	return a
}

// stallServer accepts requests and never answers until the client gives up.
func stallServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client hanging up only once the body
		// has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func newClient(t *testing.T, cfg ServiceConfig) *ServiceClient {
	t.Helper()
	if cfg.Protocol == "" {
		cfg.Protocol = "http"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	cfg.Logger = quietLogger()
	c, err := NewServiceClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var sipCall = &Input{
	Protocol:              SIP,
	Destination:           Aliases("bob@example.com", "1234"),
	UnauthenticatedOrigin: Aliases("alice@example.com"),
	AuthenticatedOrigin:   Aliases("alice@example.com"),
	RegisteredOrigin:      Aliases("alice@example.com", "5678"),
	OriginatingZone:       "TraversalZone",
	OriginatingUser:       "alice",
	Now:                   func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) },
}

// T4, CPL-48, CPL-49: a SIP INVITE call sends exactly the C-column
// parameters that have values, as a POST form with Basic authentication.
func TestServiceRequestParameters(t *testing.T) {
	ps := newPolicyServer(t, `<proxy/>`)
	c := newClient(t, ServiceConfig{Name: "admin", Servers: []string{ps.addr()}, Path: "/policy", Username: "u", Password: "p"})
	req := NewRequest(PolicyAdmin, sipCall)
	req.LocalCallSerialNumber = "c0ffee"
	res, err := c.Evaluate(context.Background(), req, sipCall)
	if err != nil || res.String() != "PROXY[bob@example.com, 1234]" {
		t.Fatalf("%v %v", res, err)
	}
	if res.Trace[0].Element != "policy-service" || res.Trace[0].Output != ps.addr() {
		t.Errorf("trace does not name the server: %v", res.Trace[0])
	}
	f := ps.forms[0]
	want := map[string][]string{
		"AUTHENTICATED":                {"TRUE"},
		"METHOD":                       {"INVITE"},
		"POLICY_TYPE":                  {"ADMIN"},
		"PROTOCOL":                     {"SIP"},
		"UTCTIME":                      {"2024-05-06T07:08:09Z"},
		"AUTHENTICATED_SOURCE_ALIAS":   {"alice@example.com"},
		"UNAUTHENTICATED_SOURCE_ALIAS": {"alice@example.com"},
		"AUTHENTICATION_USER_NAME":     {"alice"},
		"DESTINATION_ALIAS":            {"bob@example.com", "1234"},
		"REGISTERED_ALIAS":             {"alice@example.com", "5678"},
		"ZONE_NAME":                    {"TraversalZone"},
		"LOCAL_CALL_SERIAL_NUMBER":     {"c0ffee"},
	}
	if len(f) != len(want) {
		t.Errorf("sent %d parameters, want %d: %v", len(f), len(want), f)
	}
	for k, v := range want {
		if !slices.Equal(f[k], v) {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
	if ps.methods[0] != http.MethodPost || ps.auth[0] != "u:p" {
		t.Errorf("method %s auth %s", ps.methods[0], ps.auth[0])
	}

	// A registration sends only R-column names.
	reg := NewRequest(PolicyRegistration, sipCall)
	reg.SourceIP, reg.SourcePort, reg.ClusterName = "192.0.2.1", 5060, "c1"
	if _, err := c.Evaluate(context.Background(), reg, sipCall); err != nil {
		t.Fatal(err)
	}
	rcol := []string{"ALIAS", "AUTHENTICATED", "CLUSTER_NAME", "METHOD", "POLICY_TYPE", "PROTOCOL", "SOURCE_ADDRESS", "SOURCE_IP", "SOURCE_PORT", "UTCTIME"}
	for k := range ps.forms[1] {
		if !slices.Contains(rcol, k) {
			t.Errorf("registration sent %s", k)
		}
	}
	if ps.forms[1].Get("METHOD") != "REGISTER" || ps.forms[1].Get("POLICY_TYPE") != "REGISTRATION" || ps.forms[1].Get("ALIAS") != "alice@example.com" || ps.forms[1].Get("SOURCE_PORT") != "5060" {
		t.Errorf("registration form %v", ps.forms[1])
	}

	// Search-rule services may use GET (CPL-48); H.323 says so.
	g := newClient(t, ServiceConfig{Type: PolicySearch, GET: true, Servers: []string{ps.addr()}, Path: "search"})
	h := *sipCall
	h.Protocol = H323
	tr := true
	sreq := NewRequest(PolicySearch, &h)
	sreq.AllowInterworking = &tr
	if _, err := g.Evaluate(context.Background(), sreq, &h); err != nil {
		t.Fatal(err)
	}
	if ps.methods[2] != http.MethodGet || ps.forms[2].Get("PROTOCOL") != "H323" || ps.forms[2].Get("METHOD") != "ARQ" ||
		ps.forms[2].Get("POLICY_TYPE") != "SEARCH" || ps.forms[2].Get("ALLOW_INTERWORKING") != "TRUE" {
		t.Errorf("GET search request: %s %v", ps.methods[2], ps.forms[2])
	}
}

// CPL-50, CPL-51, E10-3: servers that fail, stall or return garbage are
// failed attempts; the next server is tried; with all failing the Default
// CPL decides.
func TestServiceFailover(t *testing.T) {
	good := newPolicyServer(t, `<reject status="486" reason="from server 3"/>`)
	garbage := newPolicyServer(t, `this is not CPL`)
	c := newClient(t, ServiceConfig{Servers: []string{deadAddr(t), garbage.addr(), good.addr()}, Timeout: 500 * time.Millisecond})
	res, err := c.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall)
	if err != nil || res.String() != `REJECT 486 "from server 3"` {
		t.Fatalf("%v %v", res, err)
	}
	st := c.Status()
	if st[0].Active || st[1].Active || !st[2].Active || st[2].LastUsed.IsZero() {
		t.Errorf("status %+v", st)
	}
	if garbage.requests() != 1 {
		t.Errorf("garbage server asked %d times", garbage.requests())
	}
	// Failed servers are skipped from now on.
	if _, err := c.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall); err != nil {
		t.Fatal(err)
	}
	if garbage.requests() != 1 || good.requests() != 2 {
		t.Errorf("failed server not skipped: garbage %d good %d", garbage.requests(), good.requests())
	}

	// Every server fails in a different way: the admin Default CPL
	// rejects 403 (E10-3, CPL-52).
	oversize := newPolicyServer(t, `<reject reason="`+strings.Repeat("x", 3000)+`"/>`)
	status500 := newPolicyServer(t, `<proxy/>`)
	status500.set(500, "<proxy/>", true)
	all := newClient(t, ServiceConfig{Servers: []string{stallServer(t), oversize.addr(), status500.addr()}, Timeout: 200 * time.Millisecond, MaxBody: 1024})
	ans, err := all.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall))
	if err != nil || ans.Server != "" || len(ans.Attempts) != 3 {
		t.Fatalf("fetch: %+v %v", ans, err)
	}
	for i, want := range []string{"deadline exceeded", "exceeds 1024 bytes", "500"} {
		if !strings.Contains(ans.Attempts[i].Error(), want) {
			t.Errorf("attempt %d: %v", i+1, ans.Attempts[i])
		}
	}
	res, err = all.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall)
	if err != nil || res.String() != `REJECT 403 "Service Unavailable"` || res.Trace[0].Output != "Default CPL" {
		t.Errorf("E10-3: %v %v", res, err)
	}

	// E10-4: a search-rule service falls back to 504.
	s := newClient(t, ServiceConfig{Type: PolicySearch, Servers: []string{deadAddr(t)}})
	res, err = s.Evaluate(context.Background(), NewRequest(PolicySearch, sipCall), sipCall)
	if err != nil || res.String() != `REJECT 504 "Policy Service Unavailable"` {
		t.Errorf("E10-4: %v %v", res, err)
	}
	// A configured Default CPL replaces the default (CPL-52).
	cd := newClient(t, ServiceConfig{Servers: []string{deadAddr(t)}, DefaultCPL: `<proxy/>`})
	res, _ = cd.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall)
	if res.Action != Proxy {
		t.Errorf("configured Default CPL: %s", res)
	}
	// A cancelled context is an error, not a Default CPL decision.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newClient(t, ServiceConfig{Servers: []string{good.addr()}}).Fetch(ctx, NewRequest(PolicyAdmin, sipCall)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fetch: %v", err)
	}
}

// T5, CPL-51: a server failing its status poll is skipped; the next one
// answers; after a successful poll the first is used again.
func TestServiceStatusPolling(t *testing.T) {
	s1 := newPolicyServer(t, `<reject status="403" reason="one"/>`)
	s2 := newPolicyServer(t, `<reject status="403" reason="two"/>`)
	c := newClient(t, ServiceConfig{Servers: []string{s1.addr(), s2.addr()}})
	ask := func() string {
		res, err := c.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall)
		if err != nil {
			t.Fatal(err)
		}
		return res.Reason
	}
	if ask() != "one" {
		t.Fatal("server 1 not used first")
	}
	s1.set(200, s1.body, false)
	c.Poll(context.Background())
	if c.Status()[0].Active {
		t.Fatal("server 1 still active after a failed poll")
	}
	if got := ask(); got != "two" {
		t.Fatalf("got %s, want server 2", got)
	}
	if s1.requests() != 1 {
		t.Errorf("failed server 1 asked again")
	}
	s1.set(200, s1.body, true)
	c.Poll(context.Background())
	if got := ask(); got != "one" {
		t.Errorf("got %s after recovery, want server 1", got)
	}

	// Run polls on its own until cancelled.
	rc := newClient(t, ServiceConfig{Servers: []string{s1.addr()}, PollInterval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rc.Run(ctx) }()
	for range 2 {
		select {
		case <-s1.polled:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not poll")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}

// CPL-50: the compiled-response cache (BX-10) compiles a body once and is
// bounded.
func TestServiceResponseCache(t *testing.T) {
	ps := newPolicyServer(t, `<proxy/>`)
	c := newClient(t, ServiceConfig{Servers: []string{ps.addr()}, CacheSize: 2})
	var first *Program
	for i := range 3 {
		ans, err := c.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = ans.Program
		} else if ans.Program != first {
			t.Error("identical response compiled again")
		}
	}
	for i := range 5 {
		ps.set(200, fmt.Sprintf(`<reject status="403" reason="%d"/>`, i), true)
		if _, err := c.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall)); err != nil {
			t.Fatal(err)
		}
	}
	if c.lru.Len() != 2 || len(c.cache) != 2 {
		t.Errorf("cache holds %d/%d entries, limit 2", c.lru.Len(), len(c.cache))
	}
}

// CPL-48, CPL-53, CPL-54: HTTPS verifies the server certificate by
// default, takes an injected tls.Config and revocation check, and never
// follows a redirect down to HTTP.
func TestServiceTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Redirect(w, r, "http://"+r.Host+"/policy", http.StatusTemporaryRedirect)
			return
		}
		_, _ = w.Write([]byte(`<reject status="403" reason="tls"/>`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	// No trust anchor: verification fails, the Default CPL decides.
	c := newClient(t, ServiceConfig{Protocol: "https", Servers: []string{addr}})
	ans, err := c.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall))
	if err != nil || ans.Server != "" || !strings.Contains(ans.Attempts[0].Error(), "certificate") {
		t.Fatalf("untrusted certificate accepted: %+v %v", ans, err)
	}
	// Trusted: the server answers, the revocation check sees the chain.
	var checked bool
	c = newClient(t, ServiceConfig{Protocol: "https", Servers: []string{addr}, TLSConfig: &tls.Config{RootCAs: pool},
		CheckRevocation: func(cs tls.ConnectionState) error {
			checked = len(cs.VerifiedChains) > 0
			return nil
		}})
	res, err := c.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall)
	if err != nil || res.Reason != "tls" || !checked {
		t.Fatalf("trusted: %v %v checked %v", res, err, checked)
	}
	if tc := c.client.Transport.(*http.Transport).TLSClientConfig; tc.MinVersion < tls.VersionTLS12 || tc.InsecureSkipVerify {
		t.Errorf("TLS config %+v", tc)
	}
	// The server address must appear in the certificate (CPL-53): the
	// test certificate names 127.0.0.1 and example.com, not localhost.
	_, port, _ := net.SplitHostPort(addr)
	c = newClient(t, ServiceConfig{Protocol: "https", Servers: []string{"localhost:" + port}, TLSConfig: &tls.Config{RootCAs: pool}})
	ans, _ = c.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall))
	if ans.Server != "" || !strings.Contains(ans.Attempts[0].Error(), "certificate") {
		t.Errorf("name mismatch accepted: %+v", ans)
	}
	// A revoked certificate fails the attempt.
	c = newClient(t, ServiceConfig{Protocol: "https", Servers: []string{addr}, TLSConfig: &tls.Config{RootCAs: pool},
		CheckRevocation: func(tls.ConnectionState) error { return errors.New("revoked") }})
	ans, _ = c.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall))
	if ans.Server != "" || !strings.Contains(ans.Attempts[0].Error(), "revoked") {
		t.Errorf("revoked certificate: %+v", ans)
	}
	// HTTPS -> HTTP redirect is not followed.
	c = newClient(t, ServiceConfig{Protocol: "https", Servers: []string{addr}, Path: "down", TLSConfig: &tls.Config{RootCAs: pool}})
	ans, _ = c.Fetch(context.Background(), NewRequest(PolicyAdmin, sipCall))
	if ans.Server != "" || !strings.Contains(ans.Attempts[0].Error(), "307") {
		t.Errorf("downgrade redirect followed: %+v", ans)
	}
}

// CPL-50: an HTTP server redirecting to HTTPS is followed.
func TestServiceRedirectToHTTPS(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		_, _ = w.Write([]byte(`<reject status="403" reason="` + r.Form.Get("POLICY_TYPE") + `"/>`))
	}))
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, tlsSrv.URL+"/policy", http.StatusPermanentRedirect)
	}))
	defer plain.Close()
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	c := newClient(t, ServiceConfig{Protocol: "http", Servers: []string{plain.Listener.Addr().String()}, TLSConfig: &tls.Config{RootCAs: pool}})
	res, err := c.Evaluate(context.Background(), NewRequest(PolicyAdmin, sipCall), sipCall)
	if err != nil || res.Reason != "ADMIN" {
		t.Errorf("redirect to HTTPS: %v %v", res, err)
	}
}

// CPL-53: configuration limits, every fault at once.
func TestServiceConfigValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	cfg := ServiceConfig{
		Name: long(51), Description: long(65), Protocol: "ftp",
		Servers:  []string{"a", "b:0", "c d", "e"},
		Path:     long(256),
		Username: long(31), Password: long(31), GET: true,
		DefaultCPL: `<redirect/>`,
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"name", "description", "protocol", "4 server addresses", "port", "host name", "path", "username", "password", "GET", "default CPL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if err := (&ServiceConfig{}).Validate(); err == nil || !strings.Contains(err.Error(), "at least one server") {
		t.Errorf("no servers: %v", err)
	}
	ok := ServiceConfig{Servers: []string{"policy.example.com", "10.0.0.1:8443", "[2001:db8::1]:443"}, DefaultCPL: `<reject status='403' reason='Service Unavailable'/>`}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
	if err := (&ServiceConfig{Servers: []string{"x"}, DefaultCPL: long(256)}).Validate(); err == nil {
		t.Error("default CPL over 255 characters accepted")
	}
}

// CPL-42, CPL-46: in PolicyService mode the service's decision replaces
// the local one.
func TestPolicyServiceMode(t *testing.T) {
	ps := newPolicyServer(t, `<reject status="403" reason="remote"/>`)
	svc := newClient(t, ServiceConfig{Servers: []string{ps.addr()}})
	p, err := NewPolicy(PolicyConfig{Mode: PolicyService, Service: svc, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetRules([]Rule{{Source: SourceZone, Zone: "TraversalZone", DestinationPattern: ".*", Action: Allow}}); err != nil {
		t.Fatal(err)
	}
	res, err := p.Evaluate(context.Background(), sipCall)
	if err != nil || res.Reason != "remote" {
		t.Errorf("%v %v", res, err)
	}
	if ps.forms[0].Get("POLICY_TYPE") != "ADMIN" {
		t.Errorf("form %v", ps.forms[0])
	}
	_ = p.SetMode(LocalCPL)
	res, _ = p.Evaluate(context.Background(), sipCall)
	if res.Action != Proxy {
		t.Errorf("local rules: %s", res)
	}
}
