package demux

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Media DSCP defaults (DMX-14): a shared port carries several media types,
// so it is marked as Video.
const (
	DSCPVideo = 34
	DSCPAudio = 46
)

// Timer defaults (DMX-11, DMX-22).
const (
	DefaultKeepAliveInterval = 20 * time.Second
	DefaultInactivityTimeout = 300 * time.Second
	IDQuarantine             = 60 * time.Second
	maxMuxID                 = 1<<31 - 1
)

// Mux errors.
var (
	ErrIDInUse  = errors.New("demux: multiplex ID in use")
	ErrNoSendID = errors.New("demux: the peer has not assigned a multiplex ID for this stream yet")
	ErrClosed   = errors.New("demux: closed")
)

// MuxConfig configures the shared ports.
type MuxConfig struct {
	Range RangeConfig
	// Addrs are the local addresses to bind every shared pair on (DMX-9),
	// e.g. the internal and external address with Advanced Networking.
	Addrs []netip.Addr
	// DSCP marks packets sent from the shared ports (default DSCPVideo;
	// -1 leaves the mark alone).
	DSCP *int
	// ReadersPerPort opens that many SO_REUSEPORT sockets per shared port,
	// each with its own reader, to spread load over cores (Linux; default 1).
	ReadersPerPort int
	// SocketBuffer sets SO_RCVBUF and SO_SNDBUF of the shared sockets in
	// bytes (0 keeps the system default).
	SocketBuffer      int
	KeepAliveInterval time.Duration // default 20 s; stale after 3x
	InactivityTimeout time.Duration // default 300 s
	// Events, called on a reader goroutine (latching) or the idle
	// checker; they must not block.
	OnLatched   func(*Stream, netip.AddrPort)
	OnRelatched func(*Stream, netip.AddrPort)
	OnStale     func(*Stream)
	OnInactive  func(*Stream)
	Logger      *slog.Logger
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Mux owns the shared (demultiplexing) sockets and the stream table
// (DMX-16..DMX-22). It is safe for concurrent use.
type Mux struct {
	cfg   MuxConfig
	pairs []Pair
	socks []*sock
	out   [][2]*sock // per pair: default RTP and RTCP socket (first address)
	now   func() time.Time

	streams atomic.Pointer[map[uint32]*Stream]
	drops   dropCounters

	mu         sync.Mutex
	nextID     uint32
	quarantine map[uint32]time.Time
	load       []int
	calls      map[string]*callPlace

	wg     sync.WaitGroup
	done   chan struct{}
	closed atomic.Bool
}

type callPlace struct {
	pair    int
	streams int
}

// NewMux binds the shared pairs of cfg.Range on every address and starts
// one reader per socket, and the idle checker.
func NewMux(ctx context.Context, cfg MuxConfig) (*Mux, error) {
	if err := cfg.Range.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("demux: MuxConfig.Addrs is empty")
	}
	if cfg.KeepAliveInterval <= 0 {
		cfg.KeepAliveInterval = DefaultKeepAliveInterval
	}
	if cfg.InactivityTimeout <= 0 {
		cfg.InactivityTimeout = DefaultInactivityTimeout
	}
	if cfg.ReadersPerPort <= 0 {
		cfg.ReadersPerPort = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	dscp := DSCPVideo
	if cfg.DSCP != nil {
		dscp = *cfg.DSCP
	}
	m := &Mux{cfg: cfg, pairs: cfg.Range.DemuxPairs(), now: cfg.Now, nextID: 1,
		quarantine: make(map[uint32]time.Time), calls: make(map[string]*callPlace), done: make(chan struct{})}
	if m.now == nil {
		m.now = time.Now
	}
	empty := map[uint32]*Stream{}
	m.streams.Store(&empty)
	m.load = make([]int, len(m.pairs))
	m.out = make([][2]*sock, len(m.pairs))
	for pi, pr := range m.pairs {
		for ai, addr := range cfg.Addrs {
			for k, port := range [2]uint16{pr.RTP, pr.RTCP} {
				for r := 0; r < cfg.ReadersPerPort; r++ {
					c, err := listenUDP(ctx, addr, port, cfg.ReadersPerPort > 1)
					if err == nil {
						err = setDSCP(c, addr, dscp)
					}
					if err == nil && cfg.SocketBuffer > 0 {
						err = errors.Join(c.SetReadBuffer(cfg.SocketBuffer), c.SetWriteBuffer(cfg.SocketBuffer))
					}
					var s *sock
					if err == nil {
						s, err = newSock(c, netip.AddrPortFrom(addr, port), k == 1)
					}
					if err != nil {
						if c != nil {
							c.Close()
						}
						m.closeSockets()
						return nil, err
					}
					m.socks = append(m.socks, s)
					if ai == 0 && r == 0 {
						m.out[pi][k] = s
					}
				}
			}
		}
	}
	for _, s := range m.socks {
		m.wg.Add(1)
		go s.serve(m.handle, &m.wg)
	}
	m.wg.Add(1)
	go m.idleLoop()
	return m, nil
}

// Pairs returns the shared pairs the Mux listens on.
func (m *Mux) Pairs() []Pair { return m.pairs }

// Drops returns the drop counters (demux_dropped_total{reason}).
func (m *Mux) Drops() Drops { return m.drops.snapshot() }

// Close closes the shared sockets and waits for the readers.
func (m *Mux) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	close(m.done)
	err := m.closeSockets()
	m.wg.Wait()
	return err
}

func (m *Mux) closeSockets() error {
	var errs []error
	for _, s := range m.socks {
		errs = append(errs, s.conn.Close())
	}
	return errors.Join(errs...)
}

// handle demultiplexes one datagram from a shared socket (DMX-16..DMX-21).
func (m *Mux) handle(s *sock, p *Packet) {
	d := p.Bytes()
	min := 16 // ID + RTP header
	if s.rtcp {
		min = 12 // ID + RTCP header and SSRC: an empty RR
	}
	if len(d) < min {
		m.drops.add(DropTooShort)
		return
	}
	id := binary.BigEndian.Uint32(d)
	if id == 0 {
		m.drops.add(DropBadID)
		return
	}
	st := (*m.streams.Load())[id]
	if st == nil {
		m.drops.add(DropUnknownID)
		return
	}
	payload := d[4:]
	if ClassifyFirstByte(payload, false) != KindRTP || IsRTCP(payload) != s.rtcp {
		m.drops.add(DropClassMismatch)
		st.cnt.drops.Add(1)
		return
	}
	now := m.now().UnixNano()
	if !st.accept(s, p.From, now) {
		m.drops.add(DropNotLatched)
		st.cnt.drops.Add(1)
		return
	}
	p.off += 4
	p.n -= 4
	p.RTCP = s.rtcp
	if !s.rtcp && p.n == 12 { // H.460.19 keep-alive: header only, latched and absorbed
		st.cnt.keepalives.Add(1)
		st.cnt.lastSeen.Store(now)
		return
	}
	st.deliver(p, now)
}

// StreamSpec describes a demuxed stream (DMX-22).
type StreamSpec struct {
	CallID, LegID string
	Media         MediaKind
	// RecvID is the multiplex ID the far end puts on packets to us; 0
	// allocates one.
	RecvID uint32
	// SendID is the ID the far end assigned for packets from us; it may
	// come later (SetSendID).
	SendID uint32
	// RemoteRTP and RemoteRTCP are the signalled addresses, used until
	// latching (LatchAfterFirst) or always (Signaled).
	RemoteRTP, RemoteRTCP netip.AddrPort
	Mode                  RemoteMode
	// PairIndex pins the stream to one of the shared pairs when
	// FixedPair; otherwise all streams of a call share the least-loaded
	// pair (ties to the lowest index).
	PairIndex int
	FixedPair bool
	Sink      Sink
}

// MediaKind is the media a stream carries.
type MediaKind uint8

// Media kinds.
const (
	Audio MediaKind = iota
	Video
	Presentation
	Data
)

// Register adds a stream to the table.
func (m *Mux) Register(spec StreamSpec) (*Stream, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if spec.FixedPair && (spec.PairIndex < 0 || spec.PairIndex >= len(m.pairs)) {
		return nil, fmt.Errorf("demux: pair index %d out of range 0..%d", spec.PairIndex, len(m.pairs)-1)
	}
	if spec.RecvID > maxMuxID {
		return nil, fmt.Errorf("demux: multiplex ID %d out of range 1..%d", spec.RecvID, maxMuxID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	table := *m.streams.Load()
	now := m.now()
	id := spec.RecvID
	if id == 0 {
		var err error
		if id, err = m.allocID(table, now); err != nil {
			return nil, err
		}
	} else if _, used := table[id]; used {
		return nil, fmt.Errorf("%w: %d", ErrIDInUse, id)
	} else if until, q := m.quarantine[id]; q && now.Before(until) {
		return nil, fmt.Errorf("%w: %d is quarantined until %v", ErrIDInUse, id, until)
	}
	pair := spec.PairIndex
	if !spec.FixedPair {
		if cp := m.calls[spec.CallID]; cp != nil && spec.CallID != "" {
			pair = cp.pair
		} else {
			pair = 0
			for i, l := range m.load {
				if l < m.load[pair] {
					pair = i
				}
			}
		}
	}
	if spec.CallID != "" {
		cp := m.calls[spec.CallID]
		if cp == nil {
			cp = &callPlace{pair: pair}
			m.calls[spec.CallID] = cp
		}
		cp.streams++
	}
	m.load[pair]++
	st := &Stream{mux: m, spec: spec, recvID: id, pair: pair}
	st.sendID.Store(spec.SendID)
	if spec.Sink != nil {
		st.SetSink(spec.Sink)
	}
	st.cnt.lastSeen.Store(now.UnixNano())
	next := make(map[uint32]*Stream, len(table)+1)
	for k, v := range table {
		next[k] = v
	}
	next[id] = st
	m.streams.Store(&next)
	return st, nil
}

// allocID picks the next free ID from 1..2^31-1, wrapping and skipping IDs
// in use or quarantined (DMX-17).
func (m *Mux) allocID(table map[uint32]*Stream, now time.Time) (uint32, error) {
	for tries := 0; tries < len(table)+len(m.quarantine)+2; tries++ {
		id := m.nextID
		m.nextID++
		if m.nextID > maxMuxID {
			m.nextID = 1
		}
		if _, used := table[id]; used {
			continue
		}
		if until, q := m.quarantine[id]; q {
			if now.Before(until) {
				continue
			}
			delete(m.quarantine, id)
		}
		return id, nil
	}
	return 0, errors.New("demux: no free multiplex ID")
}

func (m *Mux) unregister(st *Stream) {
	m.mu.Lock()
	defer m.mu.Unlock()
	table := *m.streams.Load()
	if table[st.recvID] != st {
		return
	}
	next := make(map[uint32]*Stream, len(table))
	for k, v := range table {
		if k != st.recvID {
			next[k] = v
		}
	}
	m.streams.Store(&next)
	m.quarantine[st.recvID] = m.now().Add(IDQuarantine)
	m.load[st.pair]--
	if cp := m.calls[st.spec.CallID]; cp != nil {
		if cp.streams--; cp.streams == 0 {
			delete(m.calls, st.spec.CallID)
		}
	}
}

func (m *Mux) idleLoop() {
	defer m.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-m.done:
			return
		case <-t.C:
			m.CheckIdle(m.now())
		}
	}
}

// CheckIdle reports streams that went stale (no packet for 3 keep-alive
// intervals, DMX-11) or inactive (no packet for the inactivity timeout).
// The Mux calls it every second; tests call it with a chosen time.
func (m *Mux) CheckIdle(now time.Time) {
	for _, st := range *m.streams.Load() {
		idle := now.Sub(time.Unix(0, st.cnt.lastSeen.Load()))
		if idle >= 3*m.cfg.KeepAliveInterval {
			if !st.stale.Swap(true) && m.cfg.OnStale != nil {
				m.cfg.OnStale(st)
			}
		} else {
			st.stale.Store(false)
		}
		if idle >= m.cfg.InactivityTimeout {
			if !st.inactive.Swap(true) && m.cfg.OnInactive != nil {
				m.cfg.OnInactive(st)
			}
		} else {
			st.inactive.Store(false)
		}
	}
}
