package main

import (
	"fmt"
	"sort"
	"strings"
)

// schema is the set of parsed modules with their name scopes resolved.
type schema struct {
	mods  map[string]*module
	order []*module
	// instances holds the instantiations of parameterised types, keyed by
	// module, template and argument.
	instances map[string]*assign
}

// scopeOf maps every Type node to the module in which its references resolve.
var scopeOf = map[*Type]*module{}

func setScope(t *Type, m *module) {
	if t == nil {
		return
	}
	scopeOf[t] = m
	for _, c := range t.Comps {
		setScope(c.Type, m)
	}
	setScope(t.Elem, m)
	for _, a := range t.Args {
		setScope(a, m)
	}
	for _, c := range t.Cons {
		setScopeCons(c, m)
	}
}

func setScopeCons(c *constraint, m *module) {
	var walk func(e *celem)
	walk = func(e *celem) {
		if e == nil {
			return
		}
		for _, k := range e.Kids {
			walk(k)
		}
		if e.Inner != nil {
			setScopeCons(e.Inner, m)
		}
		setScope(e.Type, m)
	}
	walk(c.Root)
	walk(c.Additional)
}

func newSchema(mods []*module) (*schema, error) {
	s := &schema{mods: map[string]*module{}, instances: map[string]*assign{}}
	for _, m := range mods {
		if _, dup := s.mods[m.Name]; dup {
			return nil, fmt.Errorf("module %s defined twice", m.Name)
		}
		s.mods[m.Name] = m
		s.order = append(s.order, m)
		for _, a := range m.Assigns {
			setScope(a.Type, m)
		}
	}
	for _, m := range mods {
		for _, im := range m.Imports {
			from, ok := s.mods[im.From]
			if !ok {
				return nil, fmt.Errorf("%s imports from unknown module %s", m.Name, im.From)
			}
			for _, sym := range im.Symbols {
				if _, ok := from.byName[sym]; !ok {
					return nil, fmt.Errorf("%s imports %s, which %s does not define", m.Name, sym, from.Name)
				}
			}
		}
	}
	return s, nil
}

// lookup finds the assignment that name denotes in module m.
func (s *schema) lookup(m *module, name string) (*assign, error) {
	if a, ok := m.byName[name]; ok {
		return a, nil
	}
	for _, im := range m.Imports {
		for _, sym := range im.Symbols {
			if sym == name {
				return s.lookup(s.mods[im.From], name)
			}
		}
	}
	return nil, fmt.Errorf("%s: undefined type %s", m.Name, name)
}

// target returns the assignment a reference denotes, instantiating a
// parameterised type for its actual parameters.
func (s *schema) target(t *Type) (*assign, error) {
	m := scopeOf[t]
	a, err := s.lookup(m, t.Ref)
	if err != nil {
		return nil, err
	}
	if len(a.Params) != len(t.Args) {
		return nil, fmt.Errorf("%s line %d: %s takes %d parameters, given %d", m.Name, t.Line, t.Ref, len(a.Params), len(t.Args))
	}
	if len(a.Params) == 0 {
		return a, nil
	}
	var argNames []string
	for _, arg := range t.Args {
		if arg.Kind != kRef || len(arg.Args) > 0 {
			return nil, fmt.Errorf("%s line %d: only type references are supported as actual parameters", m.Name, t.Line)
		}
		argNames = append(argNames, arg.Ref)
	}
	key := m.Name + "|" + a.Name + "|" + strings.Join(argNames, ",")
	if inst, ok := s.instances[key]; ok {
		return inst, nil
	}
	subst := map[string]*Type{}
	for i, p := range a.Params {
		subst[p] = t.Args[i]
	}
	inst := &assign{
		Name: a.Name + "{" + strings.Join(argNames, ",") + "}",
		Type: substitute(a.Type, subst),
		Mod:  m, // the instance lives with the module that instantiates it
		Line: t.Line,
	}
	s.instances[key] = inst
	return inst, nil
}

// substitute copies t replacing references to dummy parameters.
func substitute(t *Type, subst map[string]*Type) *Type {
	if t == nil {
		return nil
	}
	if t.Kind == kRef && len(t.Args) == 0 {
		if r, ok := subst[t.Ref]; ok {
			cp := *r
			cp.Cons = append(append([]*constraint(nil), r.Cons...), t.Cons...)
			scopeOf[&cp] = scopeOf[r]
			return &cp
		}
	}
	cp := *t
	scopeOf[&cp] = scopeOf[t]
	cp.Comps = nil
	for _, c := range t.Comps {
		cc := *c
		cc.Type = substitute(c.Type, subst)
		cp.Comps = append(cp.Comps, &cc)
	}
	cp.Elem = substitute(t.Elem, subst)
	cp.Args = nil
	for _, a := range t.Args {
		cp.Args = append(cp.Args, substitute(a, subst))
	}
	return &cp
}

// chain follows references from t to a type that is not a reference. It
// returns that type, the constraints met on the way (innermost first) and
// the assignments passed.
func (s *schema) chain(t *Type) (base *Type, cons []*constraint, via []*assign, err error) {
	var layers [][]*constraint
	for t.Kind == kRef {
		layers = append(layers, t.Cons)
		a, err := s.target(t)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, v := range via {
			if v == a {
				return nil, nil, nil, fmt.Errorf("%s is defined as itself", a.Name)
			}
		}
		via = append(via, a)
		t = a.Type
	}
	cons = append(cons, t.Cons...)
	for i := len(layers) - 1; i >= 0; i-- {
		cons = append(cons, layers[i]...)
	}
	return t, cons, via, nil
}

// sortedModules returns module names in a stable order.
func (s *schema) sortedModules() []string {
	var names []string
	for n := range s.mods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
