package registrar

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registrarServer answers every REGISTER the transport reads with r.
type registrarServer struct {
	t  *testing.T
	tp *transport.Transport
	r  *Registrar
}

func (s *registrarServer) Receive(m *sip.Message, src transport.Addr) {
	if !m.IsRequest() {
		return
	}
	resp, err := s.r.Register(context.Background(), m, Source{Network: src.Network, Addr: src.AddrPort, Flow: src.Network + "/" + src.AddrPort.String()})
	if err != nil {
		s.t.Errorf("Register: %v", err)
		return
	}
	if err := s.tp.Send(context.Background(), resp, src); err != nil {
		s.t.Errorf("Send: %v", err)
	}
}

func startServer(t *testing.T, cfg Config) (*registrarServer, *clock) {
	t.Helper()
	r, clk := newReg(t, cfg)
	tp, err := transport.New(transport.Config{Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, UDP: true, TCP: true,
		UDPPort: -1, TCPPort: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	s := &registrarServer{t: t, tp: tp, r: r}
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, tp.Start(ctx, s))
	t.Cleanup(func() { cancel(); _ = tp.Close() })
	return s, clk
}

// registerText is a REGISTER as a UA writes it.
func registerText(via, aor, callID string, cseq int, expires string, contacts ...string) string {
	s := fmt.Sprintf("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/%s;branch=z9hG4bK%s-%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:%s>;tag=ua\r\nTo: <sip:%s>\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n", via, callID, cseq, aor, aor, callID, cseq)
	for _, c := range contacts {
		s += "Contact: " + c + "\r\n"
	}
	return s + "Expires: " + expires + "\r\nContent-Length: 0\r\n\r\n"
}

// SIP-57, SIP-58, SIP-60 over real sockets: REGISTERs over UDP and TCP on
// 127.0.0.1, a refresh, a stale CSeq, and the wildcard unregistration.
func TestRegisterOverSockets(t *testing.T) {
	var ended []Ended
	endedCh := make(chan Ended, 16)
	s, _ := startServer(t, Config{OnEnd: func(e Ended) { endedCh <- e }})
	deadline := time.Now().Add(5 * time.Second)

	udp, err := net.Dial("udp", s.tp.LocalAddr("udp").String())
	require.NoError(t, err)
	defer udp.Close()
	require.NoError(t, udp.SetDeadline(deadline))
	buf := make([]byte, 65535)
	udpDo := func(text string) *sip.Message {
		t.Helper()
		_, err := udp.Write([]byte(text))
		require.NoError(t, err)
		n, err := udp.Read(buf)
		require.NoError(t, err)
		m, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		require.NoError(t, err)
		return m
	}
	uvia := "UDP " + udp.LocalAddr().String()

	tcp, err := net.Dial("tcp", s.tp.LocalAddr("tcp").String())
	require.NoError(t, err)
	defer tcp.Close()
	require.NoError(t, tcp.SetDeadline(deadline))
	rd := sip.NewReader(tcp)
	tcpDo := func(text string) *sip.Message {
		t.Helper()
		_, err := tcp.Write([]byte(text))
		require.NoError(t, err)
		m, err := rd.ReadMessage()
		require.NoError(t, err)
		return m
	}
	tvia := "TCP " + tcp.LocalAddr().String()

	resp := udpDo(registerText(uvia, "alice@example.com", "u1", 1, "3600", "<sip:alice@192.0.2.1>"))
	require.Equal(t, 200, resp.StatusCode())
	assert.Equal(t, []int{60}, contactExpires(t, resp))
	resp = tcpDo(registerText(tvia, "alice@example.com", "t1", 1, "3600", "<sip:alice@192.0.2.2;transport=tcp>"))
	require.Equal(t, 200, resp.StatusCode())
	assert.Equal(t, 2, resp.Count("Contact"), "SIP-57: both contacts listed")

	bs := lookup(t, s.r, alice)
	require.Len(t, bs, 2)
	byNet := map[string]Binding{}
	for _, b := range bs {
		byNet[b.Network] = b
	}
	assert.Equal(t, "tcp/"+tcp.LocalAddr().String(), byNet["tcp"].Flow)
	assert.Equal(t, tcp.LocalAddr().String(), byNet["tcp"].Source.String())
	assert.Equal(t, udp.LocalAddr().String(), byNet["udp"].Source.String())

	assert.Equal(t, 200, udpDo(registerText(uvia, "alice@example.com", "u1", 2, "3600", "<sip:alice@192.0.2.1>")).StatusCode())
	assert.Equal(t, 500, udpDo(registerText(uvia, "alice@example.com", "u1", 2, "3600", "<sip:alice@192.0.2.1>")).StatusCode())
	resp = tcpDo(registerText(tvia, "alice@example.com", "t1", 2, "0", "*"))
	require.Equal(t, 200, resp.StatusCode())
	assert.Zero(t, resp.Count("Contact"))
	assert.Empty(t, lookup(t, s.r, alice))
	for range 2 {
		select {
		case e := <-endedCh:
			ended = append(ended, e)
		case <-time.After(time.Until(deadline)):
			t.Fatal("no OnEnd")
		}
	}
	assert.Equal(t, []string{ReasonUnregistered, ReasonUnregistered}, reasons(ended))
}
