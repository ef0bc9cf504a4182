package bandwidth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/causeway-edge/causeway/bandwidth"
)

// A branch office behind a 512 kbps ADSL pipe that carries at most 128 kbps
// per call: calls are downspeeded to 128 kbps, and the fifth is refused.
func Example() {
	ctx := context.Background()
	cfg := bandwidth.NewConfig(false)
	cfg.AddSubzone(bandwidth.Subzone{Name: "Branch"})
	cfg.AddPipe(bandwidth.Pipe{Name: "ADSL", Total: bandwidth.LimitOf(512), PerCall: bandwidth.LimitOf(128)})
	if err := cfg.AttachPipe("BranchToDefaultSubzone", "ADSL"); err != nil {
		panic(err)
	}
	c, err := bandwidth.New(ctx, cfg)
	if err != nil {
		panic(err)
	}
	for i := 1; i <= 5; i++ {
		g, err := c.Admit(ctx, bandwidth.Request{CallID: fmt.Sprint(i), From: "Branch", To: bandwidth.DefaultSubzoneName, Kbps: 384})
		if errors.Is(err, bandwidth.ErrTotalExceeded) {
			fmt.Println("call", i, "refused:", err.(*bandwidth.AdmissionError).Reason)
			continue
		}
		fmt.Println("call", i, "granted", g.Kbps, "kbps via", g.Route)
	}
	_ = c.Release(ctx, "1")
	u, _ := c.PipeUsage(ctx, "ADSL")
	fmt.Println("ADSL after one release:", u.Calls, "calls,", u.Kbps, "kbps")
	// Output:
	// call 1 granted 128 kbps via [Branch DefaultSubzone]
	// call 2 granted 128 kbps via [Branch DefaultSubzone]
	// call 3 granted 128 kbps via [Branch DefaultSubzone]
	// call 4 granted 128 kbps via [Branch DefaultSubzone]
	// call 5 refused: TotalExceeded
	// ADSL after one release: 3 calls, 384 kbps
}
