package cpl

import "fmt"

// Warning is a lint finding: legal CPL that probably does not do what its
// author meant (BX-5). Warnings never refuse a script.
type Warning struct {
	Line, Column int
	Element      string
	Msg          string
}

func (w Warning) String() string {
	return fmt.Sprintf("%d:%d %s: %s", w.Line, w.Column, w.Element, w.Msg)
}

// Warnings lists the program's lint findings in document order: outputs
// that can never be taken (an address after a catch-all regex, a rule
// shadowed by an earlier catch-all rule), a switch on origin without a
// not-present output (origin is the authenticated origin, so
// unauthenticated callers fall through; the seed advises
// unauthenticated-origin), a reject without a reason, and location changes
// that no proxy follows (Expressway dialect).
func (p *Program) Warnings() []Warning {
	l := &linter{seen: map[node]bool{}, rfc: p.dialect == RFC3880}
	for _, n := range []node{p.routed, p.incoming, p.outgoing} {
		l.walk(n)
	}
	sortWarnings(l.out)
	return l.out
}

type linter struct {
	seen map[node]bool
	rfc  bool
	out  []Warning
}

func (l *linter) warn(m *nodeMeta, format string, args ...any) {
	l.out = append(l.out, Warning{Line: m.line, Column: m.col, Element: m.elem, Msg: fmt.Sprintf(format, args...)})
}

func sortWarnings(w []Warning) {
	for i := 1; i < len(w); i++ {
		for j := i; j > 0 && (w[j].Line < w[j-1].Line || w[j].Line == w[j-1].Line && w[j].Column < w[j-1].Column); j-- {
			w[j], w[j-1] = w[j-1], w[j]
		}
	}
}

func catchAll(r *regexMatcher) bool { return r != nil && r.any && !r.dotAll }

func (l *linter) walk(n node) {
	if n == nil || l.seen[n] {
		return
	}
	l.seen[n] = true
	switch t := n.(type) {
	case *addressSwitch:
		if t.field == fieldAuthenticatedOrigin && !l.rfc && !t.notPresent.set && t.meta().elem == "address-switch" {
			if len(t.cases) > 0 || t.otherwise.set {
				l.warn(&t.nodeMeta, "origin is the authenticated origin: unauthenticated callers take no output here; add not-present or use unauthenticated-origin")
			}
		}
		for i, c := range t.cases {
			if c.m.kind == matchRegex && catchAll(c.m.re) && (i < len(t.cases)-1 || t.otherwise.set) {
				l.warn(&t.nodeMeta, "%s matches every value: the outputs after it are unreachable", c.label)
			}
			l.walk(c.next)
		}
		l.walk(t.notPresent.next)
		l.walk(t.otherwise.next)
	case *ruleSwitch:
		for i, r := range t.rules {
			if catchAll(r.origin) && (r.dest == nil || catchAll(r.dest)) && r.msg == nil {
				for _, later := range t.rules[i+1:] {
					if later.originField == r.originField {
						l.warn(&t.nodeMeta, "%s is shadowed by the catch-all %s", later.label, r.label)
					}
				}
			}
			l.walk(r.next)
		}
	case *locationNode:
		if !l.rfc && !reachesProxy(t.next, map[node]bool{}) {
			l.warn(&t.nodeMeta, "the location set is changed but no proxy follows: the change has no effect")
		}
		l.walk(t.next)
	case *proxyNode:
		for _, o := range t.outs {
			l.walk(o.next)
		}
	case *rejectNode:
		if t.reason == "" {
			l.warn(&t.nodeMeta, "reject without a reason; give status and reason together")
		}
	case *stringSwitch:
		for _, c := range t.cases {
			l.walk(c.next)
		}
		l.walk(t.notPresent.next)
		l.walk(t.otherwise.next)
	case *languageSwitch:
		for _, c := range t.cases {
			l.walk(c.next)
		}
		l.walk(t.notPresent.next)
		l.walk(t.otherwise.next)
	case *prioritySwitch:
		for _, c := range t.cases {
			l.walk(c.next)
		}
		l.walk(t.otherwise.next)
	case *timeSwitch:
		for _, c := range t.cases {
			l.walk(c.next)
		}
		l.walk(t.otherwise.next)
	case *lookupNode:
		l.walk(t.success.next)
		l.walk(t.notfound.next)
		l.walk(t.failure.next)
	case *removeLocationNode:
		l.walk(t.next)
	case *mailNode:
		l.walk(t.next)
	case *logNode:
		l.walk(t.next)
	case *subNode:
		l.walk(t.target)
	}
}

// reachesProxy reports whether some path from n runs a proxy.
func reachesProxy(n node, seen map[node]bool) bool {
	if n == nil || seen[n] {
		return false
	}
	seen[n] = true
	switch t := n.(type) {
	case *proxyNode:
		return true
	case *addressSwitch:
		for _, c := range t.cases {
			if reachesProxy(c.next, seen) {
				return true
			}
		}
		return reachesProxy(t.notPresent.next, seen) || reachesProxy(t.otherwise.next, seen)
	case *ruleSwitch:
		for _, r := range t.rules {
			if reachesProxy(r.next, seen) {
				return true
			}
		}
	case *locationNode:
		return reachesProxy(t.next, seen)
	}
	return false
}
