package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/proxy"
	"github.com/causeway-edge/causeway/sip/registrar"
	"github.com/causeway-edge/causeway/sip/transport"
)

// dialplanRouter implements proxy.Router with a dialplan.Engine whose
// Local Zone is the registrar and whose neighbor zones are SIP next hops.
type dialplanRouter struct {
	reg       *registrar.Registrar
	engine    *dialplan.Engine
	neighbors map[string]Neighbor
	zones     *zoneIndex
	mode      proxyMode
	// px reads the call tag the proxy put on the request (SIP-85 b); set
	// once the proxy exists, before it serves.
	px *proxy.Proxy
	// self reports whether a URI with an IP host addresses one of our
	// listeners (address and port).
	self func(sip.URI) bool
}

// localZone is the registrar as the dial plan's Local Zone Target.
func localZone(reg *registrar.Registrar) dialplan.Target {
	return dialplan.TargetFunc(func(ctx context.Context, q dialplan.Query) (dialplan.Answer, error) {
		u, err := aliasURI(q.Alias)
		if err != nil {
			return dialplan.Answer{}, nil
		}
		bs, err := reg.Lookup(ctx, u)
		if err != nil {
			return dialplan.Answer{}, err
		}
		return dialplan.Answer{Found: len(bs) > 0}, nil
	})
}

// neighborZone answers every search positively while the zone is active:
// the neighbor is asked by forwarding the request itself (its final
// response decides). A monitored zone with no live peer is skipped
// (SIP-90).
func neighborZone(nb Neighbor, active func() bool) dialplan.Target {
	return dialplan.TargetFunc(func(context.Context, dialplan.Query) (dialplan.Answer, error) {
		if active != nil && !active() {
			return dialplan.Answer{}, nil
		}
		return dialplan.Answer{Found: true, Address: nb.Address}, nil
	})
}

func aliasURI(alias string) (sip.URI, error) {
	if !strings.Contains(alias, ":") || strings.Contains(alias, "@") && !strings.HasPrefix(alias, "sip:") && !strings.HasPrefix(alias, "sips:") {
		alias = "sip:" + alias
	}
	u, err := sip.ParseURI(alias)
	if err != nil {
		return u, err
	}
	if !u.IsSIP() {
		return u, fmt.Errorf("edge: alias %q is not a SIP URI", alias)
	}
	return u, nil
}

func (r *dialplanRouter) source(req *sip.Message, src transport.Addr) dialplan.Source {
	if name, ok := r.zones.zoneOf(src.AddrPort.Addr()); ok {
		return dialplan.FromZone(name)
	}
	if from, err := req.From(); err == nil && r.reg.IsLocal(from.URI.Hostname()) {
		if bs, _ := r.reg.Lookup(context.Background(), from.URI); len(bs) > 0 {
			return dialplan.FromLocalZone("")
		}
	}
	return dialplan.Source{}
}

// Route implements proxy.Router.
func (r *dialplanRouter) Route(ctx context.Context, req *sip.Message, src transport.Addr) (proxy.Decision, error) {
	ru, err := req.RequestURI()
	if err != nil || !ru.IsSIP() {
		return proxy.Decision{Status: 416}, nil
	}
	if req.Method() == sip.MethodRegister {
		return r.routeRegister(ctx, req, src)
	}
	to, _ := req.To()
	local := r.reg.IsLocal(ru.Hostname())
	if local && isAddr(ru.Host) && r.self != nil && !r.self(ru) {
		local = false // one of our addresses, but another port: not us
	}
	// In-dialog requests and requests for a foreign host go to the
	// Request-URI (the remote target) as it is.
	if to.Tag() != "" || (!local && isAddr(ru.Host)) {
		return proxy.Decision{Targets: []proxy.Target{{URI: ru}}}, nil
	}
	// SIP-56: a public GRUU reaches only its instance.
	if _, gr := ru.Param("gr"); gr && local {
		return r.bindings(ctx, ru, 0)
	}
	mf := 70
	if req.Has(sip.HdrMaxForwards) {
		mf, _ = req.MaxForwards()
	}
	res, err := r.search(ctx, req, src, ru.String(), mf)
	if err != nil {
		return proxy.Decision{}, err
	}
	switch res.Status {
	case dialplan.Found:
	case dialplan.Rejected:
		code := res.RejectStatus
		if code == 0 {
			code = 403
		}
		return proxy.Decision{Status: code, Reason: res.RejectReason}, nil
	default:
		return proxy.Decision{Status: 404}, nil
	}
	var d proxy.Decision
	for _, rt := range res.Routes {
		switch {
		case rt.Zone == dialplan.LocalZone:
			u, err := aliasURI(rt.Alias)
			if err != nil {
				continue
			}
			bd, err := r.bindings(ctx, u, rt.HopCount)
			if err != nil {
				return proxy.Decision{}, err
			}
			d.Targets = append(d.Targets, bd.Targets...)
		case rt.Direct:
			if u, err := aliasURI(rt.Alias); err == nil {
				d.Targets = append(d.Targets, proxy.Target{URI: u, HopCount: rt.HopCount})
			}
		default:
			if t, ok := r.neighborTarget(rt); ok {
				d.Targets = append(d.Targets, t)
			}
		}
	}
	if len(d.Targets) == 0 {
		d.Status = 480
	}
	return d, nil
}

// bindings turns the registrations of u into targets (SIP-57: all of
// them, in parallel), each reached at its Contact, through its Path, or for
// an outbound registration over the flow it registered on.
func (r *dialplanRouter) bindings(ctx context.Context, u sip.URI, hop int) (proxy.Decision, error) {
	bs, err := r.reg.Lookup(ctx, u)
	if err != nil {
		return proxy.Decision{}, err
	}
	var d proxy.Decision
	for _, b := range bs {
		c, err := sip.ParseAddress(b.Contact)
		if err != nil {
			continue
		}
		t := proxy.Target{URI: c.URI, Route: b.Path, HopCount: hop, Zone: dialplan.LocalZone}
		// RFC 5626: an outbound binding is reached over its flow, and only
		// over it: a flow that is gone fails the branch with 430 (SIP-55).
		if b.Outbound && len(b.Path) == 0 && b.Source.IsValid() {
			t.Dest = transport.Addr{Network: b.Network, AddrPort: b.Source}
			t.FlowOnly = b.Network != "udp"
		}
		d.Targets = append(d.Targets, t)
	}
	if len(d.Targets) == 0 {
		d.Status = 480
	}
	return d, nil
}

func isAddr(host string) bool {
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
}

// search runs the dial plan for alias on behalf of req.
func (r *dialplanRouter) search(ctx context.Context, req *sip.Message, src transport.Addr, alias string, hops int) (dialplan.Result, error) {
	dreq := dialplan.Request{Alias: alias, Protocol: dialplan.SIP, Source: r.source(req, src), HopCount: hops}
	if from, err := req.From(); err == nil {
		dreq.SourceAliases = []string{from.URI.AOR()}
	}
	if r.px != nil {
		dreq.CallTag = r.px.CallTag(req) // SIP-85 b: the loop table keys on it
	}
	return r.engine.Route(ctx, dreq)
}

// neighborTarget turns a dial-plan route to a zone into a proxy target at
// the zone's next hop, with the zone's egress rules (SIP-88).
func (r *dialplanRouter) neighborTarget(rt dialplan.Route) (proxy.Target, bool) {
	nb, ok := r.neighbors[rt.Zone]
	if !ok {
		return proxy.Target{}, false
	}
	u, err := aliasURI(rt.Alias)
	if err != nil {
		return proxy.Target{}, false
	}
	host, port, _ := strings.Cut(nb.Address, ":")
	t, err := sip.ParseURI(fmt.Sprintf("sip:%s@%s:%s;transport=%s", u.User, host, port, nb.Transport))
	if err != nil {
		return proxy.Target{}, false
	}
	rules := nb.Rules
	return proxy.Target{URI: t, HopCount: rt.HopCount, Zone: rt.Zone, Rules: &rules, NoPath: !nb.RFC3327}, true
}

// routeRegister routes a REGISTER for a domain that is not ours (the
// registrar answers the local ones): per the proxy mode, through the dial
// plan to a Neighbor or traversal zone (ProxyToKnownOnly) or to any zone
// (ProxyToAny), with Path or a Contact rewrite per the zone's RFC3327
// setting (SIP-59). No eligible target answers 404.
func (r *dialplanRouter) routeRegister(ctx context.Context, req *sip.Message, src transport.Addr) (proxy.Decision, error) {
	if r.mode == modeOff {
		return proxy.Decision{Status: 403, Reason: "Forbidden"}, nil
	}
	to, err := req.To()
	if err != nil {
		return proxy.Decision{Status: 400}, nil
	}
	mf := 70
	if req.Has(sip.HdrMaxForwards) {
		mf, _ = req.MaxForwards()
	}
	res, err := r.search(ctx, req, src, to.URI.AOR(), mf)
	if err != nil {
		return proxy.Decision{}, err
	}
	var d proxy.Decision
	if res.Status == dialplan.Found {
		for _, rt := range res.Routes {
			nb, ok := r.neighbors[rt.Zone]
			if !ok || (r.mode == modeKnownOnly && !nb.known()) {
				continue
			}
			if t, ok := r.neighborTarget(rt); ok {
				// The Request-URI stays the registrar's domain; the zone's
				// peer is the next hop.
				if ap, err := netip.ParseAddrPort(nb.Address); err == nil {
					t.URI, _ = req.RequestURI()
					t.Dest = transport.Addr{Network: nb.Transport, AddrPort: ap}
				}
				d.Targets = append(d.Targets, t)
			}
		}
	}
	if len(d.Targets) == 0 {
		d.Status = 404
	}
	return d, nil
}

// followRoute decides whether a dialog-forming request that still has a
// Route set after ours are popped follows it (SIP-81): always for an INVITE
// from a zone that accepts preloaded routes; otherwise by the proxy mode —
// Off never, ProxyToKnownOnly from Neighbor and traversal zones, ProxyToAny
// always.
func (r *dialplanRouter) followRoute(req *sip.Message, src transport.Addr) bool {
	name, known := r.zones.zoneOf(src.AddrPort.Addr())
	nb := r.neighbors[name]
	if known && nb.PreloadedRoutes && req.Method() == sip.MethodInvite {
		return true
	}
	switch r.mode {
	case modeAny:
		return true
	case modeKnownOnly:
		return known && nb.known()
	}
	return false
}
