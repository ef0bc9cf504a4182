package cpl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BX-6: Compile(Format(p)) is equivalent to p, and Format is idempotent.
func TestFormatRoundTrip(t *testing.T) {
	type prog struct {
		name string
		src  []byte
		d    Dialect
	}
	var progs []prog
	for _, dir := range []string{"seed", "rfc3880"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			d := Expressway
			if dir == "rfc3880" {
				d = RFC3880
			}
			progs = append(progs, prog{f, b, d})
		}
	}
	rules, _ := RulesToCPL(ruleTable50())
	progs = append(progs, prog{"rules", rules, Expressway},
		prog{"escapes", []byte(doc(`<reject status="403" reason="a &amp; b &lt;c&gt; &quot;d&quot;&#10;e"/>`)), Expressway})
	inputs := []*Input{
		call{dst: d("9123"), zone: "TraversalZone"}.input(),
		call{dst: d("ceo"), src: d("vpsales"), auth: true}.input(),
		call{dst: d("fred"), src: d("alice@annoying.com"), auth: true}.input(),
		call{reg: d("a"), dst: d("reception@example.com")}.input(),
		{Direction: Incoming, Destination: Aliases("sip:jones@example.com"), UnauthenticatedOrigin: Aliases("sip:anonymous@x"),
			Now: func() time.Time { return time.Date(2024, 5, 8, 14, 0, 0, 0, time.UTC) }},
		{Direction: Outgoing, Destination: Aliases("tel:19005551212")},
	}
	for _, pr := range progs {
		p, err := Compile(pr.src, pr.d)
		if err != nil {
			t.Fatalf("%s: %v", pr.name, err)
		}
		f1 := Format(p)
		p2, err := Compile(f1, pr.d)
		if err != nil {
			t.Fatalf("%s: formatted script does not compile: %v\n%s", pr.name, err, f1)
		}
		if p2.Fragment() != p.Fragment() {
			t.Errorf("%s: fragment-ness changed", pr.name)
		}
		if f2 := Format(p2); !bytes.Equal(f1, f2) {
			t.Errorf("%s: not idempotent:\n%s\n---\n%s", pr.name, f1, f2)
		}
		for i, in := range inputs {
			r1, e1 := p.Evaluate(context.Background(), in)
			r2, e2 := p2.Evaluate(context.Background(), in)
			if (e1 == nil) != (e2 == nil) || r1.String() != r2.String() {
				t.Errorf("%s input %d: %s vs %s", pr.name, i, r1, r2)
			}
		}
	}
}
