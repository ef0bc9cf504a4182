package licensing

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func fixed(l Licences) func(time.Time) Licences { return func(time.Time) Licences { return l } }

func newLedger(t testing.TB, cfg LedgerConfig) *Ledger {
	t.Helper()
	if cfg.Licensed == nil {
		cfg.Licensed = fixed(Licences{RMS: 100000, Room: 100000, Desktop: 100000})
	}
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return t0 }
	}
	l, err := NewLedger(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// An audio-capable SIP traversal call charged on E.
var sipTraversal = Classify(CallFacts{Caller: p(RegisteredC, SIP), Callee: p(External, SIP), MediaTaken: true})

// Video over H.323 through E (no audio discount).
var h323Traversal = Classify(CallFacts{Caller: p(RegisteredC, H323), Callee: p(External, H323), MediaTaken: true})

func reason(t *testing.T, err error, want Refusal) {
	t.Helper()
	var ae *AdmissionError
	if !errors.As(err, &ae) || ae.Reason != want {
		t.Fatalf("err %v, want refusal %v", err, want)
	}
}

// §3.3 vectors 1, 2, 8, 9 (LIC-20, LIC-22, LIC-23).
func TestTokensSetupSettleRelease(t *testing.T) {
	ctx := context.Background()
	var alarms []Alarm
	l := newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Licensed: fixed(Licences{RMS: 1}),
		OnAlarm: func(a Alarm) { alarms = append(alarms, a) }})
	a, err := l.Admit(ctx, sipTraversal)
	if err != nil || a.Tokens() != 2 {
		t.Fatalf("setup: %v, %d tokens", err, a.Tokens())
	}
	if err := a.Settle(ctx, true); err != nil || a.Tokens() != 1 {
		t.Fatalf("settle: %v, %d tokens", err, a.Tokens())
	}
	_, err = l.Admit(ctx, sipTraversal) // vector 2
	reason(t, err, RefusedLicense)
	if !errors.Is(err, ErrLicenseExhausted) {
		t.Fatal("must wrap ErrLicenseExhausted")
	}
	found := false
	for _, al := range alarms {
		found = found || (al.Name == "License Limit Reached" && al.Level == "1")
	}
	if !found {
		t.Fatalf("LIC-24: License Limit Reached event missing: %+v", alarms)
	}
	if err := a.Settle(ctx, false); err != nil || a.Tokens() != 1 { // vector 8: frozen
		t.Fatal("a settled call is frozen")
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx); err != nil { // vector 9
		t.Fatal(err)
	}
	if u, _ := l.Usage(ctx); u.RMSTokens != 0 {
		t.Fatalf("after release: %d tokens", u.RMSTokens)
	}
}

// §3.3 vector 3: two audio-only setups at once on a 1-RMS pool: exactly
// one is admitted.
func TestSimultaneousAudioSetups(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Licensed: fixed(Licences{RMS: 1})})
	var ok atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := l.Admit(ctx, sipTraversal); err == nil {
				ok.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d admitted", ok.Load())
	}
}

// §3.3 vectors 4–7: 100 RMS admits 90 video + 20 audio-only SIP, settled
// first; a 20th audio setup beside 90 video + 19 audio is refused; H.323
// audio and two m-lines pay full.
func TestSeedAudioExample(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Licensed: fixed(Licences{RMS: 100})})
	for i := 0; i < 20; i++ {
		a, err := l.Admit(ctx, sipTraversal)
		if err != nil {
			t.Fatal(err)
		}
		_ = a.Settle(ctx, true)
	}
	for i := 0; i < 90; i++ {
		if _, err := l.Admit(ctx, sipTraversal); err != nil {
			t.Fatalf("video %d: %v", i, err)
		}
	}
	if u, _ := l.Usage(ctx); u.RMSTokens != 200 || u.RMSPercent != 100 {
		t.Fatalf("usage %+v", u)
	}

	l = newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Licensed: fixed(Licences{RMS: 100})})
	for i := 0; i < 90; i++ {
		_, _ = l.Admit(ctx, sipTraversal)
	}
	for i := 0; i < 19; i++ {
		a, _ := l.Admit(ctx, sipTraversal)
		_ = a.Settle(ctx, true)
	}
	_, err := l.Admit(ctx, sipTraversal) // vector 5: 199 tokens, setup needs 2
	reason(t, err, RefusedLicense)

	l = newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Licensed: fixed(Licences{RMS: 10})})
	a, _ := l.Admit(ctx, h323Traversal) // vector 7
	_ = a.Settle(ctx, true)
	if a.Tokens() != 2 {
		t.Fatal("H.323 audio-only keeps 2 tokens")
	}
	// Vector 6: audio + video m-lines (video port 0) is not audio-only:
	// the caller settles with audioOnly=false (LIC-21 counts m-lines).
	b, _ := l.Admit(ctx, sipTraversal)
	_ = b.Settle(ctx, false)
	if b.Tokens() != 2 {
		t.Fatal("two m-lines keep 2 tokens")
	}
}

// §3.4 capacity vectors (LIC-30..LIC-33).
func TestPhysicalUnits(t *testing.T) {
	ctx := context.Background()
	registered := Classify(CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP)})
	l := newLedger(t, LedgerConfig{Role: RoleC, Platform: Large})
	for i := 0; i < 500; i++ {
		if _, err := l.Admit(ctx, registered); err != nil {
			t.Fatalf("video %d: %v", i, err)
		}
	}
	_, err := l.Admit(ctx, registered)
	reason(t, err, RefusedPhysical)
	if !errors.Is(err, ErrPhysicalCapacity) {
		t.Fatal("must wrap ErrPhysicalCapacity")
	}

	l = newLedger(t, LedgerConfig{Role: RoleC, Platform: Large})
	for i := 0; i < 998; i++ {
		a, err := l.Admit(ctx, registered)
		if err != nil {
			t.Fatalf("audio %d: %v", i, err)
		}
		_ = a.Settle(ctx, true)
	}
	if _, err := l.Admit(ctx, registered); err != nil {
		t.Fatal("998 audio + 1 video fits 1000 units")
	}
	_, err = l.Admit(ctx, registered)
	reason(t, err, RefusedPhysical)

	mra := Classify(CallFacts{Caller: p(MRA, SIP), Callee: p(UnifiedCM, SIP)})
	for _, tc := range []struct {
		name         string
		video, audio int
		d            Decision
	}{{"20 MRA video", 20, 0, mra}, {"40 video", 40, 0, registered}, {"10 MRA video + 20 audio", 10, 20, mra}} {
		l := newLedger(t, LedgerConfig{Role: RoleC, Platform: Small})
		for i := 0; i < tc.video; i++ {
			if _, err := l.Admit(ctx, tc.d); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		for i := 0; i < tc.audio; i++ {
			a, err := l.Admit(ctx, registered)
			if err != nil {
				t.Fatalf("%s audio %d: %v", tc.name, i, err)
			}
			_ = a.Settle(ctx, true)
		}
		if u, _ := l.Usage(ctx); u.Units != 40 || u.CapacityPercent != 100 {
			t.Fatalf("%s: usage %+v", tc.name, u)
		}
		_, err := l.Admit(ctx, registered)
		reason(t, err, RefusedPhysical)
	}
}

// LIC-33: the B2BUA limit refuses the 101st B2BUA call on Medium (500 on
// Large) although licences are free.
func TestB2BUALimit(t *testing.T) {
	ctx := context.Background()
	b2b := Classify(CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP), B2BUA: true})
	for _, tc := range []struct {
		p Platform
		n int
	}{{Medium, 100}, {Large, 500}} {
		l := newLedger(t, LedgerConfig{Role: RoleC, Platform: tc.p})
		for i := 0; i < tc.n; i++ {
			a, err := l.Admit(ctx, b2b)
			if err != nil {
				t.Fatalf("%v call %d: %v", tc.p, i, err)
			}
			_ = a.Settle(ctx, true) // free physical units for the test
		}
		_, err := l.Admit(ctx, b2b)
		reason(t, err, RefusedB2BUA)
		if !errors.Is(err, ErrB2BUALimit) {
			t.Fatal("must wrap ErrB2BUALimit")
		}
	}
}

// LIC-35: the 90% warning on cluster capacity: six Medium peers have the
// capacity of four, 400 video; 359 calls no alarm, 360 raise; level 0
// never. (Spread over six peers, no single peer is near its own 90%.)
func TestCapacityWarning(t *testing.T) {
	ctx := context.Background()
	for _, level := range []int{90, 0} {
		var raised []int
		store := NewMemoryStore()
		mk := func(peer string) *Ledger {
			return newLedger(t, LedgerConfig{Role: RoleC, Platform: Medium, Peers: 6, Peer: peer, Store: store,
				WarningLevel: level, OnAlarm: func(a Alarm) {
					if a.Raised && a.ID != 0 {
						raised = append(raised, a.ID)
					}
				}})
		}
		peers := []*Ledger{mk("a"), mk("b"), mk("c"), mk("d"), mk("e"), mk("f")}
		reg := Classify(CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP)})
		for i := 0; i < 359; i++ {
			if _, err := peers[i%6].Admit(ctx, reg); err != nil {
				t.Fatal(err)
			}
		}
		if len(raised) != 0 {
			t.Fatalf("level %d: alarm at 359/400: %v", level, raised)
		}
		if _, err := peers[3].Admit(ctx, reg); err != nil {
			t.Fatal(err)
		}
		if level == 90 && (len(raised) != 1 || raised[0] != 30003) {
			t.Fatalf("at 360/400 want alarm 30003, got %v", raised)
		}
		if level == 0 && len(raised) != 0 {
			t.Fatalf("level 0 must never warn: %v", raised)
		}
	}
}

// LIC-41, LIC-42: two Large peers with 300 RMS each; peer 2 lost at T0:
// the pool keeps 600 until T0+14d, then 300; peer 1 admits at most 500
// video calls whatever the pool.
func TestLostPeerGrace(t *testing.T) {
	ctx := context.Background()
	var pool Pool
	pool.Set("p1", Licences{RMS: 300})
	pool.Set("p2", Licences{RMS: 300})
	pool.Lost("p2", t0)
	if got := pool.Total(t0.Add(13*24*time.Hour + 23*time.Hour)).RMS; got != 600 {
		t.Fatalf("T0+13d23h: %d", got)
	}
	if got := pool.Total(t0.Add(14 * 24 * time.Hour)).RMS; got != 300 {
		t.Fatalf("T0+14d: %d", got)
	}
	if al := pool.Alarms(t0.Add(2 * time.Hour)); len(al) != 1 || al[0].ID != 30012 {
		t.Fatalf("alarms %+v", al)
	}
	if al := pool.Alarms(t0.Add(3 * 24 * time.Hour)); len(al) != 1 || al[0].ID != 30014 {
		t.Fatalf("alarms %+v", al)
	}
	if al := pool.Alarms(t0.Add(15 * 24 * time.Hour)); len(al) != 1 || al[0].ID != 30016 {
		t.Fatalf("alarms %+v", al)
	}
	now := t0.Add(time.Hour)
	l := newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Peers: 2, Peer: "p1", Licensed: pool.Total,
		Clock: func() time.Time { return now }})
	n := 0
	for {
		if _, err := l.Admit(ctx, h323Traversal); err != nil {
			reason(t, err, RefusedPhysical)
			break
		}
		n++
	}
	if n != 500 {
		t.Fatalf("peer 1 admitted %d video calls", n)
	}
}

// LIC-25..LIC-29 and §3.4's cluster example: pools are separate; 750
// desktops on one peer succeed against keys 250/250/250/0.
func TestRegistrationLedger(t *testing.T) {
	ctx := context.Background()
	var pool Pool
	for i, n := range []int{250, 250, 250, 0} {
		pool.Set(string(rune('1'+i)), Licences{Desktop: n, RMS: []int{100, 100, 50, 0}[i], Room: []int{1, 0, 0, 0}[i]})
	}
	if tot := pool.Total(t0); tot.Desktop != 750 || tot.RMS != 250 {
		t.Fatalf("pool %+v", tot)
	}
	l := newLedger(t, LedgerConfig{Role: RoleC, Platform: Large, Peers: 4, Peer: "4", Licensed: pool.Total})
	desk := ClassifyRegistration(RegFacts{Protocol: SIP, Model: "DX80", Firmware: "CE9.1"})
	for i := 0; i < 750; i++ {
		if _, err := l.Register(ctx, desk); err != nil {
			t.Fatalf("desktop %d: %v", i, err)
		}
	}
	room := ClassifyRegistration(RegFacts{Protocol: H323})
	if _, err := l.Register(ctx, room); err != nil {
		t.Fatal(err)
	}
	_, err := l.Register(ctx, room) // room pool exhausted, desktop ignored
	reason(t, err, RefusedLicense)

	allowed := true
	l = newLedger(t, LedgerConfig{Role: RoleC, Platform: Large, RegistrationsAllowed: func() bool { return allowed }})
	kept, err := l.Register(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	allowed = false
	if _, err := l.Register(ctx, room); !errors.Is(err, ErrNotEntitled) {
		t.Fatalf("evaluation expired: %v", err)
	}
	if u, _ := l.Usage(ctx); u.Room != 1 {
		t.Fatal("existing registrations are kept")
	}
	_ = kept.Release(ctx)
}

// Concurrency: 10,000 admissions from 32 goroutines against a pool of
// 500 (1000 tokens, H.323 so no discount) admit exactly 500.
func TestConcurrentLedgerIsExact(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t, LedgerConfig{Role: RoleE, Platform: Large, Peers: 4, Licensed: fixed(Licences{RMS: 500})})
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 10000; i += 32 {
				a, err := l.Admit(ctx, h323Traversal)
				switch {
				case err == nil:
					ok.Add(1)
					_ = a.Settle(ctx, true) // frees units, not tokens
				case errors.Is(err, ErrLicenseExhausted):
					refused.Add(1)
				default:
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	if ok.Load() != 500 || refused.Load() != 9500 {
		t.Fatalf("admitted %d refused %d", ok.Load(), refused.Load())
	}
}

func TestNewLedgerValidation(t *testing.T) {
	_, err := NewLedger(LedgerConfig{Platform: CE1100, Peers: 7, WarningLevel: 101})
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, frag := range []string{"Licensed is required", "warning level", "no call capacity", "1 to 6"} {
		if !contains(err.Error(), frag) {
			t.Errorf("missing %q in %v", frag, err)
		}
	}
}
