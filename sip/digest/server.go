package digest

import (
	"container/list"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// Config configures a digest Server (SIP-1 authentication keys, SIP-71..
// SIP-73). Zero values take the product defaults.
type Config struct {
	Realm         string        // default "TANDBERG"
	NonceLength   int           // 32..512, default 60
	NonceLifetime time.Duration // ExpireDelta, 30..3600 s, default 300 s
	MaxUses       int           // Maximum Use Count, 1..1024, default 128
	NonceLimit    int           // Nonce Limit, 1..65535, default 10000
	RetryLimit    int           // 1..16, default 3
	// Algorithms offered, in order; default MD5. Each gets its own
	// challenge header (RFC 8760 §2.4).
	Algorithms []string
	// QOP offered: default "auth"; "auth,auth-int" adds integrity; "-"
	// offers none (RFC 2069 clients).
	QOP   string
	Store CredentialStore
	Now   func() time.Time
	// OnEvent reports "Message Rejected" (level 1) when the retry limit
	// turns a request away (SIP-73).
	OnEvent func(name string, level int, detail string)
}

func (c *Config) defaults() {
	if c.Realm == "" {
		c.Realm = "TANDBERG"
	}
	if c.NonceLength == 0 {
		c.NonceLength = 60
	}
	if c.NonceLifetime == 0 {
		c.NonceLifetime = 300 * time.Second
	}
	if c.MaxUses == 0 {
		c.MaxUses = 128
	}
	if c.NonceLimit == 0 {
		c.NonceLimit = 10000
	}
	if c.RetryLimit == 0 {
		c.RetryLimit = 3
	}
	if len(c.Algorithms) == 0 {
		c.Algorithms = []string{MD5}
	}
	if c.QOP == "" {
		c.QOP = "auth"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports every fault at once.
func (c Config) Validate() error {
	c.defaults()
	var errs []error
	add := func(f string, a ...any) { errs = append(errs, fmt.Errorf("digest: "+f, a...)) }
	if c.NonceLength < 32 || c.NonceLength > 512 {
		add("nonce length %d out of range 32..512", c.NonceLength)
	}
	if c.NonceLifetime < 30*time.Second || c.NonceLifetime > 3600*time.Second {
		add("nonce lifetime %v out of range 30s..3600s", c.NonceLifetime)
	}
	if c.MaxUses < 1 || c.MaxUses > 1024 {
		add("maximum use count %d out of range 1..1024", c.MaxUses)
	}
	if c.NonceLimit < 1 || c.NonceLimit > 65535 {
		add("nonce limit %d out of range 1..65535", c.NonceLimit)
	}
	if c.RetryLimit < 1 || c.RetryLimit > 16 {
		add("retry limit %d out of range 1..16", c.RetryLimit)
	}
	for _, a := range c.Algorithms {
		if _, _, err := hasher(a); err != nil {
			add("algorithm %q: %v", a, err)
		}
	}
	if c.Store == nil {
		add("a CredentialStore is required")
	}
	return errors.Join(errs...)
}

// Server issues and checks digest challenges. It is safe for concurrent
// use.
type Server struct {
	cfg    Config
	opaque string

	mu     sync.Mutex
	nonces map[string]*list.Element // of *nonceState, in issue order
	order  *list.List
	fails  map[failKey]*failState
}

type nonceState struct {
	nonce  string
	issued time.Time
	uses   int
	lastNC uint64
}

type failKey struct {
	callID, fromTag string
	src             netip.Addr
}

type failState struct {
	count   int
	expires time.Time
}

// NewServer validates cfg and returns a Server.
func NewServer(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	return &Server{cfg: cfg, opaque: randomToken(16), nonces: make(map[string]*list.Element), order: list.New(),
		fails: make(map[failKey]*failState)}, nil
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomToken returns n characters of [A-Za-z0-9] from crypto/rand
// (SIP-72), without modulo bias.
func randomToken(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+16)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("digest: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4 x 62
				out = append(out, alphabet[b%62])
			}
		}
	}
	return string(out)
}

// Challenges issues a fresh nonce and returns one challenge per offered
// algorithm (SIP-71, SIP-72).
func (s *Server) Challenges(stale bool) []Challenge {
	nonce := randomToken(s.cfg.NonceLength)
	now := s.cfg.Now()
	s.mu.Lock()
	for s.order.Len() >= s.cfg.NonceLimit { // evict the least recently issued
		old := s.order.Front()
		delete(s.nonces, old.Value.(*nonceState).nonce)
		s.order.Remove(old)
	}
	s.nonces[nonce] = s.order.PushBack(&nonceState{nonce: nonce, issued: now})
	s.mu.Unlock()
	qop := s.cfg.QOP
	if qop == "-" {
		qop = ""
	}
	out := make([]Challenge, len(s.cfg.Algorithms))
	for i, a := range s.cfg.Algorithms {
		out[i] = Challenge{Realm: s.cfg.Realm, Nonce: nonce, Opaque: s.opaque, Algorithm: a, QOP: qop, Stale: stale}
	}
	return out
}

// Result is the outcome of checking credentials.
type Result uint8

// Results.
const (
	// Challenge: no (usable) credentials; answer 401/407.
	Challenged Result = iota
	// Authenticated: the credentials are good.
	Authenticated
	// Stale: a correct hash on an expired, exhausted or evicted nonce;
	// re-challenge with stale=TRUE, not a failure (SIP-72).
	Stale
	// Failed: wrong user, wrong hash, nc replay; re-challenge (counted).
	Failed
	// Forbidden: the retry limit is exceeded: 403 (SIP-73).
	Forbidden
)

func (r Result) String() string {
	return [...]string{"Challenged", "Authenticated", "Stale", "Failed", "Forbidden"}[r]
}

// Decision is what to do with a request.
type Decision struct {
	Result   Result
	Username string
	// Challenges to send with 401/407 (for Challenged, Stale, Failed).
	Challenges []Challenge
	// Header is WWW-Authenticate for REGISTER (401), else
	// Proxy-Authenticate (407) (SIP-71).
	Header string
	Status int
}

// Authenticate checks a request's credentials (Authorization for
// REGISTER, Proxy-Authorization otherwise) and decides: authenticated,
// challenge (with stale), or 403 after the retry limit (SIP-71..SIP-73).
// src is the request's source address, for the retry count.
func (s *Server) Authenticate(ctx context.Context, req *sip.Message, src netip.Addr) (Decision, error) {
	credHdr, chalHdr, status := "Proxy-Authorization", "Proxy-Authenticate", 407
	if req.Method() == "REGISTER" {
		credHdr, chalHdr, status = "Authorization", "WWW-Authenticate", 401
	}
	d := Decision{Header: chalHdr, Status: status}
	var creds *Credentials
	for _, v := range req.Values(credHdr) {
		c, err := ParseCredentials(v)
		if err == nil && c.Realm == s.cfg.Realm {
			creds = &c
			break
		}
	}
	if creds == nil {
		d.Result, d.Challenges = Challenged, s.Challenges(false)
		return d, nil
	}
	d.Username = creds.Username
	res, err := s.Check(ctx, *creds, req.Method(), req.Body())
	if err != nil {
		return d, err
	}
	switch res {
	case Authenticated:
		d.Result = Authenticated
		return d, nil
	case Stale:
		d.Result, d.Challenges = Stale, s.Challenges(true)
		return d, nil
	}
	callID, _ := req.CallID()
	var fromTag string
	if f, err := req.From(); err == nil {
		fromTag = f.Tag()
	}
	if s.fail(failKey{callID, fromTag, src}) > s.cfg.RetryLimit {
		d.Result, d.Status, d.Header = Forbidden, 403, ""
		if s.cfg.OnEvent != nil {
			s.cfg.OnEvent("Message Rejected", 1, fmt.Sprintf("authentication failed %d times for %s", s.cfg.RetryLimit+1, creds.Username))
		}
		return d, nil
	}
	d.Result, d.Challenges = Failed, s.Challenges(false)
	return d, nil
}

// fail counts a failure per (Call-ID, From tag, source) for the nonce
// lifetime and returns the count.
func (s *Server) fail(k failKey) int {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fails[k]
	if f == nil || now.After(f.expires) {
		if len(s.fails) >= s.cfg.NonceLimit {
			for key, v := range s.fails { // bounded: drop expired, else an arbitrary one
				if now.After(v.expires) || len(s.fails) >= s.cfg.NonceLimit {
					delete(s.fails, key)
				}
				if len(s.fails) < s.cfg.NonceLimit {
					break
				}
			}
		}
		f = &failState{}
		s.fails[k] = f
	}
	f.count++
	f.expires = now.Add(s.cfg.NonceLifetime)
	return f.count
}

// Check verifies credentials for a request method (and body, for
// auth-int): Authenticated, Stale or Failed (SIP-72).
func (s *Server) Check(ctx context.Context, c Credentials, method string, body []byte) (Result, error) {
	if c.Realm != s.cfg.Realm {
		return Failed, nil
	}
	cred, ok, err := s.cfg.Store.Lookup(ctx, c.Realm, c.Username)
	if err != nil {
		return Failed, fmt.Errorf("digest: credential lookup: %w", err)
	}
	if !ok {
		return Failed, nil
	}
	ha1, err := cred.ha1(c.Algorithm, c.Username, c.Realm)
	if err != nil {
		return Failed, nil
	}
	want, err := Response(ha1, Params{Algorithm: c.Algorithm, Method: method, URI: c.URI, Nonce: c.Nonce, NC: c.NC,
		CNonce: c.CNonce, QOP: c.QOP, Body: body})
	if err != nil || subtle.ConstantTimeCompare([]byte(strings.ToLower(c.Response)), []byte(want)) != 1 {
		return Failed, nil
	}
	// The hash is right: now the nonce's freshness, use count and nc.
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	el := s.nonces[c.Nonce]
	if el == nil {
		return Stale, nil // never issued here, or evicted
	}
	st := el.Value.(*nonceState)
	if now.Sub(st.issued) > s.cfg.NonceLifetime || st.uses >= s.cfg.MaxUses {
		delete(s.nonces, c.Nonce)
		s.order.Remove(el)
		return Stale, nil
	}
	if c.QOP != "" {
		nc, err := strconv.ParseUint(c.NC, 16, 64)
		if err != nil || nc <= st.lastNC {
			return Failed, nil // replay: nc must increase strictly
		}
		st.lastNC = nc
	}
	st.uses++
	return Authenticated, nil
}

// Respond builds the response for a decision that is not Authenticated:
// 401/407 with one challenge header per algorithm, or 403.
func Respond(req *sip.Message, d Decision) (*sip.Message, error) {
	if d.Result == Authenticated {
		return nil, errors.New("digest: an authenticated request needs no answer")
	}
	resp, err := sip.NewResponse(req, d.Status, "")
	if err != nil {
		return nil, err
	}
	for _, c := range d.Challenges {
		if err := resp.Add(d.Header, c.String()); err != nil {
			return nil, err
		}
	}
	return resp, nil
}
