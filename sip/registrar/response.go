package registrar

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/sip"
)

// Responses are written as text and parsed once, rather than built by
// editing a copy of the request: one buffer and one Message instead of an
// allocation per header edit, and a Message that serialises as a plain
// copy of its bytes.

// respond answers req per RFC 3261 §8.2.6: Via, From, To (with the
// registrar's tag unless the request's To has one), Call-ID and CSeq
// copied as received, then the lines extra appends, then
// Content-Length: 0. An empty reason takes the code's standard phrase.
func (r *Registrar) respond(req *sip.Message, toTagged bool, code int, reason string, extra func([]byte) []byte) (*sip.Message, error) {
	if reason == "" {
		reason = sip.ReasonPhrase(code)
	}
	b := make([]byte, 0, 640)
	b = append(b, "SIP/2.0 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "\r\n"...)
	for name, value := range req.All() {
		switch copied(name) {
		case copyAsIs:
			b = appendHeader(b, name, value)
		case copyTo:
			b = appendHeader(b, name, value)
			if !toTagged {
				b = b[:len(b)-2]
				b = append(b, ";tag="...)
				b = append(b, r.tag...)
				b = append(b, "\r\n"...)
			}
		}
	}
	if extra != nil {
		b = extra(b)
	}
	b = append(b, "Content-Length: 0\r\n\r\n"...)
	m, err := sip.ParseMessageLimits(b, sip.Limits{MaxSize: len(b), MaxHeaders: 1 << 20, MaxFieldLen: 65535})
	if err == nil {
		return m, nil
	}
	// Only a request the parser accepted with wider limits than a
	// response allows gets here: answer without the extra headers.
	m, err2 := sip.NewResponse(req, code, reason)
	if err2 != nil {
		return nil, fmt.Errorf("registrar: %w", err2)
	}
	if !toTagged {
		_ = m.SetToTag(r.tag)
	}
	return m, nil
}

const (
	copyNot = iota
	copyAsIs
	copyTo
)

// copied says whether a request header, its name as written (any case,
// long or compact form), is copied into a response: Via, From, Call-ID
// and CSeq as they are, To with a tag added (RFC 3261 §8.2.6.2).
func copied(name string) int {
	switch len(name) {
	case 1:
		switch name[0] | 0x20 {
		case 'v', 'f', 'i':
			return copyAsIs
		case 't':
			return copyTo
		}
	case 2:
		if strings.EqualFold(name, sip.HdrTo) {
			return copyTo
		}
	case 3:
		if strings.EqualFold(name, sip.HdrVia) {
			return copyAsIs
		}
	case 4:
		if strings.EqualFold(name, sip.HdrFrom) || strings.EqualFold(name, sip.HdrCSeq) {
			return copyAsIs
		}
	case 7:
		if strings.EqualFold(name, sip.HdrCallID) {
			return copyAsIs
		}
	}
	return copyNot
}

func appendHeader(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// appendContact writes a binding's Contact line for a 2xx: its remaining
// expiry and, when it has one, its public GRUU (SIP-54, SIP-56).
func appendContact(b []byte, bd *Binding, now time.Time) []byte {
	b = append(b, "Contact: "...)
	b = append(b, bd.Contact...)
	b = append(b, ";expires="...)
	b = strconv.AppendInt(b, int64(bd.Expires.Sub(now).Round(time.Second)/time.Second), 10)
	if bd.GRUU != "" {
		b = append(b, ";pub-gruu="...)
		b = sip.AppendQuoted(b, bd.GRUU)
	}
	return append(b, "\r\n"...)
}

// dateLayout is the SIP-date of RFC 3261 §20.17 (RFC 1123, always GMT).
const dateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateLine is a Date header value and the second it is for.
type dateLine struct {
	sec   int64
	value string
}

// dateOf returns the Date value for now, formatted once per second.
func (r *Registrar) dateOf(now time.Time) string {
	sec := now.Unix()
	if d := r.date.Load(); d != nil && d.sec == sec {
		return d.value
	}
	d := &dateLine{sec: sec, value: now.UTC().Format(dateLayout)}
	r.date.Store(d)
	return d.value
}
