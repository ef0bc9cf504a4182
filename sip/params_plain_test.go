package sip

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestGetPlainAgrees: on random parameter lists the fast path, when it
// answers, answers what the general reader does.
func TestGetPlainAgrees(t *testing.T) {
	atoms := []string{";", "branch", "tag", "=", "x", "z9hG4bK", " ", "\t", "lr", "\"a;b\"", "BRANCH", "rport", ";;", "=;", "tagx"}
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"branch", "tag", "lr", "rport", "x", "tagx"}
	for n := 0; n < 200000; n++ {
		var b strings.Builder
		for k := r.IntN(8); k >= 0; k-- {
			b.WriteString(atoms[r.IntN(len(atoms))])
		}
		s := b.String()
		for _, name := range names {
			v, ok, sure := getPlain(s, name)
			if !sure {
				continue
			}
			wv, wok := getGeneral(s, name)
			if v != wv || ok != wok {
				t.Fatalf("%q %q: fast %q %v, general %q %v", s, name, v, ok, wv, wok)
			}
		}
	}
}
