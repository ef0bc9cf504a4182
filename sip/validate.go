package sip

import (
	"strconv"
	"strings"
)

// maxVias bounds the Via values of a message (spec §4.2).
const maxVias = 70

// singleHeaders may appear at most once (RFC 3261 §7.3.1: only list
// headers may repeat).
var singleHeaders = [...]hkind{hFrom, hTo, hCallID, hCSeq, hMaxForwards, hContentLength,
	hContentType, hExpires, hMinExpires, hDate, hSessionExpires, hMinSE, hReferTo, hEvent,
	hSubscriptionState, hRSeq, hRAck, hReplaces, hFlowTimer, hRetryAfter}

// Validate checks the whole message against the RFC 3261 grammar and
// rules the parser leaves to this layer: the SIP version (505 when a
// request's is not 2.0), the Request-URI (no headers in it, RFC 3261
// §19.1.1), the mandatory headers (Via, From, To, Call-ID, CSeq), headers
// that may appear only once, the CSeq method against the request method,
// every known header's value grammar and range (CSeq and delta-seconds
// below 2^31, Max-Forwards 0–255, Date in GMT, Warning codes of three
// digits, Contact expires and q), Content-Length against the body, and the
// limits of the spec §4.2 (70 Via values, 2 KiB URIs, 64 parameters).
//
// It returns nil or a *ValidationError listing every fault with its
// header name and byte offset, and the status code to answer: 505 or 400.
// Unknown headers are not checked. Max-Forwards is not mandatory here (RFC
// 2543 peers omit it; a proxy adds one, RFC 3261 §16.6).
func (m *Message) Validate() error {
	v := validator{m: m, status: 400}
	v.startLine()
	var counts [hkindCount]int
	for i := range m.fields {
		f := &m.fields[i]
		counts[f.kind()]++
		v.field(f)
	}
	for _, k := range [...]hkind{hVia, hFrom, hTo, hCallID, hCSeq} {
		if counts[k] == 0 {
			v.add(&ParseError{Offset: -1, Header: hinfos[k].name, Reason: "mandatory header missing", Status: 400})
		}
	}
	for _, k := range singleHeaders {
		if counts[k] > 1 {
			i := m.index(k, "", 0)
			i = m.index(k, "", i+1)
			v.add(m.fieldError(&m.fields[i], "header appears "+strconv.Itoa(counts[k])+" times"))
		}
	}
	if n := m.ViaCount(); n > maxVias {
		v.add(&ParseError{Offset: -1, Header: HdrVia, Reason: "more than 70 Via values", Status: 400})
	}
	if m.request {
		if c, err := m.CSeq(); err == nil && c.Method != m.method {
			f, _ := m.single(hCSeq)
			v.add(m.fieldError(f, "CSeq method "+strconv.Quote(c.Method)+" does not match the request method"))
		}
	}
	if counts[hContentLength] == 1 {
		if n, err := m.ContentLength(); err == nil && n != len(m.body) {
			f, _ := m.single(hContentLength)
			v.add(m.fieldError(f, "Content-Length "+strconv.Itoa(n)+" but the body has "+strconv.Itoa(len(m.body))+" bytes"))
		}
	}
	if len(v.faults) == 0 {
		return nil
	}
	return &ValidationError{Status: v.status, Faults: v.faults}
}

type validator struct {
	m      *Message
	status int
	faults []*ParseError
}

func (v *validator) add(e *ParseError) { v.faults = append(v.faults, e) }

func (v *validator) startLine() {
	m := v.m
	if !equalFold(m.version, "SIP/2.0") {
		e := m.startError("unsupported SIP version " + strconv.Quote(m.version))
		if m.request {
			e.Status, v.status = 505, 505
		}
		v.add(e)
	}
	if !m.request {
		return
	}
	u, err := ParseURI(m.ruri)
	if err != nil {
		v.add(m.startError("Request-URI: " + err.(*ParseError).Reason))
		return
	}
	if u.IsSIP() && u.Headers != "" {
		v.add(m.startError("Request-URI must not carry headers"))
	}
}

// field checks the grammar of one known header field, value by value.
func (v *validator) field(f *field) {
	m := v.m
	check := func(err error) bool {
		if err != nil {
			v.add(m.wrap(f, err))
			return false
		}
		return true
	}
	each := func(fn func(string) error) {
		if m.val(f) == "" {
			return
		}
		for s := m.val(f); ; {
			first, rest, more, ok := splitComma(s)
			if !ok {
				check(perr(0, "unbalanced quotes or angle brackets"))
				return
			}
			if !check(fn(trimLWS(first))) {
				return
			}
			if !more {
				return
			}
			s = rest
		}
	}
	nonEmpty := func() bool {
		if m.val(f) == "" {
			check(perr(0, "empty value"))
			return false
		}
		return true
	}
	switch f.kind() {
	case hVia:
		if nonEmpty() {
			each(func(s string) error {
				via, err := ParseVia(s)
				if err != nil {
					return err
				}
				if r, ok := via.Params.Get("rport"); ok && r != "" {
					if _, ok := parseUint(r, 65535); !ok {
						return perr(0, "malformed rport")
					}
				}
				return nil
			})
		}
	case hFrom, hTo:
		a, err := ParseAddress(m.val(f))
		if check(err) && a.Wildcard {
			check(perr(0, "wildcard address"))
		}
	case hReferTo, hReferredBy, hReplyTo:
		_, err := ParseAddress(m.val(f))
		check(err)
	case hContact:
		if !nonEmpty() {
			return
		}
		n := 0
		each(func(s string) error {
			n++
			a, err := ParseAddress(s)
			if err != nil {
				return err
			}
			if a.Wildcard {
				if n > 1 || strings.IndexByte(m.val(f), ',') >= 0 || m.Count(HdrContact) > 1 {
					return perr(0, "wildcard Contact mixed with other values")
				}
				return nil
			}
			return checkContactParams(a.Params)
		})
	case hRoute, hRecordRoute, hPath, hServiceRoute:
		if nonEmpty() {
			each(func(s string) error {
				if _, err := ParseAddress(s); err != nil {
					return err
				}
				if !isNameAddr(s) {
					return perr(0, "value must be a name-addr in angle brackets")
				}
				return nil
			})
		}
	case hPAssertedIdentity, hPPreferredIdentity, hDiversion, hAlertInfo, hCallInfo, hErrorInfo:
		if nonEmpty() {
			each(func(s string) error { _, err := ParseAddress(s); return err })
		}
	case hCallID:
		check(checkCallID(m.val(f)))
	case hCSeq:
		_, err := ParseCSeq(m.val(f))
		check(err)
	case hMaxForwards:
		if _, ok := parseUint(m.val(f), 255); !ok {
			check(perr(0, "Max-Forwards is not a number from 0 to 255"))
		}
	case hContentLength, hExpires, hMinExpires, hFlowTimer, hRSeq:
		_, err := parseDelta(m.val(f))
		check(err)
	case hRetryAfter:
		pv, err := parseParamValue(m.val(f))
		if check(err) {
			d, _, _ := strings.Cut(pv.Value, " ")
			_, err = parseDelta(d)
			check(err)
		}
	case hSessionExpires, hMinSE:
		pv, err := parseParamValue(m.val(f))
		if check(err) {
			_, err = parseDelta(pv.Value)
			check(err)
		}
	case hEvent, hSubscriptionState, hContentDisposition:
		pv, err := parseParamValue(m.val(f))
		if check(err) {
			check(checkToken(pv.Value))
		}
	case hReason:
		each(func(s string) error {
			pv, err := parseParamValue(s)
			if err != nil {
				return err
			}
			return checkToken(pv.Value)
		})
	case hContentType:
		_, err := ParseMediaType(m.val(f))
		check(err)
	case hAccept:
		each(func(s string) error { _, err := ParseMediaType(s); return err })
	case hDate:
		_, err := parseDate(m.val(f))
		check(err)
	case hWarning:
		each(func(s string) error { _, err := ParseWarning(s); return err })
	case hSupported, hRequire, hProxyRequire, hUnsupported, hAllow, hAllowEvents, hContentEncoding,
		hAcceptEncoding, hContentLanguage:
		each(checkToken)
	case hAuthorization, hProxyAuthorization, hWWWAuthenticate, hProxyAuthenticate:
		_, err := ParseAuth(m.val(f))
		check(err)
	case hPriority:
		check(checkToken(m.val(f)))
	}
}

// checkContactParams checks the expires (delta-seconds) and q (qvalue,
// RFC 3261 §25.1: 0 to 1 with up to three decimals) contact parameters.
func checkContactParams(p Params) error {
	if e, ok := p.Get("expires"); ok {
		if _, err := parseDelta(e); err != nil {
			return perr(0, "Contact expires is not delta-seconds below 2^31")
		}
	}
	if q, ok := p.Get("q"); ok && !validQ(q) {
		return perr(0, "Contact q is not a qvalue")
	}
	return nil
}

func validQ(q string) bool {
	if q == "" || (q[0] != '0' && q[0] != '1') {
		return false
	}
	if len(q) == 1 {
		return true
	}
	if q[1] != '.' || len(q) > 5 {
		return false
	}
	for i := 2; i < len(q); i++ {
		if !isDigit(q[i]) || (q[0] == '1' && q[i] != '0') {
			return false
		}
	}
	return true
}
