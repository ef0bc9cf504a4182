package dialplan_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// harness builds a Config with fake zones bound, runs requests with and
// without a trace (the traced run scans every rule, the plain one uses the
// index), and checks that both agree.
type harness struct {
	t     *testing.T
	cfg   dialplan.Config
	log   *dialplantest.Log
	local *dialplantest.Registrations
	zones map[string]*dialplantest.Zone
	res   *dialplantest.Resolver
	opts  []dialplan.Option
	eng   *dialplan.Engine
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, log: &dialplantest.Log{}, zones: map[string]*dialplantest.Zone{}, res: dialplantest.NewResolver()}
	h.local = dialplantest.NewRegistrations()
	h.local.Log = h.log
	return h
}

// zone adds a neighbor zone with a fake bound to it.
func (h *harness) zone(name string, mods ...func(*dialplan.Zone)) *dialplantest.Zone {
	z := dialplan.NewZone(name, dialplan.Neighbor)
	for _, m := range mods {
		m(&z)
	}
	h.cfg.Zones = append(h.cfg.Zones, z)
	f := dialplantest.NewZone()
	f.Log = h.log
	h.zones[name] = f
	return f
}

// dnsZone adds a DNS or ENUM zone (no fake: the resolver answers).
func (h *harness) dnsZone(name string, typ dialplan.ZoneType, mods ...func(*dialplan.Zone)) {
	z := dialplan.NewZone(name, typ)
	for _, m := range mods {
		m(&z)
	}
	h.cfg.Zones = append(h.cfg.Zones, z)
}

func (h *harness) rule(name string, prio int, mods ...func(*dialplan.SearchRule)) {
	r := dialplan.NewSearchRule(name)
	r.Priority = prio
	for _, m := range mods {
		m(&r)
	}
	h.cfg.SearchRules = append(h.cfg.SearchRules, r)
}

func (h *harness) transform(prio int, typ pattern.Type, pat string, beh pattern.Behavior, repl string) {
	t := dialplan.NewTransform()
	t.Priority, t.PatternType, t.PatternString, t.PatternBehavior, t.ReplaceString = prio, typ, pat, beh, repl
	h.cfg.Transforms = append(h.cfg.Transforms, t)
}

// Rule modifiers.
func to(name string) func(*dialplan.SearchRule) {
	return func(r *dialplan.SearchRule) { r.TargetName = name }
}
func toService(name string) func(*dialplan.SearchRule) {
	return func(r *dialplan.SearchRule) { r.TargetType, r.TargetName = dialplan.TargetPolicyService, name }
}
func apm(typ pattern.Type, pat string, beh pattern.Behavior, repl string) func(*dialplan.SearchRule) {
	return func(r *dialplan.SearchRule) {
		r.Mode, r.PatternType, r.PatternString, r.PatternBehavior, r.ReplaceString = dialplan.AliasPatternMatch, typ, pat, beh, repl
	}
}
func anyIP(r *dialplan.SearchRule) { r.Mode = dialplan.AnyIPAddress }
func stop(r *dialplan.SearchRule)  { r.Progress = dialplan.Stop }
func source(m dialplan.SourceMode, name string) func(*dialplan.SearchRule) {
	return func(r *dialplan.SearchRule) { r.SourceMode, r.SourceName = m, name }
}

func (h *harness) engine() *dialplan.Engine {
	h.t.Helper()
	if h.eng != nil {
		return h.eng
	}
	opts := []dialplan.Option{dialplan.WithLocalZone(h.local), dialplan.WithResolver(h.res)}
	for n, z := range h.zones {
		opts = append(opts, dialplan.WithTarget(n, z))
	}
	opts = append(opts, h.opts...)
	e, err := dialplan.NewEngine(h.cfg, opts...)
	require.NoError(h.t, err)
	h.eng = e
	return e
}

// sip is the default request of §3.4: SIP, from the Local Zone,
// unauthenticated.
func sip(alias string) dialplan.Request {
	return dialplan.Request{Alias: alias, Protocol: dialplan.SIP, Source: dialplan.FromLocalZone("")}
}

// route runs req traced and untraced; it returns the traced result and
// checks the untraced run agrees on the outcome and on the queries the fake
// zones received.
func (h *harness) route(req dialplan.Request) dialplan.Result {
	h.t.Helper()
	e := h.engine()
	h.log.Reset()
	req.Trace = false
	plain, err := e.Route(context.Background(), req)
	require.NoError(h.t, err)
	plainLog := h.log.Strings()
	h.log.Reset()
	req.Trace = true
	traced, err := e.Route(context.Background(), req)
	require.NoError(h.t, err)
	require.NotNil(h.t, traced.Trace)
	tracedLog := h.log.Strings()
	assert.Equal(h.t, traced.Status, plain.Status, "index and full scan disagree on status")
	assert.Equal(h.t, traced.Reason, plain.Reason, "index and full scan disagree on reason")
	assert.Equal(h.t, traced.Routes, plain.Routes, "index and full scan disagree on routes")
	slices.Sort(plainLog)
	slices.Sort(tracedLog)
	assert.Equal(h.t, tracedLog, plainLog, "index and full scan sent different queries")
	return traced
}

// queries lists the queries of a trace as "target:alias/proto" in trace
// order (group by group, rule order).
func queries(r dialplan.Result) []string {
	var out []string
	for _, s := range r.Trace.Queries() {
		out = append(out, s.Target+":"+s.Alias+"/"+s.Protocol.String())
	}
	return out
}

// nativeQueries is queries without the interworking retries.
func nativeQueries(r dialplan.Result, proto dialplan.Protocol) []string {
	var out []string
	for _, s := range r.Trace.Queries() {
		if s.Protocol == proto || s.Target == "" {
			out = append(out, s.Target+":"+s.Alias)
		}
	}
	return out
}

// prioQueries lists queries as "pN target:alias" (native protocol only).
func prioQueries(r dialplan.Result, proto dialplan.Protocol) []string {
	var out []string
	for _, s := range r.Trace.Queries() {
		if s.Protocol == proto || s.Protocol == dialplan.AnyProtocol {
			out = append(out, "p"+strconv.Itoa(s.Priority)+" "+s.Target+":"+s.Alias)
		}
	}
	return out
}
