package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// moduleRoot finds the directory holding go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestGeneratedCodeIsCurrent regenerates the packages from the ITU modules
// in ../shared/asn1 (beside the repository, as in CI) and compares them with
// the committed files, so a change to the generator or the modules cannot go
// unnoticed.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	root := moduleRoot(t)
	in := filepath.Join(root, "..", "shared", "asn1")
	if _, err := os.Stat(in); err != nil {
		t.Skipf("ASN.1 modules not found at %s; skipping regeneration check", in)
	}
	files, err := generate(in, "github.com/causeway-edge/causeway/h323")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("generated %d files, want 4", len(files))
	}
	for path, src := range files {
		committed, err := os.ReadFile(filepath.Join(root, "h323", path))
		if err != nil {
			t.Errorf("%s: %v (run: %s)", path, err, command)
			continue
		}
		if !bytes.Equal(committed, src) {
			a, b := strings.Split(string(committed), "\n"), strings.Split(string(src), "\n")
			line := 0
			for line < len(a) && line < len(b) && a[line] == b[line] {
				line++
			}
			t.Errorf("h323/%s is stale from line %d; regenerate with: %s", path, line+1, command)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, src := range map[string]string{
		"explicit tags": "M DEFINITIONS EXPLICIT TAGS ::= BEGIN END",
		"unsupported":   "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= REAL END",
		"bad component": "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= SEQUENCE { a INTEGER b BOOLEAN } END",
		"default":       "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= SEQUENCE { a INTEGER DEFAULT 5 } END",
		"unterminated":  "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= IA5String(FROM(\"abc)) END",
		"twice":         "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= NULL A ::= BOOLEAN END",
	} {
		if _, err := parseModule(name, src); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestUndefinedReference(t *testing.T) {
	m, err := parseModule("m.asn", "M DEFINITIONS AUTOMATIC TAGS ::= BEGIN A ::= SEQUENCE { b B } END")
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSchema([]*module{m})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.chain(m.Assigns[0].Type.Comps[0].Type); err == nil || !strings.Contains(err.Error(), "undefined type B") {
		t.Fatalf("err = %v, want undefined type B", err)
	}
}

// TestConstraints checks the effective PER-visible constraints the
// generator derives (X.691 9.3) for the forms the H.323 modules use.
func TestConstraints(t *testing.T) {
	src := `M DEFINITIONS AUTOMATIC TAGS ::= BEGIN
	Digits ::= IA5String(SIZE (1..128))(FROM ("0123456789#*,"))
	Sig ::= IA5String(SIZE (1) ^ FROM ("0123456789#*ABCD!"))
	Std ::= INTEGER(0..16383, ...)
	Tbcd ::= IA5String(FROM ("0123456789#*abc"))
	Imsi ::= Tbcd(SIZE (3..16))
	List ::= SEQUENCE SIZE (1..256) OF INTEGER(0..15)
	Max ::= INTEGER(1..MAX)
	Neg ::= INTEGER(-262144..262143)
	Both ::= INTEGER(1..5 | 10..20)
	END`
	m, err := parseModule("m.asn", src)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSchema([]*module{m})
	if err != nil {
		t.Fatal(err)
	}
	eff := func(name string) cset {
		_, cons, _, err := s.chain(m.byName[name].Type)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.effective(cons)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := eff("Digits"); *c.size.lo != 1 || *c.size.hi != 128 || *c.alpha != "#*,0123456789" {
		t.Errorf("Digits: %+v", c)
	}
	if c := eff("Sig"); *c.size.lo != 1 || *c.size.hi != 1 || len(*c.alpha) != 17 {
		t.Errorf("Sig: %+v", c)
	}
	if c := eff("Std"); !c.rng.ext || *c.rng.hi != 16383 {
		t.Errorf("Std: %+v", c.rng)
	}
	imsiType := &Type{Kind: kRef, Ref: "Imsi"}
	scopeOf[imsiType] = m
	if c := eff("Imsi"); *c.size.lo != 3 || *c.size.hi != 16 || *c.alpha != "#*0123456789abc" {
		t.Errorf("Imsi: %+v", c)
	}
	if c := eff("List"); *c.size.hi != 256 {
		t.Errorf("List: %+v", c)
	}
	if c := eff("Max"); *c.rng.lo != 1 || c.rng.hi != nil {
		t.Errorf("Max: %+v", c.rng)
	}
	if c := eff("Neg"); *c.rng.lo != -262144 {
		t.Errorf("Neg: %+v", c.rng)
	}
	if c := eff("Both"); *c.rng.lo != 1 || *c.rng.hi != 20 {
		t.Errorf("Both: %+v", c.rng)
	}
}
