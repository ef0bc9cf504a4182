package bandwidth

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// 10,000 admissions from 32 goroutines against a pipe that holds 500 calls
// admit exactly 500: the ledger never over-admits and never refuses while
// room is left (BW-15 step 4, BW-20).
func TestConcurrentAdmissionIsExact(t *testing.T) {
	cfg := NewConfig(false)
	cfg.DownspeedTotal = false
	cfg.AddSubzone(Subzone{Name: "Branch"})
	cfg.AddPipe(Pipe{Name: "wan", Total: LimitOf(500 * 64)})
	if err := cfg.AttachPipe("BranchToDefaultSubzone", "wan"); err != nil {
		t.Fatal(err)
	}
	c := mustNew(t, cfg)
	ctx := context.Background()
	var admitted, refusedN atomic.Int64
	var wg sync.WaitGroup
	const workers, total = 32, 10000
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < total; i += workers {
				_, err := c.Admit(ctx, Request{CallID: strconv.Itoa(i), From: "Branch", To: DefaultSubzoneName, Kbps: 64})
				switch {
				case err == nil:
					admitted.Add(1)
				case errors.Is(err, ErrTotalExceeded):
					refusedN.Add(1)
				default:
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	if admitted.Load() != 500 || refusedN.Load() != total-500 {
		t.Fatalf("admitted %d refused %d", admitted.Load(), refusedN.Load())
	}
	if u, _ := c.PipeUsage(ctx, "wan"); u.Kbps != 500*64 || u.Calls != 500 {
		t.Fatalf("pipe usage %+v", u)
	}
}

// Property (spec §4): under random concurrent admit/change/release, used
// never exceeds a Limited total, and releasing everything leaves the ledger
// empty.
func TestRandomLoadInvariants(t *testing.T) {
	cfg := NewConfig(false)
	cfg.AddSubzone(Subzone{Name: "A", Total: LimitOf(5000)})
	cfg.AddSubzone(Subzone{Name: "B", Total: LimitOf(3000), Inter: LimitOf(768)})
	cfg.AddPipe(Pipe{Name: "p", Total: LimitOf(4000), PerCall: LimitOf(1024)})
	cfg.AddLink(Link{Name: "AB", Node1: "A", Node2: "B", Pipe1: "p"})
	c := mustNew(t, cfg)
	ctx := context.Background()
	nodes := []string{"A", "B", DefaultSubzoneName, DefaultZoneName}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var live []string
			for i := 0; i < 2000; i++ {
				switch r.IntN(4) {
				case 0, 1:
					id := strconv.Itoa(w) + "-" + strconv.Itoa(i)
					_, err := c.Admit(ctx, Request{CallID: id, From: nodes[r.IntN(4)], To: nodes[r.IntN(4)],
						Kbps: int64(64 + r.IntN(2000)), Type: CallType(r.IntN(2))})
					if err == nil {
						live = append(live, id)
					}
				case 2:
					if len(live) > 0 {
						_, _ = c.Change(ctx, live[r.IntN(len(live))], int64(64+r.IntN(2000)))
					}
				case 3:
					if len(live) > 0 {
						j := r.IntN(len(live))
						if err := c.Release(ctx, live[j]); err != nil {
							t.Error(err)
						}
						live = append(live[:j], live[j+1:]...)
					}
				}
				if u, _ := c.NodeUsage(ctx, "A"); u.Kbps > 5000 {
					t.Errorf("A over its total: %d", u.Kbps)
				}
				if u, _ := c.PipeUsage(ctx, "p"); u.Kbps > 4000 {
					t.Errorf("pipe over its total: %d", u.Kbps)
				}
			}
			for _, id := range live {
				if err := c.Release(ctx, id); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	for _, n := range nodes {
		if u, _ := c.NodeUsage(ctx, n); u != (Usage{}) {
			t.Errorf("%s not empty after releasing all: %+v", n, u)
		}
	}
}
