package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/causeway-edge/causeway/dialplan/pattern"
	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// MaxSIPRoutes is the number of developer SIP routes (SIP-89).
const MaxSIPRoutes = 20

// SIPRoute is a developer SIP route (SIP-89): a request that meets every
// non-empty criterion is forwarded to Address:Port over Transport before
// any dial-plan search.
type SIPRoute struct {
	// Index orders the routes (1..20, tried in increasing order).
	Index int
	// Tag is an opaque owner label.
	Tag string
	// Method matches the request method exactly (case-sensitive).
	Method string
	// RequestLinePattern is a regex (the dial plan's dialect, with
	// %variables%) searched for anywhere in the request line — not
	// full-matched, so `.*@(%localdomains%|%ip%)` works (spec §2.15-18).
	RequestLinePattern string
	// HeaderName and HeaderPattern: the regex is searched for in every
	// value of that header; one matching value is enough.
	HeaderName, HeaderPattern string
	// Authenticated requires the request to be authenticated (SIP-78).
	Authenticated bool
	// Address is the next hop (IP address or host name); Port defaults to
	// 5060 and Transport ("udp", "tcp", "tls") to tcp.
	Address   string
	Port      int
	Transport string
}

// SIPRoutes is a compiled, ordered set of developer SIP routes; it is
// immutable and safe for concurrent use. Compile again when the routes or
// the pattern facts change.
type SIPRoutes struct {
	routes []compiledRoute
}

type compiledRoute struct {
	SIPRoute
	line, header *pattern.Pattern
}

// searchPattern compiles a regex that is searched for, not full-matched:
// the pattern package matches whole strings, so the regex is wrapped.
func searchPattern(expr string, facts *pattern.Facts) (*pattern.Pattern, error) {
	// The expression must stand alone, so that wrapping cannot change
	// what it means ("a)|(b" would otherwise pass).
	if _, err := pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: expr, Behavior: pattern.Leave}, pattern.Options{Facts: facts}); err != nil {
		return nil, err
	}
	return pattern.Compile(pattern.Spec{Type: pattern.Regex, Pattern: ".*(?:" + expr + ").*", Behavior: pattern.Leave},
		pattern.Options{Facts: facts})
}

// CompileSIPRoutes validates and compiles routes, reporting every fault
// at once; facts supply %localdomains%, %ip% and the other variables.
func CompileSIPRoutes(routes []SIPRoute, facts *pattern.Facts) (*SIPRoutes, error) {
	var errs []error
	if len(routes) > MaxSIPRoutes {
		errs = append(errs, fmt.Errorf("proxy: %d SIP routes, at most %d", len(routes), MaxSIPRoutes))
	}
	seen := map[int]bool{}
	out := &SIPRoutes{}
	for _, r := range routes {
		where := fmt.Sprintf("proxy: SIP route %d", r.Index)
		if r.Index < 1 || r.Index > MaxSIPRoutes {
			errs = append(errs, fmt.Errorf("%s: index outside 1..%d", where, MaxSIPRoutes))
		} else if seen[r.Index] {
			errs = append(errs, fmt.Errorf("%s: index used twice", where))
		}
		seen[r.Index] = true
		if r.Port == 0 {
			r.Port = 5060
		}
		if r.Port < 1 || r.Port > 65534 {
			errs = append(errs, fmt.Errorf("%s: port %d outside 1..65534", where, r.Port))
		}
		r.Transport = strings.ToLower(r.Transport)
		switch r.Transport {
		case "":
			r.Transport = "tcp"
		case "udp", "tcp", "tls":
		default:
			errs = append(errs, fmt.Errorf("%s: transport %q is not udp, tcp or tls", where, r.Transport))
		}
		if r.Address == "" {
			errs = append(errs, fmt.Errorf("%s: address is required", where))
		}
		if (r.HeaderName == "") != (r.HeaderPattern == "") {
			errs = append(errs, fmt.Errorf("%s: header name and header pattern go together", where))
		}
		c := compiledRoute{SIPRoute: r}
		var err error
		if r.RequestLinePattern != "" {
			if c.line, err = searchPattern(r.RequestLinePattern, facts); err != nil {
				errs = append(errs, fmt.Errorf("%s: request line pattern: %w", where, err))
			}
		}
		if r.HeaderPattern != "" {
			if c.header, err = searchPattern(r.HeaderPattern, facts); err != nil {
				errs = append(errs, fmt.Errorf("%s: header pattern: %w", where, err))
			}
		}
		out.routes = append(out.routes, c)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out.routes, func(a, b compiledRoute) int { return a.Index - b.Index })
	return out, nil
}

// requestLine is the request line as written on the wire, without CRLF.
func requestLine(req *sip.Message) string {
	return req.Method() + " " + req.RequestURIString() + " " + req.Version()
}

// Match returns the first route, in index order, that req meets. A regex
// that runs out of its time budget counts as no match.
func (s *SIPRoutes) Match(req *sip.Message, authenticated bool) (SIPRoute, bool) {
	if s == nil {
		return SIPRoute{}, false
	}
	line := ""
	for _, r := range s.routes {
		if r.Method != "" && r.Method != req.Method() {
			continue
		}
		if r.Authenticated && !authenticated {
			continue
		}
		if r.line != nil {
			if line == "" {
				line = requestLine(req)
			}
			if m, err := r.line.Match(line); err != nil || !m.Matched {
				continue
			}
		}
		if r.header != nil {
			hit := false
			for _, v := range rawValues(req, r.HeaderName) {
				if m, err := r.header.Match(v); err == nil && m.Matched {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
		}
		return r.SIPRoute, true
	}
	return SIPRoute{}, false
}

// rawValues returns the header lines of name as written (a comma list
// stays one value, so that a pattern sees what the sender wrote).
func rawValues(req *sip.Message, name string) []string {
	var out []string
	cn := sip.CanonicalHeaderName(name)
	for k, v := range req.All() {
		if sip.CanonicalHeaderName(k) == cn {
			out = append(out, v)
		}
	}
	return out
}

// Target resolves the route's next hop into a Target that keeps the
// request's Request-URI.
func (r SIPRoute) Target(ctx context.Context, req *sip.Message) (Target, error) {
	ru, err := req.RequestURI()
	if err != nil {
		return Target{}, err
	}
	host := r.Address
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		host = "[" + a.String() + "]"
	}
	u, err := sip.ParseURI("sip:" + host + ":" + strconv.Itoa(r.Port) + ";transport=" + r.Transport)
	if err != nil {
		return Target{}, fmt.Errorf("proxy: SIP route %d address: %w", r.Index, err)
	}
	dest, err := nextHop(ctx, u)
	if err != nil {
		return Target{}, err
	}
	return Target{URI: ru, Dest: dest}, nil
}

// sipRoute applies the developer SIP routes (SIP-89) to a request with no
// Route set; ok is false when none matches.
func (p *Proxy) sipRoute(ctx context.Context, req *sip.Message, src transport.Addr) (Target, bool, error) {
	if p.cfg.SIPRoutes == nil {
		return Target{}, false, nil
	}
	auth := p.cfg.Authenticated != nil && p.cfg.Authenticated(req, src)
	r, ok := p.cfg.SIPRoutes.Match(req, auth)
	if !ok {
		return Target{}, false, nil
	}
	t, err := r.Target(ctx, req)
	return t, true, err
}
