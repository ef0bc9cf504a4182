package cpl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// call is the vector notation of spec §3: dst, src (the claimed source
// aliases), auth (authenticated-origin = src), reg, zone, H.323.
type call struct {
	dst  []string
	src  []string
	auth bool
	reg  []string
	zone string
	h323 bool
	user string
	msg  string
}

func (c call) input() *Input {
	in := &Input{
		Destination:           Aliases(c.dst...),
		UnauthenticatedOrigin: Aliases(c.src...),
		RegisteredOrigin:      Aliases(c.reg...),
		OriginatingZone:       c.zone,
		OriginatingUser:       c.user,
	}
	if c.auth {
		in.AuthenticatedOrigin = in.UnauthenticatedOrigin
	}
	if c.h323 {
		in.Protocol = H323
	}
	if c.msg != "" {
		in.Message = []byte(c.msg)
	}
	return in
}

func d(v ...string) []string { return v }

type vector struct {
	req  string // the requirements the vector pins
	in   call
	want string // Result.String()
}

// seedVariants returns the fixture verbatim and with exactly one leading
// space removed from every line; both must compile and behave the same
// (spec §3 fixture rule, CPL-6).
func seedVariants(t *testing.T, name string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, " ")
	}
	return map[string][]byte{"verbatim": b, "unindented": []byte(strings.Join(lines, "\n"))}
}

func runVectors(t *testing.T, fixture string, vecs []vector) {
	t.Helper()
	for variant, src := range seedVariants(t, fixture) {
		p, err := Compile(src)
		if err != nil {
			t.Fatalf("%s %s: compile: %v", fixture, variant, err)
		}
		for i, v := range vecs {
			res, err := p.Evaluate(context.Background(), v.in.input())
			if err != nil {
				t.Errorf("%s-%d %s (%s): %v", fixture, i+1, variant, v.req, err)
				continue
			}
			if got := res.String(); got != v.want {
				t.Errorf("%s-%d %s (%s): got %s, want %s\ntrace: %v", fixture, i+1, variant, v.req, got, v.want, res.Trace)
			}
		}
	}
}

const d403 = `REJECT 403 "Denied by policy"`

// E1 — namespace usage example.
func TestSeedE1(t *testing.T) {
	runVectors(t, "E1", []vector{
		{"CPL-1 CPL-12 CPL-19 CPL-24", call{dst: d("reception@example.com")}, "PROXY[reception@example.com]"},
		{"CPL-11", call{dst: d("RECEPTION@Example.COM")}, "PROXY[RECEPTION@Example.COM]"},
		{"CPL-17 CPL-30", call{dst: d("bob@example.com")}, "PROCEED"},
		{"CPL-16 CPL-19", call{h323: true, dst: d("lobby", "reception@example.com")}, "PROXY[lobby, reception@example.com]"},
		{"CPL-12", call{dst: d("reception@example.com.evil")}, "PROCEED"},
	})
}

// E2 — proxy with busy output (fragment).
func TestSeedE2(t *testing.T) {
	// CPL-4 CPL-24 CPL-25 CPL-31
	for variant, src := range seedVariants(t, "E2") {
		p, err := Compile(src)
		if err != nil {
			t.Fatalf("%s: %v", variant, err)
		}
		if !p.Fragment() {
			t.Errorf("%s: not recognised as a fragment", variant)
		}
		ctx := context.Background()
		res, err := p.Evaluate(ctx, call{dst: d("alice@example.com")}.input())
		if err != nil {
			t.Fatal(err)
		}
		if res.String() != "PROXY[alice@example.com]" || res.Timeout != 10*time.Second || !res.Pending {
			t.Fatalf("E2-1 %s: %s timeout %v pending %v", variant, res, res.Timeout, res.Pending)
		}
		busy, err := res.Resume(ctx, Busy)
		if err != nil {
			t.Fatal(err)
		}
		if busy.String() != "PROXY[recorder]" || busy.Timeout != 20*time.Second || busy.Pending {
			t.Errorf("E2-2 %s: %s timeout %v pending %v", variant, busy, busy.Timeout, busy.Pending)
		}
		if !busy.Retargeted() {
			t.Errorf("E2-2: recorder is a retarget (CPL-30)")
		}
		na, err := res.Resume(ctx, NoAnswer)
		if err != nil || na.String() != "COMPLETED(noanswer)" {
			t.Errorf("E2-3 %s: %v %v", variant, na, err)
		}
		fl, err := res.Resume(ctx, Failure)
		if err != nil || fl.String() != "COMPLETED(failure)" {
			t.Errorf("E2-4 %s: %v %v", variant, fl, err)
		}
		// Resume leaves the receiver untouched and a final result cannot
		// be resumed.
		if !res.Pending || res.String() != "PROXY[alice@example.com]" {
			t.Errorf("Resume modified its receiver: %s", res)
		}
		if _, err := busy.Resume(ctx, Busy); err != ErrNotPending {
			t.Errorf("resume of a final result: %v", err)
		}
	}
}

// E3 — call screening of authenticated users.
func TestSeedE3(t *testing.T) {
	runVectors(t, "E3", []vector{
		{"CPL-9 CPL-17", call{src: d("alice@example.com"), auth: true}, "PROCEED"},
		{"CPL-9 CPL-17 CPL-26", call{src: d("alice@example.com")}, d403},
	})
	// E3-3..5 through DeriveInput (CPL-9, CPL-29).
	p, err := Compile(seedVariants(t, "E3")["verbatim"])
	if err != nil {
		t.Fatal(err)
	}
	src := Aliases("alice@example.com")
	cases := []struct {
		name string
		f    CallFacts
		want string
	}{
		{"E3-3 H.323 SETUP without RAS", CallFacts{Protocol: H323, SourceAliases: src, SetupWithoutRAS: true, Authenticated: true, ZonePolicy: CheckCredentials}, d403},
		{"E3-4 SIP treat as authenticated", CallFacts{Protocol: SIP, SourceAliases: src, ZonePolicy: TreatAsAuthenticated}, "PROCEED"},
		{"E3-5 SIP do not check credentials", CallFacts{Protocol: SIP, SourceAliases: src, Authenticated: true, ZonePolicy: DoNotCheckCredentials}, d403},
		{"SIP check credentials, passed", CallFacts{Protocol: SIP, SourceAliases: src, Authenticated: true, ZonePolicy: CheckCredentials}, "PROCEED"},
		{"SIP check credentials, failed", CallFacts{Protocol: SIP, SourceAliases: src, ZonePolicy: CheckCredentials}, d403},
	}
	for _, c := range cases {
		res, err := p.Evaluate(context.Background(), DeriveInput(c.f))
		if err != nil || res.String() != c.want {
			t.Errorf("%s: got %v %v, want %s", c.name, res, err, c.want)
		}
	}
}

// E4 — call screening based on alias.
func TestSeedE4(t *testing.T) {
	runVectors(t, "E4", []vector{
		{"CPL-14 CPL-15", call{dst: d("ceo"), src: d("vpsales"), auth: true}, "PROXY[ceo]"},
		{"CPL-11", call{dst: d("CEO"), src: d("VPEngineering"), auth: true}, "PROXY[CEO]"},
		{"CPL-17", call{dst: d("ceo"), src: d("intern"), auth: true}, d403},
		{"CPL-9 CPL-17", call{dst: d("ceo"), src: d("vpsales")}, d403},
		{"CPL-14", call{dst: d("ceo"), src: d("vpsales2"), auth: true}, d403},
		{"CPL-16", call{h323: true, dst: d("ceo"), src: d("intern", "vpmarketing"), auth: true}, "PROXY[ceo]"},
		{"CPL-17", call{dst: d("bob"), src: d("intern"), auth: true}, "PROCEED"},
		{"CPL-12", call{dst: d("ceo@example.com"), src: d("vpsales"), auth: true}, "PROCEED"},
	})
}

// E5 — call screening based on domain.
func TestSeedE5(t *testing.T) {
	runVectors(t, "E5", []vector{
		{"CPL-10 CPL-13", call{dst: d("fred"), src: d("alice@annoying.com"), auth: true}, d403},
		{"CPL-13", call{dst: d("fred"), src: d("bob@sales.annoying.com"), auth: true}, d403},
		{"CPL-11 CPL-13", call{dst: d("fred"), src: d("ALICE@Annoying.COM"), auth: true}, d403},
		{"CPL-13", call{dst: d("fred"), src: d("eve@notannoying.com"), auth: true}, "PROXY[fred]"},
		{"CPL-17", call{dst: d("fred"), src: d("carol@example.com"), auth: true}, "PROXY[fred]"},
		{"CPL-9", call{dst: d("fred"), src: d("alice@annoying.com")}, d403},
		{"CPL-10", call{h323: true, dst: d("fred"), src: d("alice"), auth: true}, d403},
		{"CPL-17", call{dst: d("george"), src: d("alice@annoying.com"), auth: true}, "PROCEED"},
		{"CPL-17", call{dst: d("george")}, "PROCEED"},
	})
}

// E6 — allow calls from locally registered endpoints only.
func TestSeedE6(t *testing.T) {
	runVectors(t, "E6", []vector{
		{"CPL-9", call{reg: d("alice@example.com")}, "PROCEED"},
		{"CPL-9 CPL-26", call{}, `REJECT 403 "Only local endpoints can use this Expressway"`},
	})
}

// E7 — block calls from Default Zone and Default Subzone.
func TestSeedE7(t *testing.T) {
	runVectors(t, "E7", []vector{
		{"CPL-9", call{reg: d("alice@example.com"), zone: "LocalOffice", dst: d("bob")}, "PROCEED"},
		{"CPL-9", call{zone: "DefaultZone", dst: d("bob")}, d403},
		{"CPL-9", call{zone: "DefaultSubZone", dst: d("bob")}, d403},
		{"CPL-11", call{zone: "defaultzone", dst: d("bob")}, d403},
		{"CPL-17 CPL-24", call{zone: "PartnerNeighbor", dst: d("bob")}, "PROXY[bob]"},
		{"CPL-29 (empty zone is DefaultZone)", call{dst: d("bob")}, d403},
	})
}

var e8Vectors = []vector{
	{"CPL-14", call{dst: d("9123"), zone: "TraversalZone"}, d403},
	{"CPL-14", call{dst: d("9"), zone: "TraversalZone"}, d403},
	{"CPL-11", call{dst: d("9555"), zone: "traversalzone"}, d403},
	{"CPL-14", call{dst: d("alice9@example.com"), zone: "TraversalZone"}, "PROCEED"},
	{"CPL-17", call{dst: d("123"), zone: "TraversalZone"}, "PROCEED"},
	{"CPL-17", call{dst: d("9123"), zone: "DefaultSubZone"}, "PROCEED"},
}

// E8 — restricting access to a local gateway, address-switch form.
func TestSeedE8(t *testing.T) { runVectors(t, "E8", e8Vectors) }

var e9Vectors = []vector{
	{"CPL-18", call{dst: d("9123"), zone: "TraversalZone"}, d403},
	{"CPL-18", call{dst: d("9123"), zone: "TraversalZone", src: d("a@example.com"), auth: true}, d403},
	{"CPL-18 CPL-24", call{dst: d("123"), zone: "TraversalZone", src: d("a@example.com"), auth: true}, "PROXY[123]"},
	{"CPL-18", call{dst: d("9123"), zone: "Neighbor1", src: d("a@example.com"), auth: true}, "PROXY[9123]"},
	{"CPL-9 CPL-18", call{dst: d("9123"), zone: "DefaultZone", src: d("a@example.com")}, "PROCEED"},
	{"CPL-18", call{h323: true, dst: d("123"), zone: "TraversalZone", src: d("a@example.com"), auth: true}, "PROXY[123]"},
}

// E9 — restricting access to a local gateway, taa:rule-switch form.
func TestSeedE9(t *testing.T) { runVectors(t, "E9", e9Vectors) }

// E8 and E9 reject exactly the same calls over a grid of inputs (spec §3
// cross-check property).
func TestSeedE8E9SameRejections(t *testing.T) {
	e8 := MustCompile(string(seedVariants(t, "E8")["verbatim"]))
	e9 := MustCompile(string(seedVariants(t, "E9")["verbatim"]))
	dsts := []string{"9", "9123", "91", "123", "alice9@example.com", "9@x", "09", "99"}
	zones := []string{"TraversalZone", "traversalzone", "DefaultZone", "DefaultSubZone", "Neighbor1", "", "TraversalZone2"}
	n := 0
	for _, dst := range dsts {
		for _, z := range zones {
			for _, auth := range []bool{false, true} {
				c := call{dst: d(dst), zone: z, src: d("a@example.com"), auth: auth}
				r8, err8 := e8.Evaluate(context.Background(), c.input())
				r9, err9 := e9.Evaluate(context.Background(), c.input())
				if err8 != nil || err9 != nil {
					t.Fatal(err8, err9)
				}
				if (r8.Action == Reject) != (r9.Action == Reject) {
					t.Errorf("%+v: E8 %s, E9 %s", c, r8, r9)
				}
				if r8.Action == Reject {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("grid rejected nothing")
	}
}

// E10 / E11 — Default CPL fragments.
func TestSeedE10E11(t *testing.T) {
	runVectors(t, "E10", []vector{
		{"CPL-4 CPL-52", call{dst: d("x")}, `REJECT 403 "Service Unavailable"`},
		{"CPL-4 CPL-52", call{}, `REJECT 403 "Service Unavailable"`},
	})
	runVectors(t, "E11", []vector{
		{"CPL-4 CPL-52", call{dst: d("x"), h323: true}, `REJECT 504 "Policy Service Unavailable"`},
	})
}
