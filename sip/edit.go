package sip

import (
	"slices"
	"strconv"
)

// Edits change the message in place. Only the header lines an edit touches
// are rewritten, in the form "Name: value" with the long name for new
// headers; every other line keeps its received bytes (SIP-16). Names and
// values carrying CR, LF or NUL are refused with ErrInvalidValue, so an
// edit can never inject a header line.

func checkEdit(name, value string) error {
	if !isToken(name) || len(name) > maxNameLen || len(name)+len(value) > maxFieldLen || hasCtl(value) {
		return ErrInvalidValue
	}
	return nil
}

// newField writes a field into the edit buffer; a known header gets its
// long name unless the compact form was asked for.
func (m *Message) newField(name, value string) field {
	k := kindOf(name)
	if k != hUnknown && (len(name) != 1 || hinfos[k].compact == 0) {
		name = hinfos[k].name
	}
	return m.synth(name, value, k)
}

func (m *Message) insert(i int, f field) {
	m.fields = slices.Insert(m.fields, i, f)
	m.edited = true
}

func (m *Message) remove(i int) {
	m.fields = slices.Delete(m.fields, i, i+1)
	m.edited = true
}

// Set replaces every line of the header called name with one line holding
// value, at the position of the first one, or adds it as Add does.
func (m *Message) Set(name, value string) error {
	if err := checkEdit(name, value); err != nil {
		return err
	}
	k := kindOf(name)
	i := m.index(k, name, 0)
	if i < 0 {
		m.add(m.newField(name, value))
		return nil
	}
	// Keep the spelling the line had ("v", "VIA").
	m.fields[i] = m.synth(m.name(&m.fields[i]), value, k)
	m.edited = true
	for j := m.index(k, name, i+1); j >= 0; j = m.index(k, name, j) {
		m.remove(j)
	}
	return nil
}

// Add appends a line for the header called name after its last existing
// line, or, for a new header, at the end of the header block but before a
// final Content-Length.
func (m *Message) Add(name, value string) error {
	if err := checkEdit(name, value); err != nil {
		return err
	}
	m.add(m.newField(name, value))
	return nil
}

func (m *Message) add(f field) {
	last := -1
	name := m.name(&f)
	for i := range m.fields {
		if m.matches(&m.fields[i], f.kind(), name) {
			last = i
		}
	}
	switch {
	case last >= 0:
		m.insert(last+1, f)
	case len(m.fields) > 0 && m.fields[len(m.fields)-1].kind() == hContentLength && f.kind() != hContentLength:
		m.insert(len(m.fields)-1, f)
	default:
		m.insert(len(m.fields), f)
	}
}

// Prepend inserts a line for the header called name before its first
// existing line (a proxy's Via or Record-Route goes on top), or at the top
// of the header block for a new header.
func (m *Message) Prepend(name, value string) error {
	if err := checkEdit(name, value); err != nil {
		return err
	}
	f := m.newField(name, value)
	i := m.index(f.kind(), name, 0)
	if i < 0 {
		i = 0
	}
	m.insert(i, f)
	return nil
}

// Del removes every line of the header called name and returns how many
// lines it removed.
func (m *Message) Del(name string) int {
	k := kindOf(name)
	n := 0
	for i := m.index(k, name, 0); i >= 0; i = m.index(k, name, i) {
		m.remove(i)
		n++
	}
	return n
}

// PopFirst removes the first value of the header called name — the first
// comma-separated element when a list header line holds several, the rest
// of that line staying as received — and returns it.
func (m *Message) PopFirst(name string) (string, bool) {
	k := kindOf(name)
	it := m.values(k, name)
	v, f, ok := it.next()
	if !ok {
		return "", false
	}
	i := it.fi
	if !it.pending || trimLWS(it.rest) == "" {
		m.remove(i)
		return unfold(v), true
	}
	// The rest of the line is a suffix of the field's value, in the same text.
	rest := trimLWS(it.rest)
	f.valOff += f.valLen - uint16(len(rest))
	f.valLen = uint16(len(rest))
	f.kf &^= bitRaw
	m.edited = true
	return unfold(v), true
}

// ReplaceFirst replaces the first value of the header called name with
// value (the first element of a list line, the rest of the line kept), or
// adds the header when it is absent.
func (m *Message) ReplaceFirst(name, value string) error {
	if err := checkEdit(name, value); err != nil {
		return err
	}
	k := kindOf(name)
	it := m.values(k, name)
	_, f, ok := it.next()
	if !ok {
		m.add(m.newField(name, value))
		return nil
	}
	if it.pending && trimLWS(it.rest) != "" {
		value = value + ", " + trimLWS(it.rest)
	}
	if len(m.name(f))+len(value) > maxFieldLen {
		return ErrInvalidValue
	}
	*f = m.synth(m.name(f), value, f.kind())
	m.edited = true
	return nil
}

// RemoveToken removes tok (case-insensitive) from every line of a token
// list header such as Allow, Supported, Require or Proxy-Require; a line
// left empty is removed (SIP-87: "Allow: UPDATE" disappears). It returns
// how many tokens it removed; lines without tok keep their bytes.
func (m *Message) RemoveToken(name, tok string) int {
	k := kindOf(name)
	removed := 0
	for i := m.index(k, name, 0); i >= 0; {
		f := &m.fields[i]
		var kept []byte
		n := 0
		for s := m.val(f); ; {
			first, rest, more, _ := splitComma(s)
			if v := trimLWS(first); equalFold(v, tok) {
				n++
			} else if v != "" {
				if len(kept) > 0 {
					kept = append(kept, ", "...)
				}
				kept = append(kept, v...)
			}
			if !more {
				break
			}
			s = rest
		}
		if n == 0 {
			i = m.index(k, name, i+1)
			continue
		}
		removed += n
		if len(kept) == 0 {
			m.remove(i)
			i = m.index(k, name, i)
			continue
		}
		*f = m.synth(m.name(f), string(kept), f.kind())
		m.edited = true
		i = m.index(k, name, i+1)
	}
	return removed
}

// SetRequestURI replaces the Request-URI of a request.
func (m *Message) SetRequestURI(u URI) error {
	s := u.String()
	if !m.request || !validRequestURIText(s) {
		return ErrInvalidValue
	}
	m.ruri = s
	m.startEnd = 0
	m.edited = true
	return nil
}

// SetStatus replaces the status code and reason phrase of a response; an
// empty reason takes the standard phrase of the code.
func (m *Message) SetStatus(code int, reason string) error {
	if m.request || code < 100 || code > 699 || hasCtl(reason) {
		return ErrInvalidValue
	}
	if reason == "" {
		reason = ReasonPhrase(code)
	}
	m.status, m.reason = uint16(code), reason
	m.startEnd = 0
	m.edited = true
	return nil
}

// SetBody replaces the body and sets Content-Length to its size (SIP-16);
// a non-empty contentType sets Content-Type too. An empty body with an
// empty contentType removes Content-Type.
func (m *Message) SetBody(contentType string, body []byte) error {
	if contentType != "" {
		if err := m.Set(HdrContentType, contentType); err != nil {
			return err
		}
	} else if len(body) == 0 {
		m.Del(HdrContentType)
	}
	if len(body) == 0 {
		body = nil
	}
	m.body = body
	m.edited = true
	return m.Set(HdrContentLength, strconv.Itoa(len(body)))
}

// SetMaxForwards sets Max-Forwards to n (clamped to 0…255).
func (m *Message) SetMaxForwards(n int) {
	n = min(max(n, 0), 255)
	_ = m.Set(HdrMaxForwards, strconv.Itoa(n))
}

// PushVia adds v as the new topmost Via (RFC 3261 §16.6 step 8).
func (m *Message) PushVia(v Via) error { return m.Prepend(HdrVia, v.String()) }

// PopVia removes the topmost Via value (a response on its way back,
// RFC 3261 §16.7 step 3) and returns it.
func (m *Message) PopVia() (Via, error) {
	s, ok := m.PopFirst(HdrVia)
	if !ok {
		return Via{}, ErrNoHeader
	}
	return ParseVia(s)
}

// SetTopVia replaces the topmost Via value, e.g. after adding received
// and rport (SIP-39); other Via values keep their bytes.
func (m *Message) SetTopVia(v Via) error { return m.ReplaceFirst(HdrVia, v.String()) }

// SetFrom replaces the From header.
func (m *Message) SetFrom(a Address) error { return m.Set(HdrFrom, a.String()) }

// SetTo replaces the To header.
func (m *Message) SetTo(a Address) error { return m.Set(HdrTo, a.String()) }

// SetToTag sets the tag parameter of To, as a UAS or B2BUA does when it
// answers a dialog-forming request.
func (m *Message) SetToTag(tag string) error {
	a, err := m.To()
	if err != nil {
		return err
	}
	if !isToken(tag) {
		return ErrInvalidValue
	}
	a.Params = a.Params.Set("tag", tag)
	return m.SetTo(a)
}

// SetCSeq replaces the CSeq header.
func (m *Message) SetCSeq(c CSeq) error {
	if !isToken(c.Method) || c.Seq > maxInt31 {
		return ErrInvalidValue
	}
	return m.Set(HdrCSeq, c.String())
}

// AddAddress appends an address-valued header line (Contact, Path,
// P-Asserted-Identity …).
func (m *Message) AddAddress(name string, a Address) error { return m.Add(name, a.String()) }

// PrependAddress puts an address on top of a route-like header (Record-Route,
// Path, Route).
func (m *Message) PrependAddress(name string, a Address) error {
	return m.Prepend(name, a.String())
}
