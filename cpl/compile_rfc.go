package cpl

import (
	"strconv"
	"strings"
	"time"
)

// Compilation of the RFC 3880 elements the Expressway dialect refuses
// (BX-2): redirect, the string, language, priority and time switches,
// lookup, remove-location, mail, log and sub.

func (c *compiler) redirect(x *xnode) node {
	r := &redirectNode{nodeMeta: c.meta(x)}
	a := c.attrs(x, "permanent")
	r.permanent = c.yesNo(x, a.get("permanent"), false)
	c.noKids(x)
	return r
}

var stringFields = map[string]stringField{
	"subject": strSubject, "organization": strOrganization, "user-agent": strUserAgent, "display": strDisplay,
}

func (c *compiler) stringSwitch(x *xnode) node {
	s := &stringSwitch{nodeMeta: c.meta(x)}
	a := c.attrs(x, "field")
	if f := a.get("field"); f == nil {
		c.sink.node(x, CodeMissingAttribute, "string-switch needs a field attribute")
	} else if v, ok := stringFields[f.value]; ok {
		s.field = v
	} else {
		c.sink.attr(x, f, CodeValue, "string-switch field must be subject, organization, user-agent or display, not %q", f.value)
	}
	c.switchOutputs(x, "string", true, &s.notPresent, &s.otherwise, func(k *xnode, n int) {
		ka := c.attrs(k, "is", "contains")
		is, ct := ka.get("is"), ka.get("contains")
		cs := strCase{output: output{set: true, label: "string[" + strconv.Itoa(n) + "]"}}
		switch {
		case is != nil && ct != nil:
			c.sink.attr(k, ct, CodeConflict, "string takes exactly one of is, contains")
		case is != nil:
			cs.lit = is.value
		case ct != nil:
			cs.lit, cs.contains = ct.value, true
		default:
			c.sink.node(k, CodeMissingAttribute, "string needs one of is, contains")
		}
		cs.next = c.container(k)
		s.cases = append(s.cases, cs)
	})
	return s
}

func (c *compiler) languageSwitch(x *xnode) node {
	s := &languageSwitch{nodeMeta: c.meta(x)}
	c.attrs(x)
	c.switchOutputs(x, "language", true, &s.notPresent, &s.otherwise, func(k *xnode, n int) {
		ka := c.attrs(k, "matches")
		cs := langCase{output: output{set: true, label: "language[" + strconv.Itoa(n) + "]"}}
		if m := ka.get("matches"); m == nil {
			c.sink.node(k, CodeMissingAttribute, "language needs a matches attribute")
		} else if !validLanguageTag(m.value) {
			c.sink.attr(k, m, CodeValue, "%q is not a language tag", m.value)
		} else {
			cs.tag = m.value
		}
		cs.next = c.container(k)
		s.cases = append(s.cases, cs)
	})
	return s
}

// validLanguageTag accepts RFC 4646 style tags: 1-8 alphanumerics per
// subtag, separated by hyphens, the first alphabetic (or "*").
func validLanguageTag(t string) bool {
	if t == "*" {
		return true
	}
	parts := strings.Split(t, "-")
	for i, p := range parts {
		if len(p) < 1 || len(p) > 8 {
			return false
		}
		for j := 0; j < len(p); j++ {
			ch := p[j]
			alpha := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z'
			if !alpha && !(i > 0 && ch >= '0' && ch <= '9') {
				return false
			}
		}
	}
	return true
}

// Priority levels, RFC 3880 §4.5: non-urgent < normal < urgent < emergency;
// unknown values compare as normal.
func priorityLevel(s string) int {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "non-urgent":
		return 0
	case "urgent":
		return 2
	case "emergency":
		return 3
	}
	return 1
}

func (c *compiler) prioritySwitch(x *xnode) node {
	s := &prioritySwitch{nodeMeta: c.meta(x)}
	c.attrs(x)
	var unused output
	c.switchOutputs(x, "priority", true, &unused, &s.otherwise, func(k *xnode, n int) {
		ka := c.attrs(k, "less", "greater", "equal")
		cs := prioCase{output: output{set: true, label: "priority[" + strconv.Itoa(n) + "]"}}
		var found []*xattr
		for _, name := range []string{"less", "greater", "equal"} {
			if v := ka.get(name); v != nil {
				found = append(found, v)
			}
		}
		switch len(found) {
		case 0:
			c.sink.node(k, CodeMissingAttribute, "priority needs one of less, greater, equal")
		case 1:
			v := found[0]
			cs.raw = v.value
			cs.level = priorityLevel(v.value)
			switch v.local {
			case "less":
				cs.op = -1
			case "greater":
				cs.op = 1
			}
		default:
			c.sink.attr(k, found[1], CodeConflict, "priority takes exactly one of less, greater, equal")
		}
		cs.next = c.container(k)
		s.cases = append(s.cases, cs)
	})
	// A call always has a priority (normal when unstated), so a
	// not-present output is never taken; it is accepted as RFC 3880 allows.
	s.otherwise.label = "otherwise"
	return s
}

func (c *compiler) timeSwitch(x *xnode) node {
	s := &timeSwitch{nodeMeta: c.meta(x)}
	a := c.attrs(x, "tzid", "tzurl")
	loc := c.cfg.loc
	if tz := a.get("tzid"); tz != nil {
		l, err := time.LoadLocation(tz.value)
		if err != nil || tz.value == "" || strings.EqualFold(tz.value, "local") {
			c.sink.attr(x, tz, CodeValue, "unknown time zone %q", tz.value)
		} else {
			loc = l
		}
	}
	c.switchOutputs(x, "time", true, &s.notPresent, &s.otherwise, func(k *xnode, n int) {
		cs := timeCase{output: output{set: true, label: "time[" + strconv.Itoa(n) + "]"}}
		cs.rec = c.recurrence(k, loc)
		cs.next = c.container(k)
		s.cases = append(s.cases, cs)
	})
	return s
}

func (c *compiler) lookup(x *xnode) node {
	l := &lookupNode{nodeMeta: c.meta(x), timeout: 30 * time.Second}
	a := c.attrs(x, "source", "timeout", "clear")
	if s := a.get("source"); s == nil || s.value == "" {
		c.sink.node(x, CodeMissingAttribute, "lookup needs a source attribute")
	} else {
		l.source = s.value
	}
	if t := a.get("timeout"); t != nil {
		n, err := strconv.Atoi(t.value)
		switch {
		case !allDigits(t.value):
			c.sink.attr(x, t, CodeValue, "timeout must be a whole number of seconds, not %q", t.value)
		case err != nil || n < 1 || n > 86400:
			c.sink.attr(x, t, CodeRange, "timeout %s is outside 1..86400 seconds", t.value)
		default:
			l.timeout = time.Duration(n) * time.Second
		}
	}
	l.clear = c.yesNo(x, a.get("clear"), false)
	for _, k := range x.kids {
		var o *output
		switch {
		case k.is(nsKindCPL, "success"):
			o = &l.success
		case k.is(nsKindCPL, "notfound"):
			o = &l.notfound
		case k.is(nsKindCPL, "failure"):
			o = &l.failure
		}
		if o == nil {
			if k.ns == nsKindCPL {
				c.sink.node(k, CodeWrongParent, "lookup may only contain success, notfound and failure, not %s", k.name())
			} else {
				c.misplaced(k, "")
			}
			continue
		}
		c.attrs(k)
		if o.set {
			c.sink.node(k, CodeDuplicate, "lookup has more than one %s output", k.local)
			continue
		}
		*o = output{set: true, label: k.local, next: c.container(k)}
	}
	return l
}

func (c *compiler) removeLocation(x *xnode) node {
	r := &removeLocationNode{nodeMeta: c.meta(x)}
	a := c.attrs(x, "location")
	if l := a.get("location"); l != nil {
		r.location = l.value
	}
	r.next = c.container(x)
	return r
}

func (c *compiler) mail(x *xnode) node {
	m := &mailNode{nodeMeta: c.meta(x)}
	a := c.attrs(x, "url")
	if u := a.get("url"); u == nil || u.value == "" {
		c.sink.node(x, CodeMissingAttribute, "mail needs a url attribute")
	} else {
		m.url = u.value
	}
	m.next = c.container(x)
	return m
}

func (c *compiler) log(x *xnode) node {
	l := &logNode{nodeMeta: c.meta(x)}
	a := c.attrs(x, "name", "comment")
	if n := a.get("name"); n != nil {
		l.name = n.value
	}
	if cm := a.get("comment"); cm != nil {
		l.comment = cm.value
	}
	l.next = c.container(x)
	return l
}

func (c *compiler) sub(x *xnode) node {
	s := &subNode{nodeMeta: c.meta(x)}
	a := c.attrs(x, "ref")
	c.noKids(x)
	ref := a.get("ref")
	if ref == nil {
		c.sink.node(x, CodeMissingAttribute, "sub needs a ref attribute")
		return s
	}
	s.ref = ref.value
	st := c.subs[ref.value]
	switch {
	case st == nil:
		c.sink.attr(x, ref, CodeSubaction, "no subaction with id %q", ref.value)
	case st.state == 1:
		c.sink.attr(x, ref, CodeSubaction, "subaction %q refers to itself (recursion is not allowed)", ref.value)
	default:
		s.target = c.subaction(st)
	}
	return s
}

func (c *compiler) subaction(st *subState) node {
	if st.state == 2 {
		return st.compiled
	}
	st.state = 1
	st.compiled = c.container(st.x)
	st.state = 2
	return st.compiled
}
