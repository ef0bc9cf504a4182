package turn

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"testing"

	"github.com/pion/stun/v3"
)

// challengeRealm sends an unauthenticated Binding and returns the REALM of
// the 401 (TURN-4).
func challengeRealm(t *testing.T, c *tclient) string {
	t.Helper()
	r := c.raw(stun.BindingRequest)
	var realm stun.Realm
	if errCode(r) != 401 || realm.GetFrom(r) != nil {
		t.Fatalf("want 401 with REALM: %v", r)
	}
	return string(realm)
}

// T-22 (TURN-3): Reconfigure while running stores the configuration as
// pending and returns ErrRestartRequired with no live effect; Restart
// deletes every allocation ("Relay Deleted") and runs the new one.
func TestReconfigureNeedsRestart(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	if _, relay := c.allocate(); !relay.IsValid() {
		t.Fatal("allocate")
	}
	if e := <-s.events; e.Name != "Relay Allocated" {
		t.Fatal(e)
	}
	next := s.cfg
	next.Realm = "changed"
	next.Listeners = []Listener{{Network: UDP, Addr: netip.AddrPortFrom(lo, 0)}}
	if err := s.Reconfigure(next); !errors.Is(err, ErrRestartRequired) {
		t.Fatalf("TURN-3: Reconfigure while running = %v", err)
	}
	if p, ok := s.Pending(); !ok || p.Realm != "changed" {
		t.Fatal("pending configuration not kept")
	}
	// No live effect: the old realm is still served and the allocation
	// still works.
	if got := challengeRealm(t, dialUDP(t, s.udp, "bob", "builder")); got != "test" {
		t.Fatalf("T-22: realm %q before Restart", got)
	}
	if r := c.do(stun.MethodRefresh); errCode(r) != 0 {
		t.Fatalf("allocation disturbed by Reconfigure: %v", r)
	}
	bad := next
	bad.RelayPortMin, bad.RelayPortMax = 10, 5
	if err := s.Reconfigure(bad); err == nil || errors.Is(err, ErrRestartRequired) {
		t.Fatalf("invalid configuration accepted: %v", err)
	}
	if p, _ := s.Pending(); p.Realm != "changed" || p.RelayPortMin == 10 {
		t.Fatal("a refused configuration replaced the pending one")
	}

	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e := <-s.events; e.Name != "Relay Deleted" || e.Username != "alice" {
		t.Fatalf("TURN-3: Restart must delete the allocation with Relay Deleted: %+v", e)
	}
	if s.Stats().Allocations != 0 {
		t.Fatal("allocations survive Restart")
	}
	if _, ok := s.Pending(); ok {
		t.Fatal("pending configuration still pending after Restart")
	}
	addrs := s.Addrs()
	if len(addrs) != 1 {
		t.Fatalf("listeners after Restart: %v", addrs)
	}
	udp := addrPortOf(addrs[0])
	if got := challengeRealm(t, dialUDP(t, udp, "bob", "builder")); got != "changed" {
		t.Fatalf("T-22: realm %q after Restart", got)
	}
	c2 := dialUDP(t, udp, "alice", "secret")
	if _, relay := c2.allocate(); !relay.IsValid() {
		t.Fatal("allocate after Restart")
	}
	if e := <-s.events; e.Name != "Relay Allocated" {
		t.Fatal(e)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if e := <-s.events; e.Name != "Relay Deleted" {
		t.Fatal(e)
	}
	if err := s.Restart(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Restart after Close = %v", err)
	}
	if err := s.Reconfigure(next); !errors.Is(err, ErrClosed) {
		t.Fatalf("Reconfigure after Close = %v", err)
	}
}

// TURN-3: before Start, Reconfigure applies at once; Start twice is an
// error; Serve returns when Close is called, not at a Restart.
func TestReconfigureBeforeStart(t *testing.T) {
	min, max := freeRange(t, 16)
	cfg := Config{Listeners: []Listener{{Network: UDP, Addr: netip.AddrPortFrom(lo, 0)}}, RelayAddress: lo,
		RelayPortMin: min, RelayPortMax: max, MaxRelays: 16, NoAuth: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Realm = "early"
	if err := s.Reconfigure(cfg); err != nil {
		t.Fatalf("Reconfigure before Start = %v", err)
	}
	if s.cfg.Realm != "early" {
		t.Fatal("not applied")
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); !errors.Is(err, ErrAlreadyStarted) {
		t.Fatalf("second Start = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	if err := s.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(s.Addrs()) != 1 {
		t.Fatal("not listening after Restart")
	}
	select {
	case err := <-served:
		t.Fatalf("Serve ended at Restart: %v", err)
	default:
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if err := s.Restart(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Serve did not close the server: %v", err)
	}
}

// T-26 (TURN-1): a C-role node refuses Start with ErrWrongRole and opens
// nothing; a TURN option key on it raises alarm 30009.
func TestWrongRole(t *testing.T) {
	min, max := freeRange(t, 16)
	cfg := Config{Listeners: []Listener{{Network: UDP, Addr: netip.AddrPortFrom(lo, 0)}}, RelayAddress: lo,
		RelayPortMin: min, RelayPortMax: max, MaxRelays: 16, NoAuth: true, Role: RoleC,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(t.Context()); !errors.Is(err, ErrWrongRole) {
		t.Fatalf("T-26: Start on C = %v", err)
	}
	if len(s.Addrs()) != 0 {
		t.Fatal("a C node opened listeners")
	}
	if slices.Contains(s.Alarms(), 30009) {
		t.Fatal("30009 without an option key")
	}
	cfg.TURNOptionKey = true
	if err := s.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(t.Context()); !errors.Is(err, ErrWrongRole) {
		t.Fatalf("Restart on C = %v", err)
	}
	if !slices.Contains(s.Alarms(), 30009) {
		t.Fatal("TURN-1: option key on a C node must raise alarm 30009")
	}
	cfg.Role = RoleE
	if err := s.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatalf("E node: %v", err)
	}
	if slices.Contains(s.Alarms(), 30009) {
		t.Fatal("30009 stays raised on an E node")
	}
	bad := cfg
	bad.Role = 7
	if err := bad.Validate(); err == nil {
		t.Fatal("unknown role accepted")
	}
}

// RFC 5769 §2.4: the long-term-credential sample request, with the
// password given before SASLprep, passes our MESSAGE-INTEGRITY check
// (TURN-18, spec §3 conformance vector).
func TestRFC5769LongTermVector(t *testing.T) {
	raw, _ := hex.DecodeString("000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae38383e382afe382b9" +
		"00000015001c662f2f3439396b39353464364f4c33346f4c394653547679363473410014000b6578616d706c652e6f7267" +
		"0000080014f67024656dd64a3e02b8e0712e85c9a28ca89666")
	m := &stun.Message{Raw: raw}
	if err := m.Decode(); err != nil {
		t.Fatal(err)
	}
	const user = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"
	if p, err := SASLprep("The\u00ADM\u00AAtr\u2168"); err != nil || p != "TheMatrIX" {
		t.Fatalf("SASLprep(password) = %q, %v", p, err)
	}
	if p, err := SASLprep(user); err != nil || p != user {
		t.Fatalf("SASLprep(username) = %q, %v", p, err)
	}
	uname, _ := attr(m, stun.AttrUsername)
	realm, _ := attr(m, stun.AttrRealm)
	creds := StaticCredentials{user: "The\u00ADM\u00AAtr\u2168"}
	got, key, ok := checkIntegrity(m, uname, creds, string(realm))
	if !ok || got != user {
		t.Fatal("RFC 5769 §2.4 request refused")
	}
	if !bytes.Equal(key, LongTermKey(user, "example.org", "TheMatrIX")) {
		t.Fatal("key")
	}
	if _, _, ok := checkIntegrity(m, uname, StaticCredentials{user: "TheMatrIX!"}, string(realm)); ok {
		t.Fatal("wrong password accepted")
	}
	raw[len(raw)-1] ^= 1
	m = &stun.Message{Raw: raw}
	_ = m.Decode()
	if _, _, ok := checkIntegrity(m, uname, creds, string(realm)); ok {
		t.Fatal("altered integrity accepted")
	}
}

// RFC 4013: mapping, normalisation, prohibition and the unsupported
// repertoire refused rather than guessed.
func TestSASLprep(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"user", "user", nil},
		{"I\u00ADX", "IX", nil},                   // RFC 4013 §3 example: soft hyphen mapped to nothing
		{"user", "user", nil},                     // §3: no transformation
		{"\u00AA", "a", nil},                      // §3: NFKC
		{"\u2168", "IX", nil},                     // §3: NFKC
		{"\u0007", "", ErrSASLprepProhibited},     // §3: prohibited character
		{"a\u00A0b\u3000c", "a b c", nil},         // C.1.2 spaces mapped to SPACE
		{"\uFF21\uFF42", "Ab", nil},               // fullwidth
		{"caf\u00E9", "caf\u00E9", nil},           // precomposed Latin-1 stays
		{"\u00BD\u0133", "1\u20442ij", nil},       // compatibility forms
		{"\uE000", "", ErrSASLprepProhibited},     // private use (C.3)
		{"\u202E", "", ErrSASLprepProhibited},     // change display (C.8)
		{"\U000E0041", "", ErrSASLprepProhibited}, // tagging (C.9)
		{"\xff", "", ErrSASLprepProhibited},       // not UTF-8
		{"\u0627", "", ErrSASLprepUnsupported},    // RandALCat, outside the repertoire
		{"e\u0301", "", ErrSASLprepUnsupported},   // combining mark: NFKC would compose
		{"\uFF76\uFF9E", "", ErrSASLprepUnsupported},
		{"\u4E2D\uAC00\u3042", "\u4E2D\uAC00\u3042", nil},
	} {
		got, err := SASLprep(c.in)
		if !errors.Is(err, c.err) || got != c.want {
			t.Errorf("SASLprep(%+q) = %+q, %v; want %+q, %v", c.in, got, err, c.want, c.err)
		}
	}
	if _, ok := (StaticCredentials{"u": "bad\u0000"}).LongTermKey("u", "r"); ok {
		t.Fatal("a password SASLprep refuses must match nothing")
	}
}
