package turn

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/stun/v3"
)

func selfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "turn.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"turn.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TLS and DTLS client transports: an allocation is made and data relayed
// through a channel over each (issue 8: listeners on TLS and DTLS).
func TestTLSAndDTLSTransports(t *testing.T) {
	cert := selfSigned(t)
	s := newTestServer(t, func(c *Config) {
		c.Listeners = []Listener{
			{Network: TLS, Addr: netip.AddrPortFrom(lo, 0), TLS: &tls.Config{Certificates: []tls.Certificate{cert}}},
			{Network: DTLS, Addr: netip.AddrPortFrom(lo, 0), DTLS: &dtls.Config{Certificates: []tls.Certificate{cert}}},
		}
	})
	addrs := s.Addrs()
	tconn, err := tls.Dial("tcp", addrs[0].String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dconn, err := dtls.Dial("udp", net.UDPAddrFromAddrPort(addrPortOf(addrs[1])), &dtls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := dconn.HandshakeContext(ctx); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*tclient{
		"tls":  dialConn(t, tconn, false, "alice", "secret"),
		"dtls": dialConn(t, dconn, true, "alice", "secret"),
	} {
		r, relay := c.allocate()
		if errCode(r) != 0 {
			t.Fatalf("%s allocate: %v", name, r)
		}
		p := newPeer(t)
		if r := c.do(stun.MethodChannelBind, chanAttr(0x4444), peerAttr(p.addr())); errCode(r) != 0 {
			t.Fatalf("%s channel bind: %v", name, r)
		}
		frame := []byte{0x44, 0x44, 0x00, 0x02, 'h', 'i', 0, 0}
		if name == "dtls" {
			frame = frame[:6] // datagram transport: no padding
		}
		c.write(frame)
		if b, from := p.recv(); string(b) != "hi" || from != relay {
			t.Fatalf("%s: %q from %v", name, b, from)
		}
		p.c.WriteToUDPAddrPort([]byte("yo"), relay)
		want := []byte{0x44, 0x44, 0x00, 0x02, 'y', 'o', 0, 0}
		if name == "dtls" {
			want = want[:6]
		}
		if got := c.next(t); string(got) != string(want) {
			t.Fatalf("%s: % x", name, got)
		}
	}
}
