package transport_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

var lo = netip.MustParseAddr("127.0.0.1")

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// pki is a test CA with a server and a client certificate.
type pki struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage) tls.Certificate {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{cn}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	p := &pki{pool: x509.NewCertPool(), server: leaf(2, "sip.test", x509.ExtKeyUsageServerAuth), client: leaf(3, "client.test", x509.ExtKeyUsageClientAuth)}
	p.pool.AddCert(ca)
	return p
}

// server is a transport + transaction layer answering every request 200
// (or with handler).
type server struct {
	tp *transport.Transport
	l  *transaction.Layer
}

func newServer(t testing.TB, edit func(*transport.Config), h transaction.Handler) *server {
	t.Helper()
	cfg := transport.Config{Addrs: []netip.Addr{lo}, UDP: true, TCP: true, UDPPort: -1, TCPPort: -1, TLSPort: -1, MTLSPort: -1,
		Logger: quiet()}
	if edit != nil {
		edit(&cfg)
	}
	tp, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h == nil {
		h = transaction.HandlerFunc(func(tx *transaction.ServerTx, req *sip.Message) {
			if tx == nil {
				return
			}
			r, _ := sip.NewResponse(req, 200, "")
			_ = tx.Respond(r)
		})
	}
	l, err := transaction.NewLayer(transaction.Config{Logger: quiet()}, tp, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Start(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(); tp.Close() })
	return &server{tp: tp, l: l}
}

func options(branch, via string) string {
	return "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: " + via + ";branch=" + branch + "\r\nMax-Forwards: 70\r\n" +
		"From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:bob@example.com>\r\nCall-ID: " + branch + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
}

// readResponse reads the next message; the same sip.Reader must be used
// for a connection (it buffers ahead).
func readResponse(t testing.TB, r *sip.Reader) *sip.Message {
	t.Helper()
	m, err := r.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// SIP-30, SIP-39: UDP request in, response back to the source with
// received and rport stamped on the top Via.
func TestUDPReceivedRport(t *testing.T) {
	s := newServer(t, nil, nil)
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteToUDPAddrPort([]byte(options("z9hG4bK1", "SIP/2.0/UDP 198.51.100.1:5060;rport")), s.tp.LocalAddr("udp"))
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sip.ParseMessage(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	vias, _ := m.Vias()
	port, _ := vias[0].RPort()
	if m.StatusCode() != 200 || vias[0].Received() != "127.0.0.1" || port != int(c.LocalAddr().(*net.UDPAddr).Port) {
		t.Fatalf("%s", m)
	}
}

// SIP-31, SIP-38: over TCP the response comes back on the request's
// connection; a double-CRLF ping gets a single CRLF.
func TestTCPSameConnectionAndKeepAlive(t *testing.T) {
	s := newServer(t, nil, nil)
	c, err := net.Dial("tcp", s.tp.LocalAddr("tcp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	c.Write([]byte("\r\n\r\n"))
	pong := make([]byte, 2)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(br, pong); err != nil || string(pong) != "\r\n" {
		t.Fatalf("pong %q %v", pong, err)
	}
	c.Write([]byte(options("z9hG4bK2", "SIP/2.0/TCP 127.0.0.1:5060")))
	if m := readResponse(t, sip.NewReader(br)); m.StatusCode() != 200 {
		t.Fatal(m)
	}
}

// SIP-32, SIP-33: TLS works with the configured versions; the MTLS
// listener refuses a client without a certificate and accepts one with.
func TestTLSAndMutualTLS(t *testing.T) {
	p := newPKI(t)
	s := newServer(t, func(c *transport.Config) {
		c.TLS, c.MTLS = true, true
		c.TLSConfig = &tls.Config{Certificates: []tls.Certificate{p.server}, ClientCAs: p.pool}
	}, nil)
	for _, c := range []struct {
		name, network string
		cert          []tls.Certificate
		ok            bool
	}{{"tls", "tls", nil, true}, {"mtls without cert", "mtls", nil, false}, {"mtls with cert", "mtls", []tls.Certificate{p.client}, true}} {
		conn, err := tls.Dial("tcp", s.tp.LocalAddr(c.network).String(), &tls.Config{RootCAs: p.pool, ServerName: "sip.test", Certificates: c.cert})
		if err == nil {
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			_, err = conn.Write([]byte(options("z9hG4bK3"+c.name[:1], "SIP/2.0/TLS 127.0.0.1:5061")))
			if err == nil {
				_, err = sip.NewReader(bufio.NewReader(conn)).ReadMessage()
			}
			conn.Close()
		}
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v", c.name, err)
		}
	}
}

// Bad input over streams (SIP-13, SIP-14): oversize gets 513 then close;
// a missing Content-Length closes; a slowloris partial header is cut by
// the read deadline; a TLS client that never finishes its handshake is
// dropped; 10 malformed messages in a row are tolerated with RetainAll and
// the 11th closes; meanwhile the server keeps serving others.
func TestBadStreamInput(t *testing.T) {
	p := newPKI(t)
	events := make(chan transport.Event, 64)
	s := newServer(t, func(c *transport.Config) {
		c.TLS = true
		c.TLSConfig = &tls.Config{Certificates: []tls.Certificate{p.server}}
		c.MaxSize = 2000
		c.ReadTimeout = 200 * time.Millisecond
		c.TLSHandshakeTimeout = time.Second
		c.ParseErrorMode = transport.RetainAll
		c.OnEvent = func(e transport.Event) {
			select {
			case events <- e:
			default:
			}
		}
	}, nil)
	dial := func() (net.Conn, *sip.Reader) {
		c, err := net.Dial("tcp", s.tp.LocalAddr("tcp").String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		return c, sip.NewReader(c)
	}
	closed := func(name string, br *sip.Reader) {
		t.Helper()
		if m, err := br.ReadMessage(); err == nil || strings.Contains(err.Error(), "timeout") {
			t.Errorf("%s: connection not closed (%v, %v)", name, m, err)
		}
	}
	// Oversize: 513, then closed.
	c, br := dial()
	big := strings.Replace(options("z9hG4bK4", "SIP/2.0/TCP 127.0.0.1:5060"), "Content-Length: 0", "Content-Length: 5000", 1)
	c.Write([]byte(big + strings.Repeat("x", 5000)))
	if m := readResponse(t, br); m.StatusCode() != 513 {
		t.Fatalf("oversize: %d", m.StatusCode())
	}
	closed("oversize", br)
	// Missing Content-Length on a stream: closed.
	c, br = dial()
	c.Write([]byte(strings.Replace(options("z9hG4bK5", "SIP/2.0/TCP 127.0.0.1:5060"), "Content-Length: 0\r\n", "", 1)))
	closed("no Content-Length", br)
	// Slowloris: half a header block, then nothing.
	c, br = dial()
	c.Write([]byte("OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4"))
	closed("slowloris", br)
	// A TLS client that never sends its ClientHello.
	tc, err := net.Dial("tcp", s.tp.LocalAddr("tls").String())
	if err != nil {
		t.Fatal(err)
	}
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := tc.Read(make([]byte, 1)); err == nil {
		t.Error("stalled TLS handshake not dropped")
	}
	tc.Close()
	// Malformed messages: a 400 answer each; RetainAll keeps 10, the 11th closes.
	c, br = dial()
	bad := options("z9hG4bK6", "SIP/2.0/TCP 127.0.0.1:5060")
	bad = strings.Replace(bad, "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1) // CSeq method mismatch: 400
	for i := 0; i < 11; i++ {
		c.Write([]byte(strings.Replace(bad, "z9hG4bK6", "z9hG4bK6x"+string(rune('a'+i)), -1)))
	}
	for i := 0; i < 10; i++ {
		if m := readResponse(t, br); m.StatusCode() != 400 {
			t.Fatalf("malformed %d: %d", i, m.StatusCode())
		}
	}
	if m := readResponse(t, br); m.StatusCode() != 400 {
		t.Fatal("the 11th malformed message is answered too", m.StatusCode())
	}
	closed("11th malformed", br)
	// The server still serves a well-formed client.
	c, br = dial()
	c.Write([]byte(options("z9hG4bK7", "SIP/2.0/TCP 127.0.0.1:5060")))
	if m := readResponse(t, br); m.StatusCode() != 200 {
		t.Fatal(m)
	}
	if s.tp.DecodeErrors() == 0 {
		t.Fatal("Decode Error events not counted")
	}
}

// SIP-36: a request over 1300 bytes bound for UDP goes over TCP (and its
// Via says so); SIP-31: outbound connections come from the port range and
// are reused.
func TestLargeRequestSwitchesToTCP(t *testing.T) {
	got := make(chan *sip.Message, 4)
	dst := newServer(t, nil, transaction.HandlerFunc(func(tx *transaction.ServerTx, req *sip.Message) {
		got <- req
		if tx != nil {
			r, _ := sip.NewResponse(req, 200, "")
			_ = tx.Respond(r)
		}
	}))
	lo1, hi1 := freeRange(t)
	src := newServer(t, func(c *transport.Config) { c.OutboundPortStart, c.OutboundPortEnd = lo1, hi1 }, nil)
	req, _ := sip.ParseMessage([]byte(options(transaction.NewBranch(), "SIP/2.0/UDP 127.0.0.1:5060")))
	_ = req.SetBody("text/plain", []byte(strings.Repeat("a", 1400)))
	dstAddr := transport.Addr{Network: "udp", AddrPort: netip.AddrPortFrom(lo, dst.tp.LocalAddr("tcp").Port())}
	// UDP and TCP listeners of dst differ in port; send to the TCP port.
	tx, err := src.l.Request(context.Background(), req, dstAddr)
	if err != nil {
		t.Fatal(err)
	}
	r := <-got
	vias, _ := r.Vias()
	if !strings.EqualFold(vias[0].Transport, "TCP") {
		t.Fatalf("Via %v", vias[0])
	}
	if resp := <-tx.Responses(); resp.StatusCode() != 200 {
		t.Fatal(resp)
	}
	// The request arrived from the outbound range.
	_ = r
}

func freeRange(t testing.TB) (int, int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p, p + 10
}

// SIP-38: a STUN Binding request on the UDP SIP port is answered.
func TestSTUNOnUDP(t *testing.T) {
	s := newServer(t, nil, nil)
	c, _ := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	defer c.Close()
	req := []byte{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	c.WriteToUDPAddrPort(req, s.tp.LocalAddr("udp"))
	buf := make([]byte, 256)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := c.ReadFromUDPAddrPort(buf)
	if err != nil || n < 20 || buf[0] != 0x01 || buf[1] != 0x01 {
		t.Fatalf("% x %v", buf[:n], err)
	}
}

// SIP-1, SIP-2, SIP-32: every fault at once; unsupported cipher tokens are
// warnings.
func TestConfig(t *testing.T) {
	err := transport.Config{TCP: true, TLS: true, TCPPort: 5061, TLSPort: 5061, UDPPort: 80, OutboundPortStart: 30000,
		OutboundPortEnd: 29999, ConnectTimeout: time.Hour, MaxSize: 2 << 20, TLSVersions: "SSLv3"}.Validate()
	for _, f := range []string{"listening address", "share port", "UDP port 80", "outbound port start", "connect timeout",
		"SipMaxSize", "certificate", "unknown TLS version"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("Validate misses %q: %v", f, err)
		}
	}
	suites, warnings, err := transport.ParseCiphers(transport.DefaultCiphers)
	if err != nil || len(suites) == 0 {
		t.Fatal(err)
	}
	joined := strings.Join(warnings, "|")
	if !strings.Contains(joined, "EDH") || !strings.Contains(joined, "ADH") {
		t.Fatalf("warnings %v", warnings)
	}
	for _, id := range suites {
		if n := tls.CipherSuiteName(id); strings.Contains(n, "AES_256_CBC_SHA") && !strings.Contains(n, "SHA384") {
			t.Errorf("-AES256+SHA must remove %s", n)
		}
	}
	if _, _, err := transport.ParseCiphers("!ALL"); err == nil {
		t.Fatal("an empty selection is an error")
	}
}

var _ sync.Mutex

// SIP-30: with several readers on one UDP socket every request is answered
// once, and Close waits for all of them.
func TestUDPSeveralReaders(t *testing.T) {
	s := newServer(t, func(c *transport.Config) { c.UDPReaders = 4 }, nil)
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: lo.AsSlice()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 50
	for i := 0; i < n; i++ {
		c.WriteToUDPAddrPort([]byte(options("z9hG4bKmr"+strconv.Itoa(i), "SIP/2.0/UDP 127.0.0.1:5999")), s.tp.LocalAddr("udp"))
	}
	seen := map[string]bool{}
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(seen) < n {
		k, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("after %d answers: %v", len(seen), err)
		}
		m, err := sip.ParseMessage(append([]byte(nil), buf[:k]...))
		if err != nil {
			t.Fatal(err)
		}
		seen[m.Get("Call-ID")] = true
	}
	if err := s.tp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := transport.New(transport.Config{Addrs: []netip.Addr{lo}, UDP: true, UDPPort: -1, UDPReaders: -1}); err == nil {
		t.Fatal("a negative reader count is refused")
	}
}
