package proxy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transaction"
	"github.com/causeway-edge/causeway/sip/transport"
)

// ConferenceFactory is the Conference Factory application (SIP-92): an
// INVITE to its alias is answered 302 Moved Temporarily with a Contact
// made from the template, "%%" replaced by the next number of
// [Start, End] zero-padded to the digits of End, wrapping to Start after
// End. It is safe for concurrent use.
type ConferenceFactory struct {
	alias      string
	template   string
	start, end int
	width      int

	mu   sync.Mutex
	next int
}

// NewConferenceFactory validates the configuration: an alias, a template
// with %%, and 0 ≤ start ≤ end.
func NewConferenceFactory(alias, template string, start, end int) (*ConferenceFactory, error) {
	var errs []error
	alias = strings.TrimPrefix(strings.TrimPrefix(alias, "sip:"), "sips:")
	if alias == "" {
		errs = append(errs, errors.New("proxy: conference factory alias is required"))
	}
	if !strings.Contains(template, "%%") {
		errs = append(errs, fmt.Errorf("proxy: conference factory template %q has no %%%%", template))
	}
	if start < 0 || end < start {
		errs = append(errs, fmt.Errorf("proxy: conference factory range %d..%d", start, end))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &ConferenceFactory{alias: alias, template: template, start: start, end: end,
		width: len(strconv.Itoa(end)), next: start}, nil
}

// Next returns the next conference alias.
func (f *ConferenceFactory) Next() string {
	f.mu.Lock()
	n := f.next
	f.next++
	if f.next > f.end {
		f.next = f.start
	}
	f.mu.Unlock()
	return strings.ReplaceAll(f.template, "%%", fmt.Sprintf("%0*d", f.width, n))
}

// Handle answers an INVITE to the factory's alias with 302 and reports
// true; anything else is left alone. It fits Config.Local (chain it
// before the registrar).
func (f *ConferenceFactory) Handle(tx *transaction.ServerTx, req *sip.Message, _ transport.Addr) bool {
	if req.Method() != sip.MethodInvite {
		return false
	}
	if to, err := req.To(); err == nil && to.Tag() != "" {
		return false
	}
	ru, err := req.RequestURI()
	if err != nil || !strings.EqualFold(ru.AOR(), f.alias) {
		return false
	}
	resp, err := sip.NewResponse(req, 302, "Moved Temporarily")
	if err != nil {
		return false
	}
	_ = resp.SetToTag(sip.NewTag())
	target := f.Next()
	if l := strings.ToLower(target); !strings.HasPrefix(l, "sip:") && !strings.HasPrefix(l, "sips:") {
		target = "sip:" + target
	}
	if err := resp.Set(sip.HdrContact, "<"+target+">"); err != nil {
		return false
	}
	_ = tx.Respond(resp)
	return true
}

// SearchMethod is how an interworking search asks a SIP zone (SIP-91).
type SearchMethod string

// Search methods.
const (
	SearchOptions SearchMethod = sip.MethodOptions // default
	SearchInfo    SearchMethod = sip.MethodInfo
)

// SearchResult is the outcome of an interworking search probe.
type SearchResult struct {
	Found bool
	// Status is the final response, 0 when auto-responded or timed out.
	Status int
	// Auto is true when the search was answered without sending.
	Auto bool
}

// Search is the SIP side of an H.323-originated search toward a SIP zone
// (SIP-91): with autoRespond (SIP search auto-response On) it answers
// found without sending; otherwise it sends OPTIONS (the default) or INFO
// for alias to the zone's next hop and reports found on a 2xx. A timeout
// is not found; ctx bounds the wait.
func (p *Proxy) Search(ctx context.Context, alias sip.URI, zone transport.Addr, method SearchMethod, autoRespond bool) (SearchResult, error) {
	if autoRespond {
		return SearchResult{Found: true, Auto: true}, nil
	}
	if method == "" {
		method = SearchOptions
	}
	if method != SearchOptions && method != SearchInfo {
		return SearchResult{}, fmt.Errorf("proxy: search method %q is not OPTIONS or INFO", method)
	}
	req, err := p.originate(string(method), alias, alias, zone)
	if err != nil {
		return SearchResult{}, fmt.Errorf("proxy: search: %w", err)
	}
	tx, err := p.layer.Request(ctx, req, zone)
	if err != nil {
		return SearchResult{}, fmt.Errorf("proxy: search: %w", err)
	}
	for {
		select {
		case r, ok := <-tx.Responses():
			if !ok {
				if err := tx.Err(); err != nil && !errors.Is(err, transaction.ErrTimeout) {
					return SearchResult{}, fmt.Errorf("proxy: search: %w", err)
				}
				return SearchResult{}, nil
			}
			if c := r.StatusCode(); c >= 200 {
				return SearchResult{Found: c < 300, Status: c}, nil
			}
		case <-ctx.Done():
			return SearchResult{}, ctx.Err()
		}
	}
}
