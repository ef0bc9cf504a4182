package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// conn is a stream connection (TCP, TLS) with serialised writes.
type conn struct {
	t   *Transport
	c   net.Conn
	key Addr // network and remote address: the connection table key
	wmu sync.Mutex
}

func (c *conn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.c.Write(b)
	return err
}

// adopt registers a connection and starts its reader.
func (t *Transport) adopt(nc net.Conn, key Addr) *conn {
	c := &conn{t: t, c: nc, key: key}
	t.mu.Lock()
	if old := t.conns[key]; old != nil {
		t.mu.Unlock()
		nc.Close() // lost a dial race: reuse the existing one
		return old
	}
	t.conns[key] = c
	t.wg.Add(1)
	t.mu.Unlock()
	go t.serveConn(c)
	return c
}

func (t *Transport) forget(c *conn) {
	t.mu.Lock()
	if t.conns[c.key] == c {
		delete(t.conns, c.key)
	}
	t.mu.Unlock()
}

func remoteOf(nc net.Conn) netip.AddrPort {
	ap := nc.RemoteAddr().(*net.TCPAddr).AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// accept takes connections on a stream listener; TLS handshakes must end
// within TLSHandshakeTimeout (SIP-32) and do so off the accept loop.
func (t *Transport) accept(ln net.Listener, network string, conf *tls.Config) {
	defer t.wg.Done()
	keyNet := network
	if keyNet == "mtls" {
		keyNet = "tls"
	}
	for {
		nc, err := ln.Accept()
		if err != nil {
			if t.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		t.mark(nc, remoteOf(nc).Addr())
		key := Addr{Network: keyNet, AddrPort: remoteOf(nc)}
		if conf == nil {
			t.adopt(nc, key)
			continue
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			tc := tls.Server(nc, conf)
			ctx, cancel := context.WithTimeout(context.Background(), t.cfg.TLSHandshakeTimeout)
			defer cancel()
			if err := tc.HandshakeContext(ctx); err != nil {
				nc.Close()
				t.event(Event{Name: "TLS Negotiation Error", Level: 1, Src: key, Detail: err.Error()})
				return
			}
			t.adopt(tc, key)
		}()
	}
}

// connReader is the reading state of a stream, handed from goroutine to
// goroutine when a Receiver stalls one.
type connReader struct {
	c    *conn
	rd   *sip.Reader
	bad  int
	done chan struct{}
}

// serveConn reads messages from a stream until it closes, applying the
// SIP-13/SIP-14 rules: 513 then close for an oversized message, close on a
// framing error, close on malformed messages per the mode, and after 10
// malformed messages in a row whatever the mode. A message must arrive
// within ReadTimeout.
func (t *Transport) serveConn(c *conn) {
	cr := &connReader{c: c, done: make(chan struct{})}
	go func() {
		select {
		case <-t.done:
			c.c.Close()
		case <-cr.done:
		}
	}()
	cr.rd = sip.NewReaderLimits(bufio.NewReader(c.c), sip.Limits{MaxSize: t.cfg.MaxSize})
	cr.rd.OnKeepAlive = func(k sip.KeepAlive) {
		if k == sip.Ping {
			_ = c.write([]byte("\r\n")) // RFC 5626 pong (SIP-38)
		}
	}
	t.readConn(cr)
}

// readConn is one goroutine's turn at reading a stream: until the stream
// ends (then it closes it), or until a message it handed on stalls it and
// another goroutine takes over at the next message boundary.
func (t *Transport) readConn(cr *connReader) {
	defer t.wg.Done()
	c := cr.c
	h := newHandover(func() bool {
		if !t.addReader() {
			return false
		}
		go t.readConn(cr)
		return true
	})
	defer h.stop()
	for {
		v := t.readMessage(cr, h)
		if !h.handled() { // another goroutine reads on and keeps the count
			if v.end {
				c.c.Close()
			}
			return
		}
		switch {
		case v.end:
		case !v.malformed:
			cr.bad = 0
			continue
		default:
			cr.bad++
			if cr.bad <= maxConsecutiveMalformed && t.retain(v.onlyOptional) {
				continue
			}
		}
		c.c.Close()
		close(cr.done)
		t.forget(c)
		return
	}
}

// verdict is what reading one message from a stream came to.
type verdict struct {
	end          bool // EOF, deadline, I/O or framing error: close
	malformed    bool
	onlyOptional bool // the malformed headers were all non-mandatory (SIP-14)
}

// readMessage reads one message and hands it on.
func (t *Transport) readMessage(cr *connReader, h *handover) verdict {
	c := cr.c
	_ = c.c.SetReadDeadline(time.Now().Add(t.cfg.ReadTimeout))
	msg, err := cr.rd.ReadMessage()
	h.handling()
	if err != nil {
		var pe *sip.ParseError
		if !errors.As(err, &pe) {
			return verdict{end: true} // EOF, deadline (slowloris), I/O error
		}
		t.event(Event{Name: "Decode Error", Level: 1, Src: c.key, Detail: err.Error()})
		if pe.Partial != nil && pe.Partial.IsRequest() {
			if resp, rerr := sip.NewResponse(pe.Partial, 513, ""); rerr == nil {
				_ = c.write(resp.Bytes())
			}
		}
		if pe.Framing {
			return verdict{end: true}
		}
		return verdict{malformed: true, onlyOptional: pe.Header != "" && !mandatoryHeader(pe.Header)}
	}
	malformed, mandatory := t.handle(msg, msg.Bytes(), c.key, c)
	return verdict{malformed: malformed, onlyOptional: !mandatory}
}

// retain decides whether a connection survives a malformed message
// (SIP-14): DropAll never, RetainSome when only non-mandatory headers were
// bad, RetainAll always.
func (t *Transport) retain(onlyOptional bool) bool {
	switch t.cfg.ParseErrorMode {
	case RetainAll:
		return true
	case RetainSome:
		return onlyOptional
	}
	return false
}
