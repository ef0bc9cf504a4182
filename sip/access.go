package sip

import (
	"iter"
	"strings"
	"time"
)

// matches reports whether f is the header k (known) or name (unknown).
func (m *Message) matches(f *field, k hkind, name string) bool {
	if k != hUnknown {
		return f.kind() == k
	}
	return f.kind() == hUnknown && equalFold(m.name(f), name)
}

// index returns the index of the first field of header k/name at or after
// from, or -1.
func (m *Message) index(k hkind, name string, from int) int {
	if k != hUnknown { // a known header: one byte compare per field
		for i := from; i < len(m.fields); i++ {
			if m.fields[i].kf&^bitRaw == uint8(k) {
				return i
			}
		}
		return -1
	}
	for i := from; i < len(m.fields); i++ {
		if m.matches(&m.fields[i], k, name) {
			return i
		}
	}
	return -1
}

// values iterates over the values of one header across all its lines:
// comma-separated elements for list headers, whole lines otherwise.
type values struct {
	m       *Message
	k       hkind
	name    string
	list    bool
	fi      int    // current field
	rest    string // unsplit remainder of the current field (list headers)
	pending bool
}

func (m *Message) values(k hkind, name string) values {
	return values{m: m, k: k, name: name, list: k != hUnknown && hinfos[k].list, fi: -1}
}

// next returns the next value and the field it came from; ok is false at
// the end. A value with an unbalanced quote or bracket runs to the end of
// its line, for the value parser to refuse.
func (it *values) next() (v string, f *field, ok bool) {
	for {
		if it.pending {
			f = &it.m.fields[it.fi]
			first, rest, more, balanced := splitComma(it.rest)
			if !balanced {
				it.pending = false
				return trimLWS(it.rest), f, true
			}
			it.rest, it.pending = rest, more
			return trimLWS(first), f, true
		}
		it.fi = it.m.index(it.k, it.name, it.fi+1)
		if it.fi < 0 {
			return "", nil, false
		}
		f = &it.m.fields[it.fi]
		if !it.list {
			return it.m.val(f), f, true
		}
		if f.valLen == 0 {
			continue // an empty list header ("Supported:") has no values
		}
		it.rest, it.pending = it.m.val(f), true
	}
}

// Get returns the value of the first line of the header called name (long
// or compact form, any case), unfolded; "" when absent. For list headers
// it is the whole line, all of its comma-separated values.
func (m *Message) Get(name string) string {
	i := m.index(kindOf(name), name, 0)
	if i < 0 {
		return ""
	}
	return unfold(m.val(&m.fields[i]))
}

// Has reports whether the header called name is present.
func (m *Message) Has(name string) bool { return m.index(kindOf(name), name, 0) >= 0 }

// Values returns every value of the header called name, in order: the
// comma-separated elements of all its lines for list headers (Via,
// Contact, Route, Supported …), each line's value otherwise.
func (m *Message) Values(name string) []string {
	var out []string
	it := m.values(kindOf(name), name)
	for {
		v, _, ok := it.next()
		if !ok {
			return out
		}
		out = append(out, unfold(v))
	}
}

// Count returns the number of values Values would return.
func (m *Message) Count(name string) int {
	n := 0
	it := m.values(kindOf(name), name)
	for {
		_, _, ok := it.next()
		if !ok {
			return n
		}
		n++
	}
}

// All iterates over the header fields in order, names as written and
// values unfolded.
func (m *Message) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i := range m.fields {
			if !yield(m.name(&m.fields[i]), unfold(m.val(&m.fields[i]))) {
				return
			}
		}
	}
}

// NumFields returns the number of header field lines.
func (m *Message) NumFields() int { return len(m.fields) }

// unfold replaces line folding (CRLF followed by white space) by a single
// space; it allocates only for folded values.
func unfold(v string) string {
	if strings.IndexByte(v, '\n') < 0 {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			for i+1 < len(v) && isLWSByte(v[i+1]) {
				i++
			}
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// single returns the only (first) line of a single-valued header.
func (m *Message) single(k hkind) (*field, error) {
	i := m.index(k, "", 0)
	if i < 0 {
		return nil, ErrNoHeader
	}
	return &m.fields[i], nil
}

// wrap turns a grammar error into a *ParseError naming the field.
func (m *Message) wrap(f *field, err error) *ParseError {
	reason := err.Error()
	if pe, ok := err.(*ParseError); ok {
		reason = pe.Reason
	}
	return m.fieldError(f, reason)
}

// Via returns the topmost Via value.
func (m *Message) Via() (via Via, err error) {
	v, f := m.first(hVia)
	if f == nil {
		return Via{}, ErrNoHeader
	}
	if e := parseVia(&via, v); e != nil {
		return Via{}, m.wrap(f, e)
	}
	return via, nil
}

// Vias returns every Via value, topmost first.
func (m *Message) Vias() ([]Via, error) {
	var out []Via
	it := m.values(hVia, "")
	for {
		v, f, ok := it.next()
		if !ok {
			return out, nil
		}
		via, err := ParseVia(v)
		if err != nil {
			return nil, m.wrap(f, err)
		}
		out = append(out, via)
	}
}

// ViaCount returns the number of Via values (hops so far).
func (m *Message) ViaCount() int { return m.Count(HdrVia) }

func (m *Message) address(k hkind) (a Address, err error) {
	f, err := m.single(k)
	if err != nil {
		return Address{}, err
	}
	if e := parseAddress(&a, m.val(f)); e != nil {
		return Address{}, m.wrap(f, e)
	}
	return a, nil
}

// From returns the From address; its tag is From().Tag().
func (m *Message) From() (Address, error) { return m.address(hFrom) }

// To returns the To address.
func (m *Message) To() (Address, error) { return m.address(hTo) }

// ReferTo returns the Refer-To address (RFC 3515).
func (m *Message) ReferTo() (Address, error) { return m.address(hReferTo) }

// ReferredBy returns the Referred-By address (RFC 3892).
func (m *Message) ReferredBy() (Address, error) { return m.address(hReferredBy) }

// CallID returns the Call-ID.
func (m *Message) CallID() (string, error) {
	f, err := m.single(hCallID)
	if err != nil {
		return "", err
	}
	if err := checkCallID(m.val(f)); err != nil {
		return "", m.wrap(f, err)
	}
	return m.val(f), nil
}

// checkCallID checks word [ "@" word ].
func checkCallID(v string) error {
	w1, w2, at := strings.Cut(v, "@")
	if !isWord(w1) || (at && !isWord(w2)) {
		return perr(0, "Call-ID is not word[@word]")
	}
	return nil
}

// CSeq returns the CSeq value.
func (m *Message) CSeq() (CSeq, error) {
	f, err := m.single(hCSeq)
	if err != nil {
		return CSeq{}, err
	}
	c, err := ParseCSeq(m.val(f))
	if err != nil {
		return CSeq{}, m.wrap(f, err)
	}
	return c, nil
}

// MaxForwards returns the Max-Forwards value (0 to 255).
func (m *Message) MaxForwards() (int, error) {
	f, err := m.single(hMaxForwards)
	if err != nil {
		return 0, err
	}
	n, ok := parseUint(m.val(f), 255)
	if !ok {
		return 0, m.fieldError(f, "Max-Forwards is not a number from 0 to 255")
	}
	return int(n), nil
}

// ContentLength returns the Content-Length header's value.
func (m *Message) ContentLength() (int, error) { return m.delta(hContentLength) }

// Expires returns the Expires header's delta-seconds.
func (m *Message) Expires() (int, error) { return m.delta(hExpires) }

// MinExpires returns the Min-Expires header's delta-seconds.
func (m *Message) MinExpires() (int, error) { return m.delta(hMinExpires) }

// FlowTimer returns the Flow-Timer header's seconds (RFC 5626).
func (m *Message) FlowTimer() (int, error) { return m.delta(hFlowTimer) }

func (m *Message) delta(k hkind) (int, error) {
	f, err := m.single(k)
	if err != nil {
		return 0, err
	}
	n, err := parseDelta(m.val(f))
	if err != nil {
		return 0, m.wrap(f, err)
	}
	return n, nil
}

// ContentType returns the Content-Type media type.
func (m *Message) ContentType() (MediaType, error) {
	f, err := m.single(hContentType)
	if err != nil {
		return MediaType{}, err
	}
	t, err := ParseMediaType(m.val(f))
	if err != nil {
		return MediaType{}, m.wrap(f, err)
	}
	return t, nil
}

// Contact returns the first Contact value.
func (m *Message) Contact() (Address, error) { return m.firstAddress(hContact) }

// Route returns the topmost Route value, the next hop of a loose route.
func (m *Message) Route() (Address, error) { return m.firstAddress(hRoute) }

func (m *Message) firstAddress(k hkind) (a Address, err error) {
	v, f := m.first(k)
	if f == nil {
		return Address{}, ErrNoHeader
	}
	e := parseAddress(&a, v)
	if e == nil && needsNameAddr(k) && !isNameAddr(v) {
		e = perr(0, "value must be a name-addr in angle brackets")
	}
	if e != nil {
		return Address{}, m.wrap(f, e)
	}
	return a, nil
}

// first returns the first value of a known list header and its field: the
// first comma-separated element of its first line.
func (m *Message) first(k hkind) (string, *field) {
	i := m.index(k, "", 0)
	for ; i >= 0; i = m.index(k, "", i+1) {
		if f := &m.fields[i]; f.valLen > 0 {
			first, _, _, _ := splitComma(m.val(f))
			return trimLWS(first), f
		}
	}
	return "", nil
}

// Contacts returns every Contact value in order.
func (m *Message) Contacts() ([]Address, error) { return m.Addresses(HdrContact) }

// Routes returns the Route set, topmost first.
func (m *Message) Routes() ([]Address, error) { return m.Addresses(HdrRoute) }

// RecordRoutes returns the Record-Route values, topmost first.
func (m *Message) RecordRoutes() ([]Address, error) { return m.Addresses(HdrRecordRoute) }

// Paths returns the Path values (RFC 3327), topmost first.
func (m *Message) Paths() ([]Address, error) { return m.Addresses(HdrPath) }

// Addresses returns every value of an address-valued header (Contact,
// Route, Record-Route, Path, Service-Route, P-Asserted-Identity,
// Diversion, …) in order. Route-like headers must use the name-addr form.
func (m *Message) Addresses(name string) ([]Address, error) {
	k := kindOf(name)
	var out []Address
	it := m.values(k, name)
	for {
		v, f, ok := it.next()
		if !ok {
			return out, nil
		}
		a, err := ParseAddress(v)
		if err == nil && needsNameAddr(k) && !isNameAddr(v) {
			err = perr(0, "value must be a name-addr in angle brackets")
		}
		if err != nil {
			return nil, m.wrap(f, err)
		}
		out = append(out, a)
	}
}

func needsNameAddr(k hkind) bool {
	return k == hRoute || k == hRecordRoute || k == hPath || k == hServiceRoute
}

// isNameAddr reports whether an address value uses the name-addr form
// (URI in angle brackets, optionally after a display name).
func isNameAddr(v string) bool {
	v = trimLWS(v)
	if v != "" && (v[0] == '"' || v[0] == '<') {
		return true
	}
	for i := 0; i < len(v); i++ {
		if v[i] == '<' {
			return true
		}
		if charClass[v[i]]&cToken == 0 && !isLWSByte(v[i]) {
			return false
		}
	}
	return false
}

// Tokens returns the tokens of a token-list header (Supported, Require,
// Proxy-Require, Unsupported, Allow, Allow-Events, Privacy …).
func (m *Message) Tokens(name string) ([]string, error) {
	var out []string
	it := m.values(kindOf(name), name)
	for {
		v, f, ok := it.next()
		if !ok {
			return out, nil
		}
		if err := checkToken(v); err != nil {
			return nil, m.wrap(f, err)
		}
		out = append(out, v)
	}
}

// HasToken reports whether the token-list header called name contains tok,
// ignoring case: m.HasToken(HdrSupported, "timer").
func (m *Message) HasToken(name, tok string) bool {
	it := m.values(kindOf(name), name)
	for {
		v, _, ok := it.next()
		if !ok {
			return false
		}
		if equalFold(v, tok) {
			return true
		}
	}
}

// Auth returns the first credentials or challenge of the header called
// name (Authorization, Proxy-Authorization, WWW-Authenticate,
// Proxy-Authenticate).
func (m *Message) Auth(name string) (Auth, error) {
	a, err := m.Auths(name)
	if err != nil {
		return Auth{}, err
	}
	if len(a) == 0 {
		return Auth{}, ErrNoHeader
	}
	return a[0], nil
}

// Auths returns every credentials or challenge of the header called name,
// one per header line.
func (m *Message) Auths(name string) ([]Auth, error) {
	k := kindOf(name)
	var out []Auth
	for i := m.index(k, name, 0); i >= 0; i = m.index(k, name, i+1) {
		f := &m.fields[i]
		a, err := ParseAuth(m.val(f))
		if err != nil {
			return nil, m.wrap(f, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// ParamValue returns the first value of a "value;params" header such as
// Event, Subscription-State, Content-Disposition or Replaces, the value
// unchecked beyond its parameters.
func (m *Message) ParamValue(name string) (ParamValue, error) {
	k := kindOf(name)
	it := m.values(k, name)
	v, f, ok := it.next()
	if !ok {
		return ParamValue{}, ErrNoHeader
	}
	pv, err := parseParamValue(v)
	if err != nil {
		return ParamValue{}, m.wrap(f, err)
	}
	return pv, nil
}

// Event returns the Event header (RFC 6665): the event package and its
// parameters (id …).
func (m *Message) Event() (ParamValue, error) {
	pv, err := m.ParamValue(HdrEvent)
	if err == nil && !isToken(pv.Value) {
		f, _ := m.single(hEvent)
		return ParamValue{}, m.fieldError(f, "event type is not a token")
	}
	return pv, err
}

// SubscriptionState returns the Subscription-State header (RFC 6665):
// active, pending or terminated, and its parameters (expires, reason …).
func (m *Message) SubscriptionState() (ParamValue, error) {
	pv, err := m.ParamValue(HdrSubscriptionState)
	if err == nil && !isToken(pv.Value) {
		f, _ := m.single(hSubscriptionState)
		return ParamValue{}, m.fieldError(f, "substate is not a token")
	}
	return pv, err
}

// SessionExpires is the Session-Expires header (RFC 4028).
type SessionExpires struct {
	Delta     int    // seconds
	Refresher string // "uac", "uas" or ""
	Params    Params
}

// String returns "delta;params".
func (s SessionExpires) String() string {
	p := s.Params
	if s.Refresher != "" {
		p = p.Set("refresher", s.Refresher)
	}
	return string(appendInt(nil, s.Delta)) + string(p.canonical())
}

// SessionExpires returns the Session-Expires header.
func (m *Message) SessionExpires() (SessionExpires, error) {
	pv, err := m.ParamValue(HdrSessionExpires)
	if err != nil {
		return SessionExpires{}, err
	}
	d, err := parseDelta(pv.Value)
	if err != nil {
		f, _ := m.single(hSessionExpires)
		return SessionExpires{}, m.wrap(f, err)
	}
	r, _ := pv.Params.Get("refresher")
	return SessionExpires{Delta: d, Refresher: r, Params: pv.Params}, nil
}

// MinSE returns the Min-SE header's seconds (RFC 4028).
func (m *Message) MinSE() (int, error) {
	pv, err := m.ParamValue(HdrMinSE)
	if err != nil {
		return 0, err
	}
	d, err := parseDelta(pv.Value)
	if err != nil {
		f, _ := m.single(hMinSE)
		return 0, m.wrap(f, err)
	}
	return d, nil
}

// Warnings returns the Warning values.
func (m *Message) Warnings() ([]Warning, error) {
	var out []Warning
	it := m.values(hWarning, "")
	for {
		v, f, ok := it.next()
		if !ok {
			return out, nil
		}
		w, err := ParseWarning(v)
		if err != nil {
			return nil, m.wrap(f, err)
		}
		out = append(out, w)
	}
}

// Date returns the Date header.
func (m *Message) Date() (time.Time, error) {
	f, err := m.single(hDate)
	if err != nil {
		return time.Time{}, err
	}
	t, err := parseDate(m.val(f))
	if err != nil {
		return time.Time{}, m.wrap(f, err)
	}
	return t, nil
}

// UserAgent returns the User-Agent header, "" when absent.
func (m *Message) UserAgent() string { return m.Get(HdrUserAgent) }

// Server returns the Server header, "" when absent.
func (m *Message) Server() string { return m.Get(HdrServer) }
