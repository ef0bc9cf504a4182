package sip

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors a caller can branch on with errors.Is.
var (
	// ErrNoHeader is returned by typed accessors when the header is absent.
	ErrNoHeader = errors.New("sip: header not present")
	// ErrMessageTooLarge marks a message over the size limit (SIP-13); it
	// is refused before it is parsed and answered 513 on streams.
	ErrMessageTooLarge = errors.New("sip: message too large")
	// ErrContentLength marks a Content-Length that is missing on a stream,
	// malformed, contradicted by another Content-Length or larger than the
	// bytes received. On a stream it always closes the connection (SIP-14).
	ErrContentLength = errors.New("sip: bad Content-Length")
	// ErrInvalidValue is returned by the edit operations when a name or a
	// value would corrupt the message (CR, LF or NUL, or a name that is not
	// a token): header injection is refused, never escaped.
	ErrInvalidValue = errors.New("sip: invalid header name or value")
)

// ParseError describes why bytes are not a SIP message, or why a part of a
// message does not follow its grammar: where (byte offset into the input,
// the header name as written) and what.
type ParseError struct {
	// Offset is the byte offset into the parsed input where the problem
	// lies (the start of the offending line or field), or -1 when the
	// element was added by an edit and has no position in the input.
	Offset int
	// Header is the header name as written in the message, or "" for the
	// start line and message framing.
	Header string
	// Reason says what is wrong, in a few words.
	Reason string
	// Status is the response code a server answers with: 400 Bad Request
	// for malformed input, 505 for an unsupported SIP version, 513 for an
	// oversized message.
	Status int
	// Framing is true when the message boundaries themselves are lost
	// (Content-Length missing or malformed on a stream, oversize, early
	// EOF): a stream Reader cannot continue and the connection must be
	// closed (SIP-13, SIP-14).
	Framing bool
	// Partial, set only with an oversized stream message whose header
	// block parsed, holds that header block without its body so that the
	// transport can still answer 513 Message Too Large before closing.
	Partial *Message
	// Data holds the bytes of the undecodable message as far as they were
	// seen, at most MaxErrorData of them, for the "Decode Error" event's
	// Protocol-buffer (SIP-15). From ParseMessage it is a view into the
	// caller's buffer; from a Reader, a copy.
	Data []byte
	// Err is the underlying sentinel (ErrMessageTooLarge, ErrContentLength)
	// or I/O error, if any.
	Err error
}

// MaxErrorData bounds ParseError.Data (SIP-15: the bytes seen, truncated
// to 4 KiB).
const MaxErrorData = 4096

// attachData sets the Data of a *ParseError that has none.
func attachData(err error, b []byte, copyIt bool) error {
	pe, ok := err.(*ParseError)
	if !ok || pe.Data != nil || len(b) == 0 {
		return err
	}
	b = b[:min(len(b), MaxErrorData)]
	if copyIt {
		b = append([]byte(nil), b...)
	}
	pe.Data = b
	return err
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("sip: ")
	if e.Header != "" {
		b.WriteString("header ")
		b.WriteString(strconv.Quote(e.Header))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Offset >= 0 {
		b.WriteString(" (at byte ")
		b.WriteString(strconv.Itoa(e.Offset))
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the underlying sentinel or I/O error.
func (e *ParseError) Unwrap() error { return e.Err }

// StatusCode returns the response code a server answers the message with.
func (e *ParseError) StatusCode() int { return e.Status }

// ValidationError is returned by (*Message).Validate: every fault found in
// the message, and the one status code a server answers with.
type ValidationError struct {
	// Status is 505 when the request's SIP version is not 2.0, else 400.
	Status int
	// Faults lists every malformed or missing element, in message order.
	Faults []*ParseError
}

func (e *ValidationError) Error() string {
	if len(e.Faults) == 0 {
		return "sip: invalid message"
	}
	s := e.Faults[0].Error()
	if n := len(e.Faults) - 1; n > 0 {
		s += " (and " + strconv.Itoa(n) + " more)"
	}
	return s
}

// Unwrap returns the individual faults, so errors.As finds a *ParseError.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Faults))
	for i, f := range e.Faults {
		errs[i] = f
	}
	return errs
}

// StatusCode returns the response code a server answers the message with.
func (e *ValidationError) StatusCode() int { return e.Status }

// Headers returns the names of the malformed headers, as written, without
// duplicates; the start line and framing faults are not included. A
// transport applying RetainConnectionOnParseErrorMode (SIP-14) checks
// them against its mandatory set.
func (e *ValidationError) Headers() []string {
	var names []string
	for _, f := range e.Faults {
		if f.Header == "" {
			continue
		}
		dup := false
		for _, n := range names {
			if equalFold(n, f.Header) {
				dup = true
				break
			}
		}
		if !dup {
			names = append(names, f.Header)
		}
	}
	return names
}

// ErrorStatus returns the status code carried by err (a *ParseError or a
// *ValidationError, possibly wrapped), or 0 when err carries none.
func ErrorStatus(err error) int {
	var s interface{ StatusCode() int }
	if errors.As(err, &s) {
		return s.StatusCode()
	}
	return 0
}

// perr builds the error of a grammar check; off is relative to the text
// being decoded until an accessor rebases it onto the message.
func perr(off int, reason string) *ParseError {
	return &ParseError{Offset: off, Reason: reason, Status: 400}
}
