package dialplan_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/dialplantest"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// §4.2: the index never changes a decision. The indexed engine and the
// linear reference agree on a corpus of aliases over a mixed dial plan.
func TestIndexMatchesNaive(t *testing.T) {
	cfg := benchConfig(600, true)
	cfg.Interworking = dialplan.InterworkingOff
	// Registrations spread over the zones so that many aliases are found.
	for i := range cfg.Zones {
		cfg.Zones[i].Registrations = []dialplan.Registration{{Alias: fmt.Sprintf("2%07d", i*7)}, {Alias: fmt.Sprintf("user%d@example.com", 7+i*10)}, {Alias: "55"}}
	}
	var mu sync.Mutex
	var got []string
	var opts []dialplan.Option
	for _, z := range cfg.Zones {
		st := map[string]bool{}
		for _, r := range z.Registrations {
			st[strings.ToLower(r.Alias)] = true
		}
		name := z.Name
		opts = append(opts, dialplan.WithTarget(name, dialplan.TargetFunc(func(ctx context.Context, q dialplan.Query) (dialplan.Answer, error) {
			mu.Lock()
			got = append(got, strings.ToLower(name)+":"+q.Alias)
			mu.Unlock()
			return dialplan.Answer{Found: st[strings.ToLower(q.Alias)]}, nil
		})))
	}
	e, err := dialplan.NewEngine(cfg, opts...)
	require.NoError(t, err)
	n := newNaive(t, cfg)
	aliases := []string{"0010234567", "10234", "1023", "55", "*05x", "x09123@dom.example.com", "user7@example.com", "USER17@EXAMPLE.COM",
		"user9@example.com", "r00009123@example.com", "R00019999@Example.COM", "r00019@example.com", "a@dom08.example.com", "20000007", "200000079",
		"2000014", "20000140", "x19777@foo", "é", "2000021é", "10.0.0.1", "user27@example.comx"}
	for i := 0; i < 600; i += 37 {
		aliases = append(aliases, fmt.Sprintf("2%07d9", i), fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("r%05d42@example.com", i))
	}
	for _, a := range aliases {
		mu.Lock()
		got = nil
		mu.Unlock()
		r, err := e.Route(context.Background(), dialplan.Request{Alias: a, Protocol: dialplan.SIP, Source: dialplan.FromLocalZone("")})
		require.NoError(t, err)
		wantZone, wantQueries := n.route(a, dialplan.SIP)
		gotZone := ""
		if r.Status == dialplan.Found {
			gotZone = strings.ToLower(r.Route0().Zone)
		}
		assert.Equal(t, wantZone, gotZone, a)
		mu.Lock()
		gq := append([]string(nil), got...)
		mu.Unlock()
		// The naive reference lists every query including the Local Zone;
		// only the bound zones log here.
		var wq []string
		for _, q := range wantQueries {
			if !strings.HasPrefix(q, "localzone:") {
				wq = append(wq, q)
			}
		}
		assert.ElementsMatch(t, wq, gq, a)
	}
}

// Reload swaps plans atomically while Route runs (race detector).
func TestReloadConcurrent(t *testing.T) {
	mk := func(target string) dialplan.Config {
		var c dialplan.Config
		c.Zones = []dialplan.Zone{dialplan.NewZone("A", dialplan.Neighbor), dialplan.NewZone("B", dialplan.Neighbor)}
		c.Zones[0].Registrations = []dialplan.Registration{{Alias: "x"}}
		c.Zones[1].Registrations = []dialplan.Registration{{Alias: "x"}}
		r := dialplan.NewSearchRule("r")
		r.TargetName = target
		c.SearchRules = []dialplan.SearchRule{r}
		return c
	}
	e, err := dialplan.NewEngine(mk("A"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var routed atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := e.Route(context.Background(), dialplan.Request{Alias: "x", Protocol: dialplan.SIP})
				if err != nil || r.Status != dialplan.Found || (r.Route0().Zone != "A" && r.Route0().Zone != "B") {
					t.Errorf("route during reload: %v %v", r, err)
					return
				}
				routed.Add(1)
			}
		}()
	}
	for i := 0; i < 200; i++ {
		require.NoError(t, e.Reload(mk([]string{"A", "B"}[i%2])))
	}
	// A bad config is refused and the current plan stays.
	bad := mk("A")
	bad.SearchRules[0].TargetName = "Nope"
	assert.Error(t, e.Reload(bad))
	close(stop)
	wg.Wait()
	assert.Positive(t, routed.Load())
	assert.Equal(t, "B", e.Config().SearchRules[0].TargetName)
}

// DP-33, DP-36: parallel queries end on cancel; Route waits for them.
func TestFanOutCancel(t *testing.T) {
	var c dialplan.Config
	var ended atomic.Int32
	started := make(chan struct{}, 3)
	var opts []dialplan.Option
	for _, z := range []string{"A", "B", "C"} {
		c.Zones = append(c.Zones, dialplan.NewZone(z, dialplan.Neighbor))
		r := dialplan.NewSearchRule("r" + z)
		r.TargetName = z
		c.SearchRules = append(c.SearchRules, r)
		opts = append(opts, dialplan.WithTarget(z, dialplan.TargetFunc(func(ctx context.Context, q dialplan.Query) (dialplan.Answer, error) {
			defer ended.Add(1)
			started <- struct{}{}
			<-ctx.Done()
			return dialplan.Answer{}, ctx.Err()
		})))
	}
	e, err := dialplan.NewEngine(c, opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.Route(ctx, dialplan.Request{Alias: "a", Protocol: dialplan.SIP})
		done <- err
	}()
	for i := 0; i < 3; i++ {
		<-started
	}
	cancel()
	err = <-done
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(3), ended.Load(), "every query goroutine ended before Route returned")
}

// DP-14: a regex past its budget is no match, recorded in the trace, and
// the search goes on.
func TestRegexBudgetInRoute(t *testing.T) {
	h := newHarness(t)
	h.cfg.RegexBudget = time.Millisecond
	h.rule("slow", 10, apm(Rx, `(a+)+b`, L, ""), to(dialplan.LocalZone))
	h.rule("next", 20, to(dialplan.LocalZone))
	alias := strings.Repeat("a", 40) + "c"
	r := h.route(sip(alias))
	assert.Equal(t, []string{"p20 LocalZone:" + alias}, prioQueries(r, dialplan.SIP))
	budget := false
	for _, s := range r.Trace.Steps {
		budget = budget || s.Reason == dialplan.ReasonRegexBudget && s.Rule == "slow"
	}
	assert.True(t, budget, r.Trace.String())
}

// DP-28, DP-29: FindMe aliases fork; DP-48: restarts are bounded.
func TestUserPolicyForkAndRestartLimit(t *testing.T) {
	h := newHarness(t)
	h.rule("r", 10, to(dialplan.LocalZone))
	h.local.Register("desk@x", dialplan.AnyProtocol, "")
	h.local.Register("mobile@x", dialplan.AnyProtocol, "")
	pol := dialplantest.NewPolicy().Redirect("alice", "desk@x", "mobile@x", "nowhere@x")
	for i := 0; i < 20; i++ {
		pol.Redirect(fmt.Sprint("chain", i), fmt.Sprint("chain", i+1))
	}
	h.opts = append(h.opts, dialplan.WithUserPolicy(pol))
	r := h.route(sip("alice"))
	require.Equal(t, dialplan.Found, r.Status)
	require.Len(t, r.Routes, 2)
	assert.Equal(t, "desk@x", r.Routes[0].Alias)
	assert.Equal(t, "mobile@x", r.Routes[1].Alias)
	r = h.route(sip("chain0"))
	assert.Equal(t, dialplan.ReasonRestartLimit, r.Reason)
}

// DP-26, DP-4: Call Policy service unreachable gives the 403 default.
func TestCallPolicyServiceDefault(t *testing.T) {
	h := newHarness(t)
	h.rule("r", 10, to(dialplan.LocalZone))
	h.cfg.CallPolicyMode = dialplan.CallPolicyService
	h.opts = append(h.opts, dialplan.WithCallPolicy(dialplantest.NewPolicy().Fail(errors.New("down"))))
	r := h.route(sip("a"))
	assert.Equal(t, dialplan.Rejected, r.Status)
	assert.Equal(t, 403, r.RejectStatus)
	assert.Equal(t, "Service Unavailable", r.RejectReason)
	// A named service's own DefaultCPL applies instead.
	h2 := newHarness(t)
	h2.rule("r", 10, to(dialplan.LocalZone))
	h2.cfg.CallPolicyMode = dialplan.CallPolicyService
	h2.cfg.PolicyServices = []dialplan.PolicyService{{Name: "CP", DefaultCPL: `<reject status='480' reason='Try later'/>`}}
	h2.cfg.CallPolicyService = "CP"
	r = h2.route(sip("a"))
	require.Equal(t, dialplan.Rejected, r.Status)
	assert.Equal(t, 480, r.RejectStatus)
}

// DP-54: the admission hook may refuse a found call.
func TestAdmission(t *testing.T) {
	h := newHarness(t)
	h.rule("r", 10, to(dialplan.LocalZone))
	h.local.Register("a", dialplan.AnyProtocol, "")
	h.opts = append(h.opts, dialplan.WithAdmission(dialplan.AdmissionFunc(func(ctx context.Context, r dialplan.Route) error {
		return errors.New("no bandwidth")
	})))
	r := h.route(sip("a"))
	assert.Equal(t, dialplan.Rejected, r.Status)
	assert.Equal(t, dialplan.ReasonAdmissionDenied, r.Reason)
	assert.Equal(t, "no bandwidth", r.RejectReason)
}

// DP-42: search auto response; a failing target counts as not found.
func TestAutoResponseAndTargetError(t *testing.T) {
	h := newHarness(t)
	h.zone("Auto", func(z *dialplan.Zone) { z.SearchAutoResponse = dialplan.On })
	h.zone("Broken").Fail(errors.New("timeout"))
	h.rule("b", 10, to("Broken"))
	h.rule("a", 20, to("Auto"))
	r := h.route(sip("x"))
	require.Equal(t, dialplan.Found, r.Status)
	assert.Equal(t, "Auto", r.Route0().Zone)
	assert.Empty(t, h.zones["Auto"].Queries())
	errSeen := false
	for _, s := range r.Trace.Steps {
		errSeen = errSeen || s.Reason == dialplan.ReasonTargetError && s.Target == "Broken"
	}
	assert.True(t, errSeen)
}

func TestBadRequests(t *testing.T) {
	h := newHarness(t)
	h.rule("r", 10, to(dialplan.LocalZone))
	e := h.engine()
	ctx := context.Background()
	for _, req := range []dialplan.Request{
		{Alias: "a"},
		{Alias: "a\x00b", Protocol: dialplan.SIP},
		{Alias: strings.Repeat("a", 256), Protocol: dialplan.SIP},
		{Alias: "a", Protocol: dialplan.SIP, HopCount: 256},
	} {
		_, err := e.Route(ctx, req)
		assert.ErrorIs(t, err, dialplan.ErrBadRequest, req.Alias)
	}
	for _, lr := range []dialplan.LocateRequest{
		{Alias: strings.Repeat("a", 61), Protocol: dialplan.SIP},
		{Alias: "", Protocol: dialplan.SIP},
		{Alias: "a", HopCount: 256, Protocol: dialplan.SIP},
		{Alias: "a", SourceZone: "Nowhere", Protocol: dialplan.SIP},
		{Alias: "a", Protocol: dialplan.AnyProtocol},
	} {
		_, err := e.Locate(ctx, lr)
		assert.ErrorIs(t, err, dialplan.ErrBadRequest, lr)
	}
}

// DP-21: CheckPattern, pure and through an engine's facts.
func TestCheckPattern(t *testing.T) {
	res, err := dialplan.CheckPattern(dialplan.CheckRequest{Alias: "alice@example.com", Type: pattern.Regex, Pattern: `(.*)@example.com`, Behavior: pattern.Replace, Replace: `\1@example.net`}, nil)
	require.NoError(t, err)
	assert.Equal(t, dialplan.CheckResult{Matched: true, Result: "alice@example.net", Expansion: `\A(?:(.*)@example.com)\z`}, res)
	res, err = dialplan.CheckPattern(dialplan.CheckRequest{Alias: "abc", Type: pattern.Exact, Pattern: "abc", Behavior: pattern.Strip}, nil)
	require.NoError(t, err)
	assert.True(t, res.Matched) // DP-20: matched with an empty result
	assert.Equal(t, "", res.Result)
	assert.NotEmpty(t, res.Warnings)

	h := newHarness(t)
	h.cfg.System.SystemName = "MainHQ"
	res, err = h.engine().CheckPattern(dialplan.CheckRequest{Alias: "conf", Type: pattern.Regex, Pattern: "(.*)", Behavior: pattern.Replace, Replace: `\1.%systemname%`})
	require.NoError(t, err)
	assert.Equal(t, "conf.MainHQ", res.Result) // C-13 through the engine

	_, err = dialplan.CheckPattern(dialplan.CheckRequest{Alias: strings.Repeat("a", 61), Pattern: "", Replace: strings.Repeat("b", 61)}, nil)
	requireField(t, err, "alias", "1..60")
	requireField(t, err, "pattern_string", "required")
	requireField(t, err, "replace_string", "at most 60")
	_, err = dialplan.CheckPattern(dialplan.CheckRequest{Alias: "a", Type: pattern.Regex, Pattern: "a)"}, nil)
	requireField(t, err, "pattern_string", "position 1")
}

// DP-52: the trace renders as text and JSON lines.
func TestTraceRendering(t *testing.T) {
	r := rsSales(t).route(sip("bob@example.com"))
	txt := r.Trace.String()
	assert.Contains(t, txt, `RuleSkipped alias=bob@example.com priority=100 rule=R1 target="Sales office" detail="pattern did not match"`)
	assert.Contains(t, txt, `Query alias=bob@example.com priority=200 rule=R2 target="Head office" protocol=SIP hops=15`)
	assert.Contains(t, txt, `result="not found"`)
	jl := r.Trace.JSONLines()
	assert.Equal(t, len(r.Trace.Steps), strings.Count(jl, "\n"))
	assert.Contains(t, jl, `"kind":"Query"`)
	assert.Contains(t, r.String(), `"status":"NotFound"`)
}

// Config is a plain value: the engine keeps its own deep copy.
func TestConfigIsolation(t *testing.T) {
	cfg := rsSales(t).cfg
	e, err := dialplan.NewEngine(cfg)
	require.NoError(t, err)
	cfg.SearchRules[0].TargetName = "changed"
	cfg.Zones[0].Name = "changed"
	got := e.Config()
	assert.Equal(t, "Sales office", got.SearchRules[0].TargetName)
	assert.Equal(t, "Sales office", got.Zones[0].Name)
	got.SearchRules[0].Name = "mutated"
	assert.Equal(t, "R1", e.Config().SearchRules[0].Name)
}

// DP-31: the source matrix.
func TestSourceModes(t *testing.T) {
	sources := map[string]dialplan.Source{
		"reg":     dialplan.FromLocalZone(""),
		"branch":  dialplan.FromLocalZone("Branch"),
		"peer":    {ClusterPeer: true},
		"n1":      dialplan.FromZone("N1"),
		"default": {},
	}
	for _, c := range []struct {
		mode dialplan.SourceMode
		name string
		want map[string]bool
	}{
		{dialplan.SourceAny, "", map[string]bool{"reg": true, "branch": true, "peer": true, "n1": true, "default": true}},
		{dialplan.SourceAllZones, "", map[string]bool{"reg": true, "branch": true, "peer": true, "n1": true}},
		{dialplan.SourceLocalZone, "", map[string]bool{"reg": true, "branch": true, "peer": true}},
		{dialplan.SourceNamed, "n1", map[string]bool{"n1": true}},
		{dialplan.SourceNamed, "Branch", map[string]bool{"branch": true}},
		{dialplan.SourceNamed, "DefaultSubZone", map[string]bool{"reg": true, "peer": true}},
		{dialplan.SourceNamed, "DefaultZone", map[string]bool{"default": true}},
		{dialplan.SourceNamed, "LocalZone", map[string]bool{"reg": true, "branch": true, "peer": true}},
	} {
		h := newHarness(t)
		h.zone("N1")
		h.cfg.Subzones = []dialplan.Subzone{{Name: "Branch"}}
		h.rule("r", 10, source(c.mode, c.name), to(dialplan.LocalZone))
		for sname, src := range sources {
			req := sip("a")
			req.Source = src
			r := h.route(req)
			assert.Equal(t, c.want[sname], len(queries(r)) > 0, "%v %q from %s", c.mode, c.name, sname)
		}
	}
}
