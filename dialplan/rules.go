package dialplan

import (
	"context"
	"errors"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// matchedRule is a search rule whose criteria matched, with the alias its
// zone transform produced (DP-34).
type matchedRule struct {
	rule  *cRule
	alias string
}

// searchRules runs the search rules by priority group (DP-30..DP-40).
func (s *search) searchRules(ctx context.Context, alias string, cls pattern.AliasType, known bool, depth int, ch *chain) outcome {
	p := s.p
	var ids []int32
	if s.trace != nil {
		// Explaining: look at every rule so the trace can say why each was
		// skipped. The decisions are the same as with the index.
		ids = s.idBuf[:0]
		for i := range p.rules {
			ids = append(ids, int32(i))
		}
	} else {
		folded, ascii := appendFold(s.foldBuf[:0], alias)
		ids = p.rIndex.lookup(folded, ascii, s.idBuf[:0])
		if cls.IsIP() {
			ids = append(ids, p.anyIP...)
		} else {
			ids = append(ids, p.anyAlias...)
		}
		ids = sortIDs(ids)
	}

	var groupArr [8]matchedRule
	group := groupArr[:0]
	anyMatched := false
	for k := 0; k < len(ids); {
		prio := p.rules[ids[k]].priority
		group = group[:0]
		for ; k < len(ids) && p.rules[ids[k]].priority == prio; k++ {
			r := &p.rules[ids[k]]
			if q, ok := s.ruleMatches(r, alias, cls, depth); ok {
				group = append(group, matchedRule{rule: r, alias: q})
			}
		}
		if len(group) == 0 {
			continue
		}
		anyMatched = true
		out, stop := s.runGroup(ctx, alias, group, known, depth, ch)
		if out.status != NotFound || ctx.Err() != nil {
			return out
		}
		if stop {
			s.trace.add(Step{Kind: StepResult, Depth: depth, Alias: alias, Priority: prio, Result: "not found", Reason: ReasonStop})
			return outcome{status: NotFound, reason: ReasonStop}
		}
	}
	if !anyMatched {
		return outcome{status: NotFound, reason: ReasonNoRuleMatched}
	}
	return outcome{status: NotFound, reason: ReasonNotFound}
}

// ruleMatches applies eligibility (DP-30, DP-31), mode (DP-32) and pattern;
// it returns the alias to send after the rule's zone transform.
func (s *search) ruleMatches(r *cRule, alias string, cls pattern.AliasType, depth int) (string, bool) {
	if why := s.ineligible(r); why != "" {
		if s.trace != nil {
			s.trace.add(Step{Kind: StepRuleSkipped, Depth: depth, Alias: alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Detail: why})
		}
		return "", false
	}
	switch r.mode {
	case AnyAlias:
		if cls.IsIP() {
			if s.trace != nil {
				s.trace.add(Step{Kind: StepRuleSkipped, Depth: depth, Alias: alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Detail: "mode AnyAlias: alias is an IP address"})
			}
			return "", false
		}
		return alias, true
	case AnyIPAddress:
		if !cls.IsIP() {
			if s.trace != nil {
				s.trace.add(Step{Kind: StepRuleSkipped, Depth: depth, Alias: alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Detail: "mode AnyIPAddress: alias is not an IP address"})
			}
			return "", false
		}
		return alias, true
	}
	m, err := r.pat.Match(alias)
	if err != nil {
		s.trace.add(Step{Kind: StepRuleSkipped, Depth: depth, Alias: alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Reason: ReasonRegexBudget, Detail: err.Error()})
		return "", false
	}
	if !m.Matched {
		if s.trace != nil {
			s.trace.add(Step{Kind: StepRuleSkipped, Depth: depth, Alias: alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Detail: "pattern did not match"})
		}
		return "", false
	}
	return r.pat.Rewrite(m), true
}

// ineligible returns why r does not apply to this request, or "".
func (s *search) ineligible(r *cRule) string {
	req := &s.req
	if r.protocol != AnyProtocol && r.protocol != req.Protocol {
		return "protocol " + r.protocol.String()
	}
	if r.traffic != AnyTraffic {
		t := req.Traffic
		if t == AnyTraffic {
			t = Standard
		}
		ok := req.Protocol == SIP && (r.traffic == t || r.traffic == AnyMicrosoft && (t == MicrosoftSIP || t == MicrosoftIMP))
		if !ok {
			return "traffic type " + r.traffic.String()
		}
	}
	switch r.sourceMode {
	case SourceAllZones:
		if s.defaultZone {
			return "source AllZones excludes the Default Zone"
		}
	case SourceLocalZone:
		if !s.local {
			return "source LocalZone: not a local registration"
		}
	case SourceNamed:
		name := s.srcKey
		if s.local {
			name = s.subKey
		}
		if name != r.sourceName && !(s.local && r.sourceName == keyLocalZone) {
			return "source is not " + r.sourceName
		}
	}
	if r.auth && !req.Authenticated {
		return "request not authenticated"
	}
	return ""
}

// task is one query of a group pass.
type task struct {
	rule  *cRule
	zone  *cZone    // nil for a policy service
	svc   *cService // nil for a zone
	alias string
	proto Protocol
	hop   int
}

// taskAnswer is what a task produced.
type taskAnswer struct {
	found    bool
	route    Route
	aliases  []string  // ENUM results or a policy redirect: restart
	redirect bool      // aliases came from a policy service (fork) rather than ENUM (first found)
	reject   *Decision // a policy service rejected the call
	reason   Reason
	detail   string
}

// runGroup queries the targets of one priority group (DP-33..DP-40).
func (s *search) runGroup(ctx context.Context, alias string, group []matchedRule, known bool, depth int, ch *chain) (outcome, bool) {
	stop := false
	var qArr [8]task
	queries := qArr[:0]
	for _, mr := range group {
		r := mr.rule
		stop = stop || r.stop
		if s.trace != nil {
			s.trace.add(Step{Kind: StepRuleMatched, Depth: depth, Alias: mr.alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Detail: r.mode.String() + ", " + progressName(r.stop)})
		}
		if mr.alias == "" {
			s.trace.add(Step{Kind: StepResponse, Depth: depth, Priority: r.priority, Rule: r.name, Target: r.targetName(), Result: "not found", Reason: ReasonEmptyAlias})
			continue
		}
		if known && (r.zone == nil || !r.zone.isLocal()) {
			s.trace.add(Step{Kind: StepRuleSkipped, Depth: depth, Alias: mr.alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Reason: ReasonKnownIP})
			continue
		}
		t := task{rule: r, zone: r.zone, svc: r.service, alias: mr.alias}
		dup := false
		for _, q := range queries {
			if q.zone == t.zone && q.svc == t.svc && strings.EqualFold(q.alias, t.alias) {
				dup = true
				break
			}
		}
		if dup {
			s.trace.add(Step{Kind: StepResponse, Depth: depth, Alias: t.alias, Priority: r.priority, Rule: r.name, Target: r.targetName(), Result: "skipped", Reason: ReasonDuplicate})
			continue
		}
		queries = append(queries, t)
	}

	// Native protocol pass, then interworking retries (DP-39).
	for pass := 0; pass < 2; pass++ {
		var tArr [8]task
		tasks := tArr[:0]
		for _, q := range queries {
			if q.svc != nil {
				if pass == 0 {
					tasks = append(tasks, q)
				}
				continue
			}
			proto := s.req.Protocol
			if pass == 1 {
				if !s.interworks(q.zone) {
					continue
				}
				proto = proto.other()
			}
			if !q.zone.speaks(proto) {
				if pass == 0 {
					s.trace.add(Step{Kind: StepResponse, Depth: depth, Alias: q.alias, Priority: q.rule.priority, Rule: q.rule.name, Target: q.zone.name, Protocol: proto, Result: "skipped", Reason: ReasonModeOff})
				}
				continue
			}
			q.proto = proto
			q.hop = s.hopFor(q.zone)
			if q.hop <= 0 && !q.zone.isLocal() {
				s.trace.add(Step{Kind: StepResponse, Depth: depth, Alias: q.alias, Priority: q.rule.priority, Rule: q.rule.name, Target: q.zone.name, Protocol: proto, Result: "not sent", Reason: ReasonHopLimit})
				continue
			}
			tasks = append(tasks, q)
		}
		if len(tasks) == 0 {
			continue
		}
		var aArr [8]taskAnswer
		answers := s.dispatch(ctx, tasks, aArr[:0])
		winner := -1
		for i := range tasks {
			t, a := &tasks[i], &answers[i]
			s.noteQuery(t, a, depth)
			if a.found && winner < 0 {
				winner = i
			}
		}
		if winner >= 0 {
			a := &answers[winner]
			return outcome{status: Found, routes: []Route{a.route}}, stop
		}
		for i := range tasks {
			if d := answers[i].reject; d != nil {
				return outcome{status: Rejected, reason: ReasonPolicy, rejStatus: d.Status, rejReason: d.Reason}, true
			}
		}
		// Restarts: ENUM and DNS aliases in record order, first found wins;
		// policy-service redirects fork (DP-29).
		for i := range tasks {
			a := &answers[i]
			if len(a.aliases) == 0 {
				continue
			}
			if a.redirect {
				if o := s.fork(ctx, a.aliases, depth, ch, "policy service "+tasks[i].svc.name); o.status != NotFound {
					return o, stop
				}
				continue
			}
			if s.trace != nil {
				s.trace.add(Step{Kind: StepRestart, Depth: depth, Target: tasks[i].zone.name, Detail: "ENUM: " + strings.Join(a.aliases, ",")})
			}
			for _, na := range a.aliases {
				if o := s.run(ctx, na, depth+1, ch); o.status != NotFound {
					return o, stop
				}
			}
		}
		if ctx.Err() != nil {
			return outcome{status: NotFound, reason: ReasonCanceled}, stop
		}
		if s.p.cfg.Interworking == InterworkingOff {
			break
		}
	}
	return outcome{status: NotFound, reason: ReasonNotFound}, stop
}

func progressName(stop bool) string {
	if stop {
		return "Stop"
	}
	return "Continue"
}

// interworks reports whether zone z may be retried in the other protocol
// (DP-39).
func (s *search) interworks(z *cZone) bool {
	if z.cfg.Type == ENUMZone {
		return false // ENUM lookups already cover both protocols
	}
	switch s.p.cfg.Interworking {
	case InterworkingOn:
		return true
	case InterworkingOff:
		return false
	}
	return s.local || z.isLocal()
}

// hopFor returns the hop count to send to zone z (DP-47).
func (s *search) hopFor(z *cZone) int {
	zh := z.cfg.HopCount
	if s.hopKind == hopLocal {
		return zh
	}
	return min(s.hop, zh)
}

func (s *search) noteQuery(t *task, a *taskAnswer, depth int) {
	name := t.rule.targetName()
	if len(s.searched) == 0 || s.searched[len(s.searched)-1] != name {
		s.searched = append(s.searched, name)
	}
	if s.trace == nil {
		return
	}
	s.trace.add(Step{Kind: StepQuery, Depth: depth, Alias: t.alias, Priority: t.rule.priority, Rule: t.rule.name, Target: name, Protocol: t.proto, HopCount: t.hop})
	res := "not found"
	switch {
	case a.found:
		res = "found"
	case a.reject != nil:
		res = "rejected"
	case a.redirect:
		res = "redirect"
	case len(a.aliases) > 0:
		res = "aliases"
	}
	detail := a.detail
	if len(a.aliases) > 0 {
		detail = strings.TrimPrefix(detail+"; ", "; ") + "aliases " + strings.Join(a.aliases, ",")
	}
	if a.reject != nil {
		detail = strings.TrimPrefix(detail+"; ", "; ") + "status " + itoa(a.reject.Status) + " " + a.reject.Reason
	}
	alias := ""
	if a.found {
		alias = a.route.Alias
	}
	s.trace.add(Step{Kind: StepResponse, Depth: depth, Alias: alias, Priority: t.rule.priority, Rule: t.rule.name, Target: name, Protocol: t.proto, Result: res, Reason: a.reason, Detail: detail})
}

// dispatch runs the tasks of one pass concurrently (DP-33) and waits for
// all of them. The first "found" cancels the others through the context
// (DP-36); answers are returned in task order. Among the tasks that found
// the alias before being cancelled, the lowest index wins (the caller
// picks it), which makes ties deterministic.
func (s *search) dispatch(ctx context.Context, tasks []task, answers []taskAnswer) []taskAnswer {
	answers = answers[:0]
	for range tasks {
		answers = append(answers, taskAnswer{})
	}
	if len(tasks) == 1 {
		answers[0] = s.exec(ctx, &tasks[0])
		return answers
	}
	copy(answers, s.fanOut(ctx, tasks))
	return answers
}

// fanOut runs tasks in goroutines on copies (so that the caller's arrays
// stay on its stack) and waits for every one of them.
func (s *search) fanOut(ctx context.Context, in []task) []taskAnswer {
	tasks := append([]task(nil), in...)
	answers := make([]taskAnswer, len(tasks))
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan int, len(tasks))
	for i := range tasks {
		go func(i int) {
			answers[i] = s.exec(gctx, &tasks[i])
			done <- i
		}(i)
	}
	for range tasks {
		if i := <-done; answers[i].found {
			cancel()
		}
	}
	return answers
}

var errUnbound = errors.New("no policy bound")

// exec runs one task.
func (s *search) exec(ctx context.Context, t *task) taskAnswer {
	if t.svc != nil {
		return s.execService(ctx, t)
	}
	z := t.zone
	switch z.cfg.Type {
	case ENUMZone:
		return s.execENUM(ctx, t)
	case DNSZone:
		return s.execDNS(ctx, t)
	}
	route := Route{Zone: z.name, ZoneType: z.cfg.Type, Alias: t.alias, Protocol: t.proto, Rule: t.rule.name, Priority: t.rule.priority, HopCount: t.hop}
	if z.cfg.SearchAutoResponse.on(false) {
		return taskAnswer{found: true, route: route, reason: ReasonAutoResponse}
	}
	var target Target
	if tg, ok := s.e.targets[z.key]; ok {
		target = tg
	} else if z.static != nil {
		target = z.static
	}
	if target == nil {
		return s.localFallback(t, route, taskAnswer{reason: ReasonUnbound})
	}
	a, err := target.Search(ctx, Query{Zone: z.name, ZoneType: z.cfg.Type, Alias: t.alias, Protocol: t.proto, HopCount: t.hop,
		CallTag: s.tag, Source: s.req.Source, Authenticated: s.req.Authenticated, Rule: t.rule.name})
	if err != nil {
		if ctx.Err() != nil {
			return taskAnswer{reason: ReasonCanceled}
		}
		return taskAnswer{reason: ReasonTargetError, detail: err.Error()}
	}
	if !a.Found {
		return s.localFallback(t, route, taskAnswer{})
	}
	if a.Alias != "" {
		route.Alias = a.Alias
	}
	route.Address = a.Address
	return taskAnswer{found: true, route: route}
}

// localFallback: a known IP address inside a subzone subnet that the Local
// Zone does not know by registration is still routed through the Local
// Zone, directly (DP-46).
func (s *search) localFallback(t *task, route Route, a taskAnswer) taskAnswer {
	if !t.zone.isLocal() {
		return a
	}
	if addr, ok := pattern.ParseIP(t.alias); ok && s.p.inSubnet(addr) {
		route.Direct, route.Address = true, t.alias
		return taskAnswer{found: true, route: route, reason: ReasonKnownIP}
	}
	return a
}

// execService queries a policy service (DP-40).
func (s *search) execService(ctx context.Context, t *task) taskAnswer {
	var (
		d   Decision
		err = errUnbound
	)
	if pol, ok := s.e.services[t.svc.key]; ok {
		d, err = pol.Decide(ctx, s.policyRequest(ServicePolicy, t.svc.name, t.alias))
	}
	a := taskAnswer{}
	if err != nil {
		if ctx.Err() != nil {
			return taskAnswer{reason: ReasonCanceled}
		}
		d = t.svc.fallback
		a.reason, a.detail = ReasonServiceUnreachable, "default CPL applied: "+err.Error()
	}
	switch d.Action {
	case Redirect:
		a.aliases, a.redirect = normaliseAliases(d.Aliases), true
	case RejectCall:
		dd := d
		a.reject = &dd
	}
	return a
}
