package turn

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/pion/stun/v3"
)

// tcpRelay is the relayed transport address of an RFC 6062 TCP
// allocation: a TCP listener for peers, and the data connections.
type tcpRelay struct {
	ln     net.Listener
	public netip.AddrPort
	local  netip.AddrPort
	mu     sync.Mutex
	conns  map[netip.AddrPort]net.Conn // peer -> peer connection (one per peer, 446)
}

// pendingConn is a peer connection waiting for its ConnectionBind.
type pendingConn struct {
	id      uint32
	alloc   *allocation
	peer    net.Conn
	peerAt  netip.AddrPort
	expires time.Time
}

func reuseControl(network, address string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) { serr = setReuse(fd) }); err != nil {
		return err
	}
	return serr
}

func (s *Server) newTCPRelay(a *allocation, addr netip.Addr) (*tcpRelay, error) {
	for i := 0; i <= int(s.cfg.RelayPortMax-s.cfg.RelayPortMin); i++ {
		c, port, _, err := s.ports.bind(addr, false, false, s.cfg.Now())
		if err != nil {
			return nil, err
		}
		c.Close() // the UDP probe reserved the number; TCP takes it
		lc := net.ListenConfig{Control: reuseControl}
		ln, err := lc.Listen(context.Background(), "tcp", netip.AddrPortFrom(addr, port).String())
		if err != nil {
			s.ports.release(port)
			continue
		}
		local := addrPortOf(ln.Addr())
		pub := local
		if s.cfg.PublicAddress.IsValid() && addr.Is4() {
			pub = netip.AddrPortFrom(s.cfg.PublicAddress, port)
		}
		return &tcpRelay{ln: ln, local: local, public: pub, conns: make(map[netip.AddrPort]net.Conn)}, nil
	}
	return nil, errNoPorts
}

func (t *tcpRelay) close() {
	t.ln.Close()
	t.mu.Lock()
	for _, c := range t.conns {
		c.Close()
	}
	t.mu.Unlock()
}

// accept takes peer connections to the relayed address: with a permission
// for the peer, the client is told with a ConnectionAttempt indication and
// has 30 s to bind the connection.
func (t *tcpRelay) accept(a *allocation) {
	defer a.wg.Done()
	s := a.srv
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		peer := addrPortOf(c.RemoteAddr())
		if !a.permitted(peer.Addr(), s.cfg.Now().UnixNano()) || !t.add(peer, c) {
			c.Close()
			continue
		}
		p := s.addPending(a, c, peer)
		m, err := stun.Build(stun.NewType(methodConnectionAttemp, stun.ClassIndication), stun.TransactionID,
			rawAttr{attrConnectionID, binary.BigEndian.AppendUint32(nil, p.id)}, addrAttr(attrXORPeerAddress, peer))
		if err == nil {
			_ = a.client.write(m.Raw)
		}
	}
}

func (t *tcpRelay) add(peer netip.AddrPort, c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, dup := t.conns[peer]; dup {
		return false
	}
	t.conns[peer] = c
	return true
}

func (t *tcpRelay) remove(peer netip.AddrPort) {
	t.mu.Lock()
	delete(t.conns, peer)
	t.mu.Unlock()
}

func (s *Server) addPending(a *allocation, c net.Conn, peer netip.AddrPort) *pendingConn {
	s.umu.Lock()
	defer s.umu.Unlock()
	s.nextCID++
	for s.nextCID == 0 || s.pending[s.nextCID] != nil {
		s.nextCID++
	}
	p := &pendingConn{id: s.nextCID, alloc: a, peer: c, peerAt: peer, expires: s.cfg.Now().Add(ConnectionBindTimeout)}
	s.pending[p.id] = p
	return p
}

// expirePending closes peer connections not bound within 30 s.
func (s *Server) expirePending(now time.Time) {
	s.umu.Lock()
	var dead []*pendingConn
	for id, p := range s.pending {
		if now.After(p.expires) {
			dead = append(dead, p)
			delete(s.pending, id)
		}
	}
	s.umu.Unlock()
	for _, p := range dead {
		p.peer.Close()
		if p.alloc.tcp != nil {
			p.alloc.tcp.remove(p.peerAt)
		}
	}
}

// connect opens a TCP connection from the relayed address to a peer
// (RFC 6062 §5.2): 446 if one exists, 447 when it cannot be made.
func (h *handler) connect(cl *client, user string, key []byte) {
	s := h.s
	a := h.ownAllocation(cl, user, key)
	if a == nil {
		return
	}
	if a.tcp == nil {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	peer, ok := h.onePeer(cl, a, key)
	if !ok {
		return
	}
	if !a.permitted(peer.Addr(), s.cfg.Now().UnixNano()) {
		h.fail(cl, stun.CodeForbidden, key)
		return
	}
	a.tcp.mu.Lock()
	_, dup := a.tcp.conns[peer]
	a.tcp.mu.Unlock()
	if dup {
		h.fail(cl, stun.CodeConnAlreadyExists, key)
		return
	}
	d := net.Dialer{Timeout: ConnectionBindTimeout, LocalAddr: net.TCPAddrFromAddrPort(a.tcp.local), Control: reuseControl}
	pc, err := d.Dial("tcp", peer.String())
	if err != nil {
		h.fail(cl, stun.CodeConnTimeoutOrFailure, key)
		return
	}
	if !a.tcp.add(peer, pc) {
		pc.Close()
		h.fail(cl, stun.CodeConnAlreadyExists, key)
		return
	}
	p := s.addPending(a, pc, peer)
	h.reply(cl, key, rawAttr{attrConnectionID, binary.BigEndian.AppendUint32(nil, p.id)})
}

// connectionBind turns the connection it arrives on into the data
// connection of a pending peer connection (RFC 6062 §5.4).
func (h *handler) connectionBind(cl *client, user string, key []byte) {
	s := h.s
	v, ok := attr(h.req, attrConnectionID)
	if !ok || len(v) != 4 || !cl.stream() {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	id := binary.BigEndian.Uint32(v)
	s.umu.Lock()
	p := s.pending[id]
	if p != nil && p.alloc.username == user {
		delete(s.pending, id)
	}
	s.umu.Unlock()
	if p == nil {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	if p.alloc.username != user {
		h.fail(cl, stun.CodeWrongCredentials, key)
		return
	}
	h.reply(cl, key)
	h.hijack = p
}

// pipe relays bytes between a client data connection and its peer until
// either side closes.
func (s *Server) pipe(p *pendingConn, client net.Conn, leftover []byte) {
	s.stats.tcpConns.Add(1)
	defer s.stats.tcpConns.Add(-1)
	defer func() {
		client.Close()
		p.peer.Close()
		if p.alloc.tcp != nil {
			p.alloc.tcp.remove(p.peerAt)
		}
	}()
	if len(leftover) > 0 {
		if _, err := p.peer.Write(leftover); err != nil {
			return
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n, _ := io.Copy(p.peer, client)
		s.stats.bytesToPeer.Add(uint64(n))
		closeWrite(p.peer)
	}()
	n, _ := io.Copy(client, p.peer)
	s.stats.bytesToClient.Add(uint64(n))
	closeWrite(client)
	wg.Wait()
}

func closeWrite(c net.Conn) {
	if t, ok := c.(interface{ CloseWrite() error }); ok {
		_ = t.CloseWrite()
		return
	}
	c.Close()
}
