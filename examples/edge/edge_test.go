package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/registrar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func freePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(t, err)
		p := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		u.Close()
		if err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no free port")
	return 0
}

const testConfig = `
sip:
  addresses: [127.0.0.1]
  transports: [udp, tcp]
  udp_port: -1
  tcp_port: -1
registrar:
  domains: [causeway.local]
http:
  address: 127.0.0.1:0
cdr:
  file: %s
call_policy:
  rules:
    - source_type: Unauthenticated
      destination_pattern: "blocked@.*"
      action: Reject
search_rules:
  - name: LocalZoneMatch
    priority: 50
    mode: AnyAlias
    target_name: LocalZone
%s`

type edge struct {
	*Server
	regs chan registrar.Event
	cdr  string
}

func startEdge(t *testing.T, extra string) *edge {
	t.Helper()
	return startEdgeConfig(t, fmt.Sprintf(testConfig, filepath.Join(t.TempDir(), "cdr.jsonl"), extra))
}

// startEdgeConfig starts an edge on a whole configuration text.
func startEdgeConfig(t *testing.T, text string) *edge {
	t.Helper()
	cfg, err := LoadConfig([]byte(text))
	require.NoError(t, err)
	cdr := cfg.CDR.File
	s, err := NewServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	e := &edge{Server: s, regs: make(chan registrar.Event, 64), cdr: cdr}
	s.OnRegistration = func(ev registrar.Event) { e.regs <- ev }
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return e
}

func needSipp(t *testing.T) string {
	p, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed (Debian package sip-tester)")
	}
	return p
}

// sipp runs one sipp scenario to completion against target.
type sippRun struct {
	cmd *exec.Cmd
	out *strings.Builder
}

func startSipp(t *testing.T, target string, mode string, port int, args ...string) *sippRun {
	t.Helper()
	bin := needSipp(t)
	base := []string{target, "-t", mode, "-i", "127.0.0.1", "-p", strconv.Itoa(port)}
	if !slices.Contains(args, "-m") {
		base = append(base, "-m", "1")
	}
	all := append(append(base,
		"-timeout", "20", "-timeout_error", "-nostdin", "-max_socket", "10", "-key", "domain", "causeway.local"), args...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, all...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	return &sippRun{cmd: cmd, out: out}
}

func (r *sippRun) wait(t *testing.T) {
	t.Helper()
	if err := r.cmd.Wait(); err != nil {
		o := r.out.String()
		if len(o) > 3000 {
			o = o[len(o)-3000:]
		}
		t.Fatalf("sipp %v: %v\n%s", r.cmd.Args, err, o)
	}
}

func (e *edge) target(network string) string { return e.SIPAddr(network).String() }

// register registers user with a Contact at contactPort and waits for
// the binding.
func (e *edge) register(t *testing.T, mode, network, user string, contactPort int, extra ...string) {
	t.Helper()
	sc := "testdata/sipp/register.xml"
	if len(extra) > 0 {
		sc = "testdata/sipp/register-auth.xml"
	}
	args := append([]string{"-sf", sc, "-key", "user", user, "-key", "contact_port", strconv.Itoa(contactPort)}, extra...)
	startSipp(t, e.target(network), mode, freePort(t), args...).wait(t)
}

var modes = []struct{ name, mode, network string }{{"udp", "u1", "udp"}, {"tcp", "t1", "tcp"}}

// The end-to-end scenario over UDP and TCP: two sipp UAs register
// and one calls the other through the edge (INVITE/180/200/ACK/BYE); a CDR
// line is written (SIP-50, SIP-57, SIP-80, SIP-84, SIP-130).
func TestSippCall(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := startEdge(t, "")
			bobPort, alicePort := freePort(t), freePort(t)
			e.register(t, m.mode, m.network, "bob", bobPort)
			e.register(t, m.mode, m.network, "alice", alicePort)
			uas := startSipp(t, e.target(m.network), m.mode, bobPort, "-sf", "testdata/sipp/uas.xml")
			startSipp(t, e.target(m.network), m.mode, alicePort, "-sf", "testdata/sipp/uac.xml", "-key", "user", "alice", "-s", "bob").wait(t)
			uas.wait(t)

			st := e.status(context.Background())
			assert.Len(t, st.Registrations, 2)
			assert.Equal(t, int64(1), st.Counters["calls_answered"])
			assert.Eventually(t, func() bool { return e.callsEnded.Load() == 1 }, 5*time.Second, 10*time.Millisecond)
			f, err := os.Open(e.cdr)
			require.NoError(t, err)
			defer f.Close()
			sc := bufio.NewScanner(f)
			require.True(t, sc.Scan())
			var rec cdrRecord
			require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
			assert.Equal(t, "200 OK", rec.Status)
			assert.Equal(t, "SIP <-> SIP", rec.Protocol)
			assert.Contains(t, rec.DestinationAlias, "bob@causeway.local")
		})
	}
}

// Failure paths driven by sipp: unknown user 404, Max-Forwards 0 → 483,
// CPL rule table → 403, callee busy → 486.
func TestSippFailures(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := startEdge(t, "")
			tmpl, err := os.ReadFile("testdata/sipp/uac-fail.xml")
			require.NoError(t, err)
			fail := func(callee, expect, mf string) {
				t.Helper()
				// sipp takes no keyword in a response code: one file per code.
				sc := filepath.Join(t.TempDir(), "uac-"+expect+".xml")
				require.NoError(t, os.WriteFile(sc, []byte(strings.ReplaceAll(string(tmpl), `response="[expect]"`, `response="`+expect+`"`)), 0o644))
				startSipp(t, e.target(m.network), m.mode, freePort(t), "-sf", sc,
					"-key", "user", "alice", "-s", callee, "-key", "mf", mf).wait(t)
			}
			fail("nobody", "404", "70")  // unknown user
			fail("nobody", "483", "0")   // SIP-82
			fail("blocked", "403", "70") // call policy rule table
			busyPort := freePort(t)
			e.register(t, m.mode, m.network, "busy", busyPort)
			uas := startSipp(t, e.target(m.network), m.mode, busyPort, "-sf", "testdata/sipp/uas-busy.xml")
			fail("busy", "486", "70")
			uas.wait(t)
			assert.Equal(t, int64(4), e.callsRejected.Load())
		})
	}
}

// SIP-41: the caller cancels a ringing call; CANCEL is answered and
// propagated, the callee's 487 reaches the caller.
func TestSippCancel(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := startEdge(t, "")
			port := freePort(t)
			e.register(t, m.mode, m.network, "bob", port)
			uas := startSipp(t, e.target(m.network), m.mode, port, "-sf", "testdata/sipp/uas-ring.xml")
			startSipp(t, e.target(m.network), m.mode, freePort(t), "-sf", "testdata/sipp/uac-cancel.xml", "-key", "user", "alice", "-s", "bob").wait(t)
			uas.wait(t)
		})
	}
}

// SIP-57, SIP-86: one AOR registered from two devices; the INVITE forks to
// both, the busy one's 486 loses to the other's 200.
func TestSippForking(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := startEdge(t, "")
			p1, p2 := freePort(t), freePort(t)
			e.register(t, m.mode, m.network, "bob", p1)
			e.register(t, m.mode, m.network, "bob", p2)
			bs, err := e.reg.Bindings(context.Background())
			require.NoError(t, err)
			require.Len(t, bs, 2)
			busy := startSipp(t, e.target(m.network), m.mode, p1, "-sf", "testdata/sipp/uas-busy.xml")
			ok := startSipp(t, e.target(m.network), m.mode, p2, "-sf", "testdata/sipp/uas.xml")
			startSipp(t, e.target(m.network), m.mode, freePort(t), "-sf", "testdata/sipp/uac.xml", "-key", "user", "alice", "-s", "bob").wait(t)
			busy.wait(t)
			ok.wait(t)
			assert.Equal(t, int64(1), e.callsAnswered.Load())
		})
	}
}

// SIP-85: a search rule that sends bob back to the edge itself loops; the
// looping INVITE is refused 482 and the caller gets it.
func TestSippLoop(t *testing.T) {
	e := startEdge(t, "")
	// Bob's binding points at the edge itself.
	req := fmt.Sprintf("REGISTER sip:causeway.local SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKloop\r\nFrom: <sip:bob@causeway.local>;tag=1\r\nTo: <sip:bob@causeway.local>\r\nCall-ID: loop\r\nCSeq: 1 REGISTER\r\nContact: <sip:bob@%s>\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n", e.target("udp"))
	m, err := sip.ParseMessage([]byte(req))
	require.NoError(t, err)
	resp, err := e.reg.Register(context.Background(), m, registrar.Source{Network: "udp"})
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode())
	tmpl, err := os.ReadFile("testdata/sipp/uac-fail.xml")
	require.NoError(t, err)
	sc := filepath.Join(t.TempDir(), "uac-482.xml")
	require.NoError(t, os.WriteFile(sc, []byte(strings.ReplaceAll(string(tmpl), `response="[expect]"`, `response="482"`)), 0o644))
	startSipp(t, e.target("udp"), "u1", freePort(t), "-sf", sc, "-key", "user", "alice", "-s", "bob", "-key", "mf", "70").wait(t)
}

// SIP-51 step 2: REGISTER with digest authentication by sipp.
func TestSippRegisterDigest(t *testing.T) {
	cdr := filepath.Join(t.TempDir(), "cdr.jsonl")
	cfg, err := LoadConfig([]byte(fmt.Sprintf(strings.Replace(testConfig, "  domains: [causeway.local]", "  domains: [causeway.local]\n  authentication: true", 1), cdr, "users:\n  meetingroom1: mypassword\n")))
	require.NoError(t, err)
	s, err := NewServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	defer s.Shutdown(context.Background())
	for _, m := range modes {
		startSipp(t, s.SIPAddr(m.network).String(), m.mode, freePort(t), "-sf", "testdata/sipp/register-auth.xml",
			"-key", "user", "meetingroom1", "-key", "contact_port", "5999", "-au", "meetingroom1", "-ap", "mypassword").wait(t)
	}
	bs, _ := s.reg.Bindings(context.Background())
	assert.Len(t, bs, 2)
}

// /status and /metrics.
func TestStatusAndMetrics(t *testing.T) {
	e := startEdge(t, "")
	resp, err := http.Get("http://" + e.HTTPAddr() + "/status")
	require.NoError(t, err)
	defer resp.Body.Close()
	var st Status
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	assert.Len(t, st.Listeners, 2)
	m, err := http.Get("http://" + e.HTTPAddr() + "/metrics")
	require.NoError(t, err)
	defer m.Body.Close()
	b, _ := io.ReadAll(m.Body)
	assert.Contains(t, string(b), "causeway_registrations 0")
}

// A bad configuration lists every fault and exits 2.
func TestBadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("sip:\n  addresses: [nope]\n  transports: [sctp]\nregistrar:\n  domains: []\n  standard: {minimum: 10, maximum: 60}\nhttp:\n  address: bad\n"), 0o644))
	var out strings.Builder
	assert.Equal(t, 2, run([]string{"-config", path}, &out))
	for _, s := range []string{"sip.addresses", "sip.transports", "registrar.domains", "standard minimum 10", "http.address"} {
		assert.Contains(t, out.String(), s)
	}
}

// The embedded default configuration loads.
func TestDefaultConfig(t *testing.T) {
	cfg, err := LoadConfig(defaultConfig)
	require.NoError(t, err)
	assert.Equal(t, []string{"causeway.local"}, cfg.Registrar.Domains)
	assert.Equal(t, []string{"udp", "tcp", "tls"}, cfg.SIP.Transports)
}
