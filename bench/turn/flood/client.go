package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"github.com/pion/stun/v3"
)

// client is one TURN client: a UDP socket, an allocation and channel
// 0x4000 bound to the echo peer. Its receive handler runs on a poller's
// goroutine (or its own reading goroutine); mu orders it against the
// setup transactions and the stall watchdog. The handler takes mu once
// per batch, not per packet.
type client struct {
	cfg      *Config
	server   netip.AddrPort
	peer     netip.AddrPort
	sock     *udpbatch.Socket // poller mode
	conn     *net.UDPConn     // blocking mode
	readDone chan struct{}    // blocking mode: the reading goroutine ended
	r        *udpbatch.Reader
	resps    chan []byte // STUN responses, copied out of the reader

	mu    sync.Mutex
	w     *udpbatch.Writer
	bufs  [udpbatch.BatchSize][]byte // send buffers, ChannelData header preset
	realm stun.Realm
	nonce stun.Nonce
	// allocated: a Refresh with LIFETIME 0 should delete the allocation.
	allocated bool
	finish    func() // called once when the client has nothing left to do

	running, finished bool
	sent, received    int
	lost, late        int
	inflight          int
	lostBelow         uint64    // packets with a lower sequence number were counted lost
	last              time.Time // last packet returned
	sendErrors        int
	progress, seen    uint64    // batches returned; as last seen by the watchdog
	stallSince        time.Time // when the watchdog last saw progress
}

func newClient(cfg *Config, local, peer netip.AddrPort, p *udpbatch.Poller, finish func()) (*client, error) {
	c := &client{cfg: cfg, server: cfg.Server, peer: peer, resps: make(chan []byte, 8), finish: finish}
	for i := range c.bufs {
		b := make([]byte, 4+cfg.Size)
		binary.BigEndian.PutUint16(b, channel)
		binary.BigEndian.PutUint16(b[2:], uint16(cfg.Size))
		c.bufs[i] = b
	}
	bufSize := max(2048, 4+cfg.Size)
	if p != nil {
		s, err := udpbatch.ListenSocket(local, false)
		if err != nil {
			return nil, err
		}
		setBuffers(s, clientBuffer)
		c.sock, c.r, c.w = s, udpbatch.NewSocketReader(s, bufSize, 0), udpbatch.NewSocketWriter(s)
		if err := p.Add(s, c.r, func(n int) { c.handle(c.r.Msgs[:n]) }); err != nil {
			s.Close()
			return nil, err
		}
		return c, nil
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(local))
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadBuffer(clientBuffer)
	_ = conn.SetWriteBuffer(clientBuffer)
	r, err := udpbatch.NewReader(conn, bufSize, 0)
	if err != nil {
		conn.Close()
		return nil, err
	}
	w, err := udpbatch.NewWriter(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c.conn, c.r, c.w, c.readDone = conn, r, w, make(chan struct{})
	go func() {
		defer close(c.readDone)
		for {
			n, err := r.Read()
			if err != nil {
				return // closed
			}
			c.handle(r.Msgs[:n])
		}
	}()
	return c, nil
}

// Close closes the socket and, in blocking mode, waits for its reader.
func (c *client) Close() {
	if c.sock != nil {
		c.sock.Close()
		return
	}
	c.conn.Close()
	<-c.readDone
}

// handle takes one batch of datagrams: ChannelData returned on the
// channel opens the window by as many packets, which go out at once;
// STUN messages go to the setup transaction waiting for them.
func (c *client) handle(msgs []udpbatch.Message) {
	got := 0
	c.mu.Lock()
	for i := range msgs {
		m := &msgs[i]
		if m.N < 4 || m.From != c.server {
			continue
		}
		b := m.Buf[:m.N]
		switch b[0] >> 6 {
		case 1: // ChannelData (RFC 8656 §12.4): channel numbers 0x4000-0x7FFF
			if !c.running || len(b) < 12 || binary.BigEndian.Uint16(b) != channel {
				continue
			}
			if seq := binary.BigEndian.Uint64(b[4:]); seq < c.lostBelow || c.inflight == 0 {
				c.late++
				continue
			}
			c.received++
			c.inflight--
			got++
		case 0: // STUN
			select {
			case c.resps <- append([]byte(nil), b...):
			default:
			}
		}
	}
	if got > 0 {
		c.last = time.Now()
		c.progress++
		c.fill()
	}
	c.mu.Unlock()
}

// fill sends until the window is full or all N packets are out, in
// batches of up to udpbatch.BatchSize, and reports the client finished
// when everything sent has come back or been given up. c.mu is held.
func (c *client) fill() {
	want := min(c.cfg.Window-c.inflight, c.cfg.N-c.sent)
	for want > 0 {
		k := min(want, len(c.bufs))
		for _, b := range c.bufs[:k] {
			binary.BigEndian.PutUint64(b[4:], uint64(c.sent))
			_ = c.w.Queue(b, c.server) // never full: k <= BatchSize
			c.sent++
		}
		c.inflight += k
		want -= k
		if err := c.w.Flush(); err != nil {
			c.sendErrors++ // what was dropped is given up by the watchdog
		}
	}
	if c.sent == c.cfg.N && c.inflight == 0 && !c.finished {
		c.finished = true
		c.finish()
	}
}

// start opens the window.
func (c *client) start(now time.Time) {
	c.mu.Lock()
	c.running, c.stallSince = true, now
	c.fill()
	c.mu.Unlock()
}

// watch is the stall watchdog, called periodically: when nothing has
// come back for stall while packets are in flight, they are counted
// lost, anything still arriving for them is ignored, and the window
// opens again — so that loss never hangs the run.
func (c *client) watch(now time.Time, stall time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running || c.finished {
		return
	}
	if c.progress != c.seen || c.inflight == 0 {
		c.seen, c.stallSince = c.progress, now
		return
	}
	if now.Sub(c.stallSince) < stall {
		return
	}
	c.lost += c.inflight
	c.inflight = 0
	c.lostBelow = uint64(c.sent)
	c.stallSince = now
	c.fill()
}

// stop ends the load: what is still in flight is lost.
func (c *client) stop() {
	c.mu.Lock()
	if c.running && !c.finished {
		c.lost += c.inflight
		c.inflight = 0
		c.finished = true
	}
	c.running = false
	c.mu.Unlock()
}

// setup allocates a UDP relay and binds the channel to the peer
// (ChannelBind installs the permission too).
func (c *client) setup(ctx context.Context) error {
	transport := stun.RawAttribute{Type: stun.AttrRequestedTransport, Value: []byte{17, 0, 0, 0}}
	if _, err := c.transact(ctx, stun.MethodAllocate, &transport); err != nil {
		return err
	}
	c.mu.Lock()
	c.allocated = true
	c.mu.Unlock()
	num := stun.RawAttribute{Type: stun.AttrChannelNumber, Value: []byte{channel >> 8, channel & 0xff, 0, 0}}
	peer := peerAddr{IP: c.peer.Addr().AsSlice(), Port: int(c.peer.Port())}
	if _, err := c.transact(ctx, stun.MethodChannelBind, &num, peer); err != nil {
		return fmt.Errorf("channel bind to %v: %w", c.peer, err)
	}
	return nil
}

// peerAddr sets XOR-PEER-ADDRESS: XOR-MAPPED-ADDRESS's encoding under
// another attribute type.
type peerAddr stun.XORMappedAddress

func (p peerAddr) AddTo(m *stun.Message) error {
	a := stun.XORMappedAddress(p)
	return a.AddToAs(m, stun.AttrXORPeerAddress)
}

// release deletes the allocation.
func (c *client) release(ctx context.Context) {
	c.mu.Lock()
	ok := c.allocated
	c.allocated = false
	c.mu.Unlock()
	if !ok {
		return
	}
	life := stun.RawAttribute{Type: stun.AttrLifetime, Value: []byte{0, 0, 0, 0}}
	_, _ = c.transact(ctx, stun.MethodRefresh, &life)
}

// transact runs one request, answering the first 401 with the realm and
// nonce it names and a 438 with the fresh nonce.
func (c *client) transact(ctx context.Context, method stun.Method, attrs ...stun.Setter) (*stun.Message, error) {
	for try := 0; ; try++ {
		setters := []stun.Setter{stun.TransactionID, stun.NewType(method, stun.ClassRequest)}
		setters = append(setters, attrs...)
		c.mu.Lock()
		realm, nonce := c.realm, c.nonce
		c.mu.Unlock()
		if realm != nil {
			setters = append(setters, stun.NewUsername(c.cfg.User), realm, nonce,
				stun.NewLongTermIntegrity(c.cfg.User, string(realm), c.cfg.Pass))
		}
		setters = append(setters, stun.Fingerprint)
		req, err := stun.Build(setters...)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", method, err)
		}
		resp, err := c.roundTrip(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", method, err)
		}
		if resp.Type.Class == stun.ClassSuccessResponse {
			return resp, nil
		}
		var ec stun.ErrorCodeAttribute
		_ = ec.GetFrom(resp)
		switch {
		case ec.Code == stun.CodeUnauthorized && realm == nil && try < 3:
			var r stun.Realm
			var n stun.Nonce
			if r.GetFrom(resp) != nil || n.GetFrom(resp) != nil {
				return nil, fmt.Errorf("%v: 401 without REALM and NONCE", method)
			}
			c.mu.Lock()
			c.realm, c.nonce = r, n
			c.mu.Unlock()
		case ec.Code == stun.CodeStaleNonce && try < 3:
			var n stun.Nonce
			if n.GetFrom(resp) != nil {
				return nil, fmt.Errorf("%v: 438 without NONCE", method)
			}
			c.mu.Lock()
			c.nonce = n
			c.mu.Unlock()
		case ec.Code == stun.CodeUnauthorized:
			return nil, fmt.Errorf("%v as %q: %w: %s", method, c.cfg.User, errAuth, ec.Reason)
		case ec.Code == stun.CodeForbidden:
			return nil, fmt.Errorf("%v: %w: %s", method, errForbidden, ec.Reason)
		default:
			return nil, fmt.Errorf("%v refused: %d %s", method, ec.Code, ec.Reason)
		}
	}
}

// roundTrip sends req until its response arrives: five tries, 500 ms
// apart.
func (c *client) roundTrip(ctx context.Context, req *stun.Message) (*stun.Message, error) {
	t := time.NewTimer(0)
	defer t.Stop()
	<-t.C
	for range 5 {
		c.mu.Lock()
		_ = c.w.Queue(req.Raw, c.server)
		err := c.w.Flush()
		c.mu.Unlock()
		if err != nil && !errors.Is(err, errTryAgain) {
			return nil, err
		}
		t.Reset(500 * time.Millisecond)
	wait:
		for {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-t.C:
				break wait
			case b := <-c.resps:
				resp := &stun.Message{Raw: b}
				if resp.Decode() == nil && resp.TransactionID == req.TransactionID {
					return resp, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("%w at %v", errNoAnswer, c.server)
}
