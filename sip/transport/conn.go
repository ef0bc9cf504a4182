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
	t.mu.Unlock()
	t.wg.Add(1)
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

// serveConn reads messages from a stream until it closes, applying the
// SIP-13/SIP-14 rules: 513 then close for an oversized message, close on a
// framing error, close on malformed messages per the mode, and after 10
// malformed messages in a row whatever the mode. A message must arrive
// within ReadTimeout.
func (t *Transport) serveConn(c *conn) {
	defer t.wg.Done()
	defer func() {
		c.c.Close()
		t.forget(c)
	}()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-t.done:
			c.c.Close()
		case <-done:
		}
	}()
	rd := sip.NewReaderLimits(bufio.NewReader(c.c), sip.Limits{MaxSize: t.cfg.MaxSize})
	rd.OnKeepAlive = func(k sip.KeepAlive) {
		if k == sip.Ping {
			_ = c.write([]byte("\r\n")) // RFC 5626 pong (SIP-38)
		}
	}
	bad := 0
	for {
		_ = c.c.SetReadDeadline(time.Now().Add(t.cfg.ReadTimeout))
		msg, err := rd.ReadMessage()
		if err != nil {
			var pe *sip.ParseError
			if !errors.As(err, &pe) {
				return // EOF, deadline (slowloris), I/O error
			}
			t.event(Event{Name: "Decode Error", Level: 1, Src: c.key, Detail: err.Error()})
			if pe.Partial != nil && pe.Partial.IsRequest() {
				if resp, rerr := sip.NewResponse(pe.Partial, 513, ""); rerr == nil {
					_ = c.write(resp.Bytes())
				}
			}
			if pe.Framing {
				return
			}
			bad++
			if bad > maxConsecutiveMalformed || !t.retain(pe.Header != "" && !mandatoryHeader(pe.Header)) {
				return
			}
			continue
		}
		malformed, mandatory := t.handle(msg, msg.Bytes(), c.key, c)
		if !malformed {
			bad = 0
			continue
		}
		bad++
		if bad > maxConsecutiveMalformed || !t.retain(!mandatory) {
			return
		}
	}
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
