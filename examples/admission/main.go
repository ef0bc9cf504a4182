// Command admission shows a call being admitted by the two admission
// blocks an edge runs on every call — licensing (what it costs) and
// bandwidth (whether the network can carry it) — and released again.
//
//	go run ./examples/admission
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/causeway-edge/causeway/bandwidth"
	"github.com/causeway-edge/causeway/licensing"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "admission:", err)
		os.Exit(1)
	}
}

// edge holds the two admission blocks of one Expressway-E.
type edge struct {
	ledger *licensing.Ledger
	bw     *bandwidth.Controller
}

func newEdge(ctx context.Context) (*edge, error) {
	var keys licensing.KeySet
	for _, s := range []string{"116341Y10-1-0A1B2C3D", "116341A50-1-0A1B2C3E"} {
		k, err := licensing.ParseKey(s)
		if err != nil {
			return nil, err
		}
		keys.Install(k)
	}
	ledger, err := licensing.NewLedger(licensing.LedgerConfig{
		Role:         licensing.RoleE,
		Platform:     licensing.Medium,
		WarningLevel: licensing.ResourceWarningActivationDefault,
		Licensed: func(now time.Time) licensing.Licences {
			return keys.Licences(now, licensing.RoleE, licensing.Current)
		},
	})
	if err != nil {
		return nil, err
	}
	cfg := bandwidth.NewConfig(false)
	cfg.AddZone(bandwidth.Zone{Name: "Internet", Kind: bandwidth.TraversalServerZone})
	cfg.AddPipe(bandwidth.Pipe{Name: "uplink", Total: bandwidth.LimitOf(2048), PerCall: bandwidth.LimitOf(1024)})
	if err := cfg.AttachPipe("InternetToTraversalSubzone", "uplink"); err != nil {
		return nil, err
	}
	bw, err := bandwidth.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &edge{ledger: ledger, bw: bw}, nil
}

// call is an admitted call: its licence lease and its bandwidth grant.
type call struct {
	id    string
	lease *licensing.Lease
	grant bandwidth.Grant
}

// admit classifies and admits a B2B call from the internet to the inside:
// licence first, then bandwidth; a bandwidth refusal gives the licence back.
func (e *edge) admit(ctx context.Context, id string, kbps int64) (*call, error) {
	d := licensing.Classify(licensing.CallFacts{
		Caller:     licensing.Party{Endpoint: licensing.External, Protocol: licensing.SIP},
		Callee:     licensing.Party{Endpoint: licensing.RegisteredC, Protocol: licensing.SIP},
		MediaTaken: true,
	})
	lease, err := e.ledger.Admit(ctx, d)
	if err != nil {
		return nil, err
	}
	g, err := e.bw.Admit(ctx, bandwidth.Request{CallID: id, From: "Internet", To: bandwidth.DefaultSubzoneName,
		Kbps: kbps, Type: bandwidth.Traversal})
	if err != nil {
		return nil, errors.Join(err, lease.Release(ctx))
	}
	return &call{id: id, lease: lease, grant: g}, nil
}

func (e *edge) release(ctx context.Context, c *call) error {
	return errors.Join(c.lease.Release(ctx), e.bw.Release(ctx, c.id))
}

func run(ctx context.Context, w io.Writer) error {
	e, err := newEdge(ctx)
	if err != nil {
		return err
	}
	var calls []*call
	for i, kbps := range []int64{1920, 768, 768, 384} {
		id := fmt.Sprintf("call-%d", i+1)
		c, err := e.admit(ctx, id, kbps)
		if err != nil {
			fmt.Fprintf(w, "%s refused: %v\n", id, err)
			continue
		}
		calls = append(calls, c)
		fmt.Fprintf(w, "%s admitted: %d tokens, %d of %d kbps via %v\n", id, c.lease.Tokens(), c.grant.Kbps,
			c.grant.Requested, c.grant.Route)
	}
	u, err := e.ledger.Usage(ctx)
	if err != nil {
		return err
	}
	pipe, err := e.bw.PipeUsage(ctx, "uplink")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "in use: %d RMS tokens of %d, uplink %d kbps in %d calls\n", u.RMSTokens, 2*u.RMSLicences, pipe.Kbps, pipe.Calls)
	for _, c := range calls {
		if err := e.release(ctx, c); err != nil {
			return err
		}
	}
	u, _ = e.ledger.Usage(ctx)
	pipe, _ = e.bw.PipeUsage(ctx, "uplink")
	fmt.Fprintf(w, "released: %d tokens, uplink %d kbps; peak %d tokens\n", u.RMSTokens, pipe.Kbps, u.RMSTokensPeak)
	return nil
}
