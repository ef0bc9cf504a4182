package licensing

import (
	"context"
	"testing"
)

// BenchmarkLedgerAdmitRelease admits and releases an RMS call on a Large
// node (the three checks and the booking in one store operation).
func BenchmarkLedgerAdmitRelease(b *testing.B) {
	l := newLedger(b, LedgerConfig{Role: RoleE, Platform: Large, WarningLevel: ResourceWarningActivationDefault,
		Licensed: fixed(Licences{RMS: 500})})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			lease, err := l.Admit(ctx, sipTraversal)
			if err != nil {
				b.Fatal(err)
			}
			if err := lease.Release(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClassify measures the pure classifier.
func BenchmarkClassify(b *testing.B) {
	f := CallFacts{Caller: p(RegisteredC, SIP), Callee: p(External, SIP), MediaTaken: true}
	b.ReportAllocs()
	for b.Loop() {
		_ = Classify(f)
	}
}
