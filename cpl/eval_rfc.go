package cpl

import (
	"context"
	"fmt"
	"strings"
)

// Evaluation of the RFC 3880 nodes (BX-2).

// rfcSubValue extracts a subfield from a full URI (sip:user:pw@host:port;params,
// tel:+1555..., h323:...) as RFC 3880 §4.1 defines them.
func rfcSubValue(a *Alias, sub subfield) (string, bool) {
	v := a.Value
	if sub == subNone {
		return v, v != ""
	}
	if sub == subDisplay {
		return a.Display, a.Display != ""
	}
	scheme, rest := "", v
	if i := strings.IndexByte(v, ':'); i > 0 && !strings.ContainsAny(v[:i], "@/") {
		scheme, rest = strings.ToLower(v[:i]), v[i+1:]
	}
	params := ""
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest, params = rest[:i], rest[i:]
	}
	switch sub {
	case subAddressType:
		return scheme, scheme != ""
	case subAliasType:
		switch a.kind() {
		case URI:
			return "url-ID", true
		case E164:
			return "dialedDigits", true
		case H323ID:
			return "h323-ID", true
		}
		return "", false
	}
	if scheme == "tel" {
		switch sub {
		case subTel, subUser:
			return rest, rest != ""
		}
		return "", false
	}
	userinfo, hostport := "", rest
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		userinfo, hostport = rest[:i], rest[i+1:]
	}
	user, pass, hasPass := strings.Cut(userinfo, ":")
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		if i := strings.IndexByte(hostport, ']'); i >= 0 {
			host = hostport[:i+1]
			port = strings.TrimPrefix(hostport[i+1:], ":")
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i+1:]
	}
	switch sub {
	case subUser:
		return user, user != ""
	case subHost:
		return host, host != ""
	case subPort:
		return port, port != ""
	case subPassword:
		return pass, hasPass && pass != ""
	case subTel:
		if user != "" && strings.Contains(strings.ToLower(params), "user=phone") {
			return user, true
		}
	}
	return "", false
}

func (st *evalState) stringSwitch(t *stringSwitch) node {
	var v string
	switch t.field {
	case strSubject:
		v = st.in.Subject
	case strOrganization:
		v = st.in.Organization
	case strUserAgent:
		v = st.in.UserAgent
	case strDisplay:
		v = st.in.Display
	}
	if v == "" {
		if t.notPresent.set {
			st.step(&t.nodeMeta, "not-present", "")
			return t.notPresent.next
		}
		if t.otherwise.set {
			st.step(&t.nodeMeta, "otherwise", "")
			return t.otherwise.next
		}
		st.step(&t.nodeMeta, "none (not present)", "")
		return nil
	}
	for i := range t.cases {
		cs := &t.cases[i]
		var ok bool
		if cs.contains {
			ok = containsFold(v, cs.lit)
		} else {
			ok = strings.EqualFold(v, cs.lit)
		}
		if ok {
			st.step(&t.nodeMeta, cs.label, v)
			return cs.next
		}
	}
	if t.otherwise.set {
		st.step(&t.nodeMeta, "otherwise", v)
		return t.otherwise.next
	}
	st.step(&t.nodeMeta, "none", v)
	return nil
}

// languageMatches implements RFC 4647 basic filtering: the caller's range r
// matches the script's tag when they are equal, or the tag starts with r
// followed by "-", ignoring case; "*" matches every tag.
func languageMatches(r, tag string) bool {
	r = strings.TrimSpace(r)
	if i := strings.IndexByte(r, ';'); i >= 0 { // Accept-Language q-values
		r = strings.TrimSpace(r[:i])
	}
	if r == "*" || tag == "*" {
		return true
	}
	if len(tag) < len(r) {
		return false
	}
	if !strings.EqualFold(tag[:len(r)], r) {
		return false
	}
	return len(tag) == len(r) || tag[len(r)] == '-'
}

func (st *evalState) languageSwitch(t *languageSwitch) node {
	if len(st.in.Languages) == 0 {
		if t.notPresent.set {
			st.step(&t.nodeMeta, "not-present", "")
			return t.notPresent.next
		}
		if t.otherwise.set {
			st.step(&t.nodeMeta, "otherwise", "")
			return t.otherwise.next
		}
		st.step(&t.nodeMeta, "none (not present)", "")
		return nil
	}
	for i := range t.cases {
		cs := &t.cases[i]
		for _, l := range st.in.Languages {
			if languageMatches(l, cs.tag) {
				st.step(&t.nodeMeta, cs.label, l)
				return cs.next
			}
		}
	}
	if t.otherwise.set {
		st.step(&t.nodeMeta, "otherwise", "")
		return t.otherwise.next
	}
	st.step(&t.nodeMeta, "none", "")
	return nil
}

func (st *evalState) prioritySwitch(t *prioritySwitch) node {
	lvl := priorityLevel(st.in.Priority)
	for i := range t.cases {
		cs := &t.cases[i]
		var ok bool
		switch cs.op {
		case -1:
			ok = lvl < cs.level
		case 1:
			ok = lvl > cs.level
		default:
			ok = lvl == cs.level
		}
		if ok {
			st.step(&t.nodeMeta, cs.label, st.in.Priority)
			return cs.next
		}
	}
	if t.otherwise.set {
		st.step(&t.nodeMeta, "otherwise", st.in.Priority)
		return t.otherwise.next
	}
	st.step(&t.nodeMeta, "none", st.in.Priority)
	return nil
}

func (st *evalState) timeSwitch(t *timeSwitch) (node, error) {
	now := st.in.now()
	for i := range t.cases {
		cs := &t.cases[i]
		ok, err := cs.rec.contains(now, st.tick)
		if err != nil {
			return nil, err
		}
		if ok {
			st.step(&t.nodeMeta, cs.label, now.UTC().Format("20060102T150405Z"))
			return cs.next, nil
		}
	}
	if t.otherwise.set {
		st.step(&t.nodeMeta, "otherwise", "")
		return t.otherwise.next, nil
	}
	st.step(&t.nodeMeta, "none", "")
	return nil, nil
}

func (st *evalState) lookup(t *lookupNode) (node, error) {
	svc := st.p.cfg.lookup
	take := func(o output, label string) node {
		if !o.set {
			st.step(&t.nodeMeta, label+" (no output)", "")
			return nil
		}
		st.step(&t.nodeMeta, o.label, "")
		return o.next
	}
	if svc == nil {
		return take(t.failure, "failure"), nil
	}
	ctx, cancel := context.WithTimeout(st.ctx, t.timeout)
	locs, err := svc.Lookup(ctx, t.source, st.in)
	cancel()
	if err != nil {
		if pe := st.ctx.Err(); pe != nil {
			return nil, fmt.Errorf("cpl: evaluation stopped: %w", pe)
		}
		// A failing or slow location service is the failure output, not
		// an evaluation error (RFC 3880 §5.2).
		st.step(&t.nodeMeta, "lookup error", clip(err.Error(), 80))
		return take(t.failure, "failure"), nil
	}
	if len(locs) == 0 {
		return take(t.notfound, "notfound"), nil
	}
	if t.clear {
		st.set = st.set[:0]
	}
	for _, l := range locs {
		if l.Priority < 0 || l.Priority > 1 {
			l.Priority = 1
		}
		st.set = addLocation(st.set, l)
	}
	if len(st.set) > st.p.cfg.limits.MaxLocations {
		return nil, ErrLocationLimit
	}
	return take(t.success, "success"), nil
}

func (st *evalState) removeLocation(t *removeLocationNode) {
	if t.location == "" {
		st.set = st.set[:0]
		st.step(&t.nodeMeta, "", "")
		return
	}
	out := st.set[:0]
	for _, l := range st.set {
		if !sameURI(l.URL, t.location) {
			out = append(out, l)
		}
	}
	st.set = out
	st.step(&t.nodeMeta, "", t.location)
}

// sameURI compares two URIs the way remove-location does: ignoring case
// and any URI parameters.
func sameURI(a, b string) bool {
	cut := func(s string) string {
		if i := strings.IndexAny(s, ";?"); i >= 0 {
			return s[:i]
		}
		return s
	}
	return strings.EqualFold(cut(a), cut(b))
}
