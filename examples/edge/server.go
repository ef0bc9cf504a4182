package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
	"github.com/causeway-edge/causeway/sip/proxy"
	"github.com/causeway-edge/causeway/sip/registrar"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// Server is the composed edge: transport, transaction layer, registrar
// (with digest authentication when configured), and the proxy routed by
// the dial plan.
type Server struct {
	cfg    *Config
	log    *slog.Logger
	tp     *transport.Transport
	reg    *registrar.Registrar
	engine *dialplan.Engine
	policy *callPolicy // nil unless call_policy: has a CPL script
	px     *proxy.Proxy
	zones  *zoneIndex
	// conference is the Conference Factory (SIP-92), nil when off.
	conference *proxy.ConferenceFactory
	// monitor probes the zones with monitor_peer_status (SIP-90); set by
	// Start, nil when no zone is monitored.
	monitor *proxy.Monitor
	peersMu sync.Mutex
	peers   map[string]proxy.PeerStatus // by zone/peer, for /status
	cdr     *cdrWriter
	httpLn  net.Listener
	httpSv  *http.Server
	// OnRegistration, when set before Start, sees every registration event.
	OnRegistration func(registrar.Event)

	mu     sync.Mutex
	calls  map[string]activeCall // answered calls by Call-ID
	starts map[string]time.Time  // attempts by Call-ID

	regAccepted, regRejected                 atomic.Int64
	callsAnswered, callsRejected, callsEnded atomic.Int64
	cancel                                   context.CancelFunc
	bg                                       sync.WaitGroup // registrar sweep, policy watch
}

type activeCall struct {
	From, To, RequestURI string
	Start, Answer        time.Time
}

// NewServer builds the edge from a validated configuration.
func NewServer(cfg *Config, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, log: log, calls: map[string]activeCall{}, starts: map[string]time.Time{}, peers: map[string]proxy.PeerStatus{}}
	var addrs []netip.Addr
	for _, a := range cfg.SIP.Addresses {
		addrs = append(addrs, netip.MustParseAddr(a))
	}
	tc := transport.Config{Addrs: addrs, UDPPort: cfg.SIP.UDPPort, TCPPort: cfg.SIP.TCPPort, TLSPort: cfg.SIP.TLSPort, Logger: log}
	for _, t := range cfg.SIP.Transports {
		switch t {
		case "udp":
			tc.UDP = true
		case "tcp":
			tc.TCP = true
		case "tls":
			tc.TLS = true
		}
	}
	if tc.TLS {
		var cert tls.Certificate
		var err error
		if cfg.SIP.TLSCert != "" {
			cert, err = tls.LoadX509KeyPair(cfg.SIP.TLSCert, cfg.SIP.TLSKey)
		} else {
			cert, err = selfSigned(cfg.SIP.Addresses, cfg.Registrar.Domains)
			log.Warn("TLS uses a self-signed certificate made at start-up; configure sip.tls_cert and sip.tls_key")
		}
		if err != nil {
			return nil, fmt.Errorf("edge: TLS certificate: %w", err)
		}
		tc.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	tp, err := transport.New(tc)
	if err != nil {
		return nil, err
	}
	s.tp = tp

	rc, err := cfg.registrarConfig()
	if err != nil {
		return nil, err
	}
	rc.OnEvent = s.registrationEvent
	rc.OnEnd = s.registrationEnded
	rc.DeviceClass = deviceClass // LIC-26 through the licensing block
	rc.PeerID = cfg.Registrar.PeerID
	// SIP-50: the box's own addresses are local hosts too.
	rc.IsLocal = func(host string) bool {
		a, err := netip.ParseAddr(host)
		return err == nil && slices.Contains(addrs, a.Unmap())
	}
	if cfg.Registrar.Authentication {
		d, err := digest.NewServer(digest.Config{Realm: cfg.Registrar.Realm, Store: digest.MemoryStore(cfg.Users)})
		if err != nil {
			return nil, err
		}
		rc.Authenticator = d
	} else {
		log.Warn("registrations are not authenticated (the product default); set registrar.authentication and users: to require digest")
	}
	if s.reg, err = registrar.New(rc); err != nil {
		return nil, err
	}

	opts := []dialplan.Option{dialplan.WithLocalZone(localZone(s.reg))}
	if cfg.CallPolicy.hasScript() {
		if s.policy, err = newCallPolicy(cfg.CallPolicy, log); err != nil {
			return nil, err
		}
		opts = append(opts, dialplan.WithCallPolicy(s.policy))
		cfg.Dialplan.CallPolicyMode = dialplan.CallPolicyLocalCPL // the hook decides
	}
	for name, nb := range cfg.Neighbors {
		var active func() bool
		if nb.Monitor {
			active = func() bool { return s.zoneActive(name) }
		}
		opts = append(opts, dialplan.WithTarget(name, neighborZone(nb, active)))
	}
	if s.engine, err = dialplan.NewEngine(cfg.Dialplan, opts...); err != nil {
		return nil, err
	}
	mode, _ := parseProxyMode(cfg.Proxy.Mode) // validated with the configuration
	s.zones = newZoneIndex(cfg.Neighbors)
	router := &dialplanRouter{reg: s.reg, engine: s.engine, neighbors: cfg.Neighbors, zones: s.zones, mode: mode, self: func(u sip.URI) bool {
		a, err := netip.ParseAddr(u.Hostname())
		if err != nil {
			return false
		}
		port := u.Port
		for _, n := range []string{"udp", "tcp", "tls"} {
			l := tp.LocalAddr(n)
			if l.IsValid() && l.Addr() == a.Unmap() && (port == 0 || int(l.Port()) == port) {
				return true
			}
		}
		return false
	}}
	pc := proxy.Config{Transport: tp, Router: router, Local: s.local, IsLocalHost: s.reg.IsLocal,
		NoRecordRoute:  cfg.Proxy.RecordRoute != nil && !*cfg.Proxy.RecordRoute,
		SessionExpires: cfg.Proxy.SessionExpires, MinSE: cfg.Proxy.MinSE, Logger: log, OnCall: s.callEvent,
		CallTagHeader: cfg.Proxy.CallTagHeader, FollowRoute: router.followRoute,
		ZoneOf: func(peer transport.Addr) *proxy.ZoneRules { return s.zones.rules(peer.AddrPort.Addr()) }}
	if len(cfg.Proxy.SIPRoutes) > 0 {
		if pc.SIPRoutes, err = proxy.CompileSIPRoutes(cfg.Proxy.sipRoutes(), &cfg.Dialplan.System); err != nil {
			return nil, err
		}
	}
	if f := cfg.Proxy.ConferenceFactory; f != nil {
		if s.conference, err = proxy.NewConferenceFactory(f.Alias, f.Template, f.Start, f.End); err != nil {
			return nil, err
		}
	}
	if s.px, err = proxy.New(pc); err != nil {
		return nil, err
	}
	router.px = s.px
	if s.cdr, err = openCDR(cfg.CDR.File); err != nil {
		return nil, err
	}
	return s, nil
}

// local answers REGISTER requests with the registrar (SIP-50, SIP-59 with
// Proxy Mode Off: a foreign REGISTER is refused).
func (s *Server) local(tx *transaction.ServerTx, req *sip.Message, src transport.Addr) bool {
	if s.conference != nil && s.conference.Handle(tx, req, src) {
		return true // SIP-92
	}
	if req.Method() != sip.MethodRegister {
		return false
	}
	// SIP-59: with a proxy mode, a REGISTER for a foreign domain is routed
	// like any request; with Off the registrar refuses it 403.
	if s.zones != nil && s.mode() != modeOff {
		if to, err := req.To(); err == nil && !s.reg.IsLocal(to.URI.Hostname()) {
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := s.reg.Register(ctx, req, registrar.Source{Network: src.Network, Addr: src.AddrPort, Flow: src.String()})
	if err != nil {
		s.log.Info("REGISTER not answered", "err", err)
		return true
	}
	if err := tx.Respond(resp); err != nil {
		s.log.Debug("REGISTER response", "err", err)
	}
	return true
}

func (s *Server) registrationEvent(e registrar.Event) {
	switch e.Name {
	case "Registration Accepted":
		s.regAccepted.Add(1)
	case "Registration Rejected":
		s.regRejected.Add(1)
	}
	s.log.Debug(e.Name, "aor", e.AOR, "contact", e.Contact, "code", e.Code, "granted", e.Granted, "reason", e.Reason)
	if s.OnRegistration != nil {
		s.OnRegistration(e)
	}
}

// registrationEnded sees every binding that ends (SIP-58). With
// registrar.call_remove on, the calls of a device whose registration is
// gone are released (SIP-42).
func (s *Server) registrationEnded(e registrar.Ended) {
	s.log.Info("registration ended", "aor", e.Binding.AOR, "contact", e.Binding.Contact, "reason", e.Reason)
	if e.ReleaseCalls {
		if n := s.releaseCalls(e.Binding.AOR, "Registration removed"); n > 0 {
			s.log.Info("calls released", "aor", e.Binding.AOR, "calls", n)
		}
	}
}

// releaseCalls ends the answered calls that aor takes part in: the proxy
// drops their state, so later in-dialog requests get 481 (SIP-42), and each
// gets its CDR.
func (s *Server) releaseCalls(aor, reason string) int {
	aor = strings.ToLower(aor)
	party := func(v string) bool {
		a, err := sip.ParseAddress(v)
		return err == nil && strings.ToLower(a.URI.AOR()) == aor
	}
	now := time.Now()
	s.mu.Lock()
	var ids []string
	for id, c := range s.calls {
		if party(c.From) || party(c.To) {
			ids = append(ids, id)
			delete(s.calls, id)
			s.callsEnded.Add(1)
			s.writeCDR(id, c.From, c.To, c.RequestURI, c.Start, now, now.Sub(c.Answer), reason)
		}
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.px.Release(id)
	}
	return len(ids)
}

func (s *Server) callEvent(e proxy.CallEvent) {
	s.log.Info(e.Kind, "call_id", e.CallID, "from", e.From, "to", e.To, "status", e.Status)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch e.Kind {
	case proxy.CallAttempt:
		s.starts[e.CallID] = e.Time
	case proxy.CallAnswered:
		s.callsAnswered.Add(1)
		s.calls[e.CallID] = activeCall{From: e.From, To: e.To, RequestURI: e.RequestURI, Start: s.starts[e.CallID], Answer: e.Time}
		delete(s.starts, e.CallID)
	case proxy.CallRejected:
		s.callsRejected.Add(1)
		start, ok := s.starts[e.CallID]
		if !ok {
			start = e.Time
		}
		delete(s.starts, e.CallID)
		s.writeCDR(e.CallID, e.From, e.To, e.RequestURI, start, e.Time, 0, fmt.Sprintf("%d %s", e.Status, sip.ReasonPhrase(e.Status)))
	case proxy.CallDisconnected:
		c, ok := s.calls[e.CallID]
		if !ok {
			return
		}
		s.callsEnded.Add(1)
		delete(s.calls, e.CallID)
		s.writeCDR(e.CallID, c.From, c.To, c.RequestURI, c.Start, e.Time, e.Time.Sub(c.Answer), "200 OK")
	}
}

func (s *Server) writeCDR(callID, from, to, ruri string, start, end time.Time, d time.Duration, status string) {
	if err := s.cdr.write(cdrRecord{UUID: sip.NewCallID(), Tag: callID, BoxCallSerialNumber: callID, Status: status,
		StartTime: start.Format(cdrTime), EndTime: end.Format(cdrTime), SourceAlias: from, DestinationAlias: to,
		AsideRequestURI: ruri, BsideRequestURI: ruri, DisconnectReason: status, Duration: int64(d / time.Second)}); err != nil {
		s.log.Warn("CDR not written", "err", err)
	}
}

// Start binds the SIP listeners and the status server.
func (s *Server) Start(ctx context.Context) error {
	ctx, s.cancel = context.WithCancel(ctx)
	if err := s.tp.Start(ctx, s.px.Layer()); err != nil {
		s.cancel()
		return err
	}
	if err := s.startMonitor(); err != nil {
		s.cancel()
		_ = s.tp.Close()
		return err
	}
	s.bg.Go(func() { s.reg.Run(ctx, time.Second) })
	if s.policy != nil {
		s.bg.Go(func() { s.policy.watch(ctx) })
	}
	for _, n := range []string{"udp", "tcp", "tls"} {
		if a := s.tp.LocalAddr(n); a.IsValid() {
			s.log.Info("SIP listening", "transport", n, "address", a.String())
		}
	}
	if s.cfg.HTTP.Address != "off" {
		ln, err := net.Listen("tcp", s.cfg.HTTP.Address)
		if err != nil {
			s.cancel()
			_ = s.tp.Close()
			return fmt.Errorf("edge: status server: %w", err)
		}
		s.httpLn = ln
		mux := http.NewServeMux()
		mux.HandleFunc("GET /status", s.serveStatus)
		mux.HandleFunc("GET /metrics", s.serveMetrics)
		s.operatorRoutes(mux)
		s.httpSv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = s.httpSv.Serve(ln) }()
		s.log.Info("status server listening", "address", ln.Addr().String())
	}
	return nil
}

// Shutdown answers new requests 503, lets in-flight transactions finish
// until ctx ends, and closes everything.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	s.peersMu.Lock()
	m := s.monitor // closed outside the lock: its OnChange takes it
	s.peersMu.Unlock()
	if m != nil {
		errs = append(errs, m.Close())
	}
	errs = append(errs, s.px.Shutdown(ctx))
	if s.httpSv != nil {
		errs = append(errs, s.httpSv.Shutdown(ctx))
	}
	if s.cancel != nil {
		s.cancel()
		s.bg.Wait()
	}
	errs = append(errs, s.tp.Close(), s.cdr.Close())
	return errors.Join(errs...)
}

// SIPAddr returns the bound address of a SIP transport.
func (s *Server) SIPAddr(network string) netip.AddrPort { return s.tp.LocalAddr(network) }

// HTTPAddr returns the status server's address.
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return ""
	}
	return s.httpLn.Addr().String()
}

// Status is the /status document.
type Status struct {
	Listeners       []Listener            `json:"listeners"`
	Registrations   []registrar.Binding   `json:"registrations"`
	CallsInProgress int                   `json:"calls_in_progress"`
	ActiveCalls     map[string]activeCall `json:"active_calls"`
	Counters        map[string]int64      `json:"counters"`
	// Peers are the monitored zone peers (SIP-90).
	Peers []PeerState `json:"peers"`
	// Sessions are the dialogs whose session timer the proxy watches
	// (SIP-102); RewrittenContacts the Contacts of forwarded REGISTERs
	// it maps back (SIP-59).
	Sessions          int `json:"sessions"`
	RewrittenContacts int `json:"rewritten_contacts"`
}

// PeerState is a monitored peer's last probe result.
type PeerState struct {
	Zone   string `json:"zone"`
	Peer   string `json:"peer"`
	Alive  bool   `json:"alive"`
	Status int    `json:"status"`
}

// Listener is one bound SIP listener.
type Listener struct {
	Transport string `json:"transport"`
	Address   string `json:"address"`
}

func (s *Server) status(ctx context.Context) Status {
	st := Status{CallsInProgress: s.px.InProgress(), ActiveCalls: map[string]activeCall{}, Counters: s.counters()}
	for _, n := range []string{"udp", "tcp", "tls"} {
		if a := s.tp.LocalAddr(n); a.IsValid() {
			st.Listeners = append(st.Listeners, Listener{n, a.String()})
		}
	}
	st.Registrations, _ = s.reg.Bindings(ctx)
	if st.Registrations == nil {
		st.Registrations = []registrar.Binding{}
	}
	s.mu.Lock()
	for k, v := range s.calls {
		st.ActiveCalls[k] = v
	}
	s.mu.Unlock()
	st.Peers = []PeerState{}
	s.peersMu.Lock()
	for _, ps := range s.peers {
		st.Peers = append(st.Peers, PeerState{Zone: ps.Zone, Peer: ps.Peer.String(), Alive: ps.Alive, Status: ps.Status})
	}
	s.peersMu.Unlock()
	slices.SortFunc(st.Peers, func(a, b PeerState) int { return strings.Compare(a.Zone+a.Peer, b.Zone+b.Peer) })
	st.Sessions, st.RewrittenContacts = s.px.Sessions(), s.px.RewrittenContacts()
	return st
}

func (s *Server) counters() map[string]int64 {
	return map[string]int64{
		"registrations_accepted": s.regAccepted.Load(), "registrations_rejected": s.regRejected.Load(),
		"calls_answered": s.callsAnswered.Load(), "calls_rejected": s.callsRejected.Load(), "calls_ended": s.callsEnded.Load(),
	}
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(s.status(r.Context()))
}

// serveMetrics writes the Prometheus text exposition format (version 0.0.4).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	st := s.status(r.Context())
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# HELP causeway_registrations Active SIP registrations (bindings).\n# TYPE causeway_registrations gauge\ncauseway_registrations %d\n", len(st.Registrations))
	fmt.Fprintf(w, "# HELP causeway_calls_in_progress INVITE transactions being forwarded.\n# TYPE causeway_calls_in_progress gauge\ncauseway_calls_in_progress %d\n", st.CallsInProgress)
	fmt.Fprintf(w, "# HELP causeway_calls_active Answered calls not yet ended.\n# TYPE causeway_calls_active gauge\ncauseway_calls_active %d\n", len(st.ActiveCalls))
	fmt.Fprintf(w, "# HELP causeway_registrations_total REGISTER outcomes.\n# TYPE causeway_registrations_total counter\n")
	fmt.Fprintf(w, "causeway_registrations_total{result=\"accepted\"} %d\ncauseway_registrations_total{result=\"rejected\"} %d\n", st.Counters["registrations_accepted"], st.Counters["registrations_rejected"])
	fmt.Fprintf(w, "# HELP causeway_calls_total Call outcomes.\n# TYPE causeway_calls_total counter\n")
	fmt.Fprintf(w, "causeway_calls_total{result=\"answered\"} %d\ncauseway_calls_total{result=\"rejected\"} %d\ncauseway_calls_total{result=\"ended\"} %d\n", st.Counters["calls_answered"], st.Counters["calls_rejected"], st.Counters["calls_ended"])
	fmt.Fprintf(w, "# HELP causeway_sip_decode_errors_total Undecodable SIP messages.\n# TYPE causeway_sip_decode_errors_total counter\ncauseway_sip_decode_errors_total %d\n", s.tp.DecodeErrors())
}

// mode is the configured SIP registration proxy mode.
func (s *Server) mode() proxyMode {
	m, _ := parseProxyMode(s.cfg.Proxy.Mode)
	return m
}

// startMonitor probes the peers of the zones with monitor_peer_status
// (SIP-90) once the proxy serves.
func (s *Server) startMonitor() error {
	peers := map[string][]transport.Addr{}
	for name, nb := range s.cfg.Neighbors {
		if !nb.Monitor {
			continue
		}
		ap, err := netip.ParseAddrPort(nb.Address)
		if err != nil {
			return fmt.Errorf("edge: zone %s: monitoring needs an IP address: %w", name, err)
		}
		peers[name] = append(peers[name], transport.Addr{Network: nb.Transport, AddrPort: ap})
	}
	if len(peers) == 0 {
		return nil
	}
	five := s.cfg.Proxy.ClassFiveResponseLiveness == nil || *s.cfg.Proxy.ClassFiveResponseLiveness
	m, err := s.px.NewMonitor(proxy.MonitorConfig{Peers: peers, Interval: s.cfg.Proxy.MonitorInterval,
		ClassFiveResponseLiveness: five, OnChange: func(ps proxy.PeerStatus) {
			s.log.Info("peer status", "zone", ps.Zone, "peer", ps.Peer.String(), "alive", ps.Alive, "status", ps.Status)
			s.peersMu.Lock()
			s.peers[ps.Zone+" "+ps.Peer.String()] = ps
			s.peersMu.Unlock()
		}})
	if err != nil {
		return err
	}
	s.peersMu.Lock()
	s.monitor = m
	s.peersMu.Unlock()
	return nil
}

// zoneActive reports whether a monitored zone has a live peer.
func (s *Server) zoneActive(zone string) bool {
	s.peersMu.Lock()
	m := s.monitor
	s.peersMu.Unlock()
	return m != nil && m.ZoneActive(zone)
}
