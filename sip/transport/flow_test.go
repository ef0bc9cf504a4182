package transport_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// SIP-55 (RFC 5626 §5.3): Connected tells whether a flow's connection is
// in the table; under WithoutDial a send reuses that connection and never
// dials one that is not there (the proxy answers 430 Flow Failed).
func TestConnectedAndWithoutDial(t *testing.T) {
	s := newServer(t, nil, nil)
	c, err := net.Dial("tcp", s.tp.LocalAddr("tcp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	flow := transport.Addr{Network: "tcp", AddrPort: c.LocalAddr().(*net.TCPAddr).AddrPort()}
	// The server knows the connection once a message came on it: read our
	// request's answer first.
	c.Write([]byte(options("z9hG4bKflow", "SIP/2.0/TCP 127.0.0.1:5060")))
	r := sip.NewReader(bufio.NewReader(c))
	if m := readResponse(t, r); m.StatusCode() != 200 {
		t.Fatal(m)
	}
	if !s.tp.Connected(flow) {
		t.Fatal("the client's connection is not reported connected")
	}
	if s.tp.Connected(transport.Addr{Network: "udp", AddrPort: flow.AddrPort}) {
		t.Fatal("UDP reported connected")
	}
	// Over the flow: delivered on the existing connection.
	req, err := sip.ParseMessage([]byte(options("z9hG4bKout", "SIP/2.0/TCP 127.0.0.1:5060")))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.tp.Send(transport.WithoutDial(context.Background()), req, flow); err != nil {
		t.Fatalf("send over the flow: %v", err)
	}
	if m := readResponse(t, r); m.Method() != "OPTIONS" {
		t.Fatal(m)
	}
	// To an address with a listener but no connection: no dial.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	gone := transport.Addr{Network: "tcp", AddrPort: netip.MustParseAddrPort(ln.Addr().String())}
	if s.tp.Connected(gone) {
		t.Fatal("an address never connected is reported connected")
	}
	err = s.tp.Send(transport.WithoutDial(context.Background()), req, gone)
	if !errors.Is(err, transport.ErrNotConnected) {
		t.Fatalf("send without dial to an unconnected address: %v, want ErrNotConnected", err)
	}
	if s.tp.Connected(gone) {
		t.Fatal("the send without dial opened a connection")
	}
}
