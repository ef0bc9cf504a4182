package main

import (
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strconv"
	"strings"

	"github.com/causeway-edge/causeway/h323/per"
)

// w is a code buffer.
type w struct{ bytes.Buffer }

func (b *w) p(format string, args ...any) {
	fmt.Fprintf(&b.Buffer, format, args...)
	b.WriteByte('\n')
}

// emitPackage returns the gofmt'd source of the types of package p.
func (g *gen) emitPackage(p *pkgSpec, header string) ([]byte, error) {
	g.cur = p
	g.imports = map[string]bool{}
	g.charsets = map[string]string{}
	g.csOrder = nil
	var body w
	for _, d := range g.declsOf[p] {
		if err := g.emitDecl(&body, d); err != nil {
			return nil, fmt.Errorf("%s: %w", d.asn, err)
		}
	}
	var out w
	out.WriteString(header)
	out.p("package %s\n", p.Dir)
	out.p("import (")
	out.p("%q", "github.com/causeway-edge/causeway/h323/per")
	var imps []string
	for imp := range g.imports {
		imps = append(imps, imp)
	}
	sort.Strings(imps)
	for _, imp := range imps {
		out.p("%q", imp)
	}
	out.p(")\n")
	if len(g.csOrder) > 0 {
		out.p("// Character string types with their PER-visible constraints.")
		out.p("var (")
		for _, lit := range g.csOrder {
			out.p("%s = %s", g.charsets[lit], lit)
		}
		out.p(")\n")
	}
	out.Write(body.Bytes())
	src, err := format.Source(out.Bytes())
	if err != nil {
		return out.Bytes(), fmt.Errorf("gofmt %s: %w", p.Dir, err)
	}
	return src, nil
}

func (g *gen) newVar(prefix string) string {
	g.tmp++
	return prefix + strconv.Itoa(g.tmp)
}

func (g *gen) kindName(t *Type) string {
	switch t.Kind {
	case kBoolean:
		return "BOOLEAN"
	case kNull:
		return "NULL"
	case kInteger:
		return "INTEGER"
	case kEnumerated:
		return "ENUMERATED"
	case kBitString:
		return "BIT STRING"
	case kOctetString:
		return "OCTET STRING"
	case kOID:
		return "OBJECT IDENTIFIER"
	case kString, kRawString:
		return t.Str
	case kSequence:
		return "SEQUENCE"
	case kSet:
		return "SET"
	case kChoice:
		return "CHOICE"
	case kSequenceOf:
		return "SEQUENCE OF"
	case kSetOf:
		return "SET OF"
	case kOpen:
		return "TYPE-IDENTIFIER.&Type"
	case kRef:
		return t.Ref
	}
	return "?"
}

func (g *gen) docFor(b *w, d *decl, what string) {
	where := d.mod.Name
	if d.named != nil {
		b.p("// %s is the ASN.1 type %s (%s) of module %s.%s", d.name, d.asn, g.kindName(d.t), where, what)
	} else {
		b.p("// %s is the type of %s (%s) of module %s.%s", d.name, d.asn, g.kindName(d.t), where, what)
	}
}

func (g *gen) emitDecl(b *w, d *decl) error {
	t := d.t
	if d.named != nil && t.Kind == kRef {
		in, err := g.info(t)
		if err != nil {
			return err
		}
		if in.method {
			what := ""
			if t.Kind == kRef && len(t.Cons) > 0 {
				what = " Its constraints are not PER-visible."
			}
			b.p("// %s is the ASN.1 type %s of module %s, defined as %s.%s", d.name, d.asn, d.mod.Name, g.refText(t), what)
			b.p("type %s = %s\n", d.name, in.goType)
			return nil
		}
		// A reference with PER-visible constraints: a new type coded inline.
		return g.emitInlineType(b, d, in)
	}
	switch t.Kind {
	case kSequence, kSet:
		return g.emitSequence(b, d)
	case kChoice:
		return g.emitChoice(b, d)
	case kEnumerated:
		return g.emitEnum(b, d)
	case kNull:
		g.docFor(b, d, "")
		b.p("type %s struct{}\n", d.name)
		b.p("// Encode writes nothing: NULL has an empty encoding.")
		b.p("func (v *%s) Encode(e *per.Encoder) error { return nil }\n", d.name)
		b.p("// Decode reads nothing: NULL has an empty encoding.")
		b.p("func (v *%s) Decode(d *per.Decoder) error { return nil }\n", d.name)
		return nil
	}
	in, err := g.info(t)
	if err != nil {
		return err
	}
	return g.emitInlineType(b, d, in)
}

func (g *gen) refText(t *Type) string {
	if len(t.Args) == 0 {
		return t.Ref
	}
	var args []string
	for _, a := range t.Args {
		args = append(args, a.Ref)
	}
	return t.Ref + "{" + strings.Join(args, ", ") + "}"
}

// emitInlineType declares a named type for a primitive or list type and its
// methods, which code the value inline.
func (g *gen) emitInlineType(b *w, d *decl, in info) error {
	var under string
	var err error
	if in.base.Kind == kSequenceOf || in.base.Kind == kSetOf {
		ei, err := g.info(in.base.Elem)
		if err != nil {
			return err
		}
		under = "[]" + ei.goType
	} else {
		under, err = g.builtin(in.base, in.eff)
		if err != nil {
			return err
		}
	}
	what := ""
	if d.named != nil && d.t.Kind == kOpen && d.t.OpenOf != "" {
		what = fmt.Sprintf(" It holds a complete PER encoding of %s.", d.t.OpenOf)
	}
	g.docFor(b, d, what)
	b.p("type %s %s\n", d.name, under)
	// The value is *v; code it with the type's own effective constraints by
	// treating d.t as an inline type.
	inl := in
	inl.method = false
	inl.goType = d.name
	b.p("// Encode appends the ALIGNED PER encoding of v to e.")
	b.p("func (v *%s) Encode(e *per.Encoder) error {", d.name)
	if err := g.encodeInline(b, inl, "(*v)", "err"); err != nil {
		return err
	}
	b.p("return nil")
	b.p("}\n")
	b.p("// Decode reads v from d.")
	b.p("func (v *%s) Decode(d *per.Decoder) error {", d.name)
	if err := g.decodeInline(b, inl, "(*v)", "d", "err"); err != nil {
		return err
	}
	b.p("return nil")
	b.p("}\n")
	return nil
}

// sizeLit renders a per.Size literal.
func sizeLit(r *irange) (string, error) {
	lo, hi, ext, err := perSize(r)
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("per.Size{Min: %d, Max: %d", lo, hi)
	if ext {
		s += ", Ext: true"
	}
	return s + "}", nil
}

var stringKinds = map[string]per.StringKind{
	"IA5String": per.IA5String, "ISO646String": per.VisibleString, "VisibleString": per.VisibleString,
	"NumericString": per.NumericString, "PrintableString": per.PrintableString, "BMPString": per.BMPString,
}

var stringVarPrefix = map[per.StringKind]string{
	per.IA5String: "ia5String", per.VisibleString: "visibleString", per.NumericString: "numericString",
	per.PrintableString: "printableString", per.BMPString: "bmpString",
}

// charset returns the package variable describing a character string type.
func (g *gen) charset(base *Type, eff cset) (string, error) {
	lo, hi, ext, err := perSize(eff.size)
	if err != nil {
		return "", err
	}
	from := ""
	if eff.alpha != nil {
		from = *eff.alpha
		if from == "" {
			return "", fmt.Errorf("empty permitted alphabet")
		}
	}
	kind, ok := stringKinds[base.Str]
	if !ok {
		return "", fmt.Errorf("unsupported character string type %s", base.Str)
	}
	cs := per.NewCharString(kind, per.Size{Min: lo, Max: hi, Ext: ext}, from)
	lit := fmt.Sprintf("per.CharString{Size: per.Size{Min: %d, Max: %d, Ext: %v}, Bits: %d, Alphabet: %q, Indexed: %v, Max: %d}",
		cs.Size.Min, cs.Size.Max, cs.Size.Ext, cs.Bits, cs.Alphabet, cs.Indexed, cs.Max)
	if name, ok := g.charsets[lit]; ok {
		return name, nil
	}
	name := stringVarPrefix[kind] + strconv.Itoa(len(g.csOrder)+1)
	g.charsets[lit] = name
	g.csOrder = append(g.csOrder, lit)
	return name, nil
}

// encodeValue emits the encoding of the value expr (addressable) of type t.
// fail is the expression returned on error, written in terms of err.
func (g *gen) encodeValue(b *w, t *Type, expr, fail string) error {
	in, err := g.info(t)
	if err != nil {
		return err
	}
	if in.method {
		if in.base.Kind == kNull {
			return nil
		}
		b.p("if err := %s.Encode(e); err != nil {", expr)
		b.p("return %s", fail)
		b.p("}")
		return nil
	}
	return g.encodeInline(b, in, expr, fail)
}

// decodeValue emits the decoding into the addressable target of type t
// from the decoder dec (a *per.Decoder expression).
func (g *gen) decodeValue(b *w, t *Type, target, dec, fail string) error {
	in, err := g.info(t)
	if err != nil {
		return err
	}
	if in.method {
		if in.base.Kind == kNull {
			return nil
		}
		method := "Decode"
		switch in.base.Kind {
		case kSequence, kSet, kChoice:
			if in.local {
				// Targets in generated code are always zero values, so the
				// resetting Decode is not needed.
				method = "decode"
			}
		}
		b.p("if err := %s.%s(%s); err != nil {", target, method, dec)
		b.p("return %s", fail)
		b.p("}")
		return nil
	}
	return g.decodeInline(b, in, target, dec, fail)
}

func (g *gen) encodeInline(b *w, in info, expr, fail string) error {
	eff := in.eff
	check := func(call string) {
		b.p("if err := %s; err != nil {", call)
		b.p("return %s", fail)
		b.p("}")
	}
	switch in.base.Kind {
	case kBoolean:
		b.p("e.PutBit(bool(%s))", expr)
	case kNull:
	case kInteger:
		r := eff.rng
		switch {
		case r == nil || r.lo == nil:
			b.p("e.PutUnconstrained(int64(%s))", expr)
		case r.hi == nil:
			check(fmt.Sprintf("e.PutSemiConstrained(int64(%s), %d)", expr, *r.lo))
		case r.ext:
			b.p("e.PutConstrainedExt(int64(%s), %d, %d)", expr, *r.lo, *r.hi)
		default:
			check(fmt.Sprintf("e.PutConstrained(int64(%s), %d, %d)", expr, *r.lo, *r.hi))
		}
	case kBitString:
		sz, err := sizeLit(eff.size)
		if err != nil {
			return err
		}
		check(fmt.Sprintf("e.PutBitString(per.BitString(%s), %s)", expr, sz))
	case kOctetString:
		sz, err := sizeLit(eff.size)
		if err != nil {
			return err
		}
		if strings.HasPrefix(in.under, "[") && !strings.HasPrefix(in.under, "[]") {
			check(fmt.Sprintf("e.PutOctetString(%s[:], %s)", expr, sz))
		} else {
			check(fmt.Sprintf("e.PutOctetString([]byte(%s), %s)", expr, sz))
		}
	case kOID:
		check(fmt.Sprintf("e.PutObjectIdentifier(per.ObjectIdentifier(%s))", expr))
	case kString:
		cs, err := g.charset(in.base, eff)
		if err != nil {
			return err
		}
		check(fmt.Sprintf("e.PutString(string(%s), &%s)", expr, cs))
	case kRawString:
		b.p("e.PutRawString(string(%s))", expr)
	case kOpen:
		check(fmt.Sprintf("e.PutOpenRaw([]byte(%s))", expr))
	case kSequenceOf, kSetOf:
		sz, err := sizeLit(eff.size)
		if err != nil {
			return err
		}
		list, i, k, m := g.newVar("list"), g.newVar("i"), g.newVar("k"), g.newVar("more")
		b.p("{")
		b.p("%s := %s", list, expr)
		b.p("for %s, %s := 0, true; %s; {", i, m, m)
		b.p("%s, m, err := e.PutCount(len(%s), %s, %s)", k, list, i, sz)
		b.p("if err != nil {")
		b.p("return %s", fail)
		b.p("}")
		b.p("for end := %s + %s; %s < end; %s++ {", i, k, i, i)
		elemFail := strings.ReplaceAll(fail, "err", fmt.Sprintf("per.Index(err, %s)", i))
		if fail == "err" {
			elemFail = fmt.Sprintf("per.Index(err, %s)", i)
		}
		if err := g.encodeValue(b, in.base.Elem, fmt.Sprintf("%s[%s]", list, i), elemFail); err != nil {
			return err
		}
		b.p("}")
		b.p("%s = m", m)
		b.p("}")
		b.p("}")
	default:
		return fmt.Errorf("cannot inline %s", g.kindName(in.base))
	}
	return nil
}

func (g *gen) decodeInline(b *w, in info, target, dec, fail string) error {
	eff := in.eff
	get := func(call string) {
		b.p("{")
		b.p("x, err := %s.%s", dec, call)
		b.p("if err != nil {")
		b.p("return %s", fail)
		b.p("}")
		b.p("%s = %s(x)", target, in.goType)
		b.p("}")
	}
	switch in.base.Kind {
	case kBoolean:
		get("Bit()")
	case kNull:
	case kInteger:
		r := eff.rng
		switch {
		case r == nil || r.lo == nil:
			get("Unconstrained()")
		case r.hi == nil:
			get(fmt.Sprintf("SemiConstrained(%d)", *r.lo))
		case r.ext:
			get(fmt.Sprintf("ConstrainedExt(%d, %d)", *r.lo, *r.hi))
		default:
			get(fmt.Sprintf("Constrained(%d, %d)", *r.lo, *r.hi))
		}
	case kBitString:
		sz, err := sizeLit(eff.size)
		if err != nil {
			return err
		}
		get(fmt.Sprintf("BitString(%s)", sz))
	case kOctetString:
		sz, err := sizeLit(eff.size)
		if err != nil {
			return err
		}
		if strings.HasPrefix(in.under, "[") && !strings.HasPrefix(in.under, "[]") {
			b.p("if err := %s.FixedOctets(%s[:]); err != nil {", dec, target)
			b.p("return %s", fail)
			b.p("}")
		} else {
			get(fmt.Sprintf("OctetString(%s)", sz))
		}
	case kOID:
		get("ObjectIdentifier()")
	case kString:
		cs, err := g.charset(in.base, eff)
		if err != nil {
			return err
		}
		get(fmt.Sprintf("String(&%s)", cs))
	case kRawString:
		get("RawString()")
	case kOpen:
		get("OpenRaw()")
	case kSequenceOf, kSetOf:
		sz, err := sizeLit(eff.size)
		if err != nil {
			return err
		}
		ei, err := g.info(in.base.Elem)
		if err != nil {
			return err
		}
		minBits := max(1, g.minBits(in.base.Elem))
		list, done, m, j, x := g.newVar("list"), g.newVar("done"), g.newVar("more"), g.newVar("j"), g.newVar("x")
		b.p("{")
		b.p("var %s []%s", list, ei.goType)
		b.p("for %s, %s := 0, true; %s; {", done, m, m)
		b.p("k, m, err := %s.Count(%s, %s, %d)", dec, done, sz, minBits)
		b.p("if err != nil {")
		b.p("return %s", fail)
		b.p("}")
		b.p("if %s == nil {", list)
		b.p("%s = make([]%s, 0, k)", list, ei.goType)
		b.p("}")
		b.p("for %s := 0; %s < k; %s++ {", j, j, j)
		b.p("var %s %s", x, ei.goType)
		elemFail := strings.ReplaceAll(fail, "err", fmt.Sprintf("per.Index(err, %s+%s)", done, j))
		if fail == "err" {
			elemFail = fmt.Sprintf("per.Index(err, %s+%s)", done, j)
		}
		if err := g.decodeValue(b, in.base.Elem, x, dec, elemFail); err != nil {
			return err
		}
		b.p("%s = append(%s, %s)", list, list, x)
		b.p("}")
		b.p("%s += k", done)
		b.p("%s = m", m)
		b.p("}")
		b.p("%s = %s", target, list)
		b.p("}")
	default:
		return fmt.Errorf("cannot inline %s", g.kindName(in.base))
	}
	return nil
}

func fieldFail(name string) string {
	return fmt.Sprintf("per.Field(err, %q)", name)
}

// field describes how a component is held in its Go struct.
type field struct {
	c       *component
	name    string // Go field name ("" when the component has no field)
	goType  string
	pointer bool // OPTIONAL held as *T
	flag    bool // OPTIONAL NULL held as bool
	nilable bool // OPTIONAL held as a nil-able slice
	null    bool // NULL type
}

func (g *gen) fieldOf(c *component, owner string, used map[string]bool) (field, error) {
	in, err := g.info(c.Type)
	if err != nil {
		return field{}, fmt.Errorf("%s: %w", c.Name, err)
	}
	f := field{c: c, name: goName(c.Name), goType: in.goType}
	if used[f.name] {
		return field{}, fmt.Errorf("%s: duplicate Go field %s", c.Name, f.name)
	}
	used[f.name] = true
	if in.base.Kind == kNull {
		f.null = true
		if c.Optional {
			f.flag = true
			f.goType = "bool"
		} else {
			f.name = ""
		}
		return f, nil
	}
	if c.Optional {
		if nilable(in.under) {
			f.nilable = true
		} else {
			f.pointer = true
		}
	}
	return f, nil
}

func (f field) decl() string {
	t := f.goType
	if f.pointer {
		t = "*" + t
	}
	return f.name + " " + t
}

func (f field) comment() string {
	s := "// " + f.c.Name
	if f.c.Optional {
		s += " OPTIONAL"
	}
	if f.c.Addition {
		s += " (extension addition)"
	}
	return s
}

// present renders the test for an OPTIONAL component's presence.
func (f field) present() string {
	switch {
	case f.flag:
		return "v." + f.name
	default:
		return "v." + f.name + " != nil"
	}
}

// valueExpr is the addressable value of a present component.
func (f field) valueExpr() string {
	if f.pointer {
		return "(*v." + f.name + ")"
	}
	return "v." + f.name
}

func (g *gen) emitSequence(b *w, d *decl) error {
	t := d.t
	used := map[string]bool{}
	var root, adds []field
	for _, c := range t.Comps {
		f, err := g.fieldOf(c, d.name, used)
		if err != nil {
			return err
		}
		if c.Addition {
			adds = append(adds, f)
		} else {
			root = append(root, f)
		}
	}
	if len(adds) > 64 {
		return fmt.Errorf("more than 64 extension additions")
	}
	var opts []field
	for _, f := range root {
		if f.c.Optional {
			opts = append(opts, f)
		}
	}
	if len(opts) > 64 {
		return fmt.Errorf("more than 64 OPTIONAL root components")
	}
	g.docFor(b, d, "")
	b.p("type %s struct {", d.name)
	for _, f := range root {
		if f.name == "" {
			continue
		}
		b.p("%s", f.comment())
		b.p("%s", f.decl())
	}
	for _, f := range adds {
		if f.name == "" {
			continue
		}
		b.p("%s", f.comment())
		b.p("%s", f.decl())
	}
	if t.Ext {
		b.p("")
		b.p("ext per.Extensions")
	}
	b.p("}\n")
	if t.Ext {
		if used["Extensions"] {
			return fmt.Errorf("a component named Extensions clashes with the Extensions method")
		}
		b.p("// Extensions controls how the extension additions of v are encoded; see")
		b.p("// per.Extensions.")
		b.p("func (v *%s) Extensions() *per.Extensions { return &v.ext }\n", d.name)
	}

	// Encode.
	b.p("// Encode appends the ALIGNED PER encoding of v to e.")
	b.p("func (v *%s) Encode(e *per.Encoder) error {", d.name)
	if t.Ext {
		if len(adds) > 0 {
			b.p("var add uint64")
			for i, f := range adds {
				cond := ""
				switch {
				case !f.c.Optional:
					cond = fmt.Sprintf("v.ext.Keep(%d)", i)
				default:
					cond = f.present()
				}
				b.p("if %s {", cond)
				b.p("add |= 1 << %d", i)
				b.p("}")
			}
			b.p("n := v.ext.Len(add, %d)", len(adds))
		} else {
			b.p("n := v.ext.Len(0, 0)")
		}
		b.p("e.PutBit(n > 0)")
	}
	for _, f := range opts {
		b.p("e.PutBit(%s)", f.present())
	}
	for _, f := range root {
		if f.null {
			continue
		}
		if f.c.Optional {
			b.p("if %s {", f.present())
		}
		if err := g.encodeValue(b, f.c.Type, f.valueExpr(), fieldFail(f.c.Name)); err != nil {
			return err
		}
		if f.c.Optional {
			b.p("}")
		}
	}
	if t.Ext {
		b.p("if n > 0 {")
		if len(adds) > 0 {
			b.p("e.PutExtensionBitmap(&v.ext, add, %d, n)", len(adds))
		} else {
			b.p("e.PutExtensionBitmap(&v.ext, 0, 0, n)")
		}
		for i, f := range adds {
			b.p("if add&(1<<%d) != 0 {", i)
			b.p("m := e.BeginOpen()")
			if !f.null {
				if err := g.encodeValue(b, f.c.Type, f.valueExpr(), fieldFail(f.c.Name)); err != nil {
					return err
				}
			}
			b.p("e.EndOpen(m)")
			b.p("}")
		}
		b.p("e.PutUnknownExtensions(&v.ext)")
		b.p("}")
	}
	b.p("return nil")
	b.p("}\n")

	// Decode.
	g.emitResettingDecode(b, d.name)
	b.p("func (v *%s) decode(d *per.Decoder) error {", d.name)
	b.p("if err := d.Enter(); err != nil {")
	b.p("return err")
	b.p("}")
	if t.Ext {
		b.p("ext, err := d.Bit()")
		b.p("if err != nil {")
		b.p("return err")
		b.p("}")
	}
	if len(opts) > 0 {
		if t.Ext {
			b.p("opt, err := d.Bits(%d)", len(opts))
		} else {
			b.p("opt, err := d.Bits(%d)", len(opts))
		}
		b.p("if err != nil {")
		b.p("return err")
		b.p("}")
	}
	oi := 0
	for _, f := range root {
		if f.c.Optional {
			bit := fmt.Sprintf("opt&(1<<%d) != 0", len(opts)-1-oi)
			oi++
			if f.flag {
				b.p("v.%s = %s", f.name, bit)
				continue
			}
			b.p("if %s {", bit)
			if f.pointer {
				b.p("v.%s = new(%s)", f.name, f.goType)
			}
		}
		if !f.null {
			if err := g.decodeValue(b, f.c.Type, f.valueExpr(), "d", fieldFail(f.c.Name)); err != nil {
				return err
			}
		}
		if f.c.Optional {
			b.p("}")
		}
	}
	if t.Ext {
		b.p("if ext {")
		if len(adds) > 0 {
			b.p("add, err := d.ExtensionBitmap(&v.ext, %d)", len(adds))
		} else {
			b.p("_, err := d.ExtensionBitmap(&v.ext, 0)")
		}
		b.p("if err != nil {")
		b.p("return err")
		b.p("}")
		for i, f := range adds {
			b.p("if add&(1<<%d) != 0 {", i)
			b.p("sub, err := d.OpenType()")
			b.p("if err != nil {")
			b.p("return %s", fieldFail(f.c.Name))
			b.p("}")
			b.p("sd := &sub")
			if f.flag {
				b.p("v.%s = true", f.name)
			} else if !f.null {
				if f.pointer {
					b.p("v.%s = new(%s)", f.name, f.goType)
				}
				if err := g.decodeValue(b, f.c.Type, f.valueExpr(), "sd", fieldFail(f.c.Name)); err != nil {
					return err
				}
			}
			b.p("if err := sd.Done(); err != nil {")
			b.p("return %s", fieldFail(f.c.Name))
			b.p("}")
			b.p("}")
		}
		b.p("if err := d.UnknownExtensions(&v.ext); err != nil {")
		b.p("return err")
		b.p("}")
		b.p("} else {")
		b.p("v.ext.RootOnly()")
		b.p("}")
	}
	b.p("d.Leave()")
	b.p("return nil")
	b.p("}\n")
	return nil
}

// alternative describes how a CHOICE alternative is held.
type alternative struct {
	c       *component
	name    string // field name; "" for NULL alternatives
	konst   string // Choice constant
	goType  string
	pointer bool
	index   int // PER index: root position, or root count + extension position
}

func (g *gen) emitChoice(b *w, d *decl) error {
	t := d.t
	var alts []alternative
	root, ext := 0, 0
	for _, c := range t.Comps {
		if !c.Addition {
			root++
		}
	}
	used := map[string]bool{"Choice": true}
	for _, c := range t.Comps {
		in, err := g.info(c.Type)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		a := alternative{c: c, konst: d.name + "Choice" + goName(c.Name), goType: in.goType}
		if c.Addition {
			a.index = root + ext
			ext++
		} else {
			a.index = len(alts) - ext
		}
		if in.base.Kind != kNull {
			a.name = goName(c.Name)
			if used[a.name] {
				return fmt.Errorf("%s: duplicate Go field %s", c.Name, a.name)
			}
			used[a.name] = true
			switch in.base.Kind {
			case kSequence, kSet, kChoice:
				a.pointer = true
			}
		}
		if err := g.claim(g.cur, a.konst, d.asn+"."+c.Name+" (choice constant)"); err != nil {
			return err
		}
		alts = append(alts, a)
	}
	// Root alternatives keep their textual order, extension additions follow.
	sort.SliceStable(alts, func(i, j int) bool { return alts[i].index < alts[j].index })
	known := len(alts)
	ct := d.name + "Choice"
	if err := g.claim(g.cur, ct, d.asn+" (choice type)"); err != nil {
		return err
	}

	b.p("// %s selects an alternative of %s; the zero value selects none.", ct, d.name)
	b.p("type %s uint32\n", ct)
	b.p("// Alternatives of %s.", d.name)
	b.p("const (")
	for i, a := range alts {
		suffix := ""
		if a.c.Addition {
			suffix = " (extension)"
		}
		if i == 0 {
			b.p("%s %s = iota + 1 // %s%s", a.konst, ct, a.c.Name, suffix)
		} else {
			b.p("%s // %s%s", a.konst, a.c.Name, suffix)
		}
	}
	b.p(")\n")
	var names []string
	for _, a := range alts {
		names = append(names, strconv.Quote(a.c.Name))
	}
	b.p("var %sNames = [...]string{%s}\n", lowerFirst(ct), strings.Join(names, ", "))
	b.p("// String returns the ASN.1 name of the alternative.")
	b.p("func (c %s) String() string {", ct)
	b.p("if c >= 1 && int(c) <= len(%sNames) {", lowerFirst(ct))
	b.p("return %sNames[c-1]", lowerFirst(ct))
	b.p("}")
	b.p("return \"%s(\" + strconv.Itoa(int(c)) + \")\"", ct)
	b.p("}\n")
	g.imports["strconv"] = true

	g.docFor(b, d, " Choice says which alternative is present; the field of that\n// alternative (if it has one) holds its value.")
	b.p("type %s struct {", d.name)
	b.p("Choice %s", ct)
	for _, a := range alts {
		if a.name == "" {
			continue
		}
		tp := a.goType
		if a.pointer {
			tp = "*" + tp
		}
		b.p("// %s", a.c.Name)
		b.p("%s %s", a.name, tp)
	}
	if t.Ext {
		b.p("")
		b.p("raw *[]byte // contents of an extension alternative this code does not know")
	}
	b.p("}\n")

	// Encode.
	b.p("// Encode appends the ALIGNED PER encoding of v to e.")
	b.p("func (v *%s) Encode(e *per.Encoder) error {", d.name)
	b.p("switch v.Choice {")
	for _, a := range alts {
		b.p("case %s:", a.konst)
		b.p("e.PutChoice(%d, %d, %v)", a.index, root, t.Ext)
		if a.c.Addition {
			b.p("m := e.BeginOpen()")
		}
		if a.name != "" {
			expr := "v." + a.name
			if a.pointer {
				b.p("if v.%s == nil {", a.name)
				b.p("return per.Field(e.Missing(), %q)", a.c.Name)
				b.p("}")
			}
			if err := g.encodeValue(b, a.c.Type, expr, fieldFail(a.c.Name)); err != nil {
				return err
			}
		}
		if a.c.Addition {
			b.p("e.EndOpen(m)")
		}
	}
	b.p("default:")
	if t.Ext {
		b.p("if v.raw != nil && v.Choice > %d {", known)
		b.p("e.PutChoice(int(v.Choice)-1, %d, true)", root)
		b.p("return e.PutOpenRaw(*v.raw)")
		b.p("}")
	}
	b.p("return e.NoAlternative(uint32(v.Choice))")
	b.p("}")
	b.p("return nil")
	b.p("}\n")

	// Decode.
	g.emitResettingDecode(b, d.name)
	b.p("func (v *%s) decode(d *per.Decoder) error {", d.name)
	b.p("if err := d.Enter(); err != nil {")
	b.p("return err")
	b.p("}")
	b.p("idx, err := d.Choice(%d, %d, %v)", root, known, t.Ext)
	b.p("if err != nil {")
	b.p("return err")
	b.p("}")
	b.p("v.Choice = %s(idx + 1)", ct)
	b.p("switch idx {")
	for _, a := range alts {
		b.p("case %d:", a.index)
		dec := "d"
		if a.c.Addition {
			b.p("sub, err := d.OpenType()")
			b.p("if err != nil {")
			b.p("return %s", fieldFail(a.c.Name))
			b.p("}")
			b.p("sd := &sub")
			dec = "sd"
		}
		if a.name != "" {
			if a.pointer {
				b.p("v.%s = new(%s)", a.name, a.goType)
			}
			if err := g.decodeValue(b, a.c.Type, "v."+a.name, dec, fieldFail(a.c.Name)); err != nil {
				return err
			}
		}
		if a.c.Addition {
			b.p("if err := sd.Done(); err != nil {")
			b.p("return %s", fieldFail(a.c.Name))
			b.p("}")
		}
	}
	if t.Ext {
		b.p("default:")
		b.p("raw, err := d.OpenRaw()")
		b.p("if err != nil {")
		b.p("return err")
		b.p("}")
		b.p("v.raw = &raw")
	}
	b.p("}")
	b.p("d.Leave()")
	b.p("return nil")
	b.p("}\n")
	return nil
}

// emitResettingDecode writes the exported Decode of a SEQUENCE or CHOICE
// type: it clears the value and calls the unexported decode, which the
// generated code calls directly on values it knows to be zero.
func (g *gen) emitResettingDecode(b *w, name string) {
	b.p("// Decode replaces v with a value read from d.")
	b.p("func (v *%s) Decode(d *per.Decoder) error {", name)
	b.p("*v = %s{}", name)
	b.p("return v.decode(d)")
	b.p("}\n")
}

func lowerFirst(s string) string {
	return strings.ToLower(s[:1]) + s[1:]
}

func (g *gen) emitEnum(b *w, d *decl) error {
	t := d.t
	var root, adds []enumItem
	for _, it := range t.Items {
		if it.Addition {
			adds = append(adds, it)
		} else {
			root = append(root, it)
		}
	}
	sort.SliceStable(root, func(i, j int) bool { return root[i].Value < root[j].Value })
	items := append(append([]enumItem(nil), root...), adds...)
	g.docFor(b, d, " Its Go value is the PER index of the enumeration\n// item (root items in ascending order of their numbers, then extension items).")
	b.p("type %s uint32\n", d.name)
	b.p("// Values of %s.", d.name)
	b.p("const (")
	var names []string
	for i, it := range items {
		k := d.name + goName(it.Name)
		if err := g.claim(g.cur, k, d.asn+"."+it.Name+" (enumeration constant)"); err != nil {
			return err
		}
		b.p("%s %s = %d // %s(%d)", k, d.name, i, it.Name, it.Value)
		names = append(names, strconv.Quote(it.Name))
	}
	b.p(")\n")
	b.p("var %sNames = [...]string{%s}\n", lowerFirst(d.name), strings.Join(names, ", "))
	b.p("// String returns the ASN.1 name of the value.")
	b.p("func (v %s) String() string {", d.name)
	b.p("if int(v) < len(%sNames) {", lowerFirst(d.name))
	b.p("return %sNames[v]", lowerFirst(d.name))
	b.p("}")
	b.p("return \"%s(\" + strconv.Itoa(int(v)) + \")\"", d.name)
	b.p("}\n")
	g.imports["strconv"] = true
	b.p("// Encode appends the ALIGNED PER encoding of v to e.")
	b.p("func (v *%s) Encode(e *per.Encoder) error {", d.name)
	b.p("return e.PutEnumerated(int(*v), %d, %v)", len(root), t.Ext)
	b.p("}\n")
	b.p("// Decode reads v from d.")
	b.p("func (v *%s) Decode(d *per.Decoder) error {", d.name)
	b.p("x, err := d.Enumerated(%d, %d, %v)", len(root), len(items), t.Ext)
	b.p("if err != nil {")
	b.p("return err")
	b.p("}")
	b.p("*v = %s(x)", d.name)
	b.p("return nil")
	b.p("}\n")
	return nil
}
