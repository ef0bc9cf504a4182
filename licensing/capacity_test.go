package licensing

import (
	"errors"
	"strings"
	"testing"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// LIC-31, LIC-32 and the §3.4 capacity vectors.
func TestCapacityTables(t *testing.T) {
	std := map[Platform]Capacity{
		CE1200: {5000, 500, 500, 1000, 500, 5000, 6000},
		Large:  {5000, 500, 500, 1000, 500, 2500, 6000},
		Medium: {2500, 100, 100, 200, 100, 2500, 1800},
		Small:  {2000, 40, 20, 40, 75, 200, 1800},
	}
	for p, want := range std {
		if got, err := StandaloneCapacity(p); err != nil || got != want {
			t.Errorf("%v: %+v %v", p, got, err)
		}
	}
	four := map[Platform]Capacity{
		CE1200: {20000, 2000, 2000, 4000, 2000, 20000, 24000},
		Large:  {20000, 2000, 2000, 4000, 2000, 10000, 24000},
		Medium: {10000, 400, 400, 800, 400, 10000, 7200},
		Small:  {2000, 40, 20, 40, 75, 200, 1800},
	}
	for p, want := range four {
		if got, _ := ClusterCapacity(p, 4); got != want {
			t.Errorf("%v x4: %+v", p, got)
		}
	}
	if got, _ := ClusterCapacity(Medium, 3); got != (Capacity{7500, 300, 300, 600, 300, 7500, 5400}) {
		t.Errorf("Medium x3: %+v", got)
	}
	l4, _ := ClusterCapacity(Large, 4)
	l6, _ := ClusterCapacity(Large, 6)
	s1, _ := ClusterCapacity(Small, 1)
	s4, _ := ClusterCapacity(Small, 4)
	if l4 != l6 || s1 != s4 {
		t.Error("peers 5-6 and Small clusters add no capacity")
	}
	for _, n := range []int{0, 7} {
		if _, err := ClusterCapacity(Large, n); !errors.Is(err, ErrClusterSize) {
			t.Errorf("%d peers: %v", n, err)
		}
	}
	if c, _ := StandaloneCapacity(CE1100); c.Registrations != 5000 || c.MRARegistrations != 2500 {
		t.Error("CE1100 partial row")
	}
	if B2BUALimit(Medium) != 100 || B2BUALimit(Large) != 500 || B2BUALimit(Small) != 100 {
		t.Error("LIC-33")
	}
	if NominalTraversalCalls(Small) != 75 || NominalTraversalCalls(Medium) != 100 || NominalTraversalCalls(Large) != 500 {
		t.Error("LIC-34")
	}
	if !MediaPortRangeShort(DefaultMediaPortHi-DefaultMediaPortLow, 500) || MediaPortRangeShort(24000, 500) {
		t.Error("LIC-34 range warning: 48 x 500 = 24000")
	}
}

// §3.6 option keys (LIC-2..LIC-8) and modes (LIC-1).
func TestOptionKeys(t *testing.T) {
	k, err := ParseKey("116341Y100-1-0A1B2C3D")
	if err != nil || k.Option != OptRMS || k.Count != 100 || k.Index != 1 {
		t.Fatalf("%+v %v", k, err)
	}
	k, err = ParseKey("116341E00-1-DEADBEEF")
	if err != nil || k.Option != OptSeries || !k.Option.Feature() || k.Count != 0 {
		t.Fatalf("%+v %v", k, err)
	}
	if k, err := ParseKey("1234567890123456"); err != nil || !k.Release {
		t.Fatalf("release key: %+v %v", k, err)
	}
	for _, bad := range []string{"116341Y100-1-0A1B2C3", "116341Z10-1-DEADBEEF", "116341Y-1-DEADBEEF",
		"116341E05-1-DEADBEEF", "216341Y100-1-0A1B2C3D", "116341Y100-1-0A1B2C3G", "116341Y100-10A1B2C3D", ""} {
		if _, err := ParseKey(bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("%q: %v", bad, err)
		}
	}

	var ks KeySet
	for i := 0; i < 66; i++ {
		ks.Install(Key{Option: OptRMS, Count: 1})
	}
	if len(ks.Keys()) != 66 || ks.Licences(t0, RoleE, Current).RMS != 65 {
		t.Fatalf("66 keys: listed %d, effective RMS %d", len(ks.Keys()), ks.Licences(t0, RoleE, Current).RMS)
	}

	var ks2 KeySet
	ks2.Install(Key{Option: OptRMS, Count: 10, Expires: t0})
	ks2.Install(Key{Option: OptRoom, Count: 5})
	if _, err := ks2.InstallAt(2, Key{Option: OptDesktop, Count: 7}); err != nil { // overwrites the room key
		t.Fatal(err)
	}
	if l := ks2.Licences(t0, RoleC, Current); l != (Licences{Desktop: 7}) {
		t.Fatalf("LIC-5/LIC-6: %+v", l)
	}
	if _, err := ks2.InstallAt(65, Key{}); err == nil {
		t.Fatal("index 65 is out of the CLI range")
	}
	if !ks2.Install(Key{Option: OptTraversal}) {
		t.Fatal("LIC-6: Traversal Server key needs a restart")
	}

	var ks3 KeySet
	ks3.Install(Key{Option: OptTURN, Count: 100})
	var alarms []Alarm
	if eff := ks3.Effective(t0, RoleC, Legacy, func(a Alarm) { alarms = append(alarms, a) }); len(eff) != 0 || len(alarms) != 1 || alarms[0].ID != 30009 {
		t.Fatalf("LIC-8: TURN key on C: %v %v", eff, alarms)
	}
	if ks3.Licences(t0, RoleE, Legacy).TURN != 100 || ks3.Licences(t0, RoleE, Current).TURN != 0 {
		t.Fatal("LIC-4/LIC-8: TURN key only in the legacy profile on E")
	}

	if err := CheckFeatureKeys(map[string][]Option{"a": {OptMicrosoft, OptJITC}, "b": {OptJITC, OptMicrosoft}}); err != nil {
		t.Fatal(err)
	}
	if err := CheckFeatureKeys(map[string][]Option{"a": {OptMicrosoft}, "b": {}}); !errors.Is(err, ErrFeatureKeyMismatch) {
		t.Fatal("LIC-7 mismatch")
	}

	var m ModeSwitch
	if !m.KeysHonoured() || m.Set(SmartMode) != nil || m.KeysHonoured() {
		t.Fatal("LIC-1 PAK -> Smart")
	}
	if err := m.Set(PAK); !errors.Is(err, ErrFactoryResetRequired) {
		t.Fatalf("LIC-1 Smart -> PAK: %v", err)
	}
	vcs := ModeSwitch{Product: VCS}
	if err := vcs.Set(SmartMode); !errors.Is(err, ErrSmartUnavailable) {
		t.Fatal("LIC-1 VCS")
	}
}
