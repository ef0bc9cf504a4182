// Package policytest is a reference external policy service for tests: an
// HTTP(S) server on 127.0.0.1 that records every request and answers with
// scripted CPL, the way net/http/httptest ships servers for handler tests
// (spec BX-18). It knows the two paths of the product's protocol: the
// decision path, which answers the scripted status and body, and the status
// path ("/status"), which answers 200 while the server is healthy.
//
// Server health and answers change under test control, and the client's
// status polling is driven by calling its Poll method, so tests of failover
// (CPL-51) need no clock.
package policytest

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Request is one request the server received.
type Request struct {
	Method   string
	Path     string
	Form     url.Values // the POST form or GET query
	User     string     // HTTP Basic user, "" when none
	Password string
}

// Decide computes an answer from a request; it overrides the scripted
// answer when set.
type Decide func(r Request) (status int, body string)

// Server is a scripted policy service.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	reqs     []Request
	status   int
	body     string
	decide   Decide
	healthy  bool
	stall    bool
	polls    int
	released chan struct{}
}

// NewServer starts an HTTP policy service answering 200 with body.
func NewServer(body string) *Server { return start(body, false) }

// NewTLSServer starts an HTTPS policy service; TLSConfig returns a client
// configuration that trusts it.
func NewTLSServer(body string) *Server { return start(body, true) }

func start(body string, tlsOn bool) *Server {
	s := &Server{status: http.StatusOK, body: body, healthy: true, released: make(chan struct{})}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsOn {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.TrimPrefix(r.URL.Path, "/") == "status" {
		s.mu.Lock()
		s.polls++
		ok := s.healthy
		s.mu.Unlock()
		if !ok {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	u, p, _ := r.BasicAuth()
	req := Request{Method: r.Method, Path: r.URL.Path, Form: r.Form, User: u, Password: p}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	status, body, decide, stall := s.status, s.body, s.decide, s.stall
	s.mu.Unlock()
	if stall {
		select {
		case <-r.Context().Done():
		case <-s.released:
		}
		return
	}
	if decide != nil {
		status, body = decide(req)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Addr is the server's host:port, as a ServiceConfig server address.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// TLSConfig returns a client configuration trusting the server's
// certificate (TLS servers only).
func (s *Server) TLSConfig() *tls.Config {
	t := s.srv.Client().Transport.(*http.Transport)
	return t.TLSClientConfig.Clone()
}

// Respond scripts the answer to decision requests.
func (s *Server) Respond(status int, body string) {
	s.mu.Lock()
	s.status, s.body, s.decide = status, body, nil
	s.mu.Unlock()
}

// RespondWith makes every answer computed by d.
func (s *Server) RespondWith(d Decide) {
	s.mu.Lock()
	s.decide = d
	s.mu.Unlock()
}

// SetHealthy sets what the status path answers: 200 or 503.
func (s *Server) SetHealthy(ok bool) {
	s.mu.Lock()
	s.healthy = ok
	s.mu.Unlock()
}

// Stall makes decision requests hang until the client gives up or the
// server closes.
func (s *Server) Stall(on bool) {
	s.mu.Lock()
	s.stall = on
	s.mu.Unlock()
}

// Requests returns the decision requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Polls returns how many status requests the server answered.
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// Close releases stalled requests and shuts the server down.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.released:
	default:
		close(s.released)
	}
	s.mu.Unlock()
	s.srv.Close()
}
