package main

import (
	"fmt"
	"strconv"
	"strings"
)

// parser is a recursive-descent parser for ASN.1 modules (X.680 with the
// parameterisation of X.683), limited to what the ITU H.323 modules use.
type parser struct {
	toks []token
	pos  int
	file string
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) peekN(n int) token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, p.peek().line, fmt.Sprintf(format, args...))
}

func (p *parser) is(text string) bool {
	t := p.peek()
	return (t.kind == tIdent || t.kind == tSymbol) && t.text == text
}

func (p *parser) accept(text string) bool {
	if p.is(text) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expect(text string) error {
	if !p.accept(text) {
		return p.errorf("expected %q, found %v", text, p.peek())
	}
	return nil
}

func (p *parser) ident() (string, error) {
	t := p.peek()
	if t.kind != tIdent {
		return "", p.errorf("expected a name, found %v", t)
	}
	p.next()
	return t.text, nil
}

// skipBalanced skips a bracketed group starting at the current open token.
func (p *parser) skipBalanced() error {
	open := p.next().text
	closer := map[string]string{"{": "}", "(": ")"}[open]
	depth := 1
	for depth > 0 {
		t := p.next()
		switch {
		case t.kind == tEOF:
			return p.errorf("unbalanced %q", open)
		case t.kind == tSymbol && t.text == open:
			depth++
		case t.kind == tSymbol && t.text == closer:
			depth--
		}
	}
	return nil
}

// parseModule parses one module definition.
func parseModule(file, src string) (*module, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p := &parser{toks: toks, file: file}
	m := &module{File: file, byName: map[string]*assign{}}
	if m.Name, err = p.ident(); err != nil {
		return nil, err
	}
	if p.is("{") {
		start := p.pos
		if err := p.skipBalanced(); err != nil {
			return nil, err
		}
		var parts []string
		for _, t := range p.toks[start:p.pos] {
			parts = append(parts, t.text)
		}
		oid := strings.Join(parts, " ")
		for _, r := range [][2]string{{" ( ", "("}, {" )", ")"}, {"{ ", "{"}, {" }", "}"}} {
			oid = strings.ReplaceAll(oid, r[0], r[1])
		}
		m.OID = oid
	}
	if err := p.expect("DEFINITIONS"); err != nil {
		return nil, err
	}
	switch {
	case p.accept("AUTOMATIC"):
		if err := p.expect("TAGS"); err != nil {
			return nil, err
		}
	case p.is("EXPLICIT") || p.is("IMPLICIT"):
		return nil, p.errorf("only AUTOMATIC TAGS modules are supported")
	default:
		return nil, p.errorf("only AUTOMATIC TAGS modules are supported")
	}
	if p.is("EXTENSIBILITY") {
		return nil, p.errorf("EXTENSIBILITY IMPLIED is not supported")
	}
	if err := p.expect("::="); err != nil {
		return nil, err
	}
	if err := p.expect("BEGIN"); err != nil {
		return nil, err
	}
	if p.accept("EXPORTS") {
		for !p.accept(";") {
			if p.peek().kind == tEOF {
				return nil, p.errorf("unterminated EXPORTS")
			}
			p.next()
		}
	}
	if p.accept("IMPORTS") {
		if err := p.parseImports(m); err != nil {
			return nil, err
		}
	}
	for !p.accept("END") {
		a, err := p.parseAssignment()
		if err != nil {
			return nil, err
		}
		a.Mod = m
		if _, dup := m.byName[a.Name]; dup {
			return nil, fmt.Errorf("%s:%d: %s defined twice", file, a.Line, a.Name)
		}
		m.byName[a.Name] = a
		m.Assigns = append(m.Assigns, a)
	}
	return m, nil
}

func (p *parser) parseImports(m *module) error {
	var syms []string
	for !p.accept(";") {
		if p.accept("FROM") {
			from, err := p.ident()
			if err != nil {
				return err
			}
			if p.is("{") {
				if err := p.skipBalanced(); err != nil {
					return err
				}
			}
			m.Imports = append(m.Imports, importClause{From: from, Symbols: syms})
			syms = nil
			continue
		}
		name, err := p.ident()
		if err != nil {
			return err
		}
		if p.accept("{") {
			if err := p.expect("}"); err != nil {
				return err
			}
		}
		syms = append(syms, name)
		p.accept(",")
	}
	if len(syms) > 0 {
		return p.errorf("IMPORTS symbols without FROM: %v", syms)
	}
	return nil
}

func (p *parser) parseAssignment() (*assign, error) {
	line := p.peek().line
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	if name[0] < 'A' || name[0] > 'Z' {
		return nil, p.errorf("value assignment %s is not supported", name)
	}
	a := &assign{Name: name, Line: line}
	if p.accept("{") {
		for !p.accept("}") {
			param, err := p.ident()
			if err != nil {
				return nil, err
			}
			a.Params = append(a.Params, param)
			p.accept(",")
		}
	}
	if err := p.expect("::="); err != nil {
		return nil, err
	}
	if a.Type, err = p.parseType(); err != nil {
		return nil, err
	}
	return a, nil
}

var unsupportedTypes = map[string]bool{
	"ANY": true, "EXTERNAL": true, "REAL": true, "EMBEDDED": true, "CHARACTER": true,
	"INSTANCE": true, "UTCTime": true, "GeneralizedTime": true, "ObjectDescriptor": true,
	"RELATIVE-OID": true,
}

var stringTypes = map[string]kind{
	"IA5String": kString, "NumericString": kString, "PrintableString": kString,
	"VisibleString": kString, "ISO646String": kString, "BMPString": kString,
	"GeneralString": kRawString, "GraphicString": kRawString, "TeletexString": kRawString,
	"T61String": kRawString, "VideotexString": kRawString, "UTF8String": kRawString,
}

func (p *parser) parseType() (*Type, error) {
	t, err := p.parseBareType()
	if err != nil {
		return nil, err
	}
	for p.is("(") {
		c, err := p.parseConstraint()
		if err != nil {
			return nil, err
		}
		t.Cons = append(t.Cons, c)
	}
	return t, nil
}

func (p *parser) parseBareType() (*Type, error) {
	line := p.peek().line
	tok := p.peek()
	if tok.kind != tIdent {
		return nil, p.errorf("expected a type, found %v", tok)
	}
	p.next()
	t := &Type{Line: line}
	switch tok.text {
	case "BOOLEAN":
		t.Kind = kBoolean
	case "NULL":
		t.Kind = kNull
	case "INTEGER":
		t.Kind = kInteger
		if p.is("{") {
			return nil, p.errorf("INTEGER named numbers are not supported")
		}
	case "ENUMERATED":
		t.Kind = kEnumerated
		return t, p.parseEnumItems(t)
	case "BIT":
		if err := p.expect("STRING"); err != nil {
			return nil, err
		}
		t.Kind = kBitString
		if p.is("{") {
			return nil, p.errorf("BIT STRING named bits are not supported")
		}
	case "OCTET":
		if err := p.expect("STRING"); err != nil {
			return nil, err
		}
		t.Kind = kOctetString
	case "OBJECT":
		if err := p.expect("IDENTIFIER"); err != nil {
			return nil, err
		}
		t.Kind = kOID
	case "SEQUENCE", "SET":
		t.Kind = kSequence
		if tok.text == "SET" {
			t.Kind = kSet
		}
		if p.is("{") {
			return t, p.parseComponents(t, false)
		}
		// SEQUENCE [SIZE (...) | (SIZE (...))] OF Type
		t.Kind = kSequenceOf
		if tok.text == "SET" {
			t.Kind = kSetOf
		}
		switch {
		case p.is("SIZE"):
			p.next()
			inner, err := p.parseConstraint()
			if err != nil {
				return nil, err
			}
			t.Cons = append(t.Cons, &constraint{Root: &celem{Op: "size", Inner: inner}})
		case p.is("("):
			c, err := p.parseConstraint()
			if err != nil {
				return nil, err
			}
			t.Cons = append(t.Cons, c)
		}
		if err := p.expect("OF"); err != nil {
			return nil, err
		}
		if p.peek().kind == tIdent && p.peekN(1).kind == tIdent && p.peek().text[0] >= 'a' && p.peek().text[0] <= 'z' {
			p.next() // a named element ("SEQUENCE OF item Type")
		}
		elem, err := p.parseType()
		if err != nil {
			return nil, err
		}
		t.Elem = elem
	case "CHOICE":
		t.Kind = kChoice
		return t, p.parseComponents(t, true)
	case "TYPE-IDENTIFIER":
		if err := p.expect("."); err != nil {
			return nil, err
		}
		if err := p.expect("&Type"); err != nil {
			return nil, err
		}
		t.Kind = kOpen
		if p.is("(") {
			// A type constraint on the open type: remember the type for docs.
			if p.peekN(1).kind == tIdent {
				t.OpenOf = p.peekN(1).text
			}
			if err := p.skipBalanced(); err != nil {
				return nil, err
			}
		}
	default:
		if k, ok := stringTypes[tok.text]; ok {
			t.Kind, t.Str = k, tok.text
			break
		}
		if tok.text[0] < 'A' || tok.text[0] > 'Z' || unsupportedTypes[tok.text] {
			return nil, p.errorf("unsupported type %s", tok.text)
		}
		t.Kind = kRef
		t.Ref = tok.text
		if p.is(".") {
			return nil, p.errorf("external type references (%s.) are not supported", tok.text)
		}
		if p.accept("{") {
			for !p.accept("}") {
				arg, err := p.parseType()
				if err != nil {
					return nil, err
				}
				t.Args = append(t.Args, arg)
				p.accept(",")
			}
		}
	}
	return t, nil
}

func (p *parser) parseEnumItems(t *Type) error {
	if err := p.expect("{"); err != nil {
		return err
	}
	addition := false
	used := map[int64]bool{}
	for !p.accept("}") {
		if p.accept("...") {
			if addition {
				return p.errorf("second extension marker in ENUMERATED")
			}
			t.Ext, addition = true, true
			p.accept(",")
			continue
		}
		name, err := p.ident()
		if err != nil {
			return err
		}
		it := enumItem{Name: name, Value: -1, Addition: addition}
		if p.accept("(") {
			neg := p.accept("-")
			n, err := p.number()
			if err != nil {
				return err
			}
			if neg {
				n = -n
			}
			it.Value = n
			used[n] = true
			if err := p.expect(")"); err != nil {
				return err
			}
		}
		t.Items = append(t.Items, it)
		p.accept(",")
	}
	// X.680 20.3: unnumbered root items take the smallest unused values;
	// additions take values above the previous item.
	next := int64(0)
	last := int64(-1)
	for i := range t.Items {
		it := &t.Items[i]
		if it.Value >= 0 {
			last = it.Value
			continue
		}
		if it.Addition {
			v := last + 1
			for used[v] {
				v++
			}
			it.Value = v
		} else {
			for used[next] {
				next++
			}
			it.Value = next
		}
		used[it.Value] = true
		last = it.Value
	}
	return nil
}

func (p *parser) number() (int64, error) {
	t := p.peek()
	if t.kind != tNumber {
		return 0, p.errorf("expected a number, found %v", t)
	}
	p.next()
	return strconv.ParseInt(t.text, 10, 64)
}

func (p *parser) parseComponents(t *Type, choice bool) error {
	if err := p.expect("{"); err != nil {
		return err
	}
	markers := 0
	for !p.accept("}") {
		if p.accept("...") {
			markers++
			t.Ext = true
			if markers > 2 {
				return p.errorf("more than two extension markers")
			}
			if p.is("!") {
				return p.errorf("exception specifications are not supported")
			}
			p.accept(",")
			continue
		}
		if p.is("[[") {
			return p.errorf("extension addition groups are not supported")
		}
		if p.is("COMPONENTS") {
			return p.errorf("COMPONENTS OF is not supported")
		}
		name, err := p.ident()
		if err != nil {
			return err
		}
		if p.is("[") {
			return p.errorf("explicit tags are not supported (component %s)", name)
		}
		ct, err := p.parseType()
		if err != nil {
			return err
		}
		c := &component{Name: name, Type: ct, Addition: markers == 1}
		if !choice {
			switch {
			case p.accept("OPTIONAL"):
				c.Optional = true
			case p.is("DEFAULT"):
				return p.errorf("DEFAULT values are not supported (component %s)", name)
			}
		}
		t.Comps = append(t.Comps, c)
		if !p.accept(",") && !p.is("}") {
			return p.errorf("expected ',' or '}' after component %s, found %v", name, p.peek())
		}
	}
	return nil
}

// parseConstraint parses "( ElementSetSpecs )".
func (p *parser) parseConstraint() (*constraint, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	c := &constraint{}
	if p.is("CONSTRAINED") || p.is("WITH") {
		// User-defined and inner-subtype constraints are not PER-visible.
		p.next()
		if p.accept("BY") || p.accept("COMPONENTS") {
			if p.is("{") {
				if err := p.skipBalanced(); err != nil {
					return nil, err
				}
			}
		} else if p.accept("COMPONENT") {
			if p.is("(") {
				if err := p.skipBalanced(); err != nil {
					return nil, err
				}
			}
		}
		c.Root = &celem{Op: "ignored"}
		return c, p.expect(")")
	}
	if p.is("...") {
		p.next()
		c.Ext = true
	} else {
		root, err := p.parseElementSet()
		if err != nil {
			return nil, err
		}
		c.Root = root
		if p.accept(",") {
			if err := p.expect("..."); err != nil {
				return nil, err
			}
			c.Ext = true
		}
	}
	if c.Ext && p.accept(",") {
		add, err := p.parseElementSet()
		if err != nil {
			return nil, err
		}
		c.Additional = add
	}
	return c, p.expect(")")
}

func (p *parser) parseElementSet() (*celem, error) {
	var union []*celem
	for {
		var inter []*celem
		for {
			e, err := p.parseElement()
			if err != nil {
				return nil, err
			}
			inter = append(inter, e)
			if !p.accept("^") && !p.accept("INTERSECTION") {
				break
			}
		}
		if len(inter) == 1 {
			union = append(union, inter[0])
		} else {
			union = append(union, &celem{Op: "intersection", Kids: inter})
		}
		if !p.accept("|") && !p.accept("UNION") {
			break
		}
	}
	if len(union) == 1 {
		return union[0], nil
	}
	return &celem{Op: "union", Kids: union}, nil
}

func (p *parser) parseElement() (*celem, error) {
	switch {
	case p.accept("SIZE"):
		inner, err := p.parseConstraint()
		return &celem{Op: "size", Inner: inner}, err
	case p.accept("FROM"):
		inner, err := p.parseConstraint()
		return &celem{Op: "from", Inner: inner}, err
	case p.is("("):
		inner, err := p.parseConstraint()
		if err != nil {
			return nil, err
		}
		if inner.Ext {
			return nil, p.errorf("extensible nested constraint is not supported")
		}
		return inner.Root, nil
	case p.is("WITH") || p.is("CONSTRAINED"):
		p.next()
		p.next()
		if p.is("{") || p.is("(") {
			if err := p.skipBalanced(); err != nil {
				return nil, err
			}
		}
		return &celem{Op: "ignored"}, nil
	}
	t := p.peek()
	if t.kind == tIdent && t.text[0] >= 'A' && t.text[0] <= 'Z' && t.text != "MIN" && t.text != "MAX" {
		ty, err := p.parseType()
		return &celem{Op: "type", Type: ty}, err
	}
	lo, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	p.accept("<")
	if p.accept("..") {
		p.accept("<")
		hi, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		return &celem{Op: "range", Lo: lo, Hi: hi}, nil
	}
	return &celem{Op: "value", Lo: lo}, nil
}

func (p *parser) parseValue() (value, error) {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.next()
		return value{Str: t.text, IsStr: true}, nil
	case t.kind == tIdent && t.text == "MIN":
		p.next()
		return value{Min: true}, nil
	case t.kind == tIdent && t.text == "MAX":
		p.next()
		return value{Max: true}, nil
	case t.kind == tSymbol && t.text == "-":
		p.next()
		n, err := p.number()
		return value{Num: -n}, err
	case t.kind == tNumber:
		n, err := p.number()
		return value{Num: n}, err
	}
	return value{}, p.errorf("unsupported value %v in constraint", t)
}
