package dialplan

import (
	"context"
	"net/netip"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// search is the state of one Route or Locate call.
type search struct {
	e     *Engine
	p     *plan
	req   Request
	tag   string
	trace *Trace

	// Folded source names: srcKey is the zone (LocalZone for registrations
	// and cluster peers, DefaultZone for unknown sources), subKey the
	// subzone of a registration.
	srcKey, subKey string
	local          bool // local registration or cluster peer
	defaultZone    bool

	// Hop count (DP-47): hopKind says how the current count is known.
	hopKind uint8
	hop     int

	foldBuf [128]byte
	idBuf   [64]int32
	// searched collects the zones queried, for the history.
	searched    []string
	searchedArr [8]string
}

const (
	hopLocal    = iota // originated here: each zone's own count
	hopReceived        // received with a count h: min(h-1, zone)
	hopLocate          // Locate with a count H: min(H, zone)
)

var (
	keyLocalZone   = pattern.Fold(LocalZone)
	keyDefaultZone = pattern.Fold(DefaultZone)
	keyDefaultSub  = pattern.Fold(DefaultSubZone)
)

func (s *search) init() {
	src := s.req.Source
	var k string
	switch {
	case src.Zone == "" || strings.EqualFold(src.Zone, DefaultZone):
		k = keyDefaultZone
	case strings.EqualFold(src.Zone, LocalZone):
		k = keyLocalZone
	default:
		k = pattern.Fold(src.Zone)
	}
	switch {
	case src.ClusterPeer || k == keyLocalZone:
		s.local, s.srcKey = true, keyLocalZone
		s.subKey = keyDefaultSub
		if src.Subzone != "" && !strings.EqualFold(src.Subzone, DefaultSubZone) {
			s.subKey = pattern.Fold(src.Subzone)
		}
	case k == "" || k == keyDefaultZone:
		s.defaultZone, s.srcKey = true, keyDefaultZone
	default:
		s.srcKey = k
	}
	switch {
	case s.req.locate:
		s.hopKind, s.hop = hopLocate, s.req.locateH
	case s.req.HopCount > 0:
		s.hopKind, s.hop = hopReceived, s.req.HopCount-1
	}
	s.searched = s.searchedArr[:0]
}

// outcome is the result of one pass (or fork) of the pipeline.
type outcome struct {
	status    Status
	reason    Reason
	rejStatus int
	rejReason string
	routes    []Route
}

// chain is the list of aliases that entered the pipeline on one restart
// branch (DP-48), most recent first.
type chain struct {
	alias  string
	parent *chain
}

func (c *chain) has(alias string) bool {
	for ; c != nil; c = c.parent {
		if strings.EqualFold(c.alias, alias) {
			return true
		}
	}
	return false
}

// run is one pass of the pipeline from DP-22 step 2 for alias.
func (s *search) run(ctx context.Context, alias string, depth int, ch *chain) outcome {
	if ctx.Err() != nil {
		return outcome{status: NotFound, reason: ReasonCanceled}
	}
	if depth > MaxRestarts {
		s.trace.add(Step{Kind: StepLoop, Depth: depth, Alias: alias, Reason: ReasonRestartLimit})
		return outcome{status: NotFound, reason: ReasonRestartLimit}
	}
	if ch.has(alias) {
		s.trace.add(Step{Kind: StepLoop, Depth: depth, Alias: alias, Reason: ReasonPolicyLoop})
		return outcome{status: NotFound, reason: ReasonPolicyLoop}
	}
	link := &chain{alias: alias, parent: ch}
	if depth > 0 {
		s.trace.add(Step{Kind: StepAliasIn, Depth: depth, Alias: alias})
	} else if !s.req.locate && s.trace != nil {
		s.trace.add(Step{Kind: StepAliasIn, Alias: alias, Protocol: s.req.Protocol, Detail: "from " + sourceName(s.req.Source)})
	}

	// Step 2: pre-search transforms, except for cluster peers (DP-23).
	if !s.req.Source.ClusterPeer {
		alias = s.transform(alias, depth)
	}

	// Step 3: Call Policy (DP-26, DP-27).
	if d, ok := s.callPolicy(ctx, alias, depth); ok {
		switch d.Action {
		case RejectCall:
			return outcome{status: Rejected, reason: ReasonPolicy, rejStatus: d.Status, rejReason: d.Reason}
		case Redirect:
			return s.fork(ctx, d.Aliases, depth, link, "call policy")
		}
	}

	// Step 4: User Policy / FindMe (DP-28).
	if s.e.userPol != nil {
		d, err := s.e.userPol.Decide(ctx, s.policyRequest(UserPolicy, "", alias))
		switch {
		case err != nil:
			s.trace.add(Step{Kind: StepWarning, Depth: depth, Alias: alias, Detail: "user policy: " + err.Error()})
		case d.Action == Redirect && len(d.Aliases) > 0:
			s.trace.add(Step{Kind: StepPolicy, Depth: depth, Alias: alias, Target: "UserPolicy", Result: d.Action.String(), Detail: strings.Join(d.Aliases, ",")})
			return s.fork(ctx, d.Aliases, depth, link, "user policy")
		case d.Action == RejectCall:
			s.trace.add(Step{Kind: StepPolicy, Depth: depth, Alias: alias, Target: "UserPolicy", Result: d.Action.String()})
			return outcome{status: Rejected, reason: ReasonPolicy, rejStatus: d.Status, rejReason: d.Reason}
		}
	}

	if alias == "" {
		s.trace.add(Step{Kind: StepResult, Depth: depth, Result: "not found", Reason: ReasonEmptyAlias})
		return outcome{status: NotFound, reason: ReasonEmptyAlias}
	}

	// Step 5: the unknown-IP gate (DP-46).
	cls := pattern.Classify(alias)
	known := false
	if cls.IsIP() {
		addr, _ := pattern.ParseIP(alias)
		known = s.knownIP(addr)
		if !known {
			switch s.p.cfg.CallsToUnknownIPAddresses {
			case Direct:
				s.trace.add(Step{Kind: StepResult, Depth: depth, Alias: alias, Result: "found", Reason: ReasonDirectIP})
				return outcome{status: Found, routes: []Route{{Alias: alias, Protocol: s.req.Protocol, Address: alias, Direct: true}}}
			case UnknownIPOff:
				s.trace.add(Step{Kind: StepResult, Depth: depth, Alias: alias, Result: "not found", Reason: ReasonUnknownIPBlocked})
				return outcome{status: NotFound, reason: ReasonUnknownIPBlocked}
			}
		} else {
			s.trace.add(Step{Kind: StepWarning, Depth: depth, Alias: alias, Reason: ReasonKnownIP, Detail: "known IP address: only Local Zone rules apply"})
		}
	}

	// Step 6: search rules.
	return s.searchRules(ctx, alias, cls, known, depth, link)
}

// knownIP reports whether addr is a known IP address (DP-46): inside a
// subzone subnet, or registered in the Local Zone.
func (s *search) knownIP(addr netip.Addr) bool {
	if s.p.inSubnet(addr) {
		return true
	}
	if t, ok := s.e.targets[keyLocalZone]; ok {
		if k, ok := t.(AddressKnower); ok {
			return k.KnowsAddress(addr)
		}
		return false
	}
	if st := s.p.zones[keyLocalZone].static; st != nil {
		return st.KnowsAddress(addr)
	}
	return false
}

func (p *plan) inSubnet(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, sn := range p.subnets {
		if sn.prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// transform applies the first matching pre-search transform (DP-24).
func (s *search) transform(alias string, depth int) string {
	if len(s.p.transforms) == 0 {
		return alias
	}
	folded, ascii := appendFold(s.foldBuf[:0], alias)
	ids := sortIDs(s.p.tIndex.lookup(folded, ascii, s.idBuf[:0]))
	for _, id := range ids {
		t := &s.p.transforms[id]
		m, err := t.pat.Match(alias)
		if err != nil {
			s.trace.add(Step{Kind: StepWarning, Depth: depth, Alias: alias, Priority: t.priority, Reason: ReasonRegexBudget, Detail: "transform: " + err.Error()})
			continue
		}
		if !m.Matched {
			continue
		}
		out := t.pat.Rewrite(m)
		if s.trace != nil {
			s.trace.add(Step{Kind: StepTransform, Depth: depth, Alias: out, Priority: t.priority,
				Detail: alias + " -> " + out + " (" + t.pat.Spec().Type.String() + " " + t.pat.Spec().Pattern + ", " + t.pat.Spec().Behavior.String() + ")"})
			for _, w := range t.pat.Warnings() {
				s.trace.add(Step{Kind: StepWarning, Depth: depth, Priority: t.priority, Detail: w})
			}
		}
		return out
	}
	return alias
}

func (s *search) policyRequest(kind PolicyKind, service, alias string) PolicyRequest {
	return PolicyRequest{Kind: kind, Service: service, Alias: alias, SourceAliases: s.req.SourceAliases, Source: s.req.Source,
		Authenticated: s.req.Authenticated, Protocol: s.req.Protocol, CallTag: s.tag}
}

// callPolicy runs the Call Policy step (DP-26, DP-27). ok is false when the
// mode is Off.
func (s *search) callPolicy(ctx context.Context, alias string, depth int) (d Decision, ok bool) {
	mode := s.p.cfg.CallPolicyMode
	if mode == CallPolicyOff {
		return Decision{}, false
	}
	detail := ""
	switch {
	case mode == CallPolicyLocalCPL && len(s.p.cpRules) > 0:
		d, detail = s.builtinCallPolicy(alias)
	case mode == CallPolicyLocalCPL && s.e.callPol == nil:
		d, detail = Decision{Action: Proxy}, "no policy: allow"
	case s.e.callPol == nil:
		d, detail = s.p.cpFallback, "call policy unreachable: default CPL"
	default:
		var err error
		d, err = s.e.callPol.Decide(ctx, s.policyRequest(CallPolicy, s.p.cfg.CallPolicyService, alias))
		if err != nil {
			d, detail = s.p.cpFallback, "call policy unreachable ("+err.Error()+"): default CPL"
		}
	}
	if d.Action == Redirect {
		d.Aliases = normaliseAliases(d.Aliases)
	}
	if s.trace != nil {
		s.trace.add(Step{Kind: StepPolicy, Depth: depth, Alias: alias, Target: "CallPolicy", Result: d.Action.String(), Detail: joinDetail(detail, d)})
	}
	return d, true
}

func joinDetail(detail string, d Decision) string {
	var parts []string
	if detail != "" {
		parts = append(parts, detail)
	}
	if len(d.Aliases) > 0 {
		parts = append(parts, "aliases "+strings.Join(d.Aliases, ","))
	}
	if d.Action == RejectCall {
		parts = append(parts, "status "+itoa(d.Status)+" "+d.Reason)
	}
	return strings.Join(parts, "; ")
}

// builtinCallPolicy evaluates the built-in Call Policy rules top-down; the
// first match decides, no match allows (DP-27).
func (s *search) builtinCallPolicy(alias string) (Decision, string) {
	for i, r := range s.p.cpRules {
		switch r.source {
		case PolicyFromZone:
			if s.srcKey != r.zone && !(s.local && s.subKey == r.zone) {
				continue
			}
		case PolicyFromAuthenticated, PolicyFromUnauthenticated:
			if s.req.Authenticated != (r.source == PolicyFromAuthenticated) {
				continue
			}
			if r.src != nil && !anyMatches(r.src, s.req.SourceAliases) {
				continue
			}
		}
		if r.dst == nil {
			continue
		}
		if m, err := r.dst.Match(alias); err != nil || !m.Matched {
			continue
		}
		if r.action == Reject {
			return Decision{Action: RejectCall, Status: 403, Reason: "Forbidden"}, "call policy rule " + itoa(i+1)
		}
		return Decision{Action: Proxy}, "call policy rule " + itoa(i+1)
	}
	return Decision{Action: Proxy}, "no call policy rule matched: allow"
}

func anyMatches(p *pattern.Pattern, aliases []string) bool {
	for _, a := range aliases {
		v := a
		if pa, err := pattern.ParseAlias(a); err == nil {
			v = pa.Value
		}
		if m, err := p.Match(v); err == nil && m.Matched {
			return true
		}
	}
	return false
}

func normaliseAliases(in []string) []string {
	out := make([]string, 0, len(in))
	for _, a := range in {
		if pa, err := pattern.ParseAlias(a); err == nil {
			out = append(out, pa.Value)
		}
	}
	return out
}

// fork routes each alias by a restart and gathers every route found
// (DP-29): a policy that returns several aliases forks the call.
func (s *search) fork(ctx context.Context, aliases []string, depth int, ch *chain, why string) outcome {
	if s.trace != nil {
		s.trace.add(Step{Kind: StepRestart, Depth: depth, Detail: why + ": " + strings.Join(aliases, ",")})
	}
	var (
		routes []Route
		first  *outcome
	)
	for _, a := range aliases {
		o := s.run(ctx, a, depth+1, ch)
		switch {
		case o.status == Found:
			routes = append(routes, o.routes...)
		case first == nil || first.status == NotFound && o.status == Rejected:
			oc := o
			first = &oc
		}
	}
	if len(routes) > 0 {
		return outcome{status: Found, routes: routes}
	}
	if first != nil {
		return *first
	}
	return outcome{status: NotFound, reason: ReasonNotFound}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
