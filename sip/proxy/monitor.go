package proxy

import (
	"errors"
	"sync"
	"time"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// DefaultMonitorInterval is the OPTIONS period of the peer monitor
// (SIP-90).
const DefaultMonitorInterval = 30 * time.Second

// MonitorConfig configures a peer liveness monitor (SIP-90).
type MonitorConfig struct {
	// Peers lists, per zone with Monitor peer status Yes, its peers.
	Peers map[string][]transport.Addr
	// Interval between OPTIONS to a peer; default 30 s.
	Interval time.Duration
	// ClassFiveResponseLiveness: true (Yes) counts a 5xx answer as alive;
	// false (No) does not.
	ClassFiveResponseLiveness bool
	// OnChange gets every change of a peer's state, the first result
	// included.
	OnChange func(PeerStatus)
}

// PeerStatus is a peer's state after a probe.
type PeerStatus struct {
	Zone  string
	Peer  transport.Addr
	Alive bool
	// Status is the final response code, 0 after a timeout or a
	// transport error.
	Status int
}

// Monitor sends OPTIONS to every peer of the monitored zones and keeps
// their state: any final response marks a peer alive (a 5xx only with
// ClassFiveResponseLiveness), a timeout (Timer F) or a transport error
// inactive; a zone with no alive peer is inactive. It runs on the
// proxy's transaction layer and clock.
type Monitor struct {
	p     *Proxy
	cfg   MonitorConfig
	mu    sync.Mutex
	state map[peerKey]*peerState
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

type peerKey struct {
	zone string
	peer transport.Addr
}

type peerState struct {
	known, alive bool
	timer        transaction.Timer
}

// NewMonitor starts monitoring: every peer gets its first OPTIONS at once.
func (p *Proxy) NewMonitor(cfg MonitorConfig) (*Monitor, error) {
	if cfg.Interval == 0 {
		cfg.Interval = DefaultMonitorInterval
	}
	if cfg.Interval < 0 {
		return nil, errors.New("proxy: monitor interval must be positive")
	}
	m := &Monitor{p: p, cfg: cfg, state: map[peerKey]*peerState{}, done: make(chan struct{})}
	for zone, peers := range cfg.Peers {
		for _, a := range peers {
			m.state[peerKey{zone, a}] = &peerState{}
		}
	}
	m.mu.Lock()
	for k := range m.state {
		m.probe(k)
	}
	m.mu.Unlock()
	return m, nil
}

// probe sends one OPTIONS; m.mu is held.
func (m *Monitor) probe(k peerKey) {
	select {
	case <-m.done:
		return
	default:
	}
	req, err := m.p.options(k.peer)
	if err != nil {
		m.p.log.Warn("proxy: monitor OPTIONS", "peer", k.peer.String(), "err", err)
		return
	}
	tx, err := m.p.layer.Request(m.p.ctx, req, k.peer)
	if err != nil {
		m.p.log.Debug("proxy: monitor OPTIONS", "peer", k.peer.String(), "err", err)
		return
	}
	m.wg.Add(1)
	go m.await(k, tx)
}

// await waits for the final response of one probe, records it and
// schedules the next probe.
func (m *Monitor) await(k peerKey, tx *transaction.ClientTx) {
	defer m.wg.Done()
	code := 0
	for code == 0 {
		select {
		case r, ok := <-tx.Responses():
			if !ok {
				code = -1
				break
			}
			if r.StatusCode() >= 200 {
				code = r.StatusCode()
			}
		case <-m.done:
			return
		}
	}
	if code < 0 {
		code = 0
	}
	alive := code >= 200 && (code < 500 || code >= 600 || m.cfg.ClassFiveResponseLiveness)
	m.mu.Lock()
	st := m.state[k]
	changed := !st.known || st.alive != alive
	st.known, st.alive = true, alive
	select {
	case <-m.done:
	default:
		st.timer = m.p.clock.AfterFunc(m.cfg.Interval, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.probe(k)
		})
	}
	m.mu.Unlock()
	if changed && m.cfg.OnChange != nil {
		m.cfg.OnChange(PeerStatus{Zone: k.zone, Peer: k.peer, Alive: alive, Status: code})
	}
}

// PeerAlive reports whether a peer of a zone answered its last OPTIONS.
func (m *Monitor) PeerAlive(zone string, peer transport.Addr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.state[peerKey{zone, peer}]
	return st != nil && st.alive
}

// ZoneActive reports whether a monitored zone has an alive peer; a zone
// that is not monitored is active.
func (m *Monitor) ZoneActive(zone string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	monitored := false
	for k, st := range m.state {
		if k.zone != zone {
			continue
		}
		monitored = true
		if st.alive {
			return true
		}
	}
	return !monitored
}

// Close stops the probes and waits for the monitor's goroutines.
func (m *Monitor) Close() error {
	m.once.Do(func() {
		m.mu.Lock()
		close(m.done)
		for _, st := range m.state {
			if st.timer != nil {
				st.timer.Stop()
			}
		}
		m.mu.Unlock()
		m.wg.Wait()
	})
	return nil
}

// options builds an OPTIONS the box sends to a peer.
func (p *Proxy) options(peer transport.Addr) (*sip.Message, error) {
	u, err := sip.ParseURI("sip:" + peer.AddrPort.String() + ";transport=" + peer.Network)
	if err != nil {
		return nil, err
	}
	return p.originate(sip.MethodOptions, u, u, peer)
}

// originate builds an out-of-dialog request from the box to a next hop.
func (p *Proxy) originate(method string, ruri, to sip.URI, dest transport.Addr) (*sip.Message, error) {
	local := p.tp.LocalAddr(dest.Network)
	if !local.IsValid() {
		return nil, errors.New("proxy: no " + dest.Network + " listener for " + dest.String())
	}
	m, err := sip.NewRequest(method, ruri)
	if err != nil {
		return nil, err
	}
	from, err := sip.ParseAddress("<sip:" + local.String() + ">")
	if err != nil {
		return nil, err
	}
	from.Params = from.Params.Set("tag", sip.NewTag())
	if err := m.SetFrom(from); err != nil {
		return nil, err
	}
	if err := m.SetTo(sip.Address{URI: to}); err != nil {
		return nil, err
	}
	if err := m.Set(sip.HdrCallID, sip.NewCallID()); err != nil {
		return nil, err
	}
	if err := m.SetCSeq(sip.CSeq{Seq: 1, Method: method}); err != nil {
		return nil, err
	}
	v := sip.Via{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: networkUpper(dest.Network),
		Host: local.Addr().String(), Port: int(local.Port())}
	v.Params = v.Params.Set("branch", sip.NewBranch())
	if dest.Network == "udp" {
		v.Params = v.Params.Set("rport", "")
	}
	if err := m.PushVia(v); err != nil {
		return nil, err
	}
	return m, nil
}

func networkUpper(n string) string {
	switch n {
	case "udp":
		return "UDP"
	case "tcp":
		return "TCP"
	case "tls":
		return "TLS"
	}
	return n
}
