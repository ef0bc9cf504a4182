package dialplan

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// ENUMDomain returns the ENUM domain for an E.164 number (DP-44): a leading
// + is removed, the digits are reversed and joined with dots, and suffix is
// appended. ok is false when number is not all digits.
func ENUMDomain(number, suffix string) (string, bool) {
	digits := strings.TrimPrefix(number, "+")
	if digits == "" {
		return "", false
	}
	var b strings.Builder
	b.Grow(2*len(digits) + len(suffix))
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return "", false
		}
		b.WriteByte(c)
		b.WriteByte('.')
	}
	b.WriteString(strings.Trim(suffix, "."))
	return b.String(), true
}

// execENUM looks the alias up in an ENUM zone (DP-44). The URIs found are
// returned as aliases for restarts.
func (s *search) execENUM(ctx context.Context, t *task) taskAnswer {
	z := t.zone
	domain, ok := ENUMDomain(t.alias, z.cfg.DNSSuffix)
	if !ok {
		return taskAnswer{reason: ReasonNotE164}
	}
	if s.e.resolver == nil {
		return taskAnswer{reason: ReasonDNSError, detail: "no resolver"}
	}
	recs, err := s.e.resolver.Lookup(ctx, domain, TypeNAPTR)
	if err != nil {
		if ctx.Err() != nil {
			return taskAnswer{reason: ReasonCanceled}
		}
		return taskAnswer{reason: ReasonDNSError, detail: "NAPTR " + domain + ": " + err.Error()}
	}
	aliases := enumAliases(recs, t.alias, z, s.p.cfg.RegexBudget)
	detail := "NAPTR " + domain
	if len(aliases) == 0 {
		return taskAnswer{detail: detail}
	}
	return taskAnswer{aliases: aliases, detail: detail}
}

// enumAliases applies the usable NAPTR records (DP-44): order then
// preference; flag "u" only; service E2U+h323 or E2U+SIP with that protocol
// on in the zone; replacement "."; the !ere!repl! rule applied to the
// number. The URIs have their scheme removed.
func enumAliases(recs []DNSRecord, number string, z *cZone, budget time.Duration) []string {
	var use []DNSRecord
	for _, r := range recs {
		if r.Type != TypeNAPTR || !strings.EqualFold(r.Flags, "u") {
			continue
		}
		if r.Replacement != "" && r.Replacement != "." {
			continue
		}
		svc := strings.ToLower(r.Service)
		switch {
		case svc == "e2u+h323" && z.speaks(H323):
		case svc == "e2u+sip" && z.speaks(SIP):
		default:
			continue
		}
		use = append(use, r)
	}
	sort.SliceStable(use, func(a, b int) bool {
		if use[a].Order != use[b].Order {
			return use[a].Order < use[b].Order
		}
		return use[a].Preference < use[b].Preference
	})
	var out []string
	for _, r := range use {
		uri, ok := applyNAPTRRegexp(r.Regexp, number, budget)
		if !ok {
			continue
		}
		a, err := pattern.ParseAlias(uri)
		if err != nil {
			continue
		}
		out = append(out, a.Value)
	}
	return out
}

// applyNAPTRRegexp applies a NAPTR substitution expression
// "<d>ere<d>repl<d>[i]" (RFC 3402) to s. The output is the replacement with
// \1..\9 expanded; ok is false when the expression is malformed or does not
// match.
func applyNAPTRRegexp(expr, s string, budget time.Duration) (string, bool) {
	// A NAPTR regexp is a DNS <character-string>: at most 255 bytes.
	if len(expr) < 3 || len(expr) > 255 {
		return "", false
	}
	// The delimiter is one ASCII character that is not a digit, a letter
	// (flags) or a backslash (RFC 3402 §3.2).
	d := expr[0]
	if d <= ' ' || d >= 0x7f || d == '\\' || d >= '0' && d <= '9' || d >= 'a' && d <= 'z' || d >= 'A' && d <= 'Z' {
		return "", false
	}
	parts := strings.Split(expr[1:], expr[:1])
	if len(parts) != 3 {
		return "", false
	}
	ere, repl, flags := parts[0], parts[1], parts[2]
	opt := regexp2.RegexOptions(regexp2.None)
	switch flags {
	case "":
	case "i":
		opt = regexp2.IgnoreCase
	default:
		return "", false
	}
	re, err := regexp2.Compile(ere, opt)
	if err != nil {
		return "", false
	}
	re.MatchTimeout = pattern.DefaultBudget
	if budget > 0 {
		re.MatchTimeout = budget
	}
	m, err := re.FindStringMatch(s)
	if err != nil || m == nil {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c == '\\' && i+1 < len(repl) {
			n := repl[i+1]
			if n >= '1' && n <= '9' {
				if g := m.GroupByNumber(int(n - '0')); g != nil && len(g.Captures) > 0 {
					b.WriteString(g.String())
				}
			} else {
				b.WriteByte(n)
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// splitURIHost splits user@host[:port] into host and port ("" when absent).
func splitURIHost(alias string) (host, port string, ok bool) {
	at := strings.LastIndexByte(alias, '@')
	if at < 0 || at == len(alias)-1 {
		return "", "", false
	}
	hp := alias[at+1:]
	if ap, err := netip.ParseAddrPort(hp); err == nil {
		return ap.Addr().String(), strconv.Itoa(int(ap.Port())), true
	}
	if h, p, found := strings.Cut(hp, ":"); found && !strings.Contains(p, ":") {
		if _, err := strconv.ParseUint(p, 10, 16); err == nil {
			return h, p, true
		}
	}
	return strings.Trim(hp, "[]"), "", true
}

// execDNS resolves a URI alias in a DNS zone (DP-43): RFC 3263 for SIP
// (NAPTR, then SRV, then A/AAAA), _h323ls/_h323cs SRV for H.323, with the
// zone's address-record fallback. Locations found make a route.
func (s *search) execDNS(ctx context.Context, t *task) taskAnswer {
	z := t.zone
	if pattern.Classify(t.alias) != pattern.URI {
		return taskAnswer{reason: ReasonNotURI}
	}
	host, port, ok := splitURIHost(t.alias)
	if !ok {
		return taskAnswer{reason: ReasonNotURI}
	}
	if s.e.resolver == nil {
		return taskAnswer{reason: ReasonDNSError, detail: "no resolver"}
	}
	domain := host
	if z.cfg.DomainToSearchFor != "" {
		domain = z.cfg.DomainToSearchFor
	}
	r := &dnsRun{ctx: ctx, res: s.e.resolver}
	route := Route{Zone: z.name, ZoneType: DNSZone, Alias: t.alias, Protocol: t.proto, Rule: t.rule.name, Priority: t.rule.priority, HopCount: t.hop}
	var locs []Location
	if t.proto == H323 {
		if port != "" {
			// A dial string with a port: send an LRQ for the full URI there.
			p, _ := strconv.ParseUint(port, 10, 16)
			locs = []Location{{Host: host, Port: uint16(p), LRQ: true}}
		} else {
			locs = append(locs, r.srv("_h323ls._udp."+domain, "", true)...)
			locs = append(locs, r.srv("_h323cs._tcp."+domain, "", false)...)
		}
	} else {
		locs = r.sip(domain)
	}
	if len(locs) == 0 && r.err == nil && z.cfg.IncludeAddressRecord.on(false) {
		def := uint16(5060)
		if t.proto == H323 {
			def = 1720
		}
		for _, a := range r.addrs(domain) {
			locs = append(locs, Location{Host: a, Port: def})
		}
	}
	detail := strings.Join(r.asked, " ")
	if r.err != nil && ctx.Err() != nil {
		return taskAnswer{reason: ReasonCanceled}
	}
	if len(locs) == 0 {
		a := taskAnswer{detail: detail}
		if r.err != nil {
			a.reason = ReasonDNSError
			a.detail += "; " + r.err.Error()
		}
		return a
	}
	route.Locations = locs
	route.Address = net(locs[0])
	return taskAnswer{found: true, route: route, detail: detail}
}

func net(l Location) string {
	if l.Port == 0 {
		return l.Host
	}
	if strings.Contains(l.Host, ":") {
		return "[" + l.Host + "]:" + strconv.Itoa(int(l.Port))
	}
	return l.Host + ":" + strconv.Itoa(int(l.Port))
}

// dnsRun performs the lookups of one DNS-zone query, remembering what it
// asked (for the trace) and the first error.
type dnsRun struct {
	ctx   context.Context
	res   Resolver
	asked []string
	err   error
}

func (r *dnsRun) lookup(name string, t RRType) []DNSRecord {
	r.asked = append(r.asked, t.String()+" "+name)
	recs, err := r.res.Lookup(r.ctx, name, t)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%v %s: %w", t, name, err)
	}
	return recs
}

// sip follows RFC 3263 for domain: NAPTR records for SIP services, or
// else the SRV names _sips._tcp, _sip._tcp and _sip._udp in that order.
func (r *dnsRun) sip(domain string) []Location {
	var use []DNSRecord
	for _, n := range r.lookup(domain, TypeNAPTR) {
		if n.Type != TypeNAPTR || !strings.EqualFold(n.Flags, "s") {
			continue
		}
		switch strings.ToUpper(n.Service) {
		case "SIP+D2U", "SIP+D2T", "SIPS+D2T":
			use = append(use, n)
		}
	}
	sort.SliceStable(use, func(a, b int) bool {
		if use[a].Order != use[b].Order {
			return use[a].Order < use[b].Order
		}
		return use[a].Preference < use[b].Preference
	})
	var locs []Location
	for _, n := range use {
		locs = append(locs, r.srv(strings.TrimSuffix(n.Replacement, "."), transportOf(n.Service), false)...)
	}
	if len(use) > 0 {
		return locs
	}
	for _, sv := range []struct{ name, tr string }{{"_sips._tcp.", "tls"}, {"_sip._tcp.", "tcp"}, {"_sip._udp.", "udp"}} {
		locs = append(locs, r.srv(sv.name+domain, sv.tr, false)...)
	}
	return locs
}

func transportOf(service string) string {
	switch strings.ToUpper(service) {
	case "SIPS+D2T":
		return "tls"
	case "SIP+D2T":
		return "tcp"
	}
	return "udp"
}

// srv looks up an SRV name and resolves each target, in priority order
// (then higher weight first).
func (r *dnsRun) srv(name, transport string, lrq bool) []Location {
	var srvs []DNSRecord
	for _, rec := range r.lookup(name, TypeSRV) {
		if rec.Type == TypeSRV && rec.Target != "" && rec.Target != "." {
			srvs = append(srvs, rec)
		}
	}
	sort.SliceStable(srvs, func(a, b int) bool {
		if srvs[a].Priority != srvs[b].Priority {
			return srvs[a].Priority < srvs[b].Priority
		}
		return srvs[a].Weight > srvs[b].Weight
	})
	var locs []Location
	for _, sv := range srvs {
		target := strings.TrimSuffix(sv.Target, ".")
		addrs := r.addrs(target)
		if len(addrs) == 0 {
			locs = append(locs, Location{Host: target, Port: sv.Port, Transport: transport, LRQ: lrq})
		}
		for _, a := range addrs {
			locs = append(locs, Location{Host: a, Port: sv.Port, Transport: transport, LRQ: lrq})
		}
	}
	return locs
}

func (r *dnsRun) addrs(host string) []string {
	if a, err := netip.ParseAddr(host); err == nil {
		return []string{a.String()}
	}
	var out []string
	for _, t := range []RRType{TypeA, TypeAAAA} {
		for _, rec := range r.lookup(host, t) {
			if rec.Addr.IsValid() {
				out = append(out, rec.Addr.String())
			}
		}
	}
	return out
}
