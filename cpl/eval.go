package cpl

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// LocationService answers lookup nodes (RFC dialect): the locations where
// the user named by source (for example "registration", or a URL) can be
// reached. An empty list means not found; an error means failure.
type LocationService interface {
	Lookup(ctx context.Context, source string, in *Input) ([]Location, error)
}

// LocationServiceFunc adapts a function to LocationService.
type LocationServiceFunc func(ctx context.Context, source string, in *Input) ([]Location, error)

// Lookup calls f.
func (f LocationServiceFunc) Lookup(ctx context.Context, source string, in *Input) ([]Location, error) {
	return f(ctx, source, in)
}

var emptyInput = &Input{}

// Evaluate runs the program for one call (CPL-29..CPL-32). The result is
// Proceed, Proxy (possibly Pending), Reject, or in the RFC dialect
// Redirect. When a bound is exceeded or ctx ends, Evaluate returns the
// program's OnError result together with an error (CPL-34); it never runs
// unbounded.
func (p *Program) Evaluate(ctx context.Context, in *Input) (*Result, error) {
	if in == nil {
		in = emptyInput
	}
	res := &Result{prog: p, in: in}
	res.Trace = res.traceBuf[:0]
	entry, kind, ok := p.entry(in)
	// The initial location set (CPL-19): the original destination, except
	// for RFC 3880 incoming calls, whose set starts empty.
	set := res.locBuf[:0]
	if kind != Incoming {
		for i := range in.Destination {
			set = addLocation(set, Location{URL: in.Destination[i].Value, Priority: 1})
		}
	}
	st := evalState{ctx: ctx, p: p, in: in, res: res, set: set, initial: len(set)}
	if !ok {
		st.finish(nil)
		return res, nil
	}
	return st.run(entry)
}

// entry picks the top-level action for the call's direction. A call
// without a direction (Routed) runs taa:routed, or failing that the
// incoming action of an RFC 3880 script.
func (p *Program) entry(in *Input) (node, Direction, bool) {
	switch {
	case in.Direction == Incoming && p.hasIncoming:
		return p.incoming, Incoming, true
	case in.Direction == Outgoing && p.hasOutgoing:
		return p.outgoing, Outgoing, true
	case p.hasRouted:
		return p.routed, Routed, true
	case in.Direction == Routed && p.hasIncoming:
		return p.incoming, Incoming, true
	}
	return nil, Routed, false
}

// Resume reports the outcome of a Pending proxy and continues evaluation
// from its outputs (CPL-25, CPL-31). For Redirection, redirectTo are the
// targets the callee gave; they are appended to the location set first.
// The receiver is not modified.
func (r *Result) Resume(ctx context.Context, outcome Outcome, redirectTo ...string) (*Result, error) {
	if r == nil || !r.Pending || r.proxy == nil || r.prog == nil {
		return nil, ErrNotPending
	}
	if outcome < Busy || outcome > Failure {
		return nil, fmt.Errorf("cpl: resume with invalid outcome %d", outcome)
	}
	p := r.prog
	res := &Result{prog: p, in: r.in, resumes: r.resumes + 1, Source: r.Source}
	res.Trace = append(res.traceBuf[:0], r.Trace...)
	st := evalState{ctx: ctx, p: p, in: r.in, res: res, resumed: outcome}
	if p.dialect != RFC3880 {
		st.set = append(res.locBuf[:0], r.Locations...)
	} else {
		// RFC 3880 §6.1: the locations a proxy used are cleared from the
		// set before an output runs.
		st.set = res.locBuf[:0]
	}
	st.initial = -1
	if res.resumes > p.cfg.limits.MaxResumes {
		return st.fail(fmt.Errorf("%w (%d)", ErrResumeLimit, p.cfg.limits.MaxResumes))
	}
	if outcome == Redirection {
		for _, u := range redirectTo {
			st.set = addLocation(st.set, Location{URL: u, Priority: 1})
		}
		if len(st.set) > p.cfg.limits.MaxLocations {
			return st.fail(ErrLocationLimit)
		}
	}
	px := r.proxy
	o := px.outs[outcome]
	if !o.set {
		o = px.outs[NoOutcome]
	}
	if !o.set {
		st.step(&px.nodeMeta, outcome.String()+": final", "")
		res.Action, res.Outcome = Completed, outcome
		return res, nil
	}
	st.step(&px.nodeMeta, o.label, outcome.String())
	return st.run(o.next)
}

type evalState struct {
	ctx     context.Context
	p       *Program
	in      *Input
	res     *Result
	set     []Location
	initial int // entries of set that are the original destination; -1 after a resume
	steps   int
	resumed Outcome
	mails   []Mail
	logs    []Log
	// per-field ASCII flags of the aliases (see ascii)
	asciiDone uint8
	asciiMask [8]uint64
}

func (st *evalState) step(m *nodeMeta, out, val string) {
	st.res.Trace = append(st.res.Trace, Step{Element: m.elem, Line: m.line, Column: m.col, Output: out, Value: val})
}

// tick charges n evaluation steps and polls the context now and then.
func (st *evalState) tick(n int) error {
	st.steps += n
	if st.steps > st.p.cfg.limits.MaxSteps {
		return fmt.Errorf("%w (%d)", ErrStepLimit, st.p.cfg.limits.MaxSteps)
	}
	if st.steps&63 == 0 || n > 1 {
		if err := st.ctx.Err(); err != nil {
			return fmt.Errorf("cpl: evaluation stopped: %w", err)
		}
	}
	return nil
}

// fail turns an evaluation error into the program's OnError result.
func (st *evalState) fail(err error) (*Result, error) {
	res := st.res
	oe := st.p.cfg.onError
	res.Action, res.Status, res.Reason = oe.Action, oe.Status, oe.Reason
	res.Locations, res.Pending, res.proxy, res.Source = nil, false, nil, nil
	res.Mails, res.Logs = nil, nil
	return res, err
}

func (st *evalState) run(n node) (*Result, error) {
	if err := st.ctx.Err(); err != nil {
		return st.fail(fmt.Errorf("cpl: evaluation stopped: %w", err))
	}
	for n != nil {
		if err := st.tick(1); err != nil {
			return st.fail(err)
		}
		var err error
		switch t := n.(type) {
		case *addressSwitch:
			n, err = st.addressSwitch(t)
		case *ruleSwitch:
			n, err = st.ruleSwitch(t)
		case *locationNode:
			n, err = st.location(t)
		case *proxyNode:
			st.proxy(t)
			return st.res, nil
		case *rejectNode:
			st.step(&t.nodeMeta, "", "")
			st.res.Action, st.res.Status, st.res.Reason = Reject, t.status, t.reason
			st.deliver()
			return st.res, nil
		case *redirectNode:
			st.step(&t.nodeMeta, "", "")
			st.res.Action, st.res.Permanent = Redirect, t.permanent
			st.res.Locations = sortLocations(st.set)
			st.deliver()
			return st.res, nil
		case *stringSwitch:
			n = st.stringSwitch(t)
		case *languageSwitch:
			n = st.languageSwitch(t)
		case *prioritySwitch:
			n = st.prioritySwitch(t)
		case *timeSwitch:
			n, err = st.timeSwitch(t)
		case *lookupNode:
			n, err = st.lookup(t)
		case *removeLocationNode:
			st.removeLocation(t)
			n = t.next
		case *mailNode:
			st.step(&t.nodeMeta, "", t.url)
			st.mails = append(st.mails, Mail{URL: t.url})
			n = t.next
		case *logNode:
			st.step(&t.nodeMeta, "", t.name)
			st.logs = append(st.logs, Log{Name: t.name, Comment: t.comment})
			n = t.next
		case *subNode:
			st.step(&t.nodeMeta, "", t.ref)
			n = t.target
		default:
			err = fmt.Errorf("cpl: internal error: unknown node %T", n)
		}
		if err != nil {
			return st.fail(err)
		}
	}
	st.finish(nil)
	return st.res, nil
}

// finish applies the default action when a path ends without a
// signalling action (CPL-30; RFC 3880 §11).
func (st *evalState) finish(_ node) {
	res := st.res
	switch {
	case st.resumed != NoOutcome:
		res.Action, res.Outcome = Completed, st.resumed
	case st.p.dialect == RFC3880 && st.changed():
		// RFC 3880 §11: a location set that the script built is
		// proxied to.
		res.Action = Proxy
		res.Locations = sortLocations(st.set)
		res.Timeout, res.Recurse = 20*time.Second, true
	default:
		res.Action = Proceed
	}
	st.deliver()
}

// changed reports whether the location set is other than the original
// destination it started as.
func (st *evalState) changed() bool {
	if st.initial < 0 || len(st.set) != st.initial {
		return len(st.set) > 0
	}
	for i, l := range st.set {
		if l.URL != st.in.Destination[i].Value || l.Priority != 1 {
			return true
		}
	}
	return false
}

func (st *evalState) deliver() {
	res := st.res
	res.Mails, res.Logs = st.mails, st.logs
	for _, m := range st.mails {
		if st.p.cfg.mail != nil {
			st.p.cfg.mail(m)
		}
	}
	for _, l := range st.logs {
		if st.p.cfg.log != nil {
			st.p.cfg.log(l)
		}
	}
}

func (st *evalState) proxy(t *proxyNode) {
	res := st.res
	res.Action = Proxy
	if len(st.set) == 0 {
		// An empty location set proxies to the original destination
		// (CPL-24).
		for i := range st.in.Destination {
			st.set = addLocation(st.set, Location{URL: st.in.Destination[i].Value, Priority: 1})
		}
	}
	res.Locations = sortLocations(st.set)
	res.Timeout, res.StopOnBusy, res.Recurse, res.Ordering = t.timeout, t.stopOnBusy, t.recurse, t.ordering
	if t.hasOutputs {
		res.Pending, res.proxy = true, t
	}
	st.step(&t.nodeMeta, "", "")
	st.deliver()
}

// sortLocations orders the set by priority, highest first, keeping the
// order of equal priorities (insertion sort: sets are small and this
// allocates nothing).
func sortLocations(l []Location) []Location {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j].Priority > l[j-1].Priority; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
	return l
}

// addLocation appends l unless an entry with the same URL (ignoring case)
// is already there (CPL-20).
func addLocation(set []Location, l Location) []Location {
	for i := range set {
		if strings.EqualFold(set[i].URL, l.URL) {
			return set
		}
	}
	return append(set, l)
}

// values returns the aliases a field selects and whether it is a single
// synthetic value (zone, user).
func (st *evalState) fieldAliases(f field) ([]Alias, string, bool) {
	in := st.in
	switch f {
	case fieldDestination:
		return in.Destination, "", false
	case fieldOriginalDestination:
		if in.OriginalDestination != nil {
			return in.OriginalDestination, "", false
		}
		return in.Destination, "", false
	case fieldAuthenticatedOrigin:
		return in.AuthenticatedOrigin, "", false
	case fieldUnauthenticatedOrigin:
		return in.UnauthenticatedOrigin, "", false
	case fieldRegisteredOrigin:
		return in.RegisteredOrigin, "", false
	case fieldOriginatingZone:
		if in.OriginatingZone == "" {
			return nil, DefaultZone, true
		}
		return nil, in.OriginatingZone, true
	case fieldOriginatingUser:
		if in.OriginatingUser == "" {
			return nil, "", false
		}
		return nil, in.OriginatingUser, true
	}
	return nil, "", false
}

// subValue extracts a subfield of one alias (CPL-10); ok is false when the
// subfield is not defined for the alias's type.
func (st *evalState) subValue(a *Alias, sub subfield, rfc bool) (string, bool) {
	if rfc {
		return rfcSubValue(a, sub)
	}
	v := a.Value
	switch sub {
	case subNone:
		return v, v != ""
	case subAddressType:
		if st.in.Protocol == H323 {
			return "h323", true
		}
		return "sip", true
	}
	switch a.kind() {
	case URI:
		at := strings.IndexByte(v, '@')
		switch sub {
		case subUser:
			return v[:at], true
		case subHost:
			return v[at+1:], true
		case subAliasType:
			return "url-ID", true
		}
	case H323ID:
		switch sub {
		case subUser:
			return v, true
		case subAliasType:
			return "h323-ID", true
		}
	case E164:
		switch sub {
		case subUser, subTel:
			return v, true
		case subAliasType:
			return "dialedDigits", true
		}
	case IPAddress:
		if sub == subHost {
			return v, true
		}
	}
	return "", false
}

func (st *evalState) addressSwitch(t *addressSwitch) (node, error) {
	list, single, isSingle := st.fieldAliases(t.field)
	var one [1]Alias
	if isSingle {
		one[0] = Alias{Value: single}
		list = one[:]
	}
	present := false
	for i := range list {
		if _, ok := st.subValue(&list[i], t.sub, t.rfc); ok {
			present = true
			break
		}
	}
	if !present {
		switch {
		case t.notPresent.set:
			st.step(&t.nodeMeta, "not-present", "")
			return t.notPresent.next, nil
		case t.rfc && t.otherwise.set:
			st.step(&t.nodeMeta, "otherwise", "")
			return t.otherwise.next, nil
		}
		st.step(&t.nodeMeta, "none (not present)", "")
		return nil, nil
	}
	for ci := range t.cases {
		cs := &t.cases[ci]
		for i := range list {
			v, ok := st.subValue(&list[i], t.sub, t.rfc)
			if !ok {
				continue
			}
			if err := st.tick(1); err != nil {
				return nil, err
			}
			m, err := cs.m.match(v)
			if err != nil {
				return nil, budgetErr(err, &t.nodeMeta)
			}
			if m {
				st.step(&t.nodeMeta, cs.label, v)
				return cs.next, nil
			}
		}
	}
	if t.otherwise.set {
		st.step(&t.nodeMeta, "otherwise", "")
		return t.otherwise.next, nil
	}
	st.step(&t.nodeMeta, "none", "")
	return nil, nil
}

func budgetErr(err error, m *nodeMeta) error {
	if errors.Is(err, pattern.ErrBudgetExceeded) {
		return fmt.Errorf("%w at %s line %d: %w", ErrRegexBudget, m.elem, m.line, err)
	}
	return err
}

// matchAny reports whether re matches any value of the aliases a field
// selects; a not-present field never matches (CPL-18).
func (st *evalState) matchAny(re *regexMatcher, f field) (bool, string, error) {
	list, single, isSingle := st.fieldAliases(f)
	if isSingle {
		if err := st.tick(1); err != nil {
			return false, "", err
		}
		ok, err := re.match(single)
		return ok, single, err
	}
	for i := range list {
		if err := st.tick(1); err != nil {
			return false, "", err
		}
		v := list[i].Value
		ok, err := re.matchASCII(v, st.ascii(f, list, i))
		if err != nil || ok {
			return ok, v, err
		}
	}
	return false, "", nil
}

// ascii reports whether alias i of field f is ASCII, computing each
// field's answers once per evaluation: a rule table asks the same question
// of the same aliases for every rule.
func (st *evalState) ascii(f field, list []Alias, i int) bool {
	if i >= 64 {
		return isASCII(list[i].Value)
	}
	if st.asciiDone&(1<<f) == 0 {
		var m uint64
		for j := 0; j < len(list) && j < 64; j++ {
			if isASCII(list[j].Value) {
				m |= 1 << j
			}
		}
		st.asciiMask[f] = m
		st.asciiDone |= 1 << f
	}
	return st.asciiMask[f]&(1<<i) != 0
}

func (st *evalState) ruleSwitch(t *ruleSwitch) (node, error) {
	for ri := range t.rules {
		r := &t.rules[ri]
		if r.msg != nil && (st.in.Protocol == H323 || st.in.Message == nil) {
			continue // message-regex never matches H.323 (CPL-18)
		}
		ok, val, err := st.matchAny(r.origin, r.originField)
		if err != nil {
			return nil, budgetErr(err, &t.nodeMeta)
		}
		if !ok {
			continue
		}
		if r.dest != nil {
			ok, _, err = st.matchAny(r.dest, fieldDestination)
			if err != nil {
				return nil, budgetErr(err, &t.nodeMeta)
			}
			if !ok {
				continue
			}
		}
		if r.msg != nil {
			if err := st.tick(1); err != nil {
				return nil, err
			}
			ok, err = r.msg.match(string(st.in.Message))
			if err != nil {
				return nil, budgetErr(err, &t.nodeMeta)
			}
			if !ok {
				continue
			}
		}
		st.step(&t.nodeMeta, r.label, val)
		return r.next, nil
	}
	st.step(&t.nodeMeta, "none", "")
	return nil, nil
}

func (st *evalState) location(t *locationNode) (node, error) {
	lim := st.p.cfg.limits.MaxLocations
	if t.clear && t.rewrite == nil {
		st.set = st.set[:0]
	}
	if t.rewrite != nil {
		// CPL-22: rewrite every matching entry in place; with clear="yes"
		// drop the entries that do not match.
		out := st.set[:0]
		for _, l := range st.set {
			if err := st.tick(1); err != nil {
				return nil, err
			}
			m, err := t.rewrite.Match(l.URL)
			if err != nil {
				return nil, budgetErr(err, &t.nodeMeta)
			}
			switch {
			case m.Matched:
				l.URL = t.rewrite.Rewrite(m)
				if t.random || t.priority != 1 {
					l.Priority = st.priority(t)
				}
				out = append(out, l)
			case !t.clear:
				out = append(out, l)
			}
		}
		// Rewriting may make two entries equal; keep the first.
		st.set = out[:0]
		for _, l := range out {
			st.set = addLocation(st.set, l)
		}
	}
	if t.url != "" {
		st.set = addLocation(st.set, Location{URL: t.url, Priority: st.priority(t)})
		if len(st.set) > lim {
			return nil, ErrLocationLimit
		}
	}
	if t.srcSet || t.srcRegex != nil {
		if err := st.rewriteSource(t); err != nil {
			return nil, budgetErr(err, &t.nodeMeta)
		}
	}
	st.step(&t.nodeMeta, "", t.url)
	return t.next, nil
}

func (st *evalState) priority(t *locationNode) float64 {
	if !t.random {
		return t.priority
	}
	if st.in.Rand != nil {
		f := st.in.Rand()
		if f >= 0 && f <= 1 {
			return f
		}
		return 0
	}
	return rand.Float64()
}

// rewriteSource applies source-url-for-message (CPL-23): the display name
// of a rewritten alias becomes the user part of its new URL.
func (st *evalState) rewriteSource(t *locationNode) error {
	res := st.res
	if res.Source == nil {
		src := make([]SourceAlias, len(st.in.UnauthenticatedOrigin))
		for i, a := range st.in.UnauthenticatedOrigin {
			src[i] = SourceAlias{URL: a.Value, Display: a.Display}
		}
		res.Source = src
	} else {
		res.Source = append([]SourceAlias(nil), res.Source...)
	}
	if t.srcSet {
		res.Source = []SourceAlias{{URL: t.srcURL, Display: userPart(t.srcURL)}}
		return nil
	}
	for i := range res.Source {
		if err := st.tick(1); err != nil {
			return err
		}
		m, err := t.srcRegex.Match(res.Source[i].URL)
		if err != nil {
			return err
		}
		if m.Matched {
			u := t.srcRegex.Rewrite(m)
			res.Source[i] = SourceAlias{URL: u, Display: userPart(u)}
		}
	}
	return nil
}

func userPart(u string) string {
	if i := strings.IndexByte(u, ':'); i >= 0 && !strings.Contains(u[:i], "@") {
		u = u[i+1:]
	}
	if i := strings.IndexByte(u, '@'); i >= 0 {
		return u[:i]
	}
	return u
}
