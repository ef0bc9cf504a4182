package main

import (
	"fmt"
	"math"
	"strings"
)

// pkgSpec maps ASN.1 modules to one generated Go package.
type pkgSpec struct {
	Dir     string // directory under -out; also the package name
	Modules []string
	Title   string // what the package holds, for its doc comment
	Import  string // import path, set from -pkg
}

// decl is one Go type declaration to generate.
type decl struct {
	name  string // Go name
	asn   string // ASN.1 name or component path, for docs
	t     *Type
	mod   *module
	named *assign // set for type assignments and instances
}

// gen plans and writes the Go code for a schema.
type gen struct {
	s          *schema
	pkgs       []*pkgSpec
	pkgOf      map[*module]*pkgSpec
	declsOf    map[*pkgSpec][]*decl
	assignName map[*assign]string
	nestedName map[*Type]string
	declPkg    map[string]*pkgSpec // assign/nested key -> package
	names      map[*pkgSpec]map[string]string

	// emission state
	cur      *pkgSpec
	imports  map[string]bool
	charsets map[string]string // per.CharString literal -> variable name
	csOrder  []string
	tmp      int
	minMemo  map[*Type]int
}

func newGen(s *schema, pkgs []*pkgSpec) (*gen, error) {
	g := &gen{
		s: s, pkgs: pkgs,
		pkgOf:      map[*module]*pkgSpec{},
		declsOf:    map[*pkgSpec][]*decl{},
		assignName: map[*assign]string{},
		nestedName: map[*Type]string{},
		names:      map[*pkgSpec]map[string]string{},
		minMemo:    map[*Type]int{},
	}
	for _, p := range pkgs {
		g.names[p] = map[string]string{}
		for _, mn := range p.Modules {
			m, ok := s.mods[mn]
			if !ok {
				return nil, fmt.Errorf("package %s: module %s not found in the input", p.Dir, mn)
			}
			g.pkgOf[m] = p
		}
	}
	for _, m := range s.order {
		if _, ok := g.pkgOf[m]; !ok {
			return nil, fmt.Errorf("module %s is not assigned to a package", m.Name)
		}
	}
	// Named assignments first, so nested names never take a type's name.
	for _, p := range pkgs {
		for _, mn := range p.Modules {
			for _, a := range s.mods[mn].Assigns {
				if len(a.Params) > 0 {
					continue
				}
				name := goName(a.Name)
				if err := g.claim(p, name, a.Name); err != nil {
					return nil, err
				}
				g.assignName[a] = name
			}
		}
	}
	for _, p := range pkgs {
		for _, mn := range p.Modules {
			for _, a := range s.mods[mn].Assigns {
				if len(a.Params) > 0 {
					continue
				}
				d := &decl{name: g.assignName[a], asn: a.Name, t: a.Type, mod: a.Mod, named: a}
				g.declsOf[p] = append(g.declsOf[p], d)
				if err := g.walkTop(a.Type, d.name, d.asn, a.Mod); err != nil {
					return nil, fmt.Errorf("%s: %w", a.Name, err)
				}
			}
		}
	}
	return g, nil
}

func (g *gen) claim(p *pkgSpec, name, asn string) error {
	if prev, ok := g.names[p][name]; ok {
		return fmt.Errorf("package %s: Go name %s is used by both %s and %s", p.Dir, name, prev, asn)
	}
	g.names[p][name] = asn
	return nil
}

func isConstructed(k kind) bool {
	return k == kSequence || k == kSet || k == kChoice || k == kEnumerated
}

// walkTop names the nested types of a declared type.
func (g *gen) walkTop(t *Type, name, asn string, m *module) error {
	switch t.Kind {
	case kSequence, kSet, kChoice:
		for _, c := range t.Comps {
			if err := g.walkComp(c.Type, name+goName(c.Name), asn+"."+c.Name, m); err != nil {
				return err
			}
		}
	case kSequenceOf, kSetOf:
		return g.walkElem(t.Elem, name+"Item", asn+".item", m)
	case kRef:
		return g.walkRef(t)
	}
	return nil
}

func (g *gen) walkComp(t *Type, name, asn string, m *module) error {
	switch {
	case isConstructed(t.Kind):
		return g.nest(t, name, asn, m)
	case t.Kind == kSequenceOf || t.Kind == kSetOf:
		return g.walkElem(t.Elem, name, asn, m)
	case t.Kind == kRef:
		return g.walkRef(t)
	}
	return nil
}

func (g *gen) walkElem(t *Type, name, asn string, m *module) error {
	switch {
	case isConstructed(t.Kind):
		return g.nest(t, name, asn, m)
	case t.Kind == kSequenceOf || t.Kind == kSetOf:
		return g.walkElem(t.Elem, name+"Item", asn+".item", m)
	case t.Kind == kRef:
		return g.walkRef(t)
	}
	return nil
}

func (g *gen) nest(t *Type, name, asn string, m *module) error {
	p := g.pkgOf[m]
	if err := g.claim(p, name, asn); err != nil {
		return err
	}
	g.nestedName[t] = name
	g.declsOf[p] = append(g.declsOf[p], &decl{name: name, asn: asn, t: t, mod: m})
	return g.walkTop(t, name, asn, m)
}

// walkRef declares the instance of a parameterised type on first use.
func (g *gen) walkRef(t *Type) error {
	for _, a := range t.Args {
		if err := g.walkRef(a); err != nil {
			return err
		}
	}
	if len(t.Args) == 0 {
		return nil
	}
	inst, err := g.s.target(t)
	if err != nil {
		return err
	}
	if _, done := g.assignName[inst]; done {
		return nil
	}
	name := goName(t.Ref)
	if len(name) > 1 {
		name = name[:1] + strings.ToLower(name[1:])
	}
	for _, a := range t.Args {
		name += strings.TrimPrefix(goName(a.Ref), "Encoded")
	}
	p := g.pkgOf[inst.Mod]
	if err := g.claim(p, name, inst.Name); err != nil {
		return err
	}
	g.assignName[inst] = name
	d := &decl{name: name, asn: inst.Name, t: inst.Type, mod: inst.Mod, named: inst}
	g.declsOf[p] = append(g.declsOf[p], d)
	return g.walkTop(inst.Type, name, inst.Name, inst.Mod)
}

// info is what code generation needs to know about a type node.
type info struct {
	base *Type // the type at the end of the reference chain
	eff  cset  // effective PER-visible constraint
	// method reports that the value is coded by calling its Encode/Decode
	// methods (named types without local PER-visible constraints, and
	// nested constructed types); otherwise the code is inlined.
	method bool
	goType string // Go type of a value of this type
	// local reports a type declared in the package being generated, whose
	// unexported decode method (which expects a zero value) can be called.
	local bool
	under string // Go underlying representation: "bool", "uint16", "[]byte", "[4]byte", "string", "slice", "struct", "choice", "null", ...
}

func (g *gen) info(t *Type) (info, error) {
	base, cons, _, err := g.s.chain(t)
	if err != nil {
		return info{}, err
	}
	eff, err := g.s.effective(cons)
	if err != nil {
		return info{}, err
	}
	in := info{base: base, eff: eff}
	switch {
	case t.Kind == kRef:
		local, err := g.s.effective(t.Cons)
		if err != nil {
			return info{}, err
		}
		in.method = !g.visible(base.Kind, local)
		a, err := g.s.target(t)
		if err != nil {
			return info{}, err
		}
		in.goType = g.qualified(a)
		in.local = g.cur == nil || g.pkgOf[a.Mod] == g.cur
	case isConstructed(t.Kind):
		in.method = true
		in.local = true
		in.goType = g.nestedName[t]
		if in.goType == "" {
			return info{}, fmt.Errorf("line %d: unnamed nested type", t.Line)
		}
	default:
		gt, err := g.builtin(t, eff)
		if err != nil {
			return info{}, err
		}
		in.goType = gt
	}
	in.under, err = g.under(base, eff)
	return in, err
}

// visible reports whether a local constraint changes the encoding of a type
// of kind k.
func (g *gen) visible(k kind, c cset) bool {
	switch k {
	case kInteger:
		return c.rng != nil
	case kString:
		return c.size != nil || c.alpha != nil
	case kOctetString, kBitString, kSequenceOf, kSetOf:
		return c.size != nil
	}
	return false
}

// qualified returns the Go name of an assignment as seen from the package
// being generated.
func (g *gen) qualified(a *assign) string {
	name := g.assignName[a]
	p := g.pkgOf[a.Mod]
	if g.cur != nil && p != g.cur {
		g.imports[p.Import] = true
		return p.Dir + "." + name
	}
	return name
}

// builtin is the Go type of an inline (unnamed) type.
func (g *gen) builtin(t *Type, eff cset) (string, error) {
	switch t.Kind {
	case kBoolean:
		return "bool", nil
	case kNull:
		return "struct{}", nil
	case kInteger:
		return intType(eff.rng)
	case kBitString:
		return "per.BitString", nil
	case kOctetString:
		if n := fixedOctets(eff); n > 0 {
			return fmt.Sprintf("[%d]byte", n), nil
		}
		return "[]byte", nil
	case kOID:
		return "per.ObjectIdentifier", nil
	case kString, kRawString:
		return "string", nil
	case kOpen:
		return "[]byte", nil
	case kSequenceOf, kSetOf:
		in, err := g.info(t.Elem)
		if err != nil {
			return "", err
		}
		return "[]" + in.goType, nil
	case kRef:
		a, err := g.s.target(t)
		if err != nil {
			return "", err
		}
		return g.qualified(a), nil
	}
	if isConstructed(t.Kind) {
		return g.nestedName[t], nil
	}
	return "", fmt.Errorf("no Go type for kind %d", t.Kind)
}

// under describes the Go representation of a base type.
func (g *gen) under(base *Type, eff cset) (string, error) {
	switch base.Kind {
	case kSequence, kSet:
		return "struct", nil
	case kChoice:
		return "choice", nil
	case kEnumerated:
		return "enum", nil
	case kSequenceOf, kSetOf, kOpen:
		return "slice", nil
	case kNull:
		return "null", nil
	}
	return g.builtin(base, eff)
}

// fixedOctets returns n for an OCTET STRING of fixed size 1..32 without an
// extension marker (generated as [n]byte), else 0.
func fixedOctets(eff cset) int {
	if eff.size == nil || eff.size.ext || eff.size.lo == nil || eff.size.hi == nil {
		return 0
	}
	if *eff.size.lo == *eff.size.hi && *eff.size.lo >= 1 && *eff.size.lo <= 32 {
		return int(*eff.size.lo)
	}
	return 0
}

func intType(r *irange) (string, error) {
	if r == nil || r.ext || r.lo == nil || r.hi == nil {
		return "int64", nil
	}
	lo, hi := *r.lo, *r.hi
	switch {
	case lo >= 0 && hi <= math.MaxUint8:
		return "uint8", nil
	case lo >= 0 && hi <= math.MaxUint16:
		return "uint16", nil
	case lo >= 0 && hi <= math.MaxUint32:
		return "uint32", nil
	case lo >= math.MinInt32 && hi <= math.MaxInt32:
		return "int32", nil
	}
	return "int64", nil
}

// nilable reports whether the Go type of a value can be nil (so OPTIONAL
// components of it need no pointer).
func nilable(under string) bool {
	return under == "slice" || strings.HasPrefix(under, "[]")
}

// minBits is the least number of bits an encoding of t takes; it bounds
// list counts against the remaining input.
func (g *gen) minBits(t *Type) int {
	if v, ok := g.minMemo[t]; ok {
		return v
	}
	g.minMemo[t] = 0 // recursion guard
	v := g.minBitsUncached(t)
	g.minMemo[t] = v
	return v
}

func (g *gen) minBitsUncached(t *Type) int {
	in, err := g.info(t)
	if err != nil {
		return 0
	}
	b := in.base
	// sized is the least size of a string or list of lo items of itemBits
	// each: the root form, or an out-of-root length (1 + 8 bits, no items)
	// when the size constraint is extensible.
	sized := func(itemBits int) int {
		lo, hi, ext, _ := perSize(in.eff.size)
		n := lo * itemBits
		switch {
		case hi >= 0 && hi < 65536 && lo == hi:
		case hi >= 0 && hi < 65536:
			n += bitsForRange(uint64(hi - lo))
		default:
			n += 8
		}
		if ext {
			n = min(n+1, 9)
		}
		return n
	}
	switch b.Kind {
	case kBoolean:
		return 1
	case kNull:
		return 0
	case kInteger:
		r := in.eff.rng
		if r == nil || r.lo == nil || r.hi == nil {
			return 16
		}
		n := bitsForRange(uint64(*r.hi - *r.lo))
		if r.ext {
			n = min(n+1, 17) // or one bit, a length octet and one octet
		}
		return n
	case kEnumerated:
		root := 0
		for _, it := range b.Items {
			if !it.Addition {
				root++
			}
		}
		n := bitsForRange(uint64(root - 1))
		if b.Ext {
			n = min(n+1, 8) // or one bit and a six-bit normally small index
		}
		return n
	case kOctetString:
		return sized(8)
	case kBitString:
		return sized(1)
	case kString:
		return sized(1)
	case kRawString:
		return 8
	case kOID, kOpen:
		return 16
	case kSequenceOf, kSetOf:
		return sized(g.minBits(b.Elem))
	case kSequence, kSet:
		n := 0
		if b.Ext {
			n++
		}
		for _, c := range b.Comps {
			if c.Addition {
				continue
			}
			if c.Optional {
				n++
				continue
			}
			n += g.minBits(c.Type)
		}
		return n
	case kChoice:
		root := 0
		least := -1
		for _, c := range b.Comps {
			if c.Addition {
				continue
			}
			root++
			if m := g.minBits(c.Type); least < 0 || m < least {
				least = m
			}
		}
		n := bitsForRange(uint64(root-1)) + max(least, 0)
		if b.Ext {
			// An extension alternative: one bit, a seven-bit normally small
			// index and an open type of at least a length and one octet.
			n = min(n+1, 24)
		}
		return n
	}
	return 0
}

// bitsForRange is the width of a constrained whole number of range r1+1 in
// the ALIGNED variant, without alignment padding.
func bitsForRange(r1 uint64) int {
	switch {
	case r1 == 0:
		return 0
	case r1 < 255:
		n := 0
		for v := r1; v > 0; v >>= 1 {
			n++
		}
		return n
	case r1 == 255:
		return 8
	case r1 < 65536:
		return 16
	}
	return 10
}
