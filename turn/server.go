package turn

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"github.com/pion/dtls/v3"
)

const shards = 32

type shard struct {
	mu     sync.RWMutex
	allocs map[fiveTuple]*allocation
}

// Server is a TURN server. Create it with NewServer, start it with Start
// or Serve, stop it with Close.
type Server struct {
	cfg    Config
	nonces nonces
	filter peerFilter
	ports  *ports
	seed   maphash.Seed
	shards [shards]shard
	stats  counters

	umu     sync.Mutex
	perUser map[string]int
	total   int
	alarms  map[int]bool
	pending map[uint32]*pendingConn // RFC 6062 connection IDs
	nextCID uint32

	lmu       sync.Mutex
	listeners []io.Closer
	addrs     []net.Addr
	wg        sync.WaitGroup
	done      chan struct{} // closed when the current run stops
	closed    atomic.Bool
	// pollers wait for the UDP listener and relay sockets; relays are
	// spread over them round robin.
	pollers    []*poller
	nextPoller atomic.Uint32

	// life serialises Start, Reconfigure, Restart and Close (TURN-3).
	life    sync.Mutex
	running bool
	next    *Config       // pending configuration, applied by Restart
	final   chan struct{} // closed by Close
}

// NewServer validates cfg and returns a server that is not yet listening.
func NewServer(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	secret := cfg.NonceSecret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	s := &Server{seed: maphash.MakeSeed(), perUser: make(map[string]int), alarms: make(map[int]bool),
		pending: make(map[uint32]*pendingConn), done: make(chan struct{}), final: make(chan struct{})}
	s.apply(cfg, secret)
	for i := range s.shards {
		s.shards[i].allocs = make(map[fiveTuple]*allocation)
	}
	return s, nil
}

// apply installs a validated configuration (with defaults) and what is
// derived from it. It runs only while no server goroutine does.
func (s *Server) apply(cfg Config, secret []byte) {
	s.cfg = cfg
	s.nonces = nonces{secret: secret, lifetime: cfg.NonceLifetime}
	s.filter = newPeerFilter(cfg.AllowedPeers, cfg.DeniedPeers)
	s.ports = newPorts(cfg.RelayPortMin, cfg.RelayPortMax)
}

// Serve starts the listeners (unless Start already did) and blocks until
// ctx is done or Close is called, then closes the server. A Restart does
// not end it.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Start(ctx); err != nil && !errors.Is(err, ErrAlreadyStarted) {
		return err
	}
	select {
	case <-ctx.Done():
	case <-s.final:
	}
	return s.Close()
}

// Start binds every listener and starts the readers and the expiry timer.
// On error nothing is left open. A node in the C role refuses with
// ErrWrongRole (TURN-1).
func (s *Server) Start(ctx context.Context) error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.running {
		return ErrAlreadyStarted
	}
	return s.startLocked(ctx)
}

func (s *Server) startLocked(ctx context.Context) error {
	if s.cfg.Role != RoleE {
		if s.cfg.TURNOptionKey {
			s.setAlarm(30009, true) // TURN-1: the option key is ignored on a C node
		}
		return ErrWrongRole
	}
	s.setAlarm(30009, false)
	s.done = make(chan struct{})
	s.running = true
	s.pollers = nil
	for i := 0; i < s.cfg.Pollers; i++ {
		p, err := udpbatch.NewPoller()
		if err != nil {
			s.stopLocked()
			return fmt.Errorf("turn: %w", err)
		}
		s.pollers = append(s.pollers, &poller{Poller: p, relays: udpbatch.NewSharedReader(relayBufSize, relayHeadroom)})
	}
	for _, l := range s.cfg.Listeners {
		if err := s.listen(ctx, l); err != nil {
			s.stopLocked()
			return err
		}
	}
	s.wg.Add(1)
	go s.janitor()
	return nil
}

// Reconfigure changes the configuration (TURN-3). Before Start (or after
// a failed one) it takes effect at once and returns nil. While the server
// runs, cfg is validated and kept as pending — nothing changes for the
// running server — and Reconfigure returns ErrRestartRequired; Restart
// applies it. An invalid cfg is refused with its faults and not kept.
func (s *Server) Reconfigure(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.running {
		s.next = &cfg
		return ErrRestartRequired
	}
	s.apply(cfg, s.secretFor(cfg))
	s.next = nil
	return nil
}

// Pending returns the configuration that Restart will apply, if any.
func (s *Server) Pending() (Config, bool) {
	s.life.Lock()
	defer s.life.Unlock()
	if s.next == nil {
		return Config{}, false
	}
	return *s.next, true
}

// Restart stops the running server — every allocation is closed with the
// event "Relay Deleted" and the listeners are closed — and starts it again
// with the pending configuration of Reconfigure, or the current one when
// none is pending (TURN-3). It is also how a stopped-but-not-closed
// server (a failed Start) is started again.
func (s *Server) Restart(ctx context.Context) error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.running {
		s.stopLocked()
	}
	if s.next != nil {
		s.apply(*s.next, s.secretFor(*s.next))
		s.next = nil
	}
	return s.startLocked(ctx)
}

// secretFor is cfg's nonce secret, or the running one when cfg has none.
func (s *Server) secretFor(cfg Config) []byte {
	if len(cfg.NonceSecret) > 0 {
		return cfg.NonceSecret
	}
	return s.nonces.secret
}

// Addrs returns the bound address of every listener, in configuration
// order (UDP listeners with several reader sockets once).
func (s *Server) Addrs() []net.Addr {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return append([]net.Addr(nil), s.addrs...)
}

func (s *Server) listen(ctx context.Context, l Listener) error {
	switch l.Network {
	case UDP:
		addr := l.Addr
		for i := 0; i < s.cfg.ReadersPerUDPListener; i++ {
			c, err := udpbatch.ListenSocket(addr, s.cfg.ReadersPerUDPListener > 1)
			if err != nil {
				return fmt.Errorf("turn: %w", err)
			}
			setBuffers(c, s.cfg.ListenerBuffer)
			if i == 0 {
				addr = c.LocalAddr() // port 0 resolved: the others share it
				s.addListener(c, net.UDPAddrFromAddrPort(addr))
			} else {
				s.addListener(c, nil)
			}
			r := udpbatch.NewSocketReader(c, relayBufSize, relayHeadroom)
			h := s.newHandler()
			h.poller = s.pollers[i%len(s.pollers)]
			local := addr
			if err := h.poller.Add(c, r, func(n int) { s.fromClients(h, c, local, r, n) }); err != nil {
				return fmt.Errorf("turn: %w", err)
			}
		}
	case TCP, TLS:
		ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", l.Addr.String())
		if err != nil {
			return fmt.Errorf("turn: %w", err)
		}
		s.addListener(ln, ln.Addr())
		p := protoTCP
		if l.Network == TLS {
			ln = tls.NewListener(ln, l.TLS)
			p = protoTLS
		}
		s.wg.Add(1)
		go s.acceptStreams(ln, p)
	case DTLS:
		ln, err := dtls.Listen("udp", net.UDPAddrFromAddrPort(l.Addr), l.DTLS)
		if err != nil {
			return fmt.Errorf("turn: %w", err)
		}
		s.addListener(ln, ln.Addr())
		s.wg.Add(1)
		go s.acceptStreams(ln, protoDTLS)
	}
	return nil
}

func (s *Server) addListener(c io.Closer, a net.Addr) {
	s.lmu.Lock()
	s.listeners = append(s.listeners, c)
	if a != nil {
		s.addrs = append(s.addrs, a)
	}
	s.lmu.Unlock()
}

// Close stops the listeners, deletes every allocation and waits for the
// server's goroutines.
func (s *Server) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	defer close(s.final)
	if !s.running {
		return nil
	}
	return s.stopLocked()
}

// stopLocked ends the current run: listeners closed, allocations deleted
// ("Relay Deleted"), goroutines waited for.
func (s *Server) stopLocked() error {
	s.running = false
	close(s.done)
	s.lmu.Lock()
	var errs []error
	for _, l := range s.listeners {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	s.listeners, s.addrs = nil, nil
	s.lmu.Unlock()
	// No handler runs once the pollers are closed; then every
	// allocation, with its relay sockets, is deleted.
	for _, p := range s.pollers {
		p.Close()
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		list := make([]*allocation, 0, len(sh.allocs))
		for _, a := range sh.allocs {
			list = append(list, a)
		}
		sh.mu.Unlock()
		for _, a := range list {
			s.deleteAllocation(a, "Relay Deleted")
		}
	}
	s.umu.Lock()
	for id, p := range s.pending {
		p.peer.Close()
		delete(s.pending, id)
	}
	s.umu.Unlock()
	s.wg.Wait()
	return errors.Join(errs...)
}

func (s *Server) shard(k fiveTuple) *shard {
	var h maphash.Hash
	h.SetSeed(s.seed)
	b := k.client.Addr().As16()
	h.Write(b[:])
	var p [2]byte
	p[0], p[1] = byte(k.client.Port()), byte(k.client.Port()>>8)
	h.Write(p[:])
	return &s.shards[h.Sum64()%shards]
}

func (s *Server) lookup(k fiveTuple) *allocation {
	sh := s.shard(k)
	sh.mu.RLock()
	a := sh.allocs[k]
	sh.mu.RUnlock()
	return a
}

// fromClients handles a batch of datagrams read from a UDP listener
// socket; its poller calls it, so one handler h per socket is used by
// one goroutine at a time. Relayed data leaves in one sendmmsg per relay
// (flush).
func (s *Server) fromClients(h *handler, c *udpbatch.Socket, local netip.AddrPort, r *udpbatch.Reader, n int) {
	for i := 0; i < n; i++ {
		m := &r.Msgs[i]
		if m.N < 0 {
			s.stats.drops.Add(1)
			continue
		}
		from := netip.AddrPortFrom(m.From.Addr().Unmap(), m.From.Port())
		cl := client{proto: protoUDP, udp: c, remote: from, local: local}
		h.packet(&cl, m.Data(relayHeadroom))
	}
	h.flush()
}

// poller is one epoll goroutine with the reader its relay sockets share:
// it reads one socket at a time and a handler is done with the datagrams
// when it returns, so one set of buffers serves every relay on it
// instead of a set per relay.
type poller struct {
	*udpbatch.Poller
	relays *udpbatch.Reader
}

// poller picks the poller of a new relay socket: the one serving the
// client's listener socket, so that a packet from the client and the
// peer's answer are often served by one wake-up; round robin for stream
// clients.
func (s *Server) poller(h *handler) *poller {
	if h.poller != nil {
		return h.poller
	}
	return s.pollers[int(s.nextPoller.Add(1))%len(s.pollers)]
}

// acceptStreams serves TCP, TLS and DTLS client connections.
func (s *Server) acceptStreams(ln net.Listener, p proto) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || isDone(s.done) {
				return
			}
			continue
		}
		s.wg.Add(1)
		go s.serveStream(c, p)
	}
}

// janitor expires allocations, permissions, channels and reservations.
func (s *Server) janitor() {
	defer s.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.Sweep(s.cfg.Now())
		}
	}
}

// Sweep expires what is due at now: allocations ("Relay Expired"),
// permissions, channel bindings, reservations and unbound RFC 6062
// connections. The server calls it every second; tests call it with a
// chosen time.
func (s *Server) Sweep(now time.Time) {
	ns := now.UnixNano()
	var expired []*allocation
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, a := range sh.allocs {
			if a.expires.Load() <= ns {
				expired = append(expired, a)
				continue
			}
			a.sweepTable(ns)
		}
		sh.mu.RUnlock()
	}
	for _, a := range expired {
		s.deleteAllocation(a, "Relay Expired")
	}
	s.ports.expire(now)
	s.expirePending(now)
}

// sweepTable drops expired permissions; expired channels are kept
// (unusable) for the rebind quarantine, then dropped (TURN-24).
func (a *allocation) sweepTable(now int64) {
	t := a.tab.Load()
	stale := false
	for _, exp := range t.perms {
		stale = stale || exp <= now
	}
	for _, b := range t.chanByNum {
		stale = stale || b.expires+int64(ChannelRebindQuarantine) <= now
	}
	if !stale {
		return
	}
	var perms, chans int
	a.update(func(t *table) {
		for ip, exp := range t.perms {
			if exp <= now {
				delete(t.perms, ip)
				perms++
			}
		}
		for n, b := range t.chanByNum {
			if b.expires+int64(ChannelRebindQuarantine) <= now {
				delete(t.chanByNum, n)
				delete(t.chanByPeer, b.peer)
				chans++
			}
		}
	})
	a.srv.stats.permissions.Add(-int64(perms))
	a.srv.stats.channels.Add(-int64(chans))
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// AllocationInfo describes one allocation for status pages (TURN-28).
type AllocationInfo struct {
	Client      netip.AddrPort
	Transport   string
	Username    string
	Relays      []netip.AddrPort
	Peers       []netip.Addr // permissions
	Channels    map[uint16]netip.AddrPort
	Expires     time.Time
	ToPeer      uint64
	ToClient    uint64
	TCPRelaying bool
}

// Allocations lists the current allocations.
func (s *Server) Allocations() []AllocationInfo {
	var out []AllocationInfo
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, a := range sh.allocs {
			t := a.tab.Load()
			info := AllocationInfo{Client: a.key.client, Transport: a.key.proto.String(), Username: a.username,
				Expires: time.Unix(0, a.expires.Load()), ToPeer: a.pktsToPeer.Load(), ToClient: a.pktsToClient.Load(),
				Channels: make(map[uint16]netip.AddrPort), TCPRelaying: a.tcp != nil}
			for _, r := range a.relays {
				info.Relays = append(info.Relays, r.public)
			}
			for ip := range t.perms {
				info.Peers = append(info.Peers, ip)
			}
			for n, b := range t.chanByNum {
				info.Channels[n] = b.peer
			}
			out = append(out, info)
		}
		sh.mu.RUnlock()
	}
	return out
}

// deleteAllocation removes an allocation, closes its relays and reports
// the event.
func (s *Server) deleteAllocation(a *allocation, event string) {
	if a.closed.Swap(true) {
		return
	}
	sh := s.shard(a.key)
	sh.mu.Lock()
	if sh.allocs[a.key] == a {
		delete(sh.allocs, a.key)
	}
	sh.mu.Unlock()
	for _, r := range a.relays {
		r.conn.Close()
		s.ports.release(r.local.Port())
	}
	if a.tcp != nil {
		a.tcp.close()
	}
	if a.so != nil {
		close(a.so.done)
	}
	a.wg.Wait()
	t := a.tab.Load()
	s.stats.permissions.Add(-int64(len(t.perms)))
	s.stats.channels.Add(-int64(len(t.chanByNum)))
	s.stats.allocations.Add(-1)
	s.umu.Lock()
	s.total--
	if s.perUser[a.username]--; s.perUser[a.username] <= 0 {
		delete(s.perUser, a.username)
	}
	s.umu.Unlock()
	s.capacityAlarms()
	var relayAddr netip.AddrPort
	if len(a.relays) > 0 {
		relayAddr = a.relays[0].public
	}
	s.event(Event{Name: event, Level: 2, Username: a.username, Client: a.key.client, Relay: relayAddr})
}

func (s *Server) event(e Event) {
	s.cfg.Logger.Info("turn: "+e.Name, "user", e.Username, "client", e.Client, "relay", e.Relay)
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(e)
	}
}

// capacityAlarms raises 30005 at 90 % of MaxRelays and 30024 when full
// (TURN-30), and lowers them when usage falls.
func (s *Server) capacityAlarms() {
	s.umu.Lock()
	total := s.total
	set := func(id int, on bool) bool {
		changed := s.alarms[id] != on
		s.alarms[id] = on
		return changed
	}
	a1 := set(30005, total*100 >= s.cfg.MaxRelays*defaultApproachingPercentage)
	a2 := set(30024, total >= s.cfg.MaxRelays)
	on1, on2 := s.alarms[30005], s.alarms[30024]
	s.umu.Unlock()
	if a1 {
		s.cfg.Logger.Warn("turn: alarm 30005 TURN relay usage approaching the physical limit", "raised", on1, "relays", total)
	}
	if a2 {
		s.cfg.Logger.Warn("turn: alarm 30024 TURN relay physical limit reached", "raised", on2, "relays", total)
	}
}

// setAlarm raises or lowers an alarm, logging a change.
func (s *Server) setAlarm(id int, on bool) {
	s.umu.Lock()
	changed := s.alarms[id] != on
	s.alarms[id] = on
	s.umu.Unlock()
	if changed && id == 30009 {
		s.cfg.Logger.Warn("turn: alarm 30009 TURN relays installed: TURN services are only available on Expressway-E; TURN option key ignored",
			"raised", on)
	}
}

// isDone reports whether ch is closed.
func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Alarms reports the raised alarms: 30005 and 30024 (capacity, TURN-30)
// and 30009 (TURN option key on a C-role node, TURN-1).
func (s *Server) Alarms() []int {
	s.umu.Lock()
	defer s.umu.Unlock()
	var ids []int
	for _, id := range []int{30005, 30009, 30024} {
		if s.alarms[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// setDSCP marks a relay socket (TURN-31).
func (s *Server) setDSCP(c *udpbatch.Socket, a netip.Addr) error {
	d := 34
	if s.cfg.DSCP != nil {
		d = *s.cfg.DSCP
	}
	if d < 0 {
		return nil
	}
	return setTOS(c, a.Is4(), d<<2)
}
