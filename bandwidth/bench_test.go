package bandwidth

import (
	"context"
	"strconv"
	"testing"
)

// bigTopology has 1000 subzones and 3000 links: the two automatic links of
// each subzone plus a ring of manual links, with pipes on the ring.
func bigTopology(b *testing.B) *Controller {
	cfg := NewConfig(false)
	for i := 0; i < MaxSubzones; i++ {
		cfg.AddSubzone(Subzone{Name: "sz" + strconv.Itoa(i), Total: LimitOf(1000000), Inter: LimitOf(4096)})
	}
	for i := 0; len(cfg.Links) < MaxLinks; i++ {
		p := "pipe" + strconv.Itoa(i)
		if len(cfg.Pipes) < MaxPipes {
			cfg.AddPipe(Pipe{Name: p, Total: LimitOf(10000000), PerCall: LimitOf(2048)})
		} else {
			p = ""
		}
		cfg.AddLink(Link{Name: "ring" + strconv.Itoa(i), Node1: "sz" + strconv.Itoa(i), Node2: "sz" + strconv.Itoa((i+1)%MaxSubzones), Pipe1: p})
	}
	c, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkBandwidthAdmit admits and releases a call across a pipe in a
// topology of 1000 subzones and 3000 links (the route is cached after the
// first call).
func BenchmarkBandwidthAdmit(b *testing.B) {
	c := bigTopology(b)
	ctx := context.Background()
	req := Request{From: "sz10", To: "sz11", Kbps: 768}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := strconv.FormatInt(int64(nextBenchID()), 10)
		r := req
		r.CallID = id
		for pb.Next() {
			if _, err := c.Admit(ctx, r); err != nil {
				b.Fatal(err)
			}
			if err := c.Release(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBandwidthRoute measures a cold route computation (BFS over the
// 1000-subzone graph) as on the first call of a pair.
func BenchmarkBandwidthRoute(b *testing.B) {
	c := bigTopology(b)
	src, dst := c.top.index["sz3"], c.top.index["sz700"]
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.top.newPlan(src, dst, true); !ok {
			b.Fatal("no route")
		}
	}
}
