package licensing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/causeway-edge/causeway/licensing"
)

// A B2B call from an endpoint registered on Expressway-C to an external
// party costs one RMS on Expressway-E. With one RMS licensed, a second call
// is refused until the first, settled as audio-only SIP, frees a token —
// and even then a new setup needs two.
func Example() {
	ctx := context.Background()
	var keys licensing.KeySet
	k, err := licensing.ParseKey("116341Y1-1-0A1B2C3D")
	if err != nil {
		panic(err)
	}
	keys.Install(k)
	ledger, err := licensing.NewLedger(licensing.LedgerConfig{
		Role:     licensing.RoleE,
		Platform: licensing.Large,
		Licensed: func(now time.Time) licensing.Licences {
			return keys.Licences(now, licensing.RoleE, licensing.Current)
		},
	})
	if err != nil {
		panic(err)
	}
	d := licensing.Classify(licensing.CallFacts{
		Caller:     licensing.Party{Endpoint: licensing.RegisteredC, Protocol: licensing.SIP},
		Callee:     licensing.Party{Endpoint: licensing.External, Protocol: licensing.SIP},
		MediaTaken: true,
	})
	role, _ := d.RMSRole()
	fmt.Println(d.Class, "on", role, "because", d.Reason)

	call, err := ledger.Admit(ctx, d)
	if err != nil {
		panic(err)
	}
	_, err = ledger.Admit(ctx, d)
	fmt.Println("second call:", errors.Is(err, licensing.ErrLicenseExhausted))
	_ = call.Settle(ctx, true)
	fmt.Println("first call settled as audio-only holds", call.Tokens(), "token")
	_ = call.Release(ctx)
	u, _ := ledger.Usage(ctx)
	fmt.Println("tokens in use after release:", u.RMSTokens, "peak:", u.RMSTokensPeak)
	// Output:
	// RMS on Expressway-E because LIC-12/exit
	// second call: true
	// first call settled as audio-only holds 1 token
	// tokens in use after release: 0 peak: 2
}
