package registrar

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(d time.Duration) {
	c.mu.Lock()
	c.now = t0.Add(d)
	c.mu.Unlock()
}

var src = Source{Network: "udp", Addr: netip.MustParseAddrPort("192.0.2.10:5060")}

// reg builds a REGISTER; contacts are full Contact values.
func reg(t testing.TB, aor, callID string, cseq int, expires string, extra string, contacts ...string) *sip.Message {
	t.Helper()
	var b strings.Builder
	host := aor[strings.IndexByte(aor, '@')+1:]
	fmt.Fprintf(&b, "REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK%s%d\r\nMax-Forwards: 70\r\n", host, callID, cseq)
	fmt.Fprintf(&b, "From: <sip:%s>;tag=f1\r\nTo: <sip:%s>\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n", aor, aor, callID, cseq)
	for _, c := range contacts {
		fmt.Fprintf(&b, "Contact: %s\r\n", c)
	}
	if expires != "" {
		fmt.Fprintf(&b, "Expires: %s\r\n", expires)
	}
	b.WriteString(extra)
	b.WriteString("Content-Length: 0\r\n\r\n")
	m, err := sip.ParseMessage([]byte(b.String()))
	require.NoError(t, err)
	return m
}

func newReg(t testing.TB, cfg Config) (*Registrar, *clock) {
	t.Helper()
	c := &clock{now: t0}
	if cfg.Domains == nil {
		cfg.Domains = []string{"example.com"}
	}
	cfg.Now = c.Now
	r, err := New(cfg)
	require.NoError(t, err)
	return r, c
}

func contactExpires(t testing.TB, m *sip.Message) []int {
	t.Helper()
	cs, err := m.Contacts()
	require.NoError(t, err)
	var out []int
	for _, c := range cs {
		v, ok := c.Param("expires")
		require.True(t, ok)
		var n int
		fmt.Sscan(v, &n)
		out = append(out, n)
	}
	return out
}

// SIP-54, spec §3.3: Standard (Maximum, 45, 60) and Variable vectors.
func TestExpiryVectors(t *testing.T) {
	std := Expiry{Maximum, 45, 60}
	for _, tc := range []struct {
		r, want int
		ok      bool
	}{{3600, 60, true}, {60, 60, true}, {50, 50, true}, {45, 45, true}, {44, 0, false}} {
		g, ok := std.Grant(tc.r, nil)
		assert.Equal(t, tc.ok, ok, "r=%d", tc.r)
		assert.Equal(t, tc.want, g, "r=%d", tc.r)
	}
	lowest := func(int) int { return 0 }
	highest := func(n int) int { return n - 1 }
	v := Expiry{Variable, 45, 60}
	for _, tc := range []struct{ r, lo, hi int }{{3600, 45, 60}, {50, 45, 50}, {45, 45, 45}} {
		g, _ := v.Grant(tc.r, lowest)
		assert.Equal(t, tc.lo, g, "r=%d lowest", tc.r)
		g, _ = v.Grant(tc.r, highest)
		assert.Equal(t, tc.hi, g, "r=%d highest", tc.r)
	}
	// Outbound (Variable, 300, 3600); property: 10^4 draws within bounds, never > r.
	ob := DefaultOutbound
	_, ok := ob.Grant(299, nil)
	assert.False(t, ok)
	rnd := func(n int) int { return int(time.Now().UnixNano() % int64(n)) }
	for i := 0; i < 10000; i++ {
		r := 300 + i%4000
		g, ok := ob.Grant(r, rnd)
		require.True(t, ok)
		require.True(t, g >= 300 && g <= min(r, 3600), "r=%d g=%d", r, g)
	}
}

// SIP-54 over REGISTER: 423 with Min-Expires, absent → 60, 0 → unbinding.
func TestRegisterExpiry(t *testing.T) {
	r, _ := newReg(t, Config{})
	ctx := context.Background()
	resp, err := r.Register(ctx, reg(t, "bob@example.com", "c1", 1, "44", "", "<sip:bob@192.0.2.10>"), src)
	require.NoError(t, err)
	assert.Equal(t, 423, resp.StatusCode())
	assert.Equal(t, "45", resp.Get("Min-Expires"))

	resp, err = r.Register(ctx, reg(t, "bob@example.com", "c1", 2, "", "", "<sip:bob@192.0.2.10>"), src)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode())
	assert.Equal(t, []int{60}, contactExpires(t, resp))

	resp, err = r.Register(ctx, reg(t, "bob@example.com", "c1", 3, "", "", "<sip:bob@192.0.2.10>;expires=50"), src)
	require.NoError(t, err)
	assert.Equal(t, []int{50}, contactExpires(t, resp))

	resp, err = r.Register(ctx, reg(t, "bob@example.com", "c1", 4, "0", "", "<sip:bob@192.0.2.10>"), src)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode())
	assert.Equal(t, 0, resp.Count("Contact"))
	bs, _ := r.Lookup(ctx, sip.URI{Scheme: "sip", User: "bob", Host: "example.com"})
	assert.Empty(t, bs)
}

// SIP-55, SIP-56, spec §3.6: the outbound fixture.
func TestOutboundFixture(t *testing.T) {
	raw, err := os.ReadFile("testdata/register-outbound.txt")
	require.NoError(t, err)
	fixture := strings.ReplaceAll(string(raw), "\n", "\r\n")
	parse := func(edit func(string) string) *sip.Message {
		m, err := sip.ParseMessage([]byte(edit(fixture)))
		require.NoError(t, err)
		return m
	}
	same := func(s string) string { return s }
	tls := Source{Network: "tls", Addr: netip.MustParseAddrPort("192.0.2.10:5061")}

	r, _ := newReg(t, Config{GRUU: true})
	resp, err := r.Register(context.Background(), parse(same), tls)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())
	assert.Equal(t, "outbound", resp.Get("Require"))
	assert.False(t, resp.Has("Flow-Timer"))
	e := contactExpires(t, resp)
	require.Len(t, e, 1)
	assert.True(t, e[0] >= 300 && e[0] <= 3600)
	c, _ := resp.Contact()
	g, _ := c.Param("pub-gruu")
	assert.Equal(t, `"sip:john.smith@example.com;gr=urn:uuid:00000000-0000-1000-8000-000A95A0E128"`, g)
	assert.False(t, c.Params.Has("temp-gruu"))

	// SIP-56: a request to the GRUU reaches only that instance.
	gu, err := sip.ParseURI("sip:john.smith@example.com;gr=urn:uuid:00000000-0000-1000-8000-000A95A0E128")
	require.NoError(t, err)
	_, err = r.Register(context.Background(), reg(t, "john.smith@example.com", "other", 1, "60", "", "<sip:john@192.0.2.11>"), src)
	require.NoError(t, err)
	bs, err := r.Lookup(context.Background(), gu)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Contains(t, bs[0].Contact, "192.0.2.10:5061")
	all, _ := r.Lookup(context.Background(), sip.URI{Scheme: "sip", User: "john.smith", Host: "example.com"})
	assert.Len(t, all, 2)

	r, _ = newReg(t, Config{GRUU: true, FlowTimer: 120})
	resp, _ = r.Register(context.Background(), parse(same), tls)
	assert.Equal(t, "120", resp.Get("Flow-Timer"))

	r, _ = newReg(t, Config{GRUU: false})
	resp, _ = r.Register(context.Background(), parse(same), tls)
	c, _ = resp.Contact()
	assert.False(t, c.Params.Has("pub-gruu"))

	// Without reg-id: the standard triple, expires 60, no Require.
	r, _ = newReg(t, Config{})
	resp, _ = r.Register(context.Background(), parse(func(s string) string { return strings.Replace(s, ";reg-id=1", "", 1) }), tls)
	assert.Equal(t, []int{60}, contactExpires(t, resp))
	assert.False(t, resp.Has("Require"))

	// SIP-50: a foreign AOR host is not ours.
	resp, _ = r.Register(context.Background(), parse(func(s string) string { return strings.ReplaceAll(s, "@example.com", "@other.org") }), tls)
	assert.Equal(t, 403, resp.StatusCode())
}

// SIP-52, SIP-53, spec §3.5: allow and deny lists.
func TestRestrictionLists(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		aor  string
		want int
	}{
		{"allow exact, other case", Config{Restriction: AllowList, AllowList: []ListEntry{{Description: "Allow John Smith", Pattern: "john.smith@example.com", Type: "exact"}}}, "John.Smith@example.com", 200},
		{"allow, not listed", Config{Restriction: AllowList, AllowList: []ListEntry{{Pattern: "john.smith@example.com"}}}, "jane@example.com", 403},
		{"deny suffix", Config{Restriction: DenyList, DenyList: []ListEntry{{Description: "Anybody at @nuisance.com", Pattern: "@nuisance.com", Type: "Suffix"}}, Domains: []string{"example.com", "nuisance.com"}}, "bob@nuisance.com", 403},
		{"deny suffix, other", Config{Restriction: DenyList, DenyList: []ListEntry{{Pattern: "@nuisance.com", Type: "Suffix"}}, Domains: []string{"example.com", "nuisance.com"}}, "bob@example.com", 200},
		{"allow regex", Config{Restriction: AllowList, AllowList: []ListEntry{{Pattern: `(john|jane)\..*@example\.com`, Type: "Regex"}}}, "jane.doe@example.com", 200},
		{"allow regex full match", Config{Restriction: AllowList, AllowList: []ListEntry{{Pattern: `(john|jane)\..*@example\.com`, Type: "Regex"}}}, "xjane.doe@example.com", 403},
		{"inactive list ignored", Config{Restriction: None, DenyList: []ListEntry{{Pattern: "bob@example.com"}}}, "bob@example.com", 200},
		{"policy service reject", Config{Restriction: PolicyService, Policy: func(context.Context, Request) (bool, int, string, error) { return false, 0, "", nil }}, "bob@example.com", 403},
		{"policy service status", Config{Restriction: PolicyService, Policy: func(_ context.Context, r Request) (bool, int, string, error) {
			return r.AOR == "ok@example.com", 488, "Nope", nil
		}}, "bob@example.com", 488},
		{"subzone deny", Config{SubzoneAllows: func(Source, string) bool { return false }}, "bob@example.com", 403},
		{"capacity", Config{Admit: func(context.Context, Binding) error { return fmt.Errorf("full") }}, "bob@example.com", 503},
		{"proxied denied", Config{Classify: func(string, netip.AddrPort) Source { return Source{Zone: "N", Proxied: true} }}, "bob@example.com", 403},
		{"proxied allowed, subzone policy not applied", Config{Classify: func(string, netip.AddrPort) Source { return Source{Zone: "N", Proxied: true} },
			AcceptProxied: func(z string) bool { return z == "N" }, SubzoneAllows: func(Source, string) bool { return false }}, "bob@example.com", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newReg(t, tc.cfg)
			resp, err := r.Register(context.Background(), reg(t, tc.aor, "c", 1, "60", "", "<sip:x@192.0.2.10>"), src)
			require.NoError(t, err)
			assert.Equal(t, tc.want, resp.StatusCode())
		})
	}
}

// SIP-51: authentication comes first; a 401 carries the challenge and the
// lists are not consulted before it.
func TestAuthenticationOrder(t *testing.T) {
	d, err := digest.NewServer(digest.Config{Store: digest.MemoryStore{"meetingroom1": "mypassword"}, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	var events []Event
	r, _ := newReg(t, Config{Authenticator: d, Restriction: DenyList, DenyList: []ListEntry{{Pattern: "meetingroom1@example.com"}},
		OnEvent: func(e Event) { events = append(events, e) }})
	req := reg(t, "meetingroom1@example.com", "c", 1, "60", "", "<sip:m@192.0.2.10>")
	resp, err := r.Register(context.Background(), req, src)
	require.NoError(t, err)
	require.Equal(t, 401, resp.StatusCode())
	require.True(t, resp.Has("WWW-Authenticate"))
	assert.Empty(t, events)

	req2 := reg(t, "meetingroom1@example.com", "c", 2, "60", "", "<sip:m@192.0.2.10>")
	cl := digest.Client{Username: "meetingroom1", Password: "mypassword"}
	require.NoError(t, cl.Authorize(req2, resp))
	resp, err = r.Register(context.Background(), req2, src)
	require.NoError(t, err)
	assert.Equal(t, 403, resp.StatusCode()) // authenticated, then denied (4)
	require.Len(t, events, 1)
	assert.True(t, events[0].Auth)
	assert.Equal(t, "Registration Rejected", events[0].Name)
}

// SIP-57, SIP-58: many contacts, refresh, CSeq order, wildcard, supersede.
func TestBindingsLifecycle(t *testing.T) {
	var events []Event
	r, clk := newReg(t, Config{OnEvent: func(e Event) { events = append(events, e) }})
	ctx := context.Background()
	aor := sip.URI{Scheme: "sip", User: "alice", Host: "example.com"}
	do := func(m *sip.Message) *sip.Message {
		resp, err := r.Register(ctx, m, src)
		require.NoError(t, err)
		return resp
	}
	// Two contacts from two devices: both accepted (SIP-57).
	assert.Equal(t, 200, do(reg(t, "alice@example.com", "dev1", 1, "60", "", "<sip:alice@192.0.2.1>;q=0.5")).StatusCode())
	resp := do(reg(t, "alice@example.com", "dev2", 1, "60", "", "<sip:alice@192.0.2.2>;q=0.9"))
	assert.Equal(t, 2, resp.Count("Contact"), "the 2xx lists every binding")
	bs, _ := r.Lookup(ctx, aor)
	require.Len(t, bs, 2)
	assert.Contains(t, bs[0].Contact, "192.0.2.2", "highest q first")

	// Same Call-ID, CSeq not higher → 500, nothing changes.
	assert.Equal(t, 500, do(reg(t, "alice@example.com", "dev1", 1, "60", "", "<sip:alice@192.0.2.1>")).StatusCode())
	// Refresh at t=30 keeps Created, moves Expires.
	clk.Set(30 * time.Second)
	assert.Equal(t, 200, do(reg(t, "alice@example.com", "dev1", 2, "60", "", "<sip:alice@192.0.2.1>")).StatusCode())
	assert.Equal(t, "Registration Refresh Accepted", events[len(events)-1].Name)
	// dev2 expires at t=60 exactly; dev1 lives until t=90.
	clk.Set(59 * time.Second)
	bs, _ = r.Lookup(ctx, aor)
	assert.Len(t, bs, 2)
	clk.Set(60 * time.Second)
	bs, _ = r.Lookup(ctx, aor)
	require.Len(t, bs, 1)
	assert.Equal(t, t0, bs[0].Created)
	assert.Equal(t, 1, r.Sweep())
	assert.Equal(t, "Registration expired", events[len(events)-1].Reason)

	// Same contact under a new Call-ID supersedes the old binding.
	do(reg(t, "alice@example.com", "dev1-reboot", 1, "60", "", "<sip:alice@192.0.2.1>"))
	bs, _ = r.Lookup(ctx, aor)
	require.Len(t, bs, 1)
	assert.Equal(t, "dev1-reboot", bs[0].CallID)
	var superseded bool
	for _, e := range events {
		superseded = superseded || e.Reason == "Registration superseded"
	}
	assert.True(t, superseded)

	// A query (no Contact) lists the bindings.
	resp = do(reg(t, "alice@example.com", "q", 1, "", ""))
	assert.Equal(t, 1, resp.Count("Contact"))

	// Contact: * needs Expires: 0 (RFC 3261 §10.3 step 6).
	assert.Equal(t, 400, do(reg(t, "alice@example.com", "w", 1, "60", "", "*")).StatusCode())
	assert.Equal(t, 200, do(reg(t, "alice@example.com", "w", 2, "0", "", "*")).StatusCode())
	bs, _ = r.Lookup(ctx, aor)
	assert.Empty(t, bs)
}

// SIP-58, spec §3.7: a policy change rejects the next refresh while the
// binding survives until its expiry.
func TestPolicyChangeOnRefresh(t *testing.T) {
	store := NewMemoryStore()
	cfg := Config{Store: store}
	r, clk := newReg(t, cfg)
	ctx := context.Background()
	resp, _ := r.Register(ctx, reg(t, "john.smith@example.com", "c", 1, "3600", "", "<sip:js@192.0.2.10>"), src)
	assert.Equal(t, []int{60}, contactExpires(t, resp))
	clk.Set(10 * time.Second)
	cfg.Restriction, cfg.DenyList = DenyList, []ListEntry{{Pattern: "john.smith@example.com"}}
	var events []Event
	cfg.OnEvent = func(e Event) { events = append(events, e) }
	r2, _ := newReg(t, cfg)
	r2.cfg.Now = clk.Now
	clk.Set(30 * time.Second)
	resp, _ = r2.Register(ctx, reg(t, "john.smith@example.com", "c", 2, "3600", "", "<sip:js@192.0.2.10>"), src)
	assert.Equal(t, 403, resp.StatusCode())
	require.Len(t, events, 1) // SIP-130: Registration Refresh Rejected, level 1
	assert.Equal(t, "Registration Refresh Rejected", events[0].Name)
	assert.Equal(t, 1, events[0].Level)
	u := sip.URI{Scheme: "sip", User: "john.smith", Host: "example.com"}
	clk.Set(59 * time.Second)
	bs, _ := r2.Lookup(ctx, u)
	assert.Len(t, bs, 1)
	clk.Set(60 * time.Second)
	bs, _ = r2.Lookup(ctx, u)
	assert.Empty(t, bs)
}

// SIP-59 (registrar side): a Path is stored as the route set toward the
// binding and echoed in the 2xx (RFC 3327).
func TestPathStored(t *testing.T) {
	r, _ := newReg(t, Config{})
	resp, err := r.Register(context.Background(), reg(t, "bob@example.com", "c", 1, "60",
		"Path: <sip:p1.example.net;lr>\r\nPath: <sip:p2.example.net;lr>\r\nSupported: path\r\n", "<sip:bob@192.0.2.10>"), src)
	require.NoError(t, err)
	assert.Equal(t, []string{"<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"}, resp.Values("Path"))
	bs, _ := r.Lookup(context.Background(), sip.URI{Scheme: "sip", User: "bob", Host: "example.com"})
	require.Len(t, bs, 1)
	assert.Equal(t, []string{"<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>"}, bs[0].Path)
}

// SIP-61, spec §3.4.
func TestRecommendedRefresh(t *testing.T) {
	for _, tc := range []struct{ n, lo, hi int }{{1, 45, 60}, {100, 45, 60}, {101, 150, 200}, {500, 150, 200}, {1000, 300, 400}, {1001, 450, 800}, {1500, 450, 800}, {1501, 750, 1000}} {
		lo, hi, err := RecommendedRefresh(tc.n)
		require.NoError(t, err)
		assert.Equal(t, [2]int{tc.lo, tc.hi}, [2]int{lo, hi}, "n=%d", tc.n)
	}
	_, _, err := RecommendedRefresh(0)
	assert.Error(t, err)
}

// SIP-1, SIP-53: configuration boundaries; every fault reported at once.
func TestConfigValidate(t *testing.T) {
	ok := func(c Config) { assert.NoError(t, c.Validate()) }
	bad := func(c Config) { assert.Error(t, c.Validate()) }
	ok(Config{Standard: Expiry{Maximum, 30, 7200}})
	bad(Config{Standard: Expiry{Maximum, 29, 60}})
	bad(Config{Standard: Expiry{Maximum, 45, 7201}})
	bad(Config{Standard: Expiry{Maximum, 100, 60}})
	ok(Config{FlowTimer: 600})
	bad(Config{FlowTimer: 601})
	bad(Config{FlowTimer: -1})
	bad(Config{AllowList: []ListEntry{{Pattern: ""}}})
	bad(Config{AllowList: []ListEntry{{Pattern: strings.Repeat("a", 61)}}})
	bad(Config{AllowList: []ListEntry{{Pattern: "a", Description: strings.Repeat("d", 65)}}})
	bad(Config{AllowList: []ListEntry{{Pattern: "a", Type: "Glob"}}})
	bad(Config{AllowList: make([]ListEntry, 2501)})
	bad(Config{Restriction: PolicyService})
	err := Config{Standard: Expiry{Maximum, 29, 7201}, FlowTimer: 601}.Validate()
	require.Error(t, err)
	assert.Equal(t, 3, strings.Count(err.Error(), "\n")+1)
}

// SIP-54, SIP-58: 5000 distinct AORs all expire on time, and Sweep frees
// them, so memory stays bounded under a registration flood.
func TestFloodExpiresOnTime(t *testing.T) {
	store := NewMemoryStore()
	r, clk := newReg(t, Config{Store: store})
	ctx := context.Background()
	for i := 0; i < 5000; i++ {
		aor := fmt.Sprintf("u%d@example.com", i)
		resp, err := r.Register(ctx, reg(t, aor, "c"+aor, 1, "3600", "", "<sip:u@192.0.2.10>"), src)
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode())
	}
	require.Equal(t, 5000, store.Len())
	clk.Set(59*time.Second + 999*time.Millisecond)
	bs, _ := r.Bindings(ctx)
	assert.Len(t, bs, 5000)
	assert.Zero(t, r.Sweep())
	clk.Set(60 * time.Second)
	bs, _ = r.Bindings(ctx)
	assert.Empty(t, bs)
	assert.Equal(t, 5000, r.Sweep())
	assert.Zero(t, store.Len())
}
