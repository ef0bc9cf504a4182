package licensing

import (
	"slices"
	"testing"
)

func p(e Endpoint, proto Protocol) Party { return Party{Endpoint: e, Protocol: proto} }

// LIC-18: the RMS License Consumption Table, rows T1–T14. Every row
// charges exactly one RMS in total.
func TestRMSConsumptionTable(t *testing.T) {
	rows := []struct {
		id             string
		caller, callee Party
		want           Role
	}{
		{"T1", p(UnifiedCM, SIP), p(Lync, SIP), RoleCGateway},
		{"T2", p(UnifiedCM, SIP), p(External, SIP), RoleE},
		{"T3", p(UnifiedCM, H323), p(ThirdPartyGatekeeper, H323), RoleC},
		{"T4", p(RegisteredC, SIP), p(External, SIP), RoleE},
		{"T5", p(RemoteProxyC, SIP), p(External, SIP), RoleE},
		{"T6", p(RegisteredC, SIP), p(ThirdPartyGatekeeper, H323), RoleC},
		{"T7", p(RegisteredC, H323), p(ThirdPartyGatekeeper, H323), RoleC},
		{"T8", p(RemoteProxyC, SIP), p(ThirdPartyGatekeeper, H323), RoleC},
		{"T9", p(RegisteredC, SIP), p(Lync, SIP), RoleCGateway},
		{"T10", p(RemoteProxyC, SIP), p(Lync, SIP), RoleCGateway},
		{"T11", p(RegisteredC, SIP), p(ThirdPartySIPServer, SIP), RoleC},
		{"T12", p(RegisteredC, H323), p(ThirdPartySIPServer, SIP), RoleC},
		{"T13", p(RegisteredE, SIP), p(External, SIP), RoleE},
		{"T14", p(RegisteredE, H323), p(External, H323), RoleE},
	}
	for _, r := range rows {
		d := Classify(CallFacts{Caller: r.caller, Callee: r.callee})
		total := 0
		for _, c := range d.Charges {
			total += c.Tokens
		}
		if d.Class != RMSCall || total != TokensPerRMS {
			t.Errorf("%s: class %v, %d tokens; want one RMS", r.id, d.Class, total)
			continue
		}
		if got, _ := d.RMSRole(); got != r.want {
			t.Errorf("%s: charged on %v, want %v (%s)", r.id, got, r.want, d.Reason)
		}
		if !slices.Contains(d.Path, r.want) {
			t.Errorf("%s: the charged box must be on the path %v", r.id, d.Path)
		}
	}
	// T13/T14: C is not on the path ("—").
	if d := Classify(CallFacts{Caller: p(RegisteredE, SIP), Callee: p(External, SIP)}); slices.Contains(d.Path, RoleC) {
		t.Errorf("T13 path %v must not include C", d.Path)
	}
}

// §3.2 prose-derived vectors V1–V14 (LIC-10..LIC-17).
func TestClassificationVectors(t *testing.T) {
	c := RoleC
	rows := []struct {
		id    string
		facts CallFacts
		class Class
		role  Role // when RMS
		peer  string
		path  []Role
	}{
		{"V1", CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP)}, Registered, 0, "", []Role{RoleC}},
		{"V1b", CallFacts{Caller: p(UnifiedCM, SIP), Callee: p(RegisteredC, SIP)}, Registered, 0, "", nil},
		{"V2", CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP), B2BUA: true}, RMSCall, RoleC, "", nil},
		{"V3", CallFacts{Caller: p(MRA, SIP), Callee: p(UnifiedCM, SIP)}, Registered, 0, "", []Role{RoleE, RoleC}},
		{"V4", CallFacts{Caller: p(RegisteredC, SIP), Callee: p(CiscoMeetingServer, SIP)}, Registered, 0, "", nil},
		{"V5", CallFacts{Caller: p(RegisteredC, SIP), Callee: p(UnmanagedMCU, SIP)}, RMSCall, RoleC, "", nil},
		{"V6", CallFacts{Caller: p(RegisteredC, SIP), Callee: p(ConductorBridge, SIP)}, Registered, 0, "", nil},
		{"V7", CallFacts{Caller: p(External, SIP), Callee: p(CloudCMR, SIP)}, Registered, 0, "", []Role{RoleE}},
		{"V8", CallFacts{Caller: p(External, SIP), Callee: p(CloudCMR, SIP), Transformed: true}, RMSCall, RoleE, "", nil},
		{"V9", CallFacts{Caller: p(RegisteredC, H323), Callee: p(CloudCMR, H323)}, Registered, 0, "", nil},
		{"V10", CallFacts{Caller: p(JabberGuest, SIP), Callee: p(RegisteredC, SIP)}, RMSCall, RoleE, "", nil},
		{"V11", CallFacts{Caller: p(RegisteredC, H323), Callee: p(RegisteredC, SIP)}, RMSCall, RoleC, "", nil},
		{"V12", CallFacts{Caller: Party{RegisteredC, SIP, "P1"}, Callee: Party{RegisteredC, SIP, "P2"}}, Registered, 0, "", nil},
		{"V13", CallFacts{Caller: Party{RegisteredC, SIP, "P1"}, Callee: Party{RegisteredC, SIP, "P1"},
			B2BUA: true, B2BUARole: &c, B2BUAPeer: "P2"}, RMSCall, RoleC, "P2", nil},
		{"V14", CallFacts{Caller: p(ThirdPartySIPServer, SIP), Callee: p(ThirdPartySIPServer, SIP), SignalingOptimized: true}, NoLicence, 0, "", nil},
	}
	for _, r := range rows {
		d := Classify(r.facts)
		if d.Class != r.class {
			t.Errorf("%s: class %v, want %v (%s)", r.id, d.Class, r.class, d.Reason)
			continue
		}
		if r.class == RMSCall {
			if len(d.Charges) != 1 || d.Charges[0].Role != r.role || d.Charges[0].Peer != r.peer {
				t.Errorf("%s: charges %+v, want one on %v/%q", r.id, d.Charges, r.role, r.peer)
			}
		} else if len(d.Charges) != 0 {
			t.Errorf("%s: charges %+v, want none", r.id, d.Charges)
		}
		if r.path != nil && !slices.Equal(d.Path, r.path) {
			t.Errorf("%s: path %v, want %v", r.id, d.Path, r.path)
		}
	}
	if d := Classify(CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP), B2BUA: true}); !d.NeedsB2BUA {
		t.Error("LIC-13: B2BUA engagement must be flagged for the B2BUA limit")
	}
	if d := Classify(CallFacts{Caller: p(ThirdPartySIPServer, SIP), Callee: p(ThirdPartySIPServer, SIP), SignalingOptimized: true}); len(d.Path) != 0 {
		t.Error("V14: a box that drops out counts nothing")
	}
	// LIC-17: optimization cannot drop a traversal call.
	if d := Classify(CallFacts{Caller: p(RegisteredC, SIP), Callee: p(External, SIP), MediaTaken: true, SignalingOptimized: true}); d.Class != RMSCall {
		t.Error("LIC-17: traversal calls keep their licence")
	}
}

// LIC-20: the audio discount applies to SIP traversal calls only.
func TestAudioDiscount(t *testing.T) {
	rows := []struct {
		f    CallFacts
		want bool
	}{
		{CallFacts{Caller: p(RegisteredC, SIP), Callee: p(External, SIP), MediaTaken: true}, true},
		{CallFacts{Caller: p(RegisteredC, H323), Callee: p(External, H323), MediaTaken: true}, false}, // 3.3/7 H.323
		{CallFacts{Caller: p(RegisteredC, H323), Callee: p(ThirdPartySIPServer, SIP)}, false},         // interworked
		{CallFacts{Caller: p(RegisteredC, SIP), Callee: p(ThirdPartySIPServer, SIP)}, false},          // signaling only
		{CallFacts{Caller: p(RegisteredC, SIP), Callee: p(RegisteredC, SIP), B2BUA: true}, true},      // B2BUA takes media
	}
	for i, r := range rows {
		if d := Classify(r.f); d.AudioDiscount != r.want {
			t.Errorf("row %d: discount %v, want %v", i, d.AudioDiscount, r.want)
		}
	}
}

// §3.5 registration vectors (LIC-25..LIC-29).
func TestRegistrationVectors(t *testing.T) {
	rows := []struct {
		name  string
		f     RegFacts
		kind  LicenceKind
		count int
	}{
		{"SIP DX80 CE9.x", RegFacts{Protocol: SIP, Model: "Cisco DX80", Firmware: "CE9.15.3"}, Desktop, 1},
		{"SIP DX80 CE8.1", RegFacts{Protocol: SIP, Model: "Cisco DX80", Firmware: "CE8.1.1"}, Room, 1},
		{"SIP DX70 CE8.2", RegFacts{Protocol: SIP, Model: "Cisco DX70", Firmware: "CE8.2"}, Desktop, 1},
		{"SIP EX90 TC7.3.6", RegFacts{Protocol: SIP, Model: "Cisco TelePresence EX90", Firmware: "TC7.3.6.abc"}, Desktop, 1},
		{"SIP EX90 TC7.3.5", RegFacts{Protocol: SIP, Model: "Cisco TelePresence EX90", Firmware: "TC7.3.5"}, Room, 1},
		{"SIP EX60 TC7.4", RegFacts{Protocol: SIP, Model: "EX60", Firmware: "TC7.4.0"}, Desktop, 1},
		{"SIP Webex Room Kit", RegFacts{Protocol: SIP, Model: "Cisco Webex Room Kit", Firmware: "CE9.15"}, Room, 1},
		{"H.323 DX80", RegFacts{Protocol: H323, Model: "Cisco DX80", Firmware: "CE9.15"}, Room, 1},
		{"H.323 MCU with 3 aliases", RegFacts{Protocol: H323, Model: "MCU", Aliases: 3}, Room, 3},
		{"Movi", RegFacts{Protocol: SIP, Model: "TANDBERG Movi"}, Desktop, 1},
		{"proxied on C", RegFacts{Protocol: SIP, Model: "Cisco DX80", Firmware: "CE9.1", Path: ProxiedOnC}, Desktop, 1},
		{"proxied seen on E", RegFacts{Protocol: SIP, Model: "Cisco DX80", Firmware: "CE9.1", Path: ProxiedOnE}, NoRegLicence, 0},
		{"MRA", RegFacts{Protocol: SIP, Model: "Jabber", Path: MRARegistration}, NoRegLicence, 0},
	}
	for _, r := range rows {
		d := ClassifyRegistration(r.f)
		if d.Kind != r.kind || d.Count != r.count || !d.Physical {
			t.Errorf("%s: %+v, want %v x%d (physical)", r.name, d, r.kind, r.count)
		}
	}
	// DX80 as SIP and H.323: one desktop plus one room.
	sip := ClassifyRegistration(RegFacts{Protocol: SIP, Model: "Cisco DX80", Firmware: "CE9.1"})
	h := ClassifyRegistration(RegFacts{Protocol: H323, Model: "Cisco DX80", Firmware: "CE9.1"})
	if sip.Kind != Desktop || h.Kind != Room {
		t.Errorf("dual registration: %v + %v", sip.Kind, h.Kind)
	}
}
