package bandwidth

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustNew(t *testing.T, cfg Config, opts ...Option) *Controller {
	t.Helper()
	c, err := New(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func admit(t *testing.T, c *Controller, id, from, to string, kbps int64, ct CallType) Grant {
	t.Helper()
	g, err := c.Admit(context.Background(), Request{CallID: id, From: from, To: to, Kbps: kbps, Type: ct})
	if err != nil {
		t.Fatalf("Admit %s %s->%s %d: %v", id, from, to, kbps, err)
	}
	return g
}

func refused(t *testing.T, err error, want Reason) {
	t.Helper()
	var ae *AdmissionError
	if !errors.As(err, &ae) || ae.Reason != want {
		t.Fatalf("error = %v, want reason %v", err, want)
	}
}

func nodeKbps(t *testing.T, c *Controller, name string) int64 {
	t.Helper()
	u, err := c.NodeUsage(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.Kbps
}

// twoSubzones returns a config with subzones A and B joined by link AB
// (besides their automatic links).
func twoSubzones(a, b Subzone) Config {
	cfg := NewConfig(false)
	a.Name, b.Name = "A", "B"
	cfg.AddSubzone(a)
	cfg.AddSubzone(b)
	cfg.AddLink(Link{Name: "AB", Node1: "A", Node2: "B"})
	return cfg
}

// B-01: fresh configuration (BW-1, BW-2, BW-4, BW-8).
func TestFreshConfig(t *testing.T) {
	cfg := NewConfig(false)
	if cfg.DefaultKbps != 384 || !cfg.DownspeedPerCall || !cfg.DownspeedTotal {
		t.Fatalf("defaults: %+v", cfg)
	}
	var names []string
	for _, l := range cfg.Links {
		names = append(names, l.Name)
	}
	if want := []string{"DefaultSZtoTraversalSZ", "DefaultSZtoDefaultZ", "TraversalSZtoDefaultZ"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("links %v, want %v", names, want)
	}
	if cfg.DefaultSubzone.Total.Mode != Unlimited || cfg.TraversalSubzone.PerCall.Mode != Unlimited {
		t.Fatal("limits must default to Unlimited")
	}
	if DefaultPerCallKbps != 1920 || DefaultTotalKbps != 500000 {
		t.Fatal("Limited defaults")
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

// B-17: a cluster has the DefaultSZtoClusterSZ link (BW-8).
func TestClusterDefaultLink(t *testing.T) {
	cfg := NewConfig(true)
	if len(cfg.Links) != 4 || cfg.Links[3].Name != LinkDefaultToCluster {
		t.Fatalf("links %+v", cfg.Links)
	}
	c := mustNew(t, cfg)
	g := admit(t, c, "1", DefaultSubzoneName, ClusterSubzoneName, 384, NonTraversal)
	if g.Kbps != 384 {
		t.Fatal(g)
	}
}

// B-02..B-05, B-28: the per-call ceiling is the lowest applicable limit
// (BW-13) and per-call downspeeding (BW-15).
func TestPerCallCeiling(t *testing.T) {
	pipeOn := func(cfg *Config, per int64) {
		cfg.AddPipe(Pipe{Name: "P", PerCall: LimitOf(per)})
		if err := cfg.AttachPipe("AB", "P"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		cfg      func() Config
		req      int64
		want     int64
		down     bool
		refusedR Reason
	}{
		{"B-02 inter 128, pipe 512", func() Config {
			c := twoSubzones(Subzone{Inter: LimitOf(128)}, Subzone{})
			pipeOn(&c, 512)
			return c
		}, 768, 128, true, 0},
		{"B-03 inter 512, pipe 128", func() Config {
			c := twoSubzones(Subzone{Inter: LimitOf(512)}, Subzone{})
			pipeOn(&c, 128)
			return c
		}, 768, 128, true, 0},
		{"B-04 downspeed per-call off", func() Config {
			c := twoSubzones(Subzone{Inter: LimitOf(128)}, Subzone{})
			pipeOn(&c, 512)
			c.DownspeedPerCall = false
			return c
		}, 768, 0, false, ReasonPerCallExceeded},
		{"B-05 under the ceiling", func() Config {
			c := twoSubzones(Subzone{Inter: LimitOf(128)}, Subzone{})
			pipeOn(&c, 512)
			return c
		}, 100, 100, false, 0},
		{"B-28 B's intra irrelevant across subzones", func() Config {
			return twoSubzones(Subzone{Inter: LimitOf(512)}, Subzone{Intra: LimitOf(128)})
		}, 768, 512, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, tt.cfg())
			g, err := c.Admit(context.Background(), Request{CallID: "c", From: "A", To: "B", Kbps: tt.req})
			if tt.refusedR != ReasonNone {
				refused(t, err, tt.refusedR)
				if !errors.Is(err, ErrPerCallExceeded) {
					t.Fatal("AdmissionError must wrap the reason's sentinel")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Kbps != tt.want || g.Downspeeded != tt.down {
				t.Fatalf("grant %+v, want %d downspeeded=%v", g, tt.want, tt.down)
			}
		})
	}
}

// B-06..B-09: traversal calls charge their subzone twice and the Traversal
// Subzone once; total downspeeding (BW-12, BW-14, BW-15).
func TestTraversalDoubleCharge(t *testing.T) {
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "S", Total: LimitOf(2000)})
	c := mustNew(t, cfg)
	g := admit(t, c, "1", "S", "S", 768, Traversal) // B-06
	if want := []string{"S", TraversalSubzoneName, "S"}; !reflect.DeepEqual(g.Route, want) {
		t.Fatalf("route %v", g.Route)
	}
	if nodeKbps(t, c, "S") != 1536 || nodeKbps(t, c, TraversalSubzoneName) != 768 {
		t.Fatalf("B-06 usage S=%d T=%d", nodeKbps(t, c, "S"), nodeKbps(t, c, TraversalSubzoneName))
	}
	g = admit(t, c, "2", "S", "S", 768, Traversal) // B-07
	if g.Kbps != 232 || !g.Downspeeded || nodeKbps(t, c, "S") != 2000 {
		t.Fatalf("B-07 grant %+v, S used %d", g, nodeKbps(t, c, "S"))
	}

	cfg.DownspeedTotal = false // B-08
	c = mustNew(t, cfg)
	admit(t, c, "1", "S", "S", 768, Traversal)
	_, err := c.Admit(context.Background(), Request{CallID: "2", From: "S", To: "S", Kbps: 768, Type: Traversal})
	refused(t, err, ReasonTotalExceeded)

	c = mustNew(t, NewConfigWith(func(c *Config) { c.AddSubzone(Subzone{Name: "S", Total: LimitOf(2000)}) })) // B-09
	admit(t, c, "1", "S", "S", 768, NonTraversal)
	if nodeKbps(t, c, "S") != 768 || nodeKbps(t, c, TraversalSubzoneName) != 0 {
		t.Fatal("B-09 non-traversal call within S charges S once and not the Traversal Subzone")
	}
}

// NewConfigWith is NewConfig(false) edited by f.
func NewConfigWith(f func(*Config)) Config {
	c := NewConfig(false)
	f(&c)
	return c
}

// B-10: a link with two pipes charges both pipes and both subzones, and no
// one else (BW-12, BW-13).
func TestTwoPipeLink(t *testing.T) {
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "Home"})
	cfg.AddSubzone(Subzone{Name: "Branch"})
	cfg.AddPipe(Pipe{Name: "B", PerCall: LimitOf(256)})
	cfg.AddPipe(Pipe{Name: "C", PerCall: LimitOf(512)})
	cfg.AddLink(Link{Name: "HomeBranch", Node1: "Home", Node2: "Branch", Pipe1: "B", Pipe2: "C"})
	c := mustNew(t, cfg)
	g := admit(t, c, "1", "Home", "Branch", 768, NonTraversal)
	if g.Kbps != 256 || !reflect.DeepEqual(g.Pipes, []string{"B", "C"}) {
		t.Fatalf("grant %+v", g)
	}
	ctx := context.Background()
	for _, p := range []string{"B", "C"} {
		if u, _ := c.PipeUsage(ctx, p); u.Kbps != 256 || u.Calls != 1 {
			t.Fatalf("pipe %s usage %+v", p, u)
		}
	}
	if nodeKbps(t, c, "Home") != 256 || nodeKbps(t, c, "Branch") != 256 || nodeKbps(t, c, DefaultSubzoneName) != 0 {
		t.Fatal("subzone charges")
	}
}

func ukSales() Config {
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "UK Sales Office"})
	cfg.AddPipe(Pipe{Name: "512k ADSL", Total: LimitOf(512), PerCall: LimitOf(128)})
	if err := cfg.AttachPipe("UK Sales OfficeToDefaultSubzone", "512k ADSL"); err != nil {
		panic(err)
	}
	return cfg
}

// B-11, B-12: the seed's pipe example and CheckBandwidth (BW-15, BW-18).
func TestSeedPipeExampleAndCheck(t *testing.T) {
	c := mustNew(t, ukSales())
	ctx := context.Background()
	g, err := c.Check(ctx, DefaultSubzoneName, "UK Sales Office", 512, NonTraversal) // B-12
	if err != nil || g.Kbps != 128 || !g.Downspeeded ||
		!reflect.DeepEqual(g.Route, []string{DefaultSubzoneName, "UK Sales Office"}) ||
		!reflect.DeepEqual(g.Links, []string{"UK Sales OfficeToDefaultSubzone"}) {
		t.Fatalf("check %+v %v", g, err)
	}
	if u, _ := c.PipeUsage(ctx, "512k ADSL"); u != (Usage{}) {
		t.Fatal("Check must reserve nothing")
	}
	for i := 1; i <= 4; i++ { // B-11
		if g := admit(t, c, string(rune('0'+i)), DefaultSubzoneName, "UK Sales Office", 384, NonTraversal); g.Kbps != 128 {
			t.Fatalf("call %d: %+v", i, g)
		}
	}
	_, err = c.Admit(ctx, Request{CallID: "5", From: DefaultSubzoneName, To: "UK Sales Office", Kbps: 384})
	refused(t, err, ReasonTotalExceeded)
	if _, err := c.Check(ctx, "", "x", 10, NonTraversal); !errors.Is(err, ErrInvalidRequest) {
		t.Fatal("BW-18 name length")
	}
	if _, err := c.Check(ctx, DefaultSubzoneName, "UK Sales Office", 100000001, NonTraversal); !errors.Is(err, ErrInvalidRequest) {
		t.Fatal("BW-18 kbps range")
	}
}

// B-13..B-15: NoBandwidth rejects whatever the downspeed modes (BW-4,
// BW-5, BW-15 step 1).
func TestNoBandwidth(t *testing.T) {
	ctx := context.Background()
	cfg := NewConfig(false)
	cfg.TraversalSubzone.PerCall = Nothing
	c := mustNew(t, cfg)
	_, err := c.Admit(ctx, Request{CallID: "1", From: DefaultSubzoneName, To: DefaultZoneName, Type: Traversal})
	refused(t, err, ReasonNoBandwidth) // B-13
	admit(t, c, "2", DefaultSubzoneName, DefaultZoneName, 0, NonTraversal)

	cfg = NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "S", Inter: Nothing})
	c = mustNew(t, cfg)
	_, err = c.Admit(ctx, Request{CallID: "1", From: "S", To: DefaultSubzoneName})
	refused(t, err, ReasonNoBandwidth) // B-14
	admit(t, c, "2", "S", "S", 0, NonTraversal)

	cfg = NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "S", Total: Nothing})
	c = mustNew(t, cfg)
	_, err = c.Admit(ctx, Request{CallID: "1", From: "S", To: "S"})
	refused(t, err, ReasonNoBandwidth) // B-15
}

// B-16: automatic links per node kind (BW-8).
func TestAutomaticLinks(t *testing.T) {
	cfg := NewConfig(false)
	base := len(cfg.Links)
	cfg.AddSubzone(Subzone{Name: "X"})
	cfg.AddZone(Zone{Name: "N", Kind: NeighborZone})
	cfg.AddZone(Zone{Name: "D", Kind: DNSZone})
	cfg.AddZone(Zone{Name: "T", Kind: TraversalClientZone})
	cfg.AddZone(Zone{Name: "TS", Kind: TraversalServerZone})
	cfg.AddZone(Zone{Name: "E", Kind: ENUMZone})
	var got []string
	for _, l := range cfg.Links[base:] {
		got = append(got, l.Node1+"-"+l.Node2)
	}
	want := []string{
		"X-DefaultSubzone", "X-TraversalSubzone",
		"N-DefaultSubzone", "N-TraversalSubzone",
		"D-DefaultSubzone", "D-TraversalSubzone",
		"T-TraversalSubzone", "TS-TraversalSubzone",
		"E-DefaultSubzone", "E-TraversalSubzone",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("links %v\nwant %v", got, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("z", 50)
	cfg.AddSubzone(Subzone{Name: long})
	if err := cfg.Validate(); err != nil {
		t.Fatalf("automatic link names must fit %d characters: %v", MaxNameLen, err)
	}
}

// B-18..B-21: reachability, fewest links, DefaultLinksAdd (BW-8..BW-10).
func TestRouting(t *testing.T) {
	ctx := context.Background()
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "S"})
	cfg.DeleteLink("SToDefaultSubzone")
	cfg.DeleteLink("SToTraversalSubzone")
	c := mustNew(t, cfg)
	_, err := c.Admit(ctx, Request{CallID: "1", From: "S", To: DefaultSubzoneName})
	refused(t, err, ReasonNoRoute) // B-18
	if !errors.Is(err, ErrNoRoute) {
		t.Fatal("must wrap ErrNoRoute")
	}
	admit(t, c, "2", "S", "S", 0, NonTraversal)

	cfg = NewConfig(false) // B-19: A–Default–B is two links, A–B one
	cfg.AddSubzone(Subzone{Name: "A"})
	cfg.AddSubzone(Subzone{Name: "B"})
	cfg.AddLink(Link{Name: "AB", Node1: "A", Node2: "B"})
	c = mustNew(t, cfg)
	if g := admit(t, c, "1", "A", "B", 0, NonTraversal); !reflect.DeepEqual(g.Route, []string{"A", "B"}) {
		t.Fatalf("B-19 route %v", g.Route)
	}

	cfg = NewConfig(false) // B-20
	cfg.DeleteLink(LinkDefaultToZone)
	cfg.DeleteLink(LinkTraversalToZone)
	c = mustNew(t, cfg)
	_, err = c.Admit(ctx, Request{CallID: "1", From: DefaultZoneName, To: DefaultSubzoneName})
	refused(t, err, ReasonNoRoute)

	cfg = NewConfig(false) // B-21
	cfg.Links = nil
	cfg.DefaultLinksAdd()
	cfg.DefaultLinksAdd()
	if len(cfg.Links) != 3 {
		t.Fatalf("B-21: %d links", len(cfg.Links))
	}
}

// BW-10 tie-break: of equal-length routes the smallest link-ID sequence.
func TestRouteTieBreak(t *testing.T) {
	cfg := NewConfig(false)
	for _, n := range []string{"A", "B", "M1", "M2"} {
		cfg.Subzones = append(cfg.Subzones, Subzone{Name: n})
	}
	cfg.Links = nil
	cfg.AddLink(Link{Name: "A-M2", Node1: "A", Node2: "M2"})
	cfg.AddLink(Link{Name: "A-M1", Node1: "A", Node2: "M1"})
	cfg.AddLink(Link{Name: "M1-B", Node1: "M1", Node2: "B"})
	cfg.AddLink(Link{Name: "M2-B", Node1: "M2", Node2: "B"})
	c := mustNew(t, cfg)
	g := admit(t, c, "1", "A", "B", 0, NonTraversal)
	if !reflect.DeepEqual(g.Links, []string{"A-M2", "M2-B"}) {
		t.Fatalf("links %v", g.Links)
	}
}

// B-22: default and interworked requests (BW-1).
func TestDefaultRate(t *testing.T) {
	c := mustNew(t, NewConfig(false))
	if g := admit(t, c, "1", DefaultSubzoneName, DefaultSubzoneName, 0, NonTraversal); g.Kbps != 384 || g.Requested != 384 {
		t.Fatal(g)
	}
	g, err := c.Admit(context.Background(), Request{CallID: "2", From: DefaultSubzoneName, To: DefaultSubzoneName, Kbps: 128, Interworked: true})
	if err != nil || g.Requested != 384 || g.Kbps != 384 {
		t.Fatalf("%+v %v", g, err)
	}
}

// B-23, BW-17: mid-call change counts the call's own booking as free; a
// decrease always succeeds; a refused increase leaves the grant; release is
// exact and double release is an error without effect.
func TestChangeAndRelease(t *testing.T) {
	ctx := context.Background()
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "S", Total: LimitOf(1000)})
	var events []Event
	c := mustNew(t, cfg, WithEvents(func(e Event) { events = append(events, e) }))
	admit(t, c, "others", "S", "S", 500, NonTraversal)
	admit(t, c, "call", "S", "S", 384, NonTraversal)
	g, err := c.Change(ctx, "call", 768)
	if err != nil || g.Kbps != 500 || !g.Downspeeded {
		t.Fatalf("B-23 %+v %v", g, err)
	}
	if nodeKbps(t, c, "S") != 1000 || len(events) != 1 || events[0].Name != "Call Bandwidth Changed" || events[0].Level != 1 {
		t.Fatalf("usage %d events %+v", nodeKbps(t, c, "S"), events)
	}
	if g, err := c.Change(ctx, "call", 100); err != nil || g.Kbps != 100 {
		t.Fatalf("decrease %+v %v", g, err)
	}
	if nodeKbps(t, c, "S") != 600 {
		t.Fatal(nodeKbps(t, c, "S"))
	}

	cfg.DownspeedTotal = false
	c = mustNew(t, cfg)
	admit(t, c, "others", "S", "S", 500, NonTraversal)
	admit(t, c, "call", "S", "S", 384, NonTraversal)
	if _, err := c.Change(ctx, "call", 768); !errors.Is(err, ErrTotalExceeded) {
		t.Fatalf("refused increase: %v", err)
	}
	if nodeKbps(t, c, "S") != 884 {
		t.Fatal("a refused increase must leave the old grant")
	}
	if err := c.Release(ctx, "call"); err != nil {
		t.Fatal(err)
	}
	if err := c.Release(ctx, "call"); !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("double release: %v", err)
	}
	if nodeKbps(t, c, "S") != 500 {
		t.Fatal("release must be exact")
	}
	if _, err := c.Admit(ctx, Request{CallID: "others", From: "S", To: "S"}); err == nil {
		// Re-admitting a live call ID replaces its booking; it must not double it.
		if nodeKbps(t, c, "S") != 384 {
			t.Fatalf("re-admit: %d", nodeKbps(t, c, "S"))
		}
	}
}

// B-24, B-25: peers share a store; a peer with another configuration gets
// no admissions and a Security Alert (BW-20).
func TestClusterPeers(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	cfg := NewConfig(true)
	cfg.AddSubzone(Subzone{Name: "Br"})
	cfg.AddPipe(Pipe{Name: "shared", Total: LimitOf(1024)})
	if err := cfg.AttachPipe("BrToDefaultSubzone", "shared"); err != nil {
		t.Fatal(err)
	}
	p1 := mustNew(t, cfg, WithStore(store), WithPeer("p1"))
	p2 := mustNew(t, cfg, WithStore(store), WithPeer("p2"))
	admit(t, p1, "a", "Br", DefaultSubzoneName, 768, NonTraversal)
	if g := admit(t, p2, "b", "Br", DefaultSubzoneName, 512, NonTraversal); g.Kbps != 256 {
		t.Fatalf("B-24 grant %+v", g)
	}
	cfg.DownspeedTotal = false
	p2off := mustNew(t, cfg, WithStore(NewMemoryStore()), WithPeer("p2"))
	admit(t, p2off, "a", "Br", DefaultSubzoneName, 768, NonTraversal)
	_, err := p2off.Admit(ctx, Request{CallID: "b", From: "Br", To: DefaultSubzoneName, Kbps: 512})
	refused(t, err, ReasonTotalExceeded)

	other := cfg
	other.DefaultKbps = 512
	var alerts []Event
	p3 := mustNew(t, other, WithStore(store), WithPeer("p3"), WithEvents(func(e Event) { alerts = append(alerts, e) }))
	_, err = p3.Admit(ctx, Request{CallID: "c", From: "Br", To: DefaultSubzoneName})
	if !errors.Is(err, ErrConfigMismatch) {
		t.Fatalf("B-25: %v", err)
	}
	if len(alerts) == 0 || alerts[0].Name != "Security Alert" {
		t.Fatalf("alerts %+v", alerts)
	}
}

// B-26: Validate lists every violation (BW-22).
func TestValidateAll(t *testing.T) {
	cfg := NewConfig(false)
	cfg.DefaultKbps = 63
	for i := 0; i <= MaxPipes; i++ {
		cfg.Pipes = append(cfg.Pipes, Pipe{Name: "p" + itoa(i)})
	}
	for len(cfg.Links) <= MaxLinks {
		cfg.Links = append(cfg.Links, Link{Name: "l" + itoa(len(cfg.Links))})
	}
	cfg.Pipes[0].Total = LimitOf(0)
	cfg.Pipes[1].PerCall = LimitOf(100000001)
	cfg.Links[5].Name = strings.Repeat("n", 51)
	cfg.Links[6].Node1, cfg.Links[6].Node2 = DefaultSubzoneName, DefaultSubzoneName
	cfg.Links[7].Pipe1 = "nope"
	cfg.Links = append(cfg.Links, Link{Name: "l3"}) // duplicate
	err := cfg.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	msg := err.Error()
	for _, want := range []string{"default bandwidth 63", "1001 pipes", "links: at most 3000", "pipe p0 total",
		"pipe p1 per-call", "length must be 1..50", "to itself", `pipe "nope"`, `link "l3": duplicate`} {
		if !strings.Contains(msg, want) {
			t.Errorf("Validate() misses %q", want)
		}
	}
	c2 := NewConfig(false)
	c2.DefaultKbps = 65536
	c2.AddPipe(Pipe{Name: "a"})
	c2.AddPipe(Pipe{Name: "b"})
	c2.AddPipe(Pipe{Name: "c"})
	for _, p := range []string{"a", "b"} {
		if err := c2.AttachPipe(LinkDefaultToZone, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := c2.AttachPipe(LinkDefaultToZone, "c"); err == nil {
		t.Fatal("a third pipe on a link must be refused")
	}
	if err := c2.Validate(); err == nil || !strings.Contains(err.Error(), "65536") {
		t.Fatalf("Default 65536: %v", err)
	}
	if err := c2.DeletePipe("a"); !errors.Is(err, ErrPipeInUse) {
		t.Fatalf("BW-6 delete in use: %v", err)
	}
	c2.AddZone(Zone{Name: "Z"})
	c2.AddLink(Link{Name: "zz", Node1: "Z", Node2: DefaultZoneName})
	if err := c2.Validate(); !errors.Is(err, ErrZoneToZoneLink) {
		t.Fatalf("BW-7 zone to zone: %v", err)
	}
	if _, err := New(context.Background(), c2); err == nil {
		t.Fatal("New must refuse an invalid config")
	}
}

// B-29: a traversal call within S takes S's Intra limit and the Traversal
// Subzone's per-call limit (BW-13).
func TestTraversalWithinIntra(t *testing.T) {
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "S", Intra: LimitOf(256), Inter: LimitOf(1024)})
	c := mustNew(t, cfg)
	if g := admit(t, c, "1", "S", "S", 768, Traversal); g.Kbps != 256 {
		t.Fatalf("grant %+v", g)
	}
	cfg.TraversalSubzone.PerCall = LimitOf(200)
	c = mustNew(t, cfg)
	if g := admit(t, c, "1", "S", "S", 768, Traversal); g.Kbps != 200 {
		t.Fatalf("grant %+v", g)
	}
}

// B-27: TURN relays are outside bandwidth control (BW-19): there is no
// admission path for them, so the ledger stays empty without calls.
func TestTURNNotCharged(t *testing.T) {
	c := mustNew(t, NewConfig(false))
	for _, n := range []string{DefaultSubzoneName, TraversalSubzoneName, DefaultZoneName} {
		if nodeKbps(t, c, n) != 0 {
			t.Fatal(n)
		}
	}
}

// BW-20: a lost peer's reservations are released after the lease.
func TestPeerLease(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	c := mustNew(t, NewConfig(false), WithStore(store), WithPeer("p1"))
	admit(t, c, "1", DefaultSubzoneName, DefaultSubzoneName, 384, NonTraversal)
	t0 := testTime()
	store.Heartbeat("p1", t0)
	if n := store.Sweep(t0.Add(59e9), 0); n != 0 {
		t.Fatal("released before the lease")
	}
	if n := store.Sweep(t0.Add(61e9), 0); n != 1 {
		t.Fatal("not released after the lease")
	}
	if u, _ := c.NodeUsage(ctx, DefaultSubzoneName); u != (Usage{}) {
		t.Fatal(u)
	}
}
