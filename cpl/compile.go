package cpl

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// Program is a compiled CPL script (CPL-28). It is immutable and safe for
// concurrent Evaluate calls; compile once, evaluate many times (BX-9).
type Program struct {
	dialect  Dialect
	ext      bool
	fragment bool
	// entry points; a fragment or Expressway script has only routed.
	routed, incoming, outgoing          node
	hasRouted, hasIncoming, hasOutgoing bool
	cfg                                 *config
	src                                 string
	nodes                               int
}

// Dialect returns the dialect the program was compiled in.
func (p *Program) Dialect() Dialect { return p.dialect }

// Source returns the script text the program was compiled from.
func (p *Program) Source() string { return p.src }

// Fragment reports whether the script was a bare node rather than a cpl
// document (CPL-4).
func (p *Program) Fragment() bool { return p.fragment }

// Compile parses, validates and compiles a CPL script: a full cpl document
// or a fragment such as <reject status='403'/> (CPL-4, CPL-28). Options
// select the dialect (Expressway by default, RFC3880) and the limits. A
// refused script yields an ErrorList of *CompileError values with every
// fault found, in document order.
func Compile(src []byte, opts ...Option) (*Program, error) {
	cfg := newConfig(opts)
	sink := &errSink{m: newSrcMap(src), max: cfg.limits.MaxErrors, dialect: cfg.dialect}
	root := parseTree(src, cfg.limits, sink)
	if root == nil || len(sink.errs) > 0 && sink.full() {
		if len(sink.errs) == 0 {
			return nil, ErrorList{{Line: 1, Column: 1, Code: CodeXML, Offset: -1, Msg: "unreadable script", Dialect: cfg.dialect}}
		}
		return nil, sink.errs
	}
	c := &compiler{cfg: cfg, sink: sink, rfc: cfg.dialect == RFC3880}
	p := &Program{dialect: cfg.dialect, ext: cfg.ext, cfg: cfg, src: string(src)}
	c.program(root, p)
	if len(sink.errs) > 0 {
		// Report in document order (CPL-28).
		slices.SortStableFunc(sink.errs, func(a, b *CompileError) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Column - b.Column
		})
		return nil, sink.errs
	}
	p.nodes = c.nodes
	return p, nil
}

// MustCompile is like Compile but panics on error; for scripts that are
// constants of a program or test.
func MustCompile(src string, opts ...Option) *Program {
	p, err := Compile([]byte(src), opts...)
	if err != nil {
		panic(err)
	}
	return p
}

type subState struct {
	x        *xnode
	compiled node
	state    uint8 // 0 not yet, 1 in progress, 2 done
}

type compiler struct {
	cfg   *config
	sink  *errSink
	rfc   bool
	subs  map[string]*subState
	nodes int
}

func (c *compiler) meta(x *xnode) nodeMeta {
	c.nodes++
	line, col := c.sink.m.pos(x.off)
	return nodeMeta{elem: x.name(), line: line, col: col}
}

func (c *compiler) program(root *xnode, p *Program) {
	if root.ns == nsKindOther {
		c.sink.node(root, CodeNamespace, "element %s is in namespace %q, not %s", root.local, root.space, nsCPL)
		return
	}
	if root.is(nsKindCPL, "cpl") {
		c.document(root, p)
		return
	}
	p.fragment = true
	switch {
	case root.is(nsKindTAA, "routed") && c.cfg.ext:
		c.attrs(root)
		p.routed, p.hasRouted = c.container(root), true
	case root.is(nsKindCPL, "incoming") && c.rfc:
		c.attrs(root)
		p.incoming, p.hasIncoming = c.container(root), true
	case root.is(nsKindCPL, "outgoing") && c.rfc:
		c.attrs(root)
		p.outgoing, p.hasOutgoing = c.container(root), true
	default:
		p.routed, p.hasRouted = c.node(root), true
	}
}

func (c *compiler) document(root *xnode, p *Program) {
	a := c.attrs(root, c.rootAttrs()...)
	var subs []*xnode
	for _, k := range root.kids {
		if k.is(nsKindCPL, "subaction") && c.rfc {
			subs = append(subs, k)
		}
	}
	c.subs = map[string]*subState{}
	for _, s := range subs {
		sa := c.attrs(s, "id")
		id := sa.get("id")
		if id == nil {
			c.sink.node(s, CodeMissingAttribute, "subaction needs an id")
			continue
		}
		if _, dup := c.subs[id.value]; dup {
			c.sink.attr(s, id, CodeDuplicate, "subaction id %q is defined twice", id.value)
			continue
		}
		c.subs[id.value] = &subState{x: s}
	}
	if c.rfc {
		c.extensions(root, a)
	}
	for _, k := range root.kids {
		switch {
		case k.ns == nsKindOther:
			c.sink.node(k, CodeNamespace, "element %s in unknown namespace %q", k.local, k.space)
		case k.is(nsKindTAA, "routed"):
			if !c.cfg.ext {
				c.sink.node(k, CodeNamespace, "taa:routed needs the taa: extensions (WithExtensions(true))")
				continue
			}
			c.attrs(k)
			if p.hasRouted {
				c.sink.node(k, CodeDuplicate, "a script has a single taa:routed section (CPL-2)")
				continue
			}
			p.routed, p.hasRouted = c.container(k), true
		case k.is(nsKindCPL, "incoming"), k.is(nsKindCPL, "outgoing"):
			if !c.rfc {
				c.sink.node(k, CodeUnsupported, "%s is not supported in the Expressway dialect; use a single taa:routed section (CPL-2)", k.local)
				continue
			}
			c.attrs(k)
			if k.local == "incoming" {
				if p.hasIncoming {
					c.sink.node(k, CodeDuplicate, "incoming appears twice")
					continue
				}
				p.incoming, p.hasIncoming = c.container(k), true
			} else {
				if p.hasOutgoing {
					c.sink.node(k, CodeDuplicate, "outgoing appears twice")
					continue
				}
				p.outgoing, p.hasOutgoing = c.container(k), true
			}
		case k.is(nsKindCPL, "ancillary"):
			// accepted and ignored (CPL-2)
		case k.is(nsKindCPL, "subaction"):
			if !c.rfc {
				c.sink.node(k, CodeUnsupported, "subaction is not supported in the Expressway dialect (CPL-3)")
			}
		default:
			c.misplaced(k, "cpl")
		}
	}
	// Compile subactions nobody referenced, so their faults are reported.
	for _, s := range subs {
		id := attrValue(s, "id")
		if st := c.subs[id]; st != nil && st.x == s && st.state == 0 {
			c.subaction(st)
		}
	}
}

func (c *compiler) rootAttrs() []string {
	if c.rfc {
		return []string{"extensions", "require"}
	}
	return nil
}

// extensions implements the RFC 3880 extension mechanism: require lists
// the namespace prefixes the script cannot run without; a required
// extension the engine does not implement refuses the script.
func (c *compiler) extensions(root *xnode, a attrSet) {
	req := a.get("require")
	if req == nil {
		return
	}
	for _, name := range strings.Fields(req.value) {
		ok := c.cfg.ext && (name == "taa" || name == nsTAA)
		if !ok {
			c.sink.attr(root, req, CodeExtension, "required extension %q is not supported", name)
		}
	}
}

func attrValue(x *xnode, name string) string {
	for _, a := range x.attrs {
		if a.space == "" && a.local == name {
			return a.value
		}
	}
	return ""
}

// attrSet is an element's attributes after checking that each is allowed.
type attrSet struct{ x *xnode }

func (s attrSet) get(name string) *xattr {
	for i := range s.x.attrs {
		a := &s.x.attrs[i]
		if a.space == "" && a.local == name {
			return a
		}
	}
	return nil
}

// attrs reports every attribute of x that is not in allowed. Attributes in
// the XML Schema instance namespace are accepted and ignored anywhere
// (CPL-1).
func (c *compiler) attrs(x *xnode, allowed ...string) attrSet {
	for i := range x.attrs {
		a := &x.attrs[i]
		if a.space == nsXSI || a.space == "xsi" || a.space == "xml" || a.space == "http://www.w3.org/XML/1998/namespace" {
			continue
		}
		ok := false
		if a.space == "" {
			for _, n := range allowed {
				if n == a.local {
					ok = true
					break
				}
			}
		}
		if !ok {
			name := a.local
			if a.space != "" {
				name = a.space + ":" + a.local
			}
			c.sink.attr(x, a, CodeBadAttribute, "%s does not take attribute %s", x.name(), name)
		}
	}
	return attrSet{x}
}

// container compiles the single child node of a container element
// (CPL-5); an empty container ends the path.
func (c *compiler) container(x *xnode) node {
	if len(x.kids) == 0 {
		return nil
	}
	if len(x.kids) > 1 {
		c.sink.node(x.kids[1], CodeChildCount, "%s holds at most one node; found %d (CPL-5)", x.name(), len(x.kids))
	}
	var first node
	for i, k := range x.kids {
		n := c.node(k)
		if i == 0 {
			first = n
		}
	}
	return first
}

var rfcOnlyNodes = map[string]bool{
	"time-switch": true, "string-switch": true, "language-switch": true, "priority-switch": true,
	"redirect": true, "mail": true, "log": true, "subaction": true, "sub": true,
	"lookup": true, "remove-location": true,
}

var outputNames = map[string]string{
	"address": "address-switch", "not-present": "a switch", "otherwise": "a switch",
	"busy": "proxy", "noanswer": "proxy", "redirection": "proxy", "failure": "proxy or lookup",
	"default": "proxy", "success": "lookup", "notfound": "lookup", "string": "string-switch",
	"language": "language-switch", "priority": "priority-switch", "time": "time-switch",
	"incoming": "cpl", "outgoing": "cpl", "ancillary": "cpl", "cpl": "nothing (it is the root)",
}

// node compiles an element in node position: a switch, a location
// modifier or a signalling/non-signalling action.
func (c *compiler) node(x *xnode) node {
	switch x.ns {
	case nsKindOther:
		c.sink.node(x, CodeNamespace, "element %s in unknown namespace %q", x.local, x.space)
		return nil
	case nsKindTAA:
		if !c.cfg.ext {
			c.sink.node(x, CodeNamespace, "%s needs the taa: extensions (WithExtensions(true))", x.name())
			return nil
		}
		switch x.local {
		case "rule-switch":
			return c.ruleSwitch(x)
		case "location":
			return c.location(x, true)
		case "rule":
			c.sink.node(x, CodeWrongParent, "taa:rule may only appear inside taa:rule-switch")
		case "routed":
			c.sink.node(x, CodeWrongParent, "taa:routed may only appear directly inside cpl")
		default:
			c.sink.node(x, CodeUnknownElement, "unknown extension element %s", x.name())
		}
		return nil
	}
	if rfcOnlyNodes[x.local] && !c.rfc {
		c.sink.node(x, CodeUnsupported, "%s is not supported in the Expressway dialect (CPL-3)", x.local)
		return nil
	}
	switch x.local {
	case "address-switch":
		return c.addressSwitch(x)
	case "location":
		return c.location(x, false)
	case "proxy":
		return c.proxy(x)
	case "reject":
		return c.reject(x)
	case "redirect":
		return c.redirect(x)
	case "string-switch":
		return c.stringSwitch(x)
	case "language-switch":
		return c.languageSwitch(x)
	case "priority-switch":
		return c.prioritySwitch(x)
	case "time-switch":
		return c.timeSwitch(x)
	case "lookup":
		return c.lookup(x)
	case "remove-location":
		return c.removeLocation(x)
	case "mail":
		return c.mail(x)
	case "log":
		return c.log(x)
	case "sub":
		return c.sub(x)
	case "subaction":
		c.sink.node(x, CodeWrongParent, "subaction may only appear directly inside cpl")
		return nil
	}
	c.misplaced(x, "")
	return nil
}

func (c *compiler) misplaced(x *xnode, where string) {
	if x.ns == nsKindCPL {
		if parent, ok := outputNames[x.local]; ok {
			c.sink.node(x, CodeWrongParent, "%s may only appear inside %s", x.local, parent)
			return
		}
		if rfcOnlyNodes[x.local] && !c.rfc {
			c.sink.node(x, CodeUnsupported, "%s is not supported in the Expressway dialect (CPL-3)", x.local)
			return
		}
		if where == "cpl" {
			switch x.local {
			case "address-switch", "location", "proxy", "reject", "redirect", "string-switch", "language-switch",
				"priority-switch", "time-switch", "lookup", "remove-location", "mail", "log", "sub":
				c.sink.node(x, CodeWrongParent, "%s must be inside a top-level action (taa:routed)", x.local)
				return
			}
		}
	}
	if x.ns == nsKindTAA {
		c.sink.node(x, CodeWrongParent, "%s may not appear here", x.name())
		return
	}
	c.sink.node(x, CodeUnknownElement, "unknown element %s", x.name())
}

// switchOutputs walks the outputs of a switch: case elements named
// caseName go to onCase; not-present and otherwise are checked for
// duplicates and order (CPL-7).
func (c *compiler) switchOutputs(x *xnode, caseName string, allowNotPresent bool, notPresent, otherwise *output, onCase func(k *xnode, n int)) {
	n := 0
	for i, k := range x.kids {
		if otherwise.set {
			c.sink.node(k, CodeOrder, "otherwise must be the last output of %s", x.name())
		}
		switch {
		case k.is(nsKindCPL, caseName):
			n++
			onCase(k, n)
		case k.is(nsKindCPL, "not-present") && allowNotPresent:
			c.attrs(k)
			if notPresent.set {
				c.sink.node(k, CodeDuplicate, "%s has more than one not-present output", x.name())
				continue
			}
			*notPresent = output{set: true, label: "not-present", next: c.container(k)}
		case k.is(nsKindCPL, "otherwise"):
			c.attrs(k)
			if otherwise.set {
				c.sink.node(k, CodeDuplicate, "%s has more than one otherwise output", x.name())
				continue
			}
			*otherwise = output{set: true, label: "otherwise", next: c.container(k)}
			_ = i
		default:
			if k.ns == nsKindCPL {
				c.sink.node(k, CodeWrongParent, "%s may not contain %s; its outputs are %s, not-present and otherwise", x.name(), k.name(), caseName)
			} else {
				c.misplaced(k, "")
			}
		}
	}
}

func (c *compiler) addressSwitch(x *xnode) node {
	m := c.meta(x)
	a := c.attrs(x, "field", "subfield")
	s := &addressSwitch{nodeMeta: m, rfc: c.rfc}
	if f := a.get("field"); f == nil {
		c.sink.node(x, CodeMissingAttribute, "address-switch needs a field attribute")
	} else if fv, ok := c.fieldOf(f.value); !ok {
		c.sink.attr(x, f, CodeValue, "unknown field %q", f.value)
	} else {
		s.field = fv
	}
	if sf := a.get("subfield"); sf != nil {
		v, ok := subfieldNames[sf.value]
		if !ok {
			c.sink.attr(x, sf, CodeValue, "unknown subfield %q", sf.value)
		}
		s.sub = v
	}
	c.switchOutputs(x, "address", true, &s.notPresent, &s.otherwise, func(k *xnode, n int) {
		s.cases = append(s.cases, addrCase{output: output{set: true, label: "address[" + strconv.Itoa(n) + "]"}})
		cs := &s.cases[len(s.cases)-1]
		cs.m = c.addressMatcher(k)
		cs.next = c.container(k)
	})
	return s
}

func (c *compiler) fieldOf(name string) (field, bool) {
	f, ok := fieldNames[name]
	if !ok {
		return 0, false
	}
	if c.rfc {
		switch name {
		case "origin":
			return fieldUnauthenticatedOrigin, true
		case "destination", "original-destination":
			return f, true
		}
		return f, c.cfg.ext
	}
	return f, true
}

func (c *compiler) addressMatcher(k *xnode) matcher {
	names := []string{"is", "contains", "subdomain-of"}
	if c.cfg.ext {
		names = append(names, "regex")
	}
	a := c.attrs(k, names...)
	var found []*xattr
	for _, n := range names {
		if v := a.get(n); v != nil {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		c.sink.node(k, CodeMissingAttribute, "address needs one of %s", strings.Join(names, ", "))
		return matcher{}
	case 1:
	default:
		c.sink.attr(k, found[1], CodeConflict, "address takes exactly one of %s", strings.Join(names, ", "))
		return matcher{}
	}
	v := found[0]
	switch v.local {
	case "is":
		return matcher{kind: matchIs, lit: v.value}
	case "contains":
		return matcher{kind: matchContains, lit: v.value}
	case "subdomain-of":
		return matcher{kind: matchSubdomain, lit: v.value}
	}
	return matcher{kind: matchRegex, re: c.regex(k, v, "")}
}

// regex compiles a regular expression attribute through the dial plan's
// pattern package. prefix is prepended (inline options for message-regex)
// and is not counted in error offsets.
func (c *compiler) regex(x *xnode, a *xattr, prefix string) *regexMatcher {
	if len(a.value) > c.cfg.limits.MaxRegexLen {
		c.sink.attr(x, a, CodeLimit, "regular expression is %d bytes, more than the limit of %d", len(a.value), c.cfg.limits.MaxRegexLen)
		return nil
	}
	p, err := pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: prefix + a.value, Behavior: pattern.Leave},
		pattern.Options{Facts: c.cfg.facts, Budget: c.cfg.limits.RegexBudget})
	if err != nil {
		c.regexError(x, a, err, len(prefix))
		return nil
	}
	return newRegexMatcher(p, a.value)
}

// rewrite compiles a regex/replace attribute pair.
func (c *compiler) rewrite(x *xnode, re, repl *xattr) *pattern.Pattern {
	if len(re.value) > c.cfg.limits.MaxRegexLen {
		c.sink.attr(x, re, CodeLimit, "regular expression is %d bytes, more than the limit of %d", len(re.value), c.cfg.limits.MaxRegexLen)
		return nil
	}
	p, err := pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: re.value, Behavior: pattern.Replace, Replace: repl.value},
		pattern.Options{Facts: c.cfg.facts, Budget: c.cfg.limits.RegexBudget})
	if err != nil {
		var se *pattern.SyntaxError
		if errors.As(err, &se) && se.Field == pattern.FieldReplace {
			c.regexError(x, repl, err, 0)
		} else {
			c.regexError(x, re, err, 0)
		}
		return nil
	}
	return p
}

func (c *compiler) regexError(x *xnode, a *xattr, err error, shift int) {
	pos := -1
	msg := err.Error()
	var se *pattern.SyntaxError
	if errors.As(err, &se) {
		msg = se.Msg
		if se.Pos >= 0 {
			pos = se.Pos - shift
			if pos < 0 {
				pos = 0
			}
		}
	}
	off := a.off
	if off < 0 {
		off = x.off
	}
	if pos >= 0 && a.verbatim && a.valOff >= 0 {
		off = a.valOff + pos
	}
	if c.sink.full() {
		return
	}
	line, col := c.sink.m.pos(off)
	c.sink.errs = append(c.sink.errs, &CompileError{
		Line: line, Column: col, Path: x.path(), Code: CodeRegex, Attr: a.local, Offset: pos,
		Msg: "invalid regular expression " + strconv.Quote(clip(a.value, 60)) + ": " + msg, Dialect: c.sink.dialect,
	})
}

var originSelectors = []string{"origin", "authenticated-origin", "unauthenticated-origin", "registered-origin", "originating-user", "originating-zone"}

func (c *compiler) ruleSwitch(x *xnode) node {
	s := &ruleSwitch{nodeMeta: c.meta(x)}
	c.attrs(x)
	n := 0
	for _, k := range x.kids {
		if !k.is(nsKindTAA, "rule") {
			if k.ns == nsKindTAA || k.ns == nsKindCPL {
				c.sink.node(k, CodeWrongParent, "taa:rule-switch may only contain taa:rule, not %s", k.name())
			} else {
				c.misplaced(k, "")
			}
			continue
		}
		n++
		c.nodes++
		allowed := append(append([]string{}, originSelectors...), "destination", "message-regex")
		a := c.attrs(k, allowed...)
		r := rule{output: output{set: true, label: "rule[" + strconv.Itoa(n) + "]"}}
		var sel []*xattr
		for _, name := range originSelectors {
			if v := a.get(name); v != nil {
				sel = append(sel, v)
			}
		}
		switch len(sel) {
		case 0:
			c.sink.node(k, CodeMissingAttribute, "taa:rule needs one origin selector: %s", strings.Join(originSelectors, ", "))
		case 1:
			r.originField = fieldNames[sel[0].local]
			if c.rfc && sel[0].local == "origin" {
				r.originField = fieldUnauthenticatedOrigin // RFC 3880 meaning
			}
			r.origin = c.regex(k, sel[0], "")
		default:
			c.sink.attr(k, sel[1], CodeConflict, "taa:rule takes exactly one origin selector; found %s and %s", sel[0].local, sel[1].local)
		}
		if d := a.get("destination"); d != nil {
			r.dest = c.regex(k, d, "")
		}
		if m := a.get("message-regex"); m != nil {
			// Whole-message match, . matches newline, ^ and $ at line
			// boundaries (CPL-18).
			r.msg = c.regex(k, m, "(?sm)")
			if r.msg != nil {
				r.msg.dotAll = true
			}
		}
		r.next = c.container(k)
		s.rules = append(s.rules, r)
	}
	return s
}

func (c *compiler) yesNo(x *xnode, a *xattr, def bool) bool {
	if a == nil {
		return def
	}
	switch a.value {
	case "yes":
		return true
	case "no":
		return false
	}
	c.sink.attr(x, a, CodeValue, "%s must be yes or no, not %q", a.local, a.value)
	return def
}

// priorityValue parses a decimal 0.0..1.0 (CPL-21).
func (c *compiler) priorityValue(x *xnode, a *xattr) float64 {
	v := a.value
	ok := v != ""
	dot := false
	for i := 0; i < len(v) && ok; i++ {
		switch {
		case v[i] >= '0' && v[i] <= '9':
		case v[i] == '.' && !dot:
			dot = true
		default:
			ok = false
		}
	}
	if !ok || v == "." {
		c.sink.attr(x, a, CodeValue, "priority must be a decimal number from 0.0 to 1.0, not %q", v)
		return 1
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		c.sink.attr(x, a, CodeRange, "priority %q is outside 0.0..1.0", v)
		return 1
	}
	return f
}

func (c *compiler) location(x *xnode, taa bool) node {
	l := &locationNode{nodeMeta: c.meta(x), priority: 1}
	var a attrSet
	if taa {
		a = c.attrs(x, "url", "priority", "clear", "regex", "replace", "source-url-for-message",
			"source-url-for-message-regex", "source-url-for-message-replace")
	} else {
		a = c.attrs(x, "url", "priority", "clear")
	}
	url := a.get("url")
	if url != nil {
		if url.value == "" {
			c.sink.attr(x, url, CodeValue, "url must not be empty")
		}
		l.url = url.value
		l.hasEffect = true
	}
	if p := a.get("priority"); p != nil {
		if taa && p.value == "random" {
			l.random = true
		} else {
			l.priority = c.priorityValue(x, p)
		}
	}
	l.clear = c.yesNo(x, a.get("clear"), false)
	if !taa {
		if url == nil {
			c.sink.node(x, CodeMissingAttribute, "location needs a url attribute")
		}
		l.next = c.container(x)
		return l
	}
	re, repl := a.get("regex"), a.get("replace")
	switch {
	case re != nil && repl == nil:
		c.sink.attr(x, re, CodeMissingAttribute, "regex needs a replace attribute (CPL-22)")
	case re == nil && repl != nil:
		c.sink.attr(x, repl, CodeMissingAttribute, "replace needs a regex attribute (CPL-22)")
	case re != nil:
		if url != nil {
			c.sink.attr(x, re, CodeConflict, "regex/replace and url exclude each other (CPL-22)")
		}
		l.rewrite = c.rewrite(x, re, repl)
		l.hasEffect = true
	}
	su, sre, srepl := a.get("source-url-for-message"), a.get("source-url-for-message-regex"), a.get("source-url-for-message-replace")
	if su != nil {
		l.srcURL, l.srcSet = su.value, true
		l.hasEffect = true
		if sre != nil {
			c.sink.attr(x, sre, CodeConflict, "source-url-for-message and source-url-for-message-regex exclude each other (CPL-23)")
		}
	}
	switch {
	case sre != nil && srepl == nil:
		c.sink.attr(x, sre, CodeMissingAttribute, "source-url-for-message-regex needs source-url-for-message-replace (CPL-23)")
	case sre == nil && srepl != nil:
		c.sink.attr(x, srepl, CodeMissingAttribute, "source-url-for-message-replace needs source-url-for-message-regex (CPL-23)")
	case sre != nil:
		l.srcRegex = c.rewrite(x, sre, srepl)
		l.hasEffect = true
	}
	if url == nil && re == nil && repl == nil && su == nil && sre == nil && srepl == nil {
		c.sink.node(x, CodeMissingAttribute, "taa:location needs url, regex+replace, or a source-url-for-message attribute")
	}
	l.next = c.container(x)
	return l
}

var proxyOutputs = map[string]Outcome{
	"default": NoOutcome, "busy": Busy, "noanswer": NoAnswer, "redirection": Redirection, "failure": Failure,
}

func (c *compiler) proxy(x *xnode) node {
	p := &proxyNode{nodeMeta: c.meta(x), timeout: 20 * time.Second, recurse: true}
	names := []string{"timeout"}
	if !c.rfc || c.cfg.ext {
		names = append(names, "stop-on-busy")
	}
	if c.rfc {
		names = append(names, "recurse", "ordering")
	}
	a := c.attrs(x, names...)
	if t := a.get("timeout"); t != nil {
		n, err := strconv.Atoi(t.value)
		switch {
		case err != nil && !allDigits(t.value):
			c.sink.attr(x, t, CodeValue, "timeout must be a whole number of seconds, not %q", t.value)
		case err != nil || n < 1 || n > 86400:
			c.sink.attr(x, t, CodeRange, "timeout %s is outside 1..86400 seconds", t.value)
		default:
			p.timeout = time.Duration(n) * time.Second
		}
	}
	p.stopOnBusy = c.yesNo(x, a.get("stop-on-busy"), false)
	p.recurse = c.yesNo(x, a.get("recurse"), true)
	if o := a.get("ordering"); o != nil {
		switch o.value {
		case "parallel":
			p.ordering = Parallel
		case "sequential":
			p.ordering = Sequential
		case "first-only":
			p.ordering = FirstOnly
		default:
			c.sink.attr(x, o, CodeValue, "ordering must be parallel, sequential or first-only, not %q", o.value)
		}
	}
	for _, k := range x.kids {
		oc, ok := proxyOutputs[k.local]
		if k.ns != nsKindCPL || !ok {
			if k.ns == nsKindCPL {
				c.sink.node(k, CodeWrongParent, "proxy may only contain the outputs busy, noanswer, redirection, failure and default, not %s", k.name())
			} else {
				c.misplaced(k, "")
			}
			continue
		}
		c.attrs(k)
		if p.outs[oc].set {
			c.sink.node(k, CodeDuplicate, "proxy has more than one %s output", k.local)
			continue
		}
		p.outs[oc] = output{set: true, label: k.local, next: c.container(k)}
		p.hasOutputs = true
	}
	return p
}

var rejectKeywords = map[string]int{"busy": 486, "notfound": 404, "reject": 603, "error": 500}

func (c *compiler) reject(x *xnode) node {
	r := &rejectNode{nodeMeta: c.meta(x), status: 403}
	a := c.attrs(x, "status", "reason")
	if s := a.get("status"); s != nil {
		if n, ok := rejectKeywords[s.value]; ok {
			r.status = n
		} else if n, err := strconv.Atoi(s.value); err == nil && allDigits(s.value) {
			if n < 400 || n > 699 {
				c.sink.attr(x, s, CodeRange, "reject status %s is outside 400..699", s.value)
			}
			r.status = n
		} else {
			c.sink.attr(x, s, CodeValue, "reject status must be a code 400..699 or busy, notfound, reject, error; not %q", s.value)
		}
	} else if c.rfc {
		c.sink.node(x, CodeMissingAttribute, "reject needs a status attribute")
	}
	if rs := a.get("reason"); rs != nil {
		r.reason = rs.value
	}
	c.noKids(x)
	return r
}

func (c *compiler) noKids(x *xnode) {
	if len(x.kids) > 0 {
		c.sink.node(x.kids[0], CodeChildCount, "%s takes no child elements", x.name())
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
