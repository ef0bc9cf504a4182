package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/turn"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// startServer runs an in-process TURN server on 127.0.0.1 with user
// "user"/"pass" in realm "test"; allow lists the peers it may relay to
// although they are loopback (the design's peer address filtering refuses
// them otherwise).
func startServer(t testing.TB, allow ...netip.Prefix) netip.AddrPort {
	t.Helper()
	lo, hi := relayRange(t)
	s, err := turn.NewServer(turn.Config{
		Listeners:    []turn.Listener{{Network: turn.UDP, Addr: netip.AddrPortFrom(loopback, 0)}},
		RelayAddress: loopback, RelayPortMin: lo, RelayPortMax: hi, MaxRelays: 16,
		Realm: "test", Credentials: turn.StaticCredentials{"user": "pass"},
		AllowedPeers: allow,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Addrs()[0].(*net.UDPAddr).AddrPort()
}

// relayRange picks 16 relay ports starting at a port free right now.
func relayRange(t testing.TB) (uint16, uint16) {
	t.Helper()
	for port := 21000 + int(time.Now().UnixNano()%4000)&^15; ; port += 16 {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: loopback.AsSlice(), Port: port})
		if err == nil {
			c.Close()
			return uint16(port), uint16(port + 15)
		}
		if port > 30000 {
			t.Fatal("no free relay range")
		}
	}
}

func testConfig(server netip.AddrPort) Config {
	return Config{Server: server, User: "user", Pass: "pass", Clients: 2, N: 500, Size: 200, Window: 32, Timeout: 20 * time.Second}
}

// TURN-18, TURN-23, TURN-24: the long-term-credential Allocate and the
// ChannelBind (which installs the permission) succeed, and every packet
// sent over the channel comes back through the relay and the
// built-in echo peer, with pollers and with blocking readers.
func TestFloodReturnsEveryPacket(t *testing.T) {
	srv := startServer(t, netip.MustParsePrefix("127.0.0.0/8"))
	for _, blocking := range []bool{false, true} {
		cfg := testConfig(srv)
		cfg.Blocking = blocking
		res, err := Run(t.Context(), cfg)
		if err != nil {
			t.Fatalf("blocking=%v: %v", blocking, err)
		}
		if res.Sent != 1000 || res.Received != 1000 || res.Lost != 0 || res.Elapsed <= 0 {
			t.Fatalf("blocking=%v: %+v, want 1000 sent and returned", blocking, res)
		}
	}
}

// TURN-18: wrong credentials are a setup error, not a run with everything lost.
func TestFloodWrongPassword(t *testing.T) {
	srv := startServer(t, netip.MustParsePrefix("127.0.0.0/8"))
	cfg := testConfig(srv)
	cfg.Pass = "wrong"
	if _, err := Run(t.Context(), cfg); !errors.Is(err, errAuth) {
		t.Fatalf("err = %v, want %v", err, errAuth)
	}
}

// Peer address filtering (design): a server that refuses loopback peers answers ChannelBind with 403,
// reported as such.
func TestFloodPeerForbidden(t *testing.T) {
	srv := startServer(t) // loopback peers refused
	if _, err := Run(t.Context(), testConfig(srv)); !errors.Is(err, errForbidden) {
		t.Fatalf("err = %v, want %v", err, errForbidden)
	}
}

// A peer that never answers: every stalled window is given up after
// Stall and the run ends with everything counted lost instead of hanging.
func TestFloodBlackHolePeer(t *testing.T) {
	srv := startServer(t, netip.MustParsePrefix("127.0.0.0/8"))
	hole, err := net.ListenUDP("udp", &net.UDPAddr{IP: loopback.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	cfg := testConfig(srv)
	cfg.N, cfg.Window, cfg.Stall = 64, 16, 20*time.Millisecond
	cfg.Peer = hole.LocalAddr().(*net.UDPAddr).AddrPort()
	res, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 128 || res.Received != 0 || res.Lost != 128 {
		t.Fatalf("%+v, want 128 sent and lost", res)
	}
}

// No server at all: setup gives up with errNoAnswer, and a cancelled
// context ends it at once.
func TestFloodNoServer(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: loopback.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close() // bound but silent
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cfg := testConfig(c.LocalAddr().(*net.UDPAddr).AddrPort())
	if _, err := Run(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want %v", err, context.Canceled)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Server: netip.MustParseAddrPort("127.0.0.1:3478"), Clients: 1, N: 1, Window: 1, Size: 4},
		{Server: netip.MustParseAddrPort("127.0.0.1:3478"), Clients: 0, N: 1, Window: 1, Size: 8},
		{Server: netip.MustParseAddrPort("127.0.0.1:3478"), Clients: 1, N: 1, Window: 1, Size: 70000},
	} {
		if _, err := Run(t.Context(), cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// BenchmarkFlood runs the generator against the in-process server: one
// op is one packet relayed to the echo peer and back. allocs/op covers
// the generator and the server together and should round to 0 (setup
// allocations spread over b.N packets).
func BenchmarkFlood(b *testing.B) {
	srv := startServer(b, netip.MustParsePrefix("127.0.0.0/8"))
	cfg := testConfig(srv)
	cfg.N = max(b.N/cfg.Clients, 1)
	cfg.Window = 64
	b.ReportAllocs()
	b.ResetTimer()
	res, err := Run(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Received)/res.Elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(res.Lost), "lost")
}
