package cpl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are the scripts the fuzz targets start from: the seed
// fixtures, the RFC 3880 examples, a rendered rule table and a few hostile
// documents.
func fuzzSeeds(tb testing.TB) [][]byte {
	var out [][]byte
	for _, dir := range []string{"seed", "rfc3880"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	rules, err := RulesToCPL(t3Rules)
	if err != nil {
		tb.Fatal(err)
	}
	out = append(out, rules,
		[]byte(doc(`<taa:location regex="(.*)@(.*)" replace="\2@\1" clear="yes" source-url-for-message="x@y"><proxy timeout="5"><busy><reject/></busy><redirection><proxy/></redirection></proxy></taa:location>`)),
		[]byte(doc(`<taa:rule-switch><taa:rule originating-user="(?i)a.*" message-regex="^INVITE.*"><proxy/></taa:rule></taa:rule-switch>`)),
		[]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><cpl/>`),
		[]byte(strings.Repeat("<otherwise>", 100)),
		[]byte(`<time-switch><time dtstart="20000101T000000" duration="PT1H" freq="monthly" byday="-1FR" bysetpos="1,-1"><proxy/></time></time-switch>`),
	)
	return out
}

// FuzzCompile: any input compiles or yields an ErrorList of positioned,
// coded errors; never a panic, never a hang (CPL-28, CPL-56, BX-11).
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, src []byte, dialect uint8) {
		watchdog := time.AfterFunc(20*time.Second, func() {
			panic(fmt.Sprintf("hang compiling %q", src))
		})
		defer watchdog.Stop()
		opts := []Option{Dialect(dialect % 2)}
		if dialect&2 != 0 {
			opts = append(opts, WithExtensions(true))
		}
		opts = append(opts, WithLimits(Limits{RegexBudget: 5 * time.Millisecond, MaxSteps: 20000}))
		p, err := Compile(src, opts...)
		if err != nil {
			var l ErrorList
			if !errors.As(err, &l) || len(l) == 0 {
				t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
			}
			for _, e := range l {
				if e.Code == "" || e.Line < 1 || e.Column < 1 || e.Msg == "" {
					t.Fatalf("malformed error %+v", e)
				}
			}
			if p != nil {
				t.Fatal("program and error")
			}
			return
		}
		in := &Input{Destination: Aliases("alice@example.com", "9123"), UnauthenticatedOrigin: Aliases("bob@example.org"),
			Now: func() time.Time { return time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC) }, Rand: func() float64 { return 0.5 }}
		res, err := p.Evaluate(context.Background(), in)
		checkResult(t, res, err)
	})
}

func checkResult(t *testing.T, res *Result, err error) {
	t.Helper()
	if res == nil {
		t.Fatalf("nil result, err %v", err)
	}
	if err != nil {
		if !errors.Is(err, ErrStepLimit) && !errors.Is(err, ErrRegexBudget) && !errors.Is(err, ErrLocationLimit) &&
			!errors.Is(err, ErrResumeLimit) {
			t.Fatalf("unexpected evaluation error %v", err)
		}
		if res.Action != Reject || res.Status != 500 {
			t.Fatalf("failed evaluation did not fail closed: %s", res)
		}
		return
	}
	switch res.Action {
	case Reject:
		if res.Status < 400 || res.Status > 699 {
			t.Fatalf("reject status %d", res.Status)
		}
	case Proxy, Redirect:
		for i := 1; i < len(res.Locations); i++ {
			if res.Locations[i].Priority > res.Locations[i-1].Priority {
				t.Fatalf("locations not sorted: %v", res.Locations)
			}
		}
	case Proceed, Completed:
	default:
		t.Fatalf("action %v", res.Action)
	}
	if res.Pending && res.Action != Proxy {
		t.Fatalf("pending %s", res)
	}
}

// FuzzEvaluate: compiled seed programs against random calls, including
// proxy outcomes: decisions are well formed, deterministic for a fixed
// clock and random source, and bounded (CPL-29..CPL-34, BX-11).
func FuzzEvaluate(f *testing.F) {
	var progs []*Program
	for _, s := range fuzzSeeds(f) {
		for _, d := range []Dialect{Expressway, RFC3880} {
			if p, err := Compile(s, d, WithLimits(Limits{RegexBudget: 5 * time.Millisecond, MaxSteps: 20000})); err == nil {
				progs = append(progs, p)
			}
		}
	}
	if len(progs) < 15 {
		f.Fatalf("only %d seed programs compiled", len(progs))
	}
	f.Add(uint8(8), "9123", "a@example.com", "TraversalZone", true, false, "", uint8(1), "")
	f.Add(uint8(4), "ceo", "vpsales", "", true, true, "", uint8(0), "")
	f.Add(uint8(2), "alice@example.com", "", "", false, false, "", uint8(1), "bob@x")
	f.Add(uint8(12), "sip:jones@example.com", "sip:boss@example.com", "", false, false, "INVITE sip:x SIP/2.0\r\n\r\n", uint8(2), "")
	f.Add(uint8(5), "fred", "ALICE@Annoying.COM", "", true, false, "", uint8(3), "")
	f.Fuzz(func(t *testing.T, idx uint8, dst, src, zone string, auth, h323 bool, msg string, outcome uint8, redirect string) {
		watchdog := time.AfterFunc(20*time.Second, func() {
			panic(fmt.Sprintf("hang evaluating program %d dst %q src %q", idx, dst, src))
		})
		defer watchdog.Stop()
		p := progs[int(idx)%len(progs)]
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		in := &Input{
			Destination:           Aliases(split(dst)...),
			UnauthenticatedOrigin: Aliases(split(src)...),
			OriginatingZone:       zone,
			OriginatingUser:       zone,
			Subject:               msg,
			Languages:             split(zone),
			Priority:              zone,
			Direction:             Direction(outcome % 3),
			Now:                   func() time.Time { return time.Date(2024, 3, 10, 7, 30, 0, 0, time.UTC) },
			Rand:                  func() float64 { return 0.75 },
		}
		if auth {
			in.AuthenticatedOrigin = in.UnauthenticatedOrigin
			in.RegisteredOrigin = in.UnauthenticatedOrigin
		}
		if h323 {
			in.Protocol = H323
		}
		if msg != "" {
			in.Message = []byte(msg)
		}
		res, err := p.Evaluate(context.Background(), in)
		checkResult(t, res, err)
		again, err2 := p.Evaluate(context.Background(), in)
		// Regex budgets are wall-clock time, so only two complete
		// evaluations are compared.
		if err == nil && err2 == nil && again.String() != res.String() {
			t.Fatalf("not deterministic: %s / %s", res, again)
		}
		for i := 0; res.Pending && i < 20; i++ {
			o := Outcome(1 + (int(outcome)+i)%4)
			res, err = res.Resume(context.Background(), o, split(redirect)...)
			checkResult(t, res, err)
		}
	})
}
