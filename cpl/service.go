package cpl

import (
	"container/list"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ServiceConfig configures a client of one external policy service
// (CPL-48..CPL-54).
type ServiceConfig struct {
	// Name (≤50) and Description (≤64) identify the service.
	Name, Description string
	// Type is the decision the service makes; it selects the parameters
	// sent and the Default CPL.
	Type PolicyType
	// Protocol is "https" (default) or "http".
	Protocol string
	// Servers are 1 to 3 addresses, host[:port] (≤128 characters each),
	// tried in order (CPL-51).
	Servers []string
	// Path (≤255) is the request path; StatusPath (≤255, default
	// "status") is polled for server health.
	Path, StatusPath string
	// Username (≤30) and Password (≤30) are sent with HTTP Basic
	// authentication when Username is set.
	Username, Password string
	// GET sends the parameters in the query string instead of a POST
	// form; selectable for search-rule services only (CPL-48).
	GET bool
	// DefaultCPL (≤255) is evaluated when no server answers; "" means the
	// type's default (CPL-52).
	DefaultCPL string
	// TLSConfig is cloned for HTTPS; certificate verification stays on
	// unless it says otherwise (CPL-53). TLS 1.2 is the minimum.
	TLSConfig *tls.Config
	// CheckRevocation, if set, is called with the verified connection
	// state of every HTTPS connection (CRL checking, default off).
	CheckRevocation func(tls.ConnectionState) error
	// Timeout bounds one attempt (default 30 s; CPL-51 fixes it, it is
	// configurable for tests). PollInterval is the status poll period
	// (default 60 s).
	Timeout, PollInterval time.Duration
	// MaxBody bounds a response body (default 1 MiB, CPL-56).
	MaxBody int64
	// CacheSize bounds the compiled-response cache (default 64, BX-10).
	CacheSize int
	// Transport replaces the HTTP transport (tests, proxies); TLSConfig
	// and CheckRevocation then do not apply.
	Transport http.RoundTripper
	// Options are extra compile options for responses (limits, facts,
	// OnError); the dialect is always Expressway (CPL-50).
	Options []Option
	Logger  *slog.Logger
}

const (
	maxServiceName   = 50
	maxServiceDesc   = 64
	maxServicePath   = 255
	maxServerAddress = 128
	maxServiceUser   = 30
	maxServicePass   = 30
	maxDefaultCPL    = 255
	maxServers       = 3
)

// Validate reports every fault at once (CPL-53).
func (c *ServiceConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	runes := utf8.RuneCountInString
	if runes(c.Name) > maxServiceName {
		bad("name is longer than %d characters", maxServiceName)
	}
	if runes(c.Description) > maxServiceDesc {
		bad("description is longer than %d characters", maxServiceDesc)
	}
	if c.Type > PolicyRegistration {
		bad("policy type %d is not admin, search or registration", c.Type)
	}
	switch strings.ToLower(c.Protocol) {
	case "", "https", "http":
	default:
		bad("protocol %q is not http or https", c.Protocol)
	}
	switch n := len(c.Servers); {
	case n == 0:
		bad("at least one server address is required")
	case n > maxServers:
		bad("%d server addresses; at most %d", n, maxServers)
	}
	for i, s := range c.Servers {
		if err := checkServerAddress(s); err != nil {
			bad("server %d: %v", i+1, err)
		}
	}
	if runes(c.Path) > maxServicePath {
		bad("path is longer than %d characters", maxServicePath)
	}
	if runes(c.StatusPath) > maxServicePath {
		bad("status path is longer than %d characters", maxServicePath)
	}
	if runes(c.Username) > maxServiceUser {
		bad("username is longer than %d characters", maxServiceUser)
	}
	if runes(c.Password) > maxServicePass {
		bad("password is longer than %d characters", maxServicePass)
	}
	if c.GET && c.Type != PolicySearch {
		bad("GET is selectable for search-rule services only")
	}
	if runes(c.DefaultCPL) > maxDefaultCPL {
		bad("default CPL is longer than %d characters", maxDefaultCPL)
	}
	if c.DefaultCPL != "" {
		if _, err := Compile([]byte(c.DefaultCPL), append(append([]Option{}, c.Options...), Expressway)...); err != nil {
			bad("default CPL: %w", err)
		}
	}
	if c.Timeout < 0 || c.PollInterval < 0 || c.MaxBody < 0 || c.CacheSize < 0 {
		bad("timeouts, intervals and sizes must not be negative")
	}
	return errors.Join(errs...)
}

func checkServerAddress(s string) error {
	if s == "" {
		return errors.New("empty address")
	}
	if utf8.RuneCountInString(s) > maxServerAddress {
		return fmt.Errorf("address is longer than %d characters", maxServerAddress)
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") > 1 && !strings.HasPrefix(s, "[") {
		host = s // a bare IPv6 address
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q is not 1..65535", port)
		}
	}
	if host == "" || strings.ContainsAny(host, "/?#@ \t") {
		return fmt.Errorf("%q is not a host name or address", host)
	}
	return nil
}

// ServerStatus is the state of one server address (the product's policy
// service status page; BX-16).
type ServerStatus struct {
	Address   string
	Active    bool
	LastError string
	LastUsed  time.Time
}

type server struct {
	addr      string
	mu        sync.Mutex
	failed    bool
	lastErr   string
	lastUsed  time.Time
	lastState bool
}

// ServiceClient asks an external policy service for CPL and evaluates it
// (CPL-48..CPL-52): up to three servers tried in order, failed servers
// skipped until a status poll finds them again, a per-attempt timeout, and
// the Default CPL when nobody answers. It is safe for concurrent use. Run
// polls the servers' status; without it a server marked failed stays
// failed.
type ServiceClient struct {
	cfg     ServiceConfig
	log     *slog.Logger
	client  *http.Client
	servers []*server
	def     *Program
	scheme  string

	cacheMu sync.Mutex
	cache   map[[sha256.Size]byte]*list.Element
	lru     *list.List
}

type cacheEntry struct {
	key  [sha256.Size]byte
	prog *Program
}

// NewServiceClient validates cfg and returns a client with every server
// active (CPL-51).
func NewServiceClient(cfg ServiceConfig) (*ServiceClient, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cpl: policy service %q: %w", cfg.Name, err)
	}
	if cfg.StatusPath == "" {
		cfg.StatusPath = "status"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 60 * time.Second
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 64
	}
	c := &ServiceClient{cfg: cfg, log: cfg.Logger, scheme: strings.ToLower(cfg.Protocol),
		cache: map[[sha256.Size]byte]*list.Element{}, lru: list.New()}
	if c.scheme == "" {
		c.scheme = "https"
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	src := cfg.DefaultCPL
	if src == "" {
		src = cfg.Type.DefaultCPL()
	}
	def, err := Compile([]byte(src), c.compileOptions()...)
	if err != nil {
		return nil, fmt.Errorf("cpl: policy service %q: default CPL: %w", cfg.Name, err)
	}
	c.def = def
	for _, s := range cfg.Servers {
		c.servers = append(c.servers, &server{addr: s, lastState: true})
	}
	rt := cfg.Transport
	if rt == nil {
		rt = c.transport()
	}
	c.client = &http.Client{
		Transport: rt,
		// Follow redirects to HTTPS only, never down to HTTP (CPL-50).
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "https" {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return c, nil
}

func (c *ServiceClient) compileOptions() []Option {
	return append(append([]Option{}, c.cfg.Options...), Expressway)
}

func (c *ServiceClient) transport() *http.Transport {
	var tc *tls.Config
	if c.cfg.TLSConfig != nil {
		tc = c.cfg.TLSConfig.Clone()
	} else {
		tc = &tls.Config{}
	}
	if tc.MinVersion < tls.VersionTLS12 {
		// TLS 1.2+ suites are AES-GCM/ChaCha20 or AES-CBC with SHA MACs;
		// none uses MD5 (CPL-54).
		tc.MinVersion = tls.VersionTLS12
	}
	if check := c.cfg.CheckRevocation; check != nil {
		prev := tc.VerifyConnection
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if prev != nil {
				if err := prev(cs); err != nil {
					return err
				}
			}
			return check(cs)
		}
	}
	return &http.Transport{
		TLSClientConfig:     tc,
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: c.cfg.Timeout,
	}
}

// Close releases idle connections.
func (c *ServiceClient) Close() error {
	c.client.CloseIdleConnections()
	return nil
}

// Name returns the configured service name.
func (c *ServiceClient) Name() string { return c.cfg.Name }

// Status reports every server's state.
func (c *ServiceClient) Status() []ServerStatus {
	out := make([]ServerStatus, len(c.servers))
	for i, s := range c.servers {
		s.mu.Lock()
		out[i] = ServerStatus{Address: s.addr, Active: !s.failed, LastError: s.lastErr, LastUsed: s.lastUsed}
		s.mu.Unlock()
	}
	return out
}

func (c *ServiceClient) url(addr, path string) string {
	return c.scheme + "://" + addr + "/" + strings.TrimPrefix(path, "/")
}

func (s *server) mark(failed bool, why string) (changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed = s.failed != failed
	s.failed = failed
	s.lastErr = why
	return changed
}

func (s *server) isFailed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Poll checks the status path of every server once (CPL-51): one that
// answers 200 becomes active, any other answer or none marks it failed.
func (c *ServiceClient) Poll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, s := range c.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.pollOne(ctx, s)
			why := ""
			if err != nil {
				why = err.Error()
			}
			if s.mark(err != nil, why) {
				if err != nil {
					c.log.Warn("cpl: policy server failed its status poll", "service", c.cfg.Name, "server", s.addr, "err", err)
				} else {
					c.log.Info("cpl: policy server active again", "service", c.cfg.Name, "server", s.addr)
				}
			}
		}()
	}
	wg.Wait()
}

func (c *ServiceClient) pollOne(ctx context.Context, s *server) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(s.addr, c.cfg.StatusPath), nil)
	if err != nil {
		return err
	}
	c.auth(req)
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// Run polls every PollInterval until ctx ends (CPL-51). It returns
// ctx.Err().
func (c *ServiceClient) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			c.Poll(ctx)
		}
	}
}

func (c *ServiceClient) auth(req *http.Request) {
	if c.cfg.Username != "" {
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
}

// Answer is where a policy came from.
type Answer struct {
	Program *Program
	// Server is the address that answered, "" when the Default CPL was
	// used.
	Server string
	// Attempts holds one error per failed attempt, in order.
	Attempts []error
}

// Fetch asks the servers in order for the policy of one decision (CPL-48,
// CPL-50, CPL-51). Servers marked failed are skipped; an attempt that times
// out, answers other than 200, sends an oversize body or CPL that does not
// compile marks its server failed and the next one is tried. When none
// answers, the Default CPL is the policy. Fetch fails only when ctx ends.
func (c *ServiceClient) Fetch(ctx context.Context, r *Request) (*Answer, error) {
	ans := &Answer{}
	form := r.Values()
	for _, s := range c.servers {
		if s.isFailed() {
			ans.Attempts = append(ans.Attempts, fmt.Errorf("%s: skipped, marked failed", s.addr))
			continue
		}
		prog, err := c.attempt(ctx, s, form)
		if err == nil {
			s.mu.Lock()
			s.lastUsed = time.Now()
			s.lastErr = ""
			s.mu.Unlock()
			ans.Program, ans.Server = prog, s.addr
			return ans, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cpl: policy service %q: %w", c.cfg.Name, ctx.Err())
		}
		ans.Attempts = append(ans.Attempts, fmt.Errorf("%s: %w", s.addr, err))
		if s.mark(true, err.Error()) {
			c.log.Warn("cpl: policy server failed", "service", c.cfg.Name, "server", s.addr, "err", err)
		}
	}
	c.log.Warn("cpl: no policy server answered; using the Default CPL", "service", c.cfg.Name)
	ans.Program = c.def
	return ans, nil
}

func (c *ServiceClient) attempt(ctx context.Context, s *server, form url.Values) (*Program, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	enc := form.Encode()
	u := c.url(s.addr, c.cfg.Path)
	var req *http.Request
	var err error
	if c.cfg.GET {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u+"?"+enc, nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(enc))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/xml, text/xml, */*")
	c.auth(req)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	if int64(len(body)) > c.cfg.MaxBody {
		return nil, fmt.Errorf("response body exceeds %d bytes", c.cfg.MaxBody)
	}
	return c.compile(body)
}

// compile compiles a response, through the bounded cache of compiled
// responses keyed by the body's hash (BX-10).
func (c *ServiceClient) compile(body []byte) (*Program, error) {
	key := sha256.Sum256(body)
	c.cacheMu.Lock()
	if e, ok := c.cache[key]; ok {
		c.lru.MoveToFront(e)
		p := e.Value.(*cacheEntry).prog
		c.cacheMu.Unlock()
		return p, nil
	}
	c.cacheMu.Unlock()
	p, err := Compile(body, c.compileOptions()...)
	if err != nil {
		return nil, fmt.Errorf("response is not valid CPL: %w", err)
	}
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	if _, ok := c.cache[key]; !ok {
		c.cache[key] = c.lru.PushFront(&cacheEntry{key: key, prog: p})
		for c.lru.Len() > c.cfg.CacheSize {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.cache, old.Value.(*cacheEntry).key)
		}
	}
	return p, nil
}

// Evaluate fetches the policy for r and evaluates it on in (CPL-50): the
// decision of the service replaces any local decision (CPL-46). The trace
// starts with a step naming the server that answered or the Default CPL.
func (c *ServiceClient) Evaluate(ctx context.Context, r *Request, in *Input) (*Result, error) {
	ans, err := c.Fetch(ctx, r)
	if err != nil {
		oe := defaultOnError()
		return &Result{Action: oe.Action, Status: oe.Status, Reason: oe.Reason, in: in}, err
	}
	res, err := ans.Program.Evaluate(ctx, in)
	if res != nil {
		src := ans.Server
		if src == "" {
			src = "Default CPL"
		}
		step := Step{Element: "policy-service", Output: src, Value: c.cfg.Name}
		res.Trace = append([]Step{step}, res.Trace...)
	}
	return res, err
}
