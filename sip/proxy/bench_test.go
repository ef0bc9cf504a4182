package proxy

import (
	"context"
	"testing"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
)

// BenchmarkProxyMessage: one MESSAGE transaction UAC → proxy → UAS and
// back over UDP on 127.0.0.1 (all three in this process).
func BenchmarkProxyMessage(b *testing.B) {
	callee := newUA(b, "callee", func(u *ua, tx *transaction.ServerTx, req *sip.Message) { answer(tx, req, 200, "") })
	callee.h = func(tx *transaction.ServerTx, req *sip.Message) {
		if tx != nil {
			answer(tx, req, 200, "")
		}
	}
	caller := newUA(b, "caller", nil)
	p := newProxy(b, Config{Router: to(callee.uri("udp"))})
	tmpl := caller.request(b, "MESSAGE", "sip:callee@example.com", "udp")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := tmpl.Clone()
		v, _ := m.Via()
		v.Params = v.Params.Set("branch", sip.NewBranch())
		_ = m.SetTopVia(v)
		tx, err := caller.l.Request(ctx, m, p.addr("udp"))
		if err != nil {
			b.Fatal(err)
		}
		for r := range tx.Responses() {
			if r.StatusCode() >= 200 {
				break
			}
		}
	}
}
