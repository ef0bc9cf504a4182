package sip

import (
	"io"
	"strconv"
)

// inlineFields is how many header fields a Message indexes without a
// separate allocation; a typical INVITE or proxied request fits.
const inlineFields = 16

// field is one header field line (possibly folded over several lines),
// as offsets: into the received bytes (hs) for parsed fields, into the
// edit text (es) for fields an edit wrote. Twelve bytes, so that a
// Message with its inline index stays one small allocation.
type field struct {
	off    uint32 // start of the field, which is its name
	valOff uint16 // start of the value, relative to off
	valLen uint16 // value trimmed of surrounding LWS; may contain folding
	rawLen uint16 // the received field with its line terminator(s), raw fields only
	nl     uint8  // name length, and bitSynth: offsets refer to es, not hs
	kf     uint8  // hkind, and bitRaw: serialise as the received bytes
}

const (
	bitSynth = 0x80 // in nl
	bitRaw   = 0x80 // in kf
)

func (f *field) kind() hkind  { return hkind(f.kf &^ bitRaw) }
func (f *field) raw() bool    { return f.kf&bitRaw != 0 }
func (f *field) synth() bool  { return f.nl&bitSynth != 0 }
func (f *field) nameLen() int { return int(f.nl &^ bitSynth) }

// Bounds the compact field imposes (the parser and the edits enforce them).
const (
	maxNameLen  = 127
	maxFieldLen = 65535
)

// Message is one SIP request or response (RFC 3261 §7).
//
// A parsed Message keeps the bytes it was parsed from and indexes its header
// block once: each header is a (name, value) pair of views into those bytes,
// decoded into a typed value only when an accessor asks for it. Serialising a
// message that has not been edited reproduces its input byte for byte; an
// edit rewrites only the header lines it touches (SIP-16).
//
// A Message is not safe for concurrent use when one goroutine edits it;
// concurrent reads are safe. Use Clone to give each goroutine its own copy.
type Message struct {
	hs string // input up to the body; parsed views point into it
	es string // text of edited fields; grows by concatenation, so older views stay valid

	method  string
	ruri    string
	version string
	reason  string

	startEnd uint32 // end of the received start line; 0 once the start line is rewritten
	msgStart uint32 // offset of the start line in the input (leading CRLFs skipped)
	sepStart uint32 // offset of the empty line ending the header block, 0 if none
	status   uint16
	request  bool
	edited   bool // any edit since parsing; always set for a built message

	fields []field
	body   []byte
	inline [inlineFields]field
}

// src returns the text a field's offsets refer to.
func (m *Message) src(f *field) string {
	if f.synth() {
		return m.es
	}
	return m.hs
}

// name returns a field's name as written.
func (m *Message) name(f *field) string {
	return m.src(f)[f.off : f.off+uint32(f.nameLen())]
}

// rawField returns the received bytes of a parsed field.
func (m *Message) rawField(f *field) string {
	return m.hs[f.off : f.off+uint32(f.rawLen)]
}

// val returns a field's value, trimmed, folding kept.
func (m *Message) val(f *field) string {
	v := f.off + uint32(f.valOff)
	return m.src(f)[v : v+uint32(f.valLen)]
}

// synth appends "name" and "value" to the edit buffer and returns the field
// that refers to them.
func (m *Message) synth(name, value string, k hkind) field {
	value = trimLWS(value)
	off := len(m.es)
	m.es = m.es + name + value
	return field{off: uint32(off), valOff: uint16(len(name)), valLen: uint16(len(value)),
		nl: uint8(len(name)) | bitSynth, kf: uint8(k)}
}

// IsRequest reports whether m is a request.
func (m *Message) IsRequest() bool { return m.request }

// IsResponse reports whether m is a response.
func (m *Message) IsResponse() bool { return !m.request }

// Method returns the request method, or for a response the method of its
// CSeq header (the request it answers); "" when there is none.
func (m *Message) Method() string {
	if m.request {
		return m.method
	}
	if c, err := m.CSeq(); err == nil {
		return c.Method
	}
	return ""
}

// RequestURIString returns the Request-URI of a request as written.
func (m *Message) RequestURIString() string { return m.ruri }

// RequestURI parses and returns the Request-URI of a request.
func (m *Message) RequestURI() (URI, error) {
	if !m.request {
		return URI{}, &ParseError{Offset: -1, Reason: "response has no Request-URI", Status: 400}
	}
	u, err := ParseURI(m.ruri)
	if err != nil {
		return URI{}, m.startError("Request-URI: " + err.Error())
	}
	return u, nil
}

// Version returns the SIP version of the start line as written, e.g. "SIP/2.0".
func (m *Message) Version() string { return m.version }

// StatusCode returns the status code of a response, 0 for a request.
func (m *Message) StatusCode() int { return int(m.status) }

// Reason returns the reason phrase of a response.
func (m *Message) Reason() string { return m.reason }

// Body returns the message body (nil when empty). The slice belongs to the
// message (for a parsed message, it is part of the parsed buffer): replace
// it with SetBody, never modify it in place.
func (m *Message) Body() []byte { return m.body }

// Len returns the size in bytes of the serialised message.
func (m *Message) Len() int {
	if !m.edited {
		return len(m.hs) - int(m.msgStart) + len(m.body)
	}
	n := m.startLen()
	for i := range m.fields {
		f := &m.fields[i]
		if f.raw() {
			n += int(f.rawLen)
		} else {
			n += f.nameLen() + 2 + int(f.valLen) + 2
		}
	}
	if m.sepStart > 0 {
		return n + len(m.hs) - int(m.sepStart) + len(m.body)
	}
	return n + 2 + len(m.body)
}

// AppendTo appends the wire form of m to dst and returns the extended
// slice. An unedited parsed message is appended exactly as received.
func (m *Message) AppendTo(dst []byte) []byte {
	if !m.edited {
		dst = append(dst, m.hs[m.msgStart:]...)
		return append(dst, m.body...)
	}
	if m.startEnd > 0 {
		dst = append(dst, m.hs[m.msgStart:m.startEnd]...)
	} else {
		dst = m.appendStart(dst)
	}
	for i := range m.fields {
		f := &m.fields[i]
		if f.raw() {
			dst = append(dst, m.rawField(f)...)
			continue
		}
		dst = append(dst, m.name(f)...)
		dst = append(dst, ':', ' ')
		dst = append(dst, m.val(f)...)
		dst = append(dst, '\r', '\n')
	}
	if m.sepStart > 0 {
		dst = append(dst, m.hs[m.sepStart:]...)
	} else {
		dst = append(dst, '\r', '\n')
	}
	return append(dst, m.body...)
}

// Bytes returns the wire form of m in a new slice.
func (m *Message) Bytes() []byte { return m.AppendTo(make([]byte, 0, m.Len())) }

// String returns the wire form of m.
func (m *Message) String() string { return string(m.Bytes()) }

// WriteTo writes the wire form of m to w in one Write call.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(m.Bytes())
	return int64(n), err
}

func (m *Message) startLen() int {
	if m.startEnd > 0 {
		return int(m.startEnd - m.msgStart)
	}
	if m.request {
		return len(m.method) + 1 + len(m.ruri) + 1 + len(m.version) + 2
	}
	return len(m.version) + 5 + len(m.reason) + 2
}

func (m *Message) appendStart(dst []byte) []byte {
	if m.request {
		dst = append(dst, m.method...)
		dst = append(dst, ' ')
		dst = append(dst, m.ruri...)
		dst = append(dst, ' ')
		dst = append(dst, m.version...)
		return append(dst, '\r', '\n')
	}
	dst = append(dst, m.version...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(m.status), 10)
	dst = append(dst, ' ')
	dst = append(dst, m.reason...)
	return append(dst, '\r', '\n')
}

// Clone returns a copy of m that can be edited independently; the received
// bytes and the body, which edits replace but never modify, are shared.
func (m *Message) Clone() *Message {
	c := new(Message)
	*c = *m
	if len(m.fields) <= inlineFields {
		c.fields = c.inline[:len(m.fields)]
		copy(c.fields, m.fields)
	} else {
		c.fields = append([]field(nil), m.fields...)
	}
	return c
}

func (m *Message) startError(reason string) *ParseError {
	off := -1
	if m.startEnd > 0 {
		off = int(m.msgStart)
	}
	return &ParseError{Offset: off, Reason: reason, Status: 400}
}

func (m *Message) fieldError(f *field, reason string) *ParseError {
	off := -1
	if !f.synth() {
		off = int(f.off)
	}
	return &ParseError{Offset: off, Header: m.name(f), Reason: reason, Status: 400}
}
