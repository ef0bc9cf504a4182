package cpl

import (
	"strings"
	"testing"
)

// BX-5: lint findings, never errors.
func TestWarnings(t *testing.T) {
	cases := []struct {
		body string
		want []string // substrings, in order
	}{
		{`<address-switch field="destination"><address regex=".*"><proxy/></address><address is="x"><proxy/></address></address-switch>`,
			[]string{"address[1] matches every value"}},
		{`<taa:rule-switch><taa:rule origin=".*"><proxy/></taa:rule><taa:rule origin="bob"><reject status="403" reason="r"/></taa:rule><taa:rule originating-zone="z"><proxy/></taa:rule></taa:rule-switch>`,
			[]string{"rule[2] is shadowed by the catch-all rule[1]"}},
		{`<address-switch field="origin"><address is="boss"><proxy/></address></address-switch>`,
			[]string{"origin is the authenticated origin"}},
		{`<reject status="403"/>`, []string{"reject without a reason"}},
		{`<location url="x"><reject status="403" reason="r"/></location>`, []string{"no proxy follows"}},
		{`<taa:location url="x"><address-switch field="destination"><address is="a"><proxy/></address></address-switch></taa:location>`, nil},
	}
	for _, c := range cases {
		w := MustCompile(doc(c.body)).Warnings()
		if len(w) != len(c.want) {
			t.Errorf("%s: %v", c.body, w)
			continue
		}
		for i, s := range c.want {
			if !strings.Contains(w[i].Msg, s) || w[i].Line != 1 {
				t.Errorf("%s: warning %d = %v, want %q", c.body, i, w[i], s)
			}
		}
	}
	// The seed examples that follow the product's advice are clean.
	for _, e := range []string{"E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11"} {
		if w := MustCompile(string(seedVariants(t, e)["verbatim"])).Warnings(); len(w) != 0 {
			t.Errorf("%s: %v", e, w)
		}
	}
}
