package turn

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

// T-01: defaults (TURN-5, TURN-15, TURN-18, TURN-19, TURN-22..24).
func TestDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.Realm != "TANDBERG" || c.RelayPortMin != 24000 || c.RelayPortMax != 29999 || c.Listeners[0].Addr.Port() != 3478 {
		t.Fatalf("%+v", c)
	}
	if c.AllocationLifetime != 600*time.Second || c.MaxAllocationLifetime != 3600*time.Second ||
		c.PermissionLifetime != 300*time.Second || c.ChannelLifetime != 600*time.Second || c.NonceLifetime != 600*time.Second {
		t.Fatal("lifetimes")
	}
	if c.Pollers < 1 || c.Role != RoleE {
		t.Fatalf("Pollers %d, Role %v", c.Pollers, c.Role)
	}
	if c.MaxRelays != 1800 || MaxRelaysFor(Large) != 6000 {
		t.Fatal("TURN-12")
	}
}

// T-08..T-11: capacity and range validation (TURN-12, TURN-13, TURN-15).
func TestCapacityAndRanges(t *testing.T) {
	for _, c := range []struct {
		s     Size
		peers int
		want  int
	}{{Large, 4, 24000}, {Medium, 4, 7200}, {Small, 4, 1800}, {Large, 3, 18000}, {Large, 6, 24000}} {
		if got := ClusterRelays(c.s, c.peers); got != c.want {
			t.Errorf("T-08 %v x%d = %d", c.s, c.peers, got)
		}
	}
	base := Config{RelayAddress: lo, NoAuth: true}
	ok := base
	ok.Size = Large
	if err := ok.Validate(); err != nil {
		t.Fatalf("T-09 24000-29999 holds 6000: %v", err)
	}
	small := base
	small.RelayPortMin, small.RelayPortMax, small.MaxRelays = 24000, 24999, 6000
	if err := small.Validate(); !errors.Is(err, ErrRangeTooSmall) {
		t.Fatalf("T-10 %v", err)
	}
	overlap := base
	overlap.RelayPortMin, overlap.RelayPortMax, overlap.MaxRelays = 36000, 37000, 100
	if err := overlap.Validate(); err == nil || !strings.Contains(err.Error(), "55029") {
		t.Fatalf("T-11 %v", err)
	}
	bad := Config{Listeners: []Listener{{Network: "sctp"}, {Network: TLS, Addr: netip.AddrPortFrom(lo, 1)}}}
	err := bad.Validate()
	for _, frag := range []string{"unknown network", "needs a tls.Config", "relay address", "Credentials are required"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("Validate misses %q: %v", frag, err)
		}
	}
}

// T-13 and the REST vector: key derivations (TURN-18, §4).
func TestKeyDerivations(t *testing.T) {
	if got := hex.EncodeToString(LongTermKey("alice", "TANDBERG", "secret")); got != "f0e73a9fbf068810bc98eff4f192e271" {
		t.Fatalf("T-13 %s", got)
	}
	if got := RESTPassword([]byte("north"), "1700000000:alice"); got != "Cd/49soE35ICqcJF/bCTn8Z4OyE=" {
		t.Fatalf("REST %s", got)
	}
	now := time.Unix(1699999999, 0)
	r := RESTCredentials{Secret: []byte("north"), Now: func() time.Time { return now }}
	k, ok := r.LongTermKey("1700000000:alice", "test")
	if !ok || !bytes.Equal(k, LongTermKey("1700000000:alice", "test", "Cd/49soE35ICqcJF/bCTn8Z4OyE=")) {
		t.Fatal("REST key")
	}
	now = time.Unix(1700000001, 0)
	if _, ok := r.LongTermKey("1700000000:alice", "test"); ok {
		t.Fatal("expired REST username accepted")
	}
	if _, ok := r.LongTermKey("soon:alice", "test"); ok {
		t.Fatal("malformed REST username accepted")
	}
}

// T-12, TURN-4: Binding without credentials is challenged; with them it
// is answered with XOR-MAPPED-ADDRESS.
func TestBindingNeedsAuth(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	r := c.raw(stun.BindingRequest)
	var realm stun.Realm
	var nonce stun.Nonce
	if errCode(r) != 401 || realm.GetFrom(r) != nil || string(realm) != "test" || nonce.GetFrom(r) != nil {
		t.Fatalf("T-12 %v", r)
	}
	r = c.do(stun.MethodBinding)
	var xm stun.XORMappedAddress
	if errCode(r) != 0 || xm.GetFrom(r) != nil || xm.Port != int(c.local().Port()) {
		t.Fatalf("authenticated binding: %v", r)
	}
	if err := stun.NewLongTermIntegrity("alice", "test", "secret").Check(r); err != nil {
		t.Fatal("responses carry MESSAGE-INTEGRITY", err)
	}
	if err := stun.Fingerprint.Check(r); err != nil {
		t.Fatal("responses carry FINGERPRINT", err)
	}
	bad := dialUDP(t, s.udp, "alice", "wrong")
	if r := bad.do(stun.MethodBinding); errCode(r) != 401 {
		t.Fatalf("wrong password: %v", r)
	}
	if s.Stats().AuthFailures == 0 {
		t.Fatal("auth failures not counted")
	}
}

// T-14: a stale nonce gets 438 with a fresh NONCE, and the retry works.
func TestStaleNonce(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	if r := c.do(stun.MethodBinding); errCode(r) != 0 {
		t.Fatal(r)
	}
	old := c.nonce
	s.clock.add(601 * time.Second)
	r, _ := c.allocate()
	if errCode(r) != 0 || c.nonce == old {
		t.Fatalf("438 then retry: %v (nonce changed %v)", r, c.nonce != old)
	}
	// A forged nonce is refused too.
	c.nonce = strings.Repeat("0", nonceLen)
	m, _ := stun.Build(stun.TransactionID, stun.BindingRequest, stun.NewUsername("alice"), stun.NewRealm("test"),
		stun.NewNonce(c.nonce), stun.NewLongTermIntegrity("alice", "test", "secret"))
	c.write(m.Raw)
	if r := c.wait(m.TransactionID); errCode(r) != 438 {
		t.Fatalf("forged nonce: %v", r)
	}
}

// T-15, T-16, TURN-22: Allocate answers.
func TestAllocateAnswers(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	if r := c.do(stun.MethodAllocate, transport(protoTCPNumber)); errCode(r) != 442 {
		t.Fatalf("T-15 %v", r)
	}
	if r := c.do(stun.MethodAllocate); errCode(r) != 400 {
		t.Fatalf("no REQUESTED-TRANSPORT: %v", r)
	}
	first, relay := c.allocate()
	if errCode(first) != 0 || relay.Addr() != lo || relay.Port() < s.cfg.RelayPortMin || relay.Port() > s.cfg.RelayPortMax {
		t.Fatalf("allocate: %v %v", first, relay)
	}
	var life stun.AttrType = attrLifetime
	if v, _ := attr(first, life); binary.BigEndian.Uint32(v) != 600 {
		t.Fatal("default lifetime 600 s")
	}
	// Retransmission: same transaction, same answer.
	m, _ := stun.Build(stun.NewTransactionIDSetter(first.TransactionID), stun.NewType(stun.MethodAllocate, stun.ClassRequest),
		transport(protoUDPNumber), stun.NewUsername(c.user), stun.NewRealm(c.realm), stun.NewNonce(c.nonce),
		stun.NewLongTermIntegrity(c.user, c.realm, c.pass), stun.Fingerprint)
	c.write(m.Raw)
	if r := c.wait(first.TransactionID); !bytes.Equal(r.Raw, first.Raw) {
		t.Fatal("a retransmitted Allocate must get the cached answer")
	}
	if r, _ := c.allocate(); errCode(r) != 437 {
		t.Fatalf("T-16 %v", r)
	}
	if s.Stats().Allocations != 1 {
		t.Fatal(s.Stats())
	}
	if e := <-s.events; e.Name != "Relay Allocated" || e.Level != 2 || e.Username != "alice" {
		t.Fatalf("event %+v", e)
	}
}

// T-17, T-18, TURN-22: refresh to zero deletes, expiry expires.
func TestRefreshAndExpiry(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	c.allocate()
	<-s.events
	r := c.do(stun.MethodRefresh, rawAttr{attrLifetime, []byte{0, 0, 0x0e, 0x10}}) // 3600
	if v, _ := attr(r, attrLifetime); errCode(r) != 0 || binary.BigEndian.Uint32(v) != 3600 {
		t.Fatalf("refresh: %v", r)
	}
	if r := c.do(stun.MethodRefresh, rawAttr{attrLifetime, []byte{0, 0, 0xff, 0xff}}); errCode(r) != 0 {
		t.Fatal(r)
	} else if v, _ := attr(r, attrLifetime); binary.BigEndian.Uint32(v) != 3600 {
		t.Fatal("lifetime capped at 3600 s")
	}
	if r := c.do(stun.MethodRefresh, rawAttr{attrLifetime, []byte{0, 0, 0, 0}}); errCode(r) != 0 {
		t.Fatal(r)
	}
	if e := <-s.events; e.Name != "Relay Deleted" || e.Level != 2 {
		t.Fatalf("T-17 %+v", e)
	}
	if r := c.do(stun.MethodRefresh); errCode(r) != 437 {
		t.Fatalf("refresh without allocation: %v", r)
	}
	c.allocate()
	<-s.events
	s.Sweep(s.clock.now().Add(599 * time.Second))
	if s.Stats().Allocations != 1 {
		t.Fatal("expired early")
	}
	s.Sweep(s.clock.now().Add(600 * time.Second))
	if e := <-s.events; e.Name != "Relay Expired" || s.Stats().Allocations != 0 {
		t.Fatalf("T-18 %+v %+v", e, s.Stats())
	}
}

// TURN-18: another user on the same 5-tuple gets 441.
func TestWrongCredentials(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	c.allocate()
	c.user, c.pass = "bob", "builder"
	if r := c.do(stun.MethodRefresh); errCode(r) != 441 {
		t.Fatalf("%v", r)
	}
}

// TURN-23, TURN-24: permissions gate data; Send/Data indications and
// ChannelData both ways; channel numbers 0x4000-0x7FFF; conflicts 400;
// permissions expire after 300 s.
func TestRelayPaths(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	_, relay := c.allocate()
	p, marker := newPeer(t), newPeerAt(t, netip.MustParseAddr("127.0.0.2"))
	// Permissions are per IP address: the marker peer is on another one.
	// Without a permission the peer's datagram is dropped silently: the
	// marker peer (with a permission) sends after it on the same relay, so
	// once the marker arrives the early datagram has been handled.
	if r := c.do(stun.MethodCreatePermission, peerAttr(marker.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	p.c.WriteToUDPAddrPort([]byte("early"), relay)
	marker.c.WriteToUDPAddrPort([]byte("marker"), relay)
	if m := (&stun.Message{Raw: c.next(t)}); m.Decode() != nil {
		t.Fatal("marker")
	} else if d, _ := attr(m, attrData); string(d) != "marker" {
		t.Fatalf("got %q before the marker", d)
	}
	if r := c.do(stun.MethodCreatePermission, peerAttr(p.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	// Send indication -> peer.
	ind, _ := stun.Build(stun.TransactionID, stun.NewType(stun.MethodSend, stun.ClassIndication), peerAttr(p.addr()),
		rawAttr{attrData, []byte("hello peer")})
	c.write(ind.Raw)
	if b, from := p.recv(); string(b) != "hello peer" || from != relay {
		t.Fatalf("send indication: %q from %v", b, from)
	}
	// Peer -> Data indication.
	p.c.WriteToUDPAddrPort([]byte("hello client"), relay)
	got := c.next(t)
	m := &stun.Message{Raw: got}
	if m.Decode() != nil || m.Type.Method != stun.MethodData {
		t.Fatalf("want a Data indication, got % x", got)
	}
	data, _ := attr(m, attrData)
	pa, _ := attr(m, attrXORPeerAddress)
	from, _ := xorAddr(pa, m.TransactionID[:])
	if string(data) != "hello client" || from != p.addr() {
		t.Fatalf("data %q from %v", data, from)
	}
	// Channels.
	for _, n := range []uint16{0x3FFF, 0x8000} {
		if r := c.do(stun.MethodChannelBind, chanAttr(n), peerAttr(p.addr())); errCode(r) != 400 {
			t.Fatalf("channel %#x: %v", n, r)
		}
	}
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4000), peerAttr(p.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	other := newPeer(t)
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4000), peerAttr(other.addr())); errCode(r) != 400 {
		t.Fatalf("rebinding a number to another peer: %v", r)
	}
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4001), peerAttr(p.addr())); errCode(r) != 400 {
		t.Fatalf("binding a peer to a second number: %v", r)
	}
	if r := c.do(stun.MethodChannelBind, chanAttr(0x7FFF), peerAttr(other.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	c.write([]byte{0x40, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'})
	if b, _ := p.recv(); string(b) != "hello" {
		t.Fatalf("channel data to peer: %q", b)
	}
	p.c.WriteToUDPAddrPort([]byte("abc"), relay)
	if b := c.next(t); !bytes.Equal(b, []byte{0x40, 0x00, 0x00, 0x03, 'a', 'b', 'c'}) {
		t.Fatalf("UDP ChannelData is not padded: % x", b)
	}
	// A lying length is dropped and the server keeps serving.
	before := s.Stats().Dropped
	c.write([]byte{0x40, 0x00, 0x01, 0x00, 'x'})
	c.write([]byte{0x40, 0x00, 0x00, 0x01, 'y'})
	if b, _ := p.recv(); string(b) != "y" || s.Stats().Dropped != before+1 {
		t.Fatalf("lying length: %q, dropped %d", b, s.Stats().Dropped-before)
	}
	c.do(stun.MethodBinding) // a round trip on the same reader: counters are settled
	st := s.Stats()
	if st.Permissions != 2 || st.Channels != 2 || st.PacketsToPeer != 3 || st.PacketsToClient != 3 {
		t.Fatalf("stats %+v", st)
	}
	// Permissions expire after 300 s; data is then dropped.
	s.clock.add(301 * time.Second)
	s.Sweep(s.clock.now())
	if s.Stats().Permissions != 0 {
		t.Fatal("permissions not expired")
	}
	c.write([]byte{0x40, 0x00, 0x00, 0x01, 'z'})
	p.c.WriteToUDPAddrPort([]byte("late"), relay)
	c.allocate() // any round trip: the packets above were handled before it
	if s.Stats().PacketsToPeer != 3 || s.Stats().PacketsToClient != 3 {
		t.Fatalf("data after expiry relayed: %+v", s.Stats())
	}
}

// TURN-24: ChannelData over TCP is padded to 4 bytes both ways.
func TestTCPChannelPadding(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialTCP(t, s.tcp, "alice", "secret")
	_, relay := c.allocate()
	p := newPeer(t)
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4001), peerAttr(p.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	c.write([]byte{0x40, 0x01, 0x00, 0x03, 'a', 'b', 'c', 0, 0x40, 0x01, 0x00, 0x02, 'd', 'e', 0, 0})
	if b, _ := p.recv(); string(b) != "abc" {
		t.Fatal(string(b))
	}
	if b, _ := p.recv(); string(b) != "de" {
		t.Fatal(string(b))
	}
	p.c.WriteToUDPAddrPort([]byte("xyzzy"), relay)
	if b := c.next(t); !bytes.Equal(b, []byte{0x40, 0x01, 0x00, 0x05, 'x', 'y', 'z', 'z', 'y', 0, 0, 0}) {
		t.Fatalf("% x", b)
	}
	// Closing the TCP connection deletes its allocation.
	c.tcp.Close()
	for e := range s.events {
		if e.Name == "Relay Deleted" {
			break
		}
	}
}

// TURN-14, T-02, T-03, quotas: 508 when full standalone, 300 with the
// peer of most free relays, 486 over the user quota.
func TestQuotas(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.MaxRelays = 2; c.UserQuota = 1 })
	a := dialUDP(t, s.udp, "alice", "secret")
	a.allocate()
	a2 := dialUDP(t, s.udp, "alice", "secret")
	if r, _ := a2.allocate(); errCode(r) != 486 {
		t.Fatalf("user quota: %v", r)
	}
	b := dialUDP(t, s.udp, "bob", "builder")
	b.allocate()
	b2 := dialUDP(t, s.udp, "bob", "builder")
	if r, _ := b2.allocate(); errCode(r) != 508 {
		t.Fatalf("T-02: %v", r)
	}
	alt := netip.MustParseAddrPort("192.0.2.20:3478")
	s2 := newTestServer(t, func(c *Config) {
		c.MaxRelays = 1
		c.Cluster = staticCluster{{netip.MustParseAddrPort("192.0.2.10:3478"), 10}, {alt, 1000}, {netip.MustParseAddrPort("192.0.2.30:3478"), 1000}}
	})
	dialUDP(t, s2.udp, "alice", "secret").allocate()
	r, _ := dialUDP(t, s2.udp, "bob", "builder").allocate()
	var as stun.AlternateServer
	if errCode(r) != 300 || as.GetFrom(r) != nil || !net.IP(as.IP).Equal(alt.Addr().AsSlice()) || as.Port != int(alt.Port()) {
		t.Fatalf("T-03: %v, ALTERNATE-SERVER %v", r, as)
	}
}

type staticCluster []PeerLoad

func (c staticCluster) Peers() []PeerLoad { return c }

// TURN-30, T-25: 30005 at 90 % of MaxRelays, 30024 when full.
func TestCapacityAlarms(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.MaxRelays = 10 })
	for i := 0; i < 9; i++ {
		dialUDP(t, s.udp, "alice", "secret").allocate()
	}
	if a := s.Alarms(); len(a) != 1 || a[0] != 30005 {
		t.Fatalf("T-25 %v", a)
	}
	dialUDP(t, s.udp, "alice", "secret").allocate()
	if a := s.Alarms(); len(a) != 2 {
		t.Fatalf("%v", a)
	}
}

// Peer filter: loopback and private peers are refused (403) unless
// allowed.
func TestPeerFilter(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.AllowedPeers = nil })
	c := dialUDP(t, s.udp, "alice", "secret")
	c.allocate()
	for _, p := range []string{"127.0.0.1:5000", "10.1.2.3:5000", "192.168.1.1:1", "224.0.0.1:1", "0.0.0.0:1"} {
		if r := c.do(stun.MethodCreatePermission, peerAttr(netip.MustParseAddrPort(p))); errCode(r) != 403 {
			t.Errorf("%s: %v", p, r)
		}
	}
	if r := c.do(stun.MethodCreatePermission, peerAttr(netip.MustParseAddrPort("198.51.100.1:5000"))); errCode(r) != 0 {
		t.Fatal(r)
	}
	if r := c.do(stun.MethodCreatePermission, peerAttr(netip.MustParseAddrPort("[2001:db8::1]:5000"))); errCode(r) != 443 {
		t.Fatalf("RFC 6156 family mismatch: %v", r)
	}
}

// RFC 5766 §14.6, §14.9: EVEN-PORT with R reserves the next port; a later
// Allocate with the RESERVATION-TOKEN gets it.
func TestEvenPortReservation(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	r, relay := c.allocate(rawAttr{attrEvenPort, []byte{0x80}}, rawAttr{attrDontFragment, nil})
	if errCode(r) != 0 || relay.Port()%2 != 0 {
		t.Fatalf("even port: %v %v", r, relay)
	}
	tok, ok := attr(r, attrReservationToken)
	if !ok || len(tok) != 8 {
		t.Fatal("no RESERVATION-TOKEN")
	}
	c2 := dialUDP(t, s.udp, "alice", "secret")
	r2, relay2 := c2.allocate(rawAttr{attrReservationToken, tok})
	if errCode(r2) != 0 || relay2.Port() != relay.Port()+1 {
		t.Fatalf("reserved port: %v %v", r2, relay2)
	}
	c3 := dialUDP(t, s.udp, "alice", "secret")
	if r3, _ := c3.allocate(rawAttr{attrReservationToken, tok}, rawAttr{attrEvenPort, []byte{0}}); errCode(r3) != 400 {
		t.Fatalf("EVEN-PORT with RESERVATION-TOKEN: %v", r3)
	}
}

// TURN-16, T-23: behind static NAT the advertised relay is the public
// address.
func TestPublicAddress(t *testing.T) {
	pub := netip.MustParseAddr("198.51.100.7")
	s := newTestServer(t, func(c *Config) { c.PublicAddress = pub })
	_, relay := dialUDP(t, s.udp, "alice", "secret").allocate()
	if relay.Addr() != pub {
		t.Fatalf("T-23 %v", relay)
	}
}

// TURN-17, T-24: an IPv6 relay on request, 440 when none is configured.
func TestIPv6Relay(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	if r, _ := c.allocate(rawAttr{attrReqAddrFamily, []byte{familyIPv6, 0, 0, 0}}); errCode(r) != 440 {
		t.Fatalf("no IPv6 relay: %v", r)
	}
	six := netip.MustParseAddr("::1")
	if c, err := newPeerErr(six); err != nil {
		t.Skip("no IPv6 loopback: " + err.Error())
	} else {
		c.Close()
	}
	s6 := newTestServer(t, func(c *Config) {
		c.RelayAddress6 = six
		c.AllowedPeers = append(c.AllowedPeers, netip.MustParsePrefix("::1/128"))
	})
	c6 := dialUDP(t, s6.udp, "alice", "secret")
	r, relay := c6.allocate(rawAttr{attrReqAddrFamily, []byte{familyIPv6, 0, 0, 0}})
	if errCode(r) != 0 || !relay.Addr().Is6() {
		t.Fatalf("T-24 %v %v", r, relay)
	}
	if r := c6.do(stun.MethodCreatePermission, peerAttr(netip.MustParseAddrPort("127.0.0.1:9"))); errCode(r) != 443 {
		t.Fatalf("443 on an IPv4 peer: %v", r)
	}
}

// Bad input: malformed STUN, non-STUN bytes and requests with broken
// integrity are answered or dropped; the server keeps serving.
func TestBadInputKeepsServing(t *testing.T) {
	s := newTestServer(t, nil)
	c := dialUDP(t, s.udp, "alice", "secret")
	junk := [][]byte{
		{},
		{0x00, 0x01},
		{0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, // length beyond data
		bytes.Repeat([]byte{0xff}, 64),
		{0x00, 0x03, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x00, 0x19, 0x00, 0x10},
	}
	for _, j := range junk {
		c.write(j)
	}
	// Broken MESSAGE-INTEGRITY: 401.
	c.do(stun.MethodBinding)
	m, _ := stun.Build(stun.TransactionID, stun.NewType(stun.MethodAllocate, stun.ClassRequest), transport(17),
		stun.NewUsername("alice"), stun.NewRealm("test"), stun.NewNonce(c.nonce), stun.NewLongTermIntegrity("alice", "test", "nope"))
	c.write(m.Raw)
	if r := c.wait(m.TransactionID); errCode(r) != 401 {
		t.Fatalf("bad integrity: %v", r)
	}
	if r, _ := c.allocate(); errCode(r) != 0 {
		t.Fatalf("server stopped serving: %v", r)
	}
}

func TestClassify443(t *testing.T) {
	stunBind, _ := hex.DecodeString("000300082112a442")
	for _, c := range []struct {
		b    []byte
		turn bool
	}{{stunBind, true}, {[]byte{0x16, 0x03, 0x01, 0, 0, 0, 0, 0}, false}, {[]byte("GET / HTTP/1.1"), false}, {[]byte{0x40, 0, 0, 4}, false}} {
		if Classify443(c.b) != c.turn {
			t.Errorf("T-27 % x", c.b)
		}
	}
}

func TestServerRefs(t *testing.T) {
	if a := ValidateServerRefs(true, nil); len(a) != 1 || a[0].ID != 55026 {
		t.Fatalf("T-28 %v", a)
	}
	a := ValidateServerRefs(true, []ServerRef{{Address: netip.MustParseAddr("0.0.0.0"), Port: 3478}, {Address: lo, Port: 3478}})
	if len(a) != 1 || a[0].ID != 55019 {
		t.Fatalf("%v", a)
	}
}

// BandwidthCap: an allocation's relayed bytes per second are capped;
// excess is dropped and counted.
func TestBandwidthCap(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.BandwidthCap = 1000 })
	c := dialUDP(t, s.udp, "alice", "secret")
	c.allocate()
	p := newPeer(t)
	if r := c.do(stun.MethodChannelBind, chanAttr(0x4000), peerAttr(p.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	frame := append([]byte{0x40, 0x00, 0x00, 200}, make([]byte, 200)...)
	for i := 0; i < 10; i++ {
		c.write(frame)
	}
	c.do(stun.MethodBinding) // same reader: the frames above were handled
	if st := s.Stats(); st.PacketsToPeer != 5 || st.Dropped != 5 {
		t.Fatalf("1000 B/s admits five 200-byte packets at once: %+v", st)
	}
	s.clock.add(time.Second) // the bucket refills
	c.write(frame)
	c.do(stun.MethodBinding)
	if st := s.Stats(); st.PacketsToPeer != 6 {
		t.Fatalf("after a second: %+v", st)
	}
}

// RFC 8656 ADDITIONAL-ADDRESS-FAMILY: a dual allocation returns an IPv4
// and an IPv6 relayed address, and relays to peers of each family.
func TestDualAllocation(t *testing.T) {
	six := netip.MustParseAddr("::1")
	if c, err := newPeerErr(six); err != nil {
		t.Skip("no IPv6 loopback: " + err.Error())
	} else {
		c.Close()
	}
	s := newTestServer(t, func(c *Config) {
		c.RelayAddress6 = six
		c.AllowedPeers = append(c.AllowedPeers, netip.MustParsePrefix("::1/128"))
	})
	c := dialUDP(t, s.udp, "alice", "secret")
	r := c.do(stun.MethodAllocate, transport(17), rawAttr{attrAddlAddrFamily, []byte{familyIPv6, 0, 0, 0}})
	var relays []netip.AddrPort
	for _, a := range r.Attributes {
		if a.Type == stun.AttrXORRelayedAddress {
			ap, _ := xorAddr(a.Value, r.TransactionID[:])
			relays = append(relays, ap)
		}
	}
	if errCode(r) != 0 || len(relays) != 2 || !relays[0].Addr().Is4() || !relays[1].Addr().Is6() {
		t.Fatalf("dual allocation: %v %v", r, relays)
	}
	p6 := newPeerAt(t, six)
	if r := c.do(stun.MethodCreatePermission, peerAttr(p6.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	ind, _ := stun.Build(stun.TransactionID, stun.NewType(stun.MethodSend, stun.ClassIndication), peerAttr(p6.addr()),
		rawAttr{attrData, []byte("v6")})
	c.write(ind.Raw)
	if b, from := p6.recv(); string(b) != "v6" || from.Addr() != six || from.Port() != relays[1].Port() {
		t.Fatalf("%q from %v", b, from)
	}
}

// WriteMetrics exposes the counters in the Prometheus text format.
func TestWriteMetrics(t *testing.T) {
	s := newTestServer(t, nil)
	dialUDP(t, s.udp, "alice", "secret").allocate()
	var b strings.Builder
	if err := s.WriteMetrics(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"turn_allocations 1\n", "turn_allocations_total 1\n", `turn_responses_total{result="error"} 1`,
		"# TYPE turn_relayed_packets_total counter", `turn_alarm{id="30005"} 0`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

// A stream client that stops reading does not stall the relays of other
// clients served by the same poller: frames for it queue (then drop)
// behind its own writer (bad input: never a hang).
func TestSlowStreamClientDoesNotStallRelays(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Pollers = 1 })
	slow := dialTCP(t, s.tcp, "alice", "secret")
	_, slowRelay := slow.allocate()
	p1 := newPeer(t)
	if r := slow.do(stun.MethodCreatePermission, peerAttr(p1.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	fast := dialUDP(t, s.udp, "bob", "builder")
	_, fastRelay := fast.allocate()
	p2 := newPeer(t)
	if r := fast.do(stun.MethodChannelBind, chanAttr(0x4002), peerAttr(p2.addr())); errCode(r) != 0 {
		t.Fatal(r)
	}
	// The slow client's reader stops after 256 frames (its inbox is full),
	// so 30 MB fill every buffer between the server and it.
	payload := make([]byte, 1200)
	for i := 0; i < 25000; i++ {
		if _, err := p1.c.WriteToUDPAddrPort(payload, slowRelay); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		if _, err := p2.c.WriteToUDPAddrPort([]byte("still here"), fastRelay); err != nil {
			t.Fatal(err)
		}
	}
	if b := fast.next(t); !bytes.Equal(b[4:], []byte("still here")) {
		t.Fatalf("% x", b)
	}
}
