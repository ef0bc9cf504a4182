package demux

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// D-01, D-02: default ranges and demux pairs (DMX-1, DMX-4, DMX-5).
func TestDefaultLayout(t *testing.T) {
	med := DefaultRangeConfig(Medium)
	if med.Start != 36000 || med.End != 59999 || med.Validate() != nil {
		t.Fatalf("D-01 %+v", med)
	}
	if got := med.DemuxPairs(); !slices.Equal(got, []Pair{{36000, 36001}}) {
		t.Fatalf("D-01 pairs %v", got)
	}
	large := DefaultRangeConfig(Large).DemuxPairs()
	if len(large) != 6 || large[0] != (Pair{36000, 36001}) || large[5] != (Pair{36010, 36011}) {
		t.Fatalf("D-02 pairs %v", large)
	}
}

// D-03: every fault of a range is reported (DMX-1).
func TestRangeValidation(t *testing.T) {
	for _, c := range []struct {
		start, end uint16
		want       string
	}{
		{36001, 59999, "even"}, {36000, 59998, "odd"}, {1022, 59999, "1024..65532"},
		{36000, 65535, "1025..65533"}, {40000, 39999, "below end"},
	} {
		err := RangeConfig{Start: c.start, End: c.end, Size: Medium}.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d-%d: %v, want %q", c.start, c.end, err, c.want)
		}
	}
	err := RangeConfig{Start: 1, End: 2, Size: Medium}.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Faults) < 4 {
		t.Fatalf("all faults at once: %v", err)
	}
}

// D-04..D-07: allocation order and reserved demux ports (DMX-7, DMX-8).
func TestAllocationOrder(t *testing.T) {
	ctx := context.Background()
	a, _ := NewAllocator(DefaultRangeConfig(Medium))
	for _, want := range []Pair{{36002, 36003}, {36004, 36005}, {36006, 36007}} {
		if got, err := a.AllocPair(ctx); err != nil || got != want {
			t.Fatalf("D-04 %v %v, want %v", got, err, want)
		}
	}
	a, _ = NewAllocator(DefaultRangeConfig(Large))
	if got, _ := a.AllocPair(ctx); got != (Pair{36012, 36013}) {
		t.Fatalf("D-05 %v", got)
	}
	inside := DefaultRangeConfig(Medium)
	inside.UseConfiguredDemuxPorts, inside.DemuxRTP, inside.DemuxRTCP = true, 40000, 40001
	if p := inside.DemuxPairs(); !slices.Equal(p, []Pair{{40000, 40001}}) {
		t.Fatalf("D-06 listeners %v", p)
	}
	a, _ = NewAllocator(inside)
	if got, _ := a.AllocPair(ctx); got != (Pair{36000, 36001}) {
		t.Fatalf("D-06 first pair %v", got)
	}
	if inside.Allocatable() != 24000-2 {
		t.Fatalf("D-06 withheld: %d", inside.Allocatable())
	}
	outside := inside
	outside.DemuxRTP, outside.DemuxRTCP = 30000, 30001
	if outside.Allocatable() != 24000 {
		t.Fatal("D-06 outside the range frees the whole range")
	}
	largeCfg := inside
	largeCfg.Size = Large
	if p := largeCfg.DemuxPairs(); len(p) != 6 || p[0].RTP != 36000 {
		t.Fatalf("D-07 %v", p)
	}
}

// D-08, D-09: demux layout changes need a restart (DMX-6).
func TestRelayout(t *testing.T) {
	run := DefaultRangeConfig(Medium)
	next := run
	next.UseConfiguredDemuxPorts, next.DemuxRTP, next.DemuxRTCP = true, 36000, 36001
	if _, _, err := Relayout(run, next); !errors.Is(err, ErrRestartRequired) {
		t.Fatalf("D-08 %v", err)
	}
	run.UseConfiguredDemuxPorts, run.DemuxRTP, run.DemuxRTCP = true, 40000, 40001
	next = run
	next.Size = Large
	before, after, err := Relayout(run, next)
	if !errors.Is(err, ErrRestartRequired) || !slices.Equal(before, []Pair{{40000, 40001}}) || len(after) != 6 || after[0].RTP != 36000 {
		t.Fatalf("D-09 %v -> %v %v", before, after, err)
	}
	if _, _, err := Relayout(run, run); err != nil {
		t.Fatal(err)
	}
}

// D-10..D-13: sizing and the 45019 alarm (DMX-2, DMX-3).
func TestSizing(t *testing.T) {
	if RequiredPorts(75) != 3600 || RequiredPorts(100) != 4800 || RequiredPorts(500) != 24000 {
		t.Fatal("D-10")
	}
	if _, alarm := DefaultRangeConfig(Large).InsufficientPorts(500); alarm {
		t.Fatal("D-11")
	}
	small := RangeConfig{Start: 36000, End: 47999, Size: Large}
	if a, alarm := small.InsufficientPorts(500); !alarm || a.ID != 45019 {
		t.Fatal("D-12")
	}
	if AllocationsPerCall(false)*PortsPerAllocation != 16 || AllocationsPerCall(true)*PortsPerAllocation != PortsPerCall {
		t.Fatal("D-13")
	}
}

// D-14: the DMX-10 table, rows a–g.
func TestIsDemuxed(t *testing.T) {
	rows := []struct {
		row  string
		role Role
		leg  LegInfo
		want bool
	}{
		{"a", RoleE, LegInfo{Peer: PeerExpresswayC, Assent: true}, true},
		{"b", RoleE, LegInfo{Peer: PeerExpresswayC, H323: true, TraversalServerH46019Demux: true}, true},
		{"c", RoleE, LegInfo{Peer: PeerExpresswayC, H323: true}, false},
		{"d", RoleE, LegInfo{Peer: PeerAssentEndpoint, H323: true}, true},
		{"e on", RoleE, LegInfo{Peer: PeerH46019Endpoint, H323: true, LocalZoneH46019Demux: true}, true},
		{"e off", RoleE, LegInfo{Peer: PeerH46019Endpoint, H323: true}, false},
		{"f", RoleE, LegInfo{Peer: PeerPlainEndpoint}, false},
		{"g", RoleC, LegInfo{Peer: PeerExpresswayC, Assent: true}, false},
	}
	for _, r := range rows {
		if got := IsDemuxed(r.role, r.leg); got != r.want {
			t.Errorf("row %s: %v", r.row, got)
		}
	}
}

// DMX-22: instances are all or nothing; release and quarantine.
func TestInstancesAndQuarantine(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(0, 0)
	a, _ := NewAllocator(RangeConfig{Start: 36000, End: 36009, Size: Medium}, WithClock(func() time.Time { return now }))
	in, err := a.AllocInstance(ctx, Needs{Pairs: 3, Singles: 2})
	if err != nil || len(in.Pairs) != 3 || len(in.Singles) != 2 || in.Pairs[0] != (Pair{36002, 36003}) || in.Singles[0] != 36008 {
		t.Fatalf("%+v %v", in, err)
	}
	if a.InUse() != 8 {
		t.Fatal(a.InUse())
	}
	if _, err := a.AllocInstance(ctx, Needs{Pairs: 1, Singles: 1}); !errors.Is(err, ErrNoMediaPorts) || a.InUse() != 8 {
		t.Fatalf("all or nothing: %v, %d in use", err, a.InUse())
	}
	if _, err := a.AllocInstance(ctx, Needs{Pairs: 4}); !errors.Is(err, ErrTooManyInNeeds) {
		t.Fatal(err)
	}
	if err := a.Release(in.Ports()...); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(36002); !errors.Is(err, ErrNotAllocated) {
		t.Fatal("double release")
	}
	if _, err := a.AllocPair(ctx); !errors.Is(err, ErrNoMediaPorts) {
		t.Fatal("released ports rest for 60 s")
	}
	now = now.Add(PortQuarantine)
	if p, err := a.AllocPair(ctx); err != nil || p != (Pair{36002, 36003}) {
		t.Fatalf("after quarantine: %v %v", p, err)
	}
}

// D-27: B2BUA capacity (DMX-12).
func TestB2BUACapacity(t *testing.T) {
	for _, c := range []struct {
		s Size
		n int
	}{{Medium, 100}, {Large, 500}} {
		a, _ := NewAllocator(DefaultRangeConfig(c.s))
		for i := 0; i < c.n; i++ {
			if err := a.AcquireB2BUA(); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.AcquireB2BUA(); !errors.Is(err, ErrB2BUACapacity) {
			t.Fatalf("%v: %v", c.s, err)
		}
		a.ReleaseB2BUA()
		if err := a.AcquireB2BUA(); err != nil {
			t.Fatal(err)
		}
	}
}

// D-28, D-29: range overlap checks (DMX-12).
func TestValidateRanges(t *testing.T) {
	alarms, err := ValidateRanges(
		PortRange{Name: "traversal", Start: 36000, End: 59999},
		PortRange{Name: "B2BUA", Start: 36000, End: 36999},
	)
	if err == nil || len(alarms) != 1 || alarms[0].ID != 55029 {
		t.Fatalf("D-28 %v %v", alarms, err)
	}
	if _, err := ValidateRanges(
		PortRange{Name: "TURN", Start: 24000, End: 29999},
		PortRange{Name: "SIP TCP outbound", TCP: true, Start: 25000, End: 29999},
		PortRange{Name: "RDP TCP", TCP: true, Start: 6000, End: 6099},
		PortRange{Name: "RDP UDP", Start: 6100, End: 6199},
	); err != nil {
		t.Fatalf("D-29 %v", err)
	}
	if alarms, err := ValidateRanges(PortRange{Name: "B2BUA", Start: 5, End: 4}); err == nil || alarms[0].ID != 55028 {
		t.Fatal("start after end")
	}
}

// D-24, D-25: RFC 7983 classification (DMX-20).
func TestClassify(t *testing.T) {
	want := map[byte]Kind{0x00: KindSTUN, 0x01: KindSTUN, 0x10: KindZRTP, 0x16: KindDTLS, 0x40: KindTURNChannel,
		0x4F: KindTURNChannel, 0x80: KindRTP, 0xBF: KindRTP, 0xC0: KindDrop, 0x05: KindDrop}
	for b, k := range want {
		if got := ClassifyFirstByte([]byte{b}, false); got != k {
			t.Errorf("%#x: %v want %v", b, got, k)
		}
	}
	if ClassifyFirstByte([]byte{0x55}, true) != KindQUIC || ClassifyFirstByte([]byte{0x55}, false) != KindDrop {
		t.Error("0x55 QUIC only when enabled")
	}
	if ClassifyFirstByte(nil, true) != KindDrop {
		t.Error("empty")
	}
	for b, w := range map[byte]bool{0xC8: true, 0xC9: true, 0x60: false, 0xE0: false} {
		if IsRTCP([]byte{0x80, b}) != w {
			t.Errorf("IsRTCP %#x", b)
		}
	}
}
