package dialplantest

import (
	"context"
	"net/netip"
	"strings"
	"sync"

	"github.com/causeway-edge/causeway/dialplan"
)

// Resolver is a fake DNS resolver holding records by name and type.
type Resolver struct {
	mu    sync.Mutex
	recs  map[string][]dialplan.DNSRecord // key: lower(name) + "/" + type
	errs  map[string]error
	asked []string
}

// NewResolver returns an empty resolver: every name exists with no records.
func NewResolver() *Resolver {
	return &Resolver{recs: map[string][]dialplan.DNSRecord{}, errs: map[string]error{}}
}

func rkey(name string, t dialplan.RRType) string {
	return strings.ToLower(strings.TrimSuffix(name, ".")) + "/" + t.String()
}

// Add adds records under name (each under its own Type).
func (r *Resolver) Add(name string, recs ...dialplan.DNSRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range recs {
		k := rkey(name, rec.Type)
		r.recs[k] = append(r.recs[k], rec)
	}
}

// Fail makes lookups of name and t fail with err.
func (r *Resolver) Fail(name string, t dialplan.RRType, err error) {
	r.mu.Lock()
	r.errs[rkey(name, t)] = err
	r.mu.Unlock()
}

// Lookup implements dialplan.Resolver.
func (r *Resolver) Lookup(ctx context.Context, name string, t dialplan.RRType) ([]dialplan.DNSRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, t.String()+" "+strings.TrimSuffix(name, "."))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := rkey(name, t)
	if err := r.errs[k]; err != nil {
		return nil, err
	}
	return append([]dialplan.DNSRecord(nil), r.recs[k]...), nil
}

// Asked returns the lookups made, as "TYPE name", oldest first.
func (r *Resolver) Asked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.asked...)
}

// NAPTR builds a NAPTR record.
func NAPTR(order, pref uint16, flags, service, regexp, replacement string) dialplan.DNSRecord {
	return dialplan.DNSRecord{Type: dialplan.TypeNAPTR, Order: order, Preference: pref, Flags: flags, Service: service, Regexp: regexp, Replacement: replacement}
}

// SRV builds an SRV record.
func SRV(priority, weight, port uint16, target string) dialplan.DNSRecord {
	return dialplan.DNSRecord{Type: dialplan.TypeSRV, Priority: priority, Weight: weight, Port: port, Target: target}
}

// Addr builds an A or AAAA record for addr; it panics on an invalid
// address (test input).
func Addr(addr string) dialplan.DNSRecord {
	a := netip.MustParseAddr(addr)
	t := dialplan.TypeA
	if a.Is6() {
		t = dialplan.TypeAAAA
	}
	return dialplan.DNSRecord{Type: t, Addr: a}
}
