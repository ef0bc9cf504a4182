package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Receiver gets every message the transport reads (a transaction.Layer).
type Receiver interface {
	Receive(msg *sip.Message, src Addr)
}

// Errors.
var (
	ErrClosed        = errors.New("transport: closed")
	ErrNoOutbound    = errors.New("transport: no free outbound source port")
	ErrUnsupported   = errors.New("transport: network not enabled")
	ErrTooLarge      = errors.New("transport: message larger than SipMaxSize")
	ErrNoUDPListener = errors.New("transport: no UDP socket for the destination's address family")
)

// Transport is the SIP transport layer. It is safe for concurrent use.
type Transport struct {
	cfg        Config
	serverTLS  *tls.Config
	mtlsConf   *tls.Config
	clientTLS  *tls.Config
	recv       Receiver
	udp        []*udpSock
	listeners  []net.Listener
	local      map[string]netip.AddrPort
	mu         sync.Mutex
	conns      map[Addr]*conn
	nextPort   int
	wg         sync.WaitGroup
	done       chan struct{}
	closed     atomic.Bool
	decodeErrs atomic.Uint64
	sendBufs   sync.Pool // *[]byte, see Send
}

// New validates cfg and prepares a transport (nothing is bound yet).
func New(cfg Config) (*Transport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	t := &Transport{cfg: cfg, conns: make(map[Addr]*conn), local: make(map[string]netip.AddrPort), done: make(chan struct{}),
		nextPort: cfg.OutboundPortStart}
	for _, w := range cfg.Warnings() {
		cfg.Logger.Warn("transport: TLS configuration", "warning", w)
	}
	if cfg.TLS || cfg.MTLS || cfg.TLSConfig != nil {
		min, max, _, _ := parseVersions(cfg.TLSVersions)
		suites, _, _ := ParseCiphers(cfg.TLSCiphers)
		base := &tls.Config{}
		if cfg.TLSConfig != nil {
			base = cfg.TLSConfig.Clone()
		}
		base.MinVersion, base.MaxVersion, base.CipherSuites = min, max, suites
		t.serverTLS = base.Clone()
		if t.serverTLS.ClientAuth == tls.NoClientCert && t.serverTLS.ClientCAs != nil {
			t.serverTLS.ClientAuth = tls.VerifyClientCertIfGiven
		}
		t.mtlsConf = base.Clone()
		t.mtlsConf.ClientAuth = tls.RequireAndVerifyClientCert // SIP-33
		t.clientTLS = base.Clone()
	}
	return t, nil
}

// Start binds the enabled listeners on every address and starts reading;
// messages go to r.
func (t *Transport) Start(ctx context.Context, r Receiver) error {
	t.recv = r
	for _, a := range t.cfg.Addrs {
		if t.cfg.UDP {
			s, err := listenUDP(netip.AddrPortFrom(a, uint16(t.cfg.UDPPort)))
			if err != nil {
				t.Close()
				return err
			}
			if d := t.dscp(); d >= 0 {
				s.setDSCP(d)
			}
			t.udp = append(t.udp, s)
			t.setLocal("udp", s.local)
			for range t.udpReaders() {
				rd, ok := s.newReader(t.cfg.MaxSize)
				if !ok {
					t.Close()
					return ErrClosed
				}
				t.wg.Add(1)
				go t.serveUDP(s, rd, nil)
			}
		}
		for _, l := range []struct {
			on      bool
			network string
			port    int
			conf    *tls.Config
		}{{t.cfg.TCP, "tcp", t.cfg.TCPPort, nil}, {t.cfg.TLS, "tls", t.cfg.TLSPort, t.serverTLS}, {t.cfg.MTLS, "mtls", t.cfg.MTLSPort, t.mtlsConf}} {
			if !l.on {
				continue
			}
			ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", netip.AddrPortFrom(a, uint16(l.port)).String())
			if err != nil {
				t.Close()
				return fmt.Errorf("transport: %w", err)
			}
			t.listeners = append(t.listeners, ln)
			t.setLocal(l.network, ln.Addr().(*net.TCPAddr).AddrPort())
			t.wg.Add(1)
			go t.accept(ln, l.network, l.conf)
		}
	}
	return nil
}

func (t *Transport) setLocal(network string, a netip.AddrPort) {
	t.mu.Lock()
	if _, ok := t.local[network]; !ok {
		t.local[network] = a
	}
	t.mu.Unlock()
}

// LocalAddr returns the first bound address of a network ("udp", "tcp",
// "tls", "mtls").
func (t *Transport) LocalAddr(network string) netip.AddrPort {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.local[network]
}

// mark sets the signalling DSCP (SIP-37).
func (t *Transport) mark(c net.Conn, a netip.Addr) {
	d := t.dscp()
	if d < 0 {
		return
	}
	if a.Is4() || a.Is4In6() {
		_ = ipv4.NewConn(c).SetTOS(d << 2)
	} else {
		_ = ipv6.NewConn(c).SetTrafficClass(d << 2)
	}
}

// udpReaders is the number of reading goroutines per UDP socket.
func (t *Transport) udpReaders() int {
	if n := t.cfg.UDPReaders; n > 0 {
		return min(n, 64)
	}
	return 1
}

// dscp is the signalling DSCP, -1 for none.
func (t *Transport) dscp() int {
	if t.cfg.DSCP != nil {
		return *t.cfg.DSCP
	}
	return 24
}

// Close stops the listeners, closes every connection and waits for the
// readers.
func (t *Transport) Close() error {
	if t.closed.Swap(true) {
		return nil
	}
	close(t.done)
	var errs []error
	for _, s := range t.udp {
		s.shutdown()
	}
	for _, l := range t.listeners {
		errs = append(errs, l.Close())
	}
	t.mu.Lock()
	for _, c := range t.conns {
		c.c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	for _, s := range t.udp {
		errs = append(errs, s.close())
	}
	return errors.Join(errs...)
}

func (t *Transport) event(e Event) {
	if len(e.Buffer) > 4096 {
		e.Buffer = e.Buffer[:4096]
	}
	if e.Name == "Decode Error" {
		t.decodeErrs.Add(1)
	}
	t.cfg.Logger.Debug("transport: "+e.Name, "src", e.Src, "detail", e.Detail)
	if t.cfg.OnEvent != nil {
		t.cfg.OnEvent(e)
	}
}

// DecodeErrors counts Decode Error events.
func (t *Transport) DecodeErrors() uint64 { return t.decodeErrs.Load() }

// yieldEvery is how often a busy UDP reader passes through the
// scheduler.
const yieldEvery = 4 * time.Millisecond

// udpBatch is the datagrams of one read, copied out of the reader's
// buffers; the goroutines that take them (the reader, and a reader that
// took over from it) share the cursor.
type udpBatch struct {
	items []udpItem
	next  atomic.Int32
}

type udpItem struct {
	data []byte
	src  Addr
}

// serveUDP reads datagrams in batches and hands each to the Receiver in
// this goroutine. If a batch stalls, a new reader with its own buffers
// takes over: it first hands on what is left of the stalled batch, and
// this reader ends after its batch.
func (t *Transport) serveUDP(s *udpSock, rd *udpReader, inherited *udpBatch) {
	defer t.wg.Done()
	defer rd.done()
	var cur atomic.Pointer[udpBatch]
	h := newHandover(func() bool {
		if !t.addReader() {
			return false
		}
		nrd, ok := s.newReader(t.cfg.MaxSize)
		if !ok {
			t.wg.Done()
			return false
		}
		go t.serveUDP(s, nrd, cur.Load())
		return true
	})
	defer h.stop()
	if inherited != nil {
		cur.Store(inherited)
		h.handling()
		t.deliverBatch(inherited)
		if !h.handled() {
			return
		}
	}
	dgrams := make([]udpDatagram, 0, udpBatchSize)
	yielded := time.Now()
	for {
		var err error
		dgrams, err = rd.read(dgrams[:0])
		if err != nil {
			return
		}
		b := &udpBatch{items: make([]udpItem, 0, len(dgrams))}
		for i := range dgrams {
			m := &dgrams[i]
			src := Addr{Network: "udp", AddrPort: m.from}
			if m.truncated || len(m.data) > t.cfg.MaxSize {
				t.event(Event{Name: "Decode Error", Level: 1, Src: src, Detail: "message larger than SipMaxSize"})
				continue
			}
			if isKeepAlive(m.data) {
				continue // RFC 5626 CRLF on UDP
			}
			if stunBinding(m.data) {
				t.answerSTUN(s, m.data, src.AddrPort)
				continue
			}
			b.items = append(b.items, udpItem{data: append([]byte(nil), m.data...), src: src})
		}
		cur.Store(b)
		h.handling()
		t.deliverBatch(b)
		if !h.handled() {
			return
		}
		// The reader never parks: without a pass through the scheduler
		// at least every 10 ms, sysmon takes it for a goroutine hogging
		// its P, retakes the P from each blocking read and polls every
		// 20 µs. (Not after every batch: a yield wakes another thread.)
		if now := time.Now(); now.Sub(yielded) > yieldEvery {
			runtime.Gosched()
			yielded = now
		}
	}
}

// deliverBatch hands on the datagrams of b not yet taken.
func (t *Transport) deliverBatch(b *udpBatch) {
	for {
		i := int(b.next.Add(1)) - 1
		if i >= len(b.items) {
			return
		}
		t.deliver(b.items[i].data, b.items[i].src, nil)
	}
}

func isKeepAlive(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// deliver parses and validates a message and hands it on; it returns
// whether the message was malformed, and whether the malformed headers
// were all non-mandatory (SIP-14). c is the stream it came on, if any.
func (t *Transport) deliver(data []byte, src Addr, c *conn) (malformed, mandatory bool) {
	msg, err := sip.ParseMessage(data)
	if err != nil {
		t.event(Event{Name: "Decode Error", Level: 1, Src: src, Detail: err.Error(), Buffer: data})
		var pe *sip.ParseError
		mand := true
		if errors.As(err, &pe) && pe.Header != "" && !mandatoryHeader(pe.Header) {
			mand = false
		}
		return true, mand
	}
	return t.handle(msg, data, src, c)
}

// handle validates a parsed message, answers an invalid request (400/505),
// stamps the Via and hands the message on (SIP-14, SIP-39).
func (t *Transport) handle(msg *sip.Message, data []byte, src Addr, c *conn) (malformed, mandatory bool) {
	if err := msg.Validate(); err != nil {
		t.event(Event{Name: "Decode Error", Level: 1, Src: src, Detail: err.Error(), Buffer: data})
		var ve *sip.ValidationError
		mand := false
		code := 400
		if errors.As(err, &ve) {
			code = ve.StatusCode()
			for _, h := range ve.Headers() {
				mand = mand || mandatoryHeader(h)
			}
		}
		if msg.IsRequest() && msg.Method() != "ACK" {
			if resp, err := sip.NewResponse(msg, code, ""); err == nil {
				_ = t.Send(context.Background(), resp, src)
			}
		}
		return true, mand
	}
	if msg.IsRequest() {
		stampVia(msg, src.AddrPort)
	}
	if c != nil {
		src = c.key // responses go back on this connection
	}
	t.recv.Receive(msg, src)
	return false, false
}

// mandatoryHeader is the SIP-14 mandatory set.
func mandatoryHeader(h string) bool {
	switch strings.ToLower(h) {
	case "via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "max-forwards", "content-length", "l":
		return true
	}
	return false
}

// stampVia adds received and fills rport on the top Via (RFC 3581,
// SIP-39).
func stampVia(msg *sip.Message, src netip.AddrPort) {
	v, err := msg.Via() // the top one only: no need to parse the others
	if err != nil {
		return
	}
	host := strings.Trim(v.Host, "[]")
	_, hasRport := v.RPort()
	changed := false
	if h, err := netip.ParseAddr(host); err != nil || h.Unmap() != src.Addr() || hasRport {
		v.Params = v.Params.Set("received", src.Addr().String())
		changed = true
	}
	if hasRport {
		v.Params = v.Params.Set("rport", fmt.Sprint(src.Port()))
		changed = true
	}
	if changed {
		_ = msg.SetTopVia(v)
	}
}

// Send delivers a message (RFC 3261 §18): over UDP to dest, or over a
// connection to dest (reusing one, or dialling from the outbound port
// range; under a WithoutDial context only reusing one). A request over LargeRequestSize bound for UDP goes over TCP when
// TCP is enabled (SIP-36).
func (t *Transport) Send(ctx context.Context, msg *sip.Message, dest Addr) error {
	if t.closed.Load() {
		return ErrClosed
	}
	// The wire form goes into a pooled buffer: both the UDP send and the
	// stream write have copied it by the time Send returns.
	bp := t.sendBuf()
	defer t.putSendBuf(bp)
	b := msg.AppendTo((*bp)[:0])
	*bp = b
	if len(b) > t.cfg.MaxSize {
		return ErrTooLarge
	}
	network := strings.ToLower(dest.Network)
	if network == "udp" && msg.IsRequest() && len(b) > t.cfg.LargeRequestSize && t.cfg.TCP {
		if v, err := msg.Via(); err == nil && strings.EqualFold(v.Transport, "UDP") {
			v.Transport = "TCP"
			_ = msg.SetTopVia(v)
			b = msg.AppendTo(b[:0])
			*bp = b
		}
		network = "tcp"
	}
	if network == "udp" {
		for _, s := range t.udp {
			if s.local.Addr().Is4() == dest.AddrPort.Addr().Unmap().Is4() {
				return s.writeTo(b, dest.AddrPort)
			}
		}
		return ErrNoUDPListener
	}
	c, err := t.connFor(ctx, Addr{Network: network, AddrPort: dest.AddrPort})
	if err != nil {
		return err
	}
	return c.write(b)
}

// sendBuf takes a buffer to write a message into; putSendBuf returns it.
func (t *Transport) sendBuf() *[]byte {
	if bp, ok := t.sendBufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 2048)
	return &b
}

func (t *Transport) putSendBuf(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		t.sendBufs.Put(bp)
	}
}

// connFor returns the connection to dest, dialling if there is none
// (SIP-31).
func (t *Transport) connFor(ctx context.Context, dest Addr) (*conn, error) {
	t.mu.Lock()
	c := t.conns[dest]
	t.mu.Unlock()
	if c != nil {
		return c, nil
	}
	if dest.Network != "tcp" && dest.Network != "tls" {
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, dest.Network)
	}
	if !mayDial(ctx) {
		return nil, fmt.Errorf("%w: %s", ErrNotConnected, dest)
	}
	nc, err := t.dial(ctx, dest)
	if err != nil {
		return nil, err
	}
	return t.adopt(nc, dest), nil
}

func (t *Transport) dial(ctx context.Context, dest Addr) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.ConnectTimeout)
	defer cancel()
	var last error
	tries := 1
	if t.cfg.OutboundPortStart != 0 {
		tries = t.cfg.OutboundPortEnd - t.cfg.OutboundPortStart + 1
	}
	for i := 0; i < tries; i++ {
		d := net.Dialer{}
		if t.cfg.OutboundPortStart != 0 {
			t.mu.Lock()
			port := t.nextPort
			t.nextPort++
			if t.nextPort > t.cfg.OutboundPortEnd {
				t.nextPort = t.cfg.OutboundPortStart
			}
			t.mu.Unlock()
			d.LocalAddr = &net.TCPAddr{Port: port}
		}
		nc, err := d.DialContext(ctx, "tcp", dest.AddrPort.String())
		if err != nil {
			last = err
			if errors.Is(err, syscall.EADDRINUSE) {
				continue
			}
			return nil, fmt.Errorf("transport: connecting to %s: %w", dest, err)
		}
		t.mark(nc, dest.AddrPort.Addr())
		if dest.Network == "tls" {
			tc := tls.Client(nc, t.clientConfig(dest))
			hctx, hcancel := context.WithTimeout(ctx, t.cfg.TLSHandshakeTimeout)
			err := tc.HandshakeContext(hctx)
			hcancel()
			if err != nil {
				nc.Close()
				t.event(Event{Name: "Outbound TLS Negotiation Error", Level: 1, Dst: dest, Detail: err.Error()})
				return nil, fmt.Errorf("transport: TLS to %s: %w", dest, err)
			}
			return tc, nil
		}
		return nc, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrNoOutbound, last)
}

func (t *Transport) clientConfig(dest Addr) *tls.Config {
	c := t.clientTLS
	if c == nil {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	c = c.Clone()
	if c.ServerName == "" {
		c.ServerName = dest.AddrPort.Addr().String()
	}
	return c
}
