package sip

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// KeepAlive identifies a keep-alive seen between messages on a stream
// (RFC 5626 §3.5.1): a double-CRLF ping or a single-CRLF pong.
type KeepAlive uint8

const (
	// Ping is CRLFCRLF; a server answers it with a Pong (SIP-38).
	Ping KeepAlive = iota + 1
	// Pong is a single CRLF.
	Pong
)

// Reader frames SIP messages on a stream transport (TCP, TLS) per RFC 3261
// §18.3: the header block ends at the first empty line and the body is
// exactly Content-Length bytes, which must be present (SIP-10). CRLFs
// between messages are keep-alives (RFC 5626), reported to OnKeepAlive.
// A message over the size limit is refused once its header block shows
// it, before its body is read (SIP-13).
//
// A Reader is not safe for concurrent use; each connection has its own.
type Reader struct {
	// OnKeepAlive, if set, is called from ReadMessage for each keep-alive:
	// Ping for a CRLFCRLF, Pong for a lone CRLF. A CRLF whose successor has
	// not arrived yet counts as a Pong; a CRLFCRLF split by the network may
	// therefore be reported as two Pongs.
	OnKeepAlive func(KeepAlive)

	r    io.Reader
	lim  Limits
	buf  []byte // buffered input is buf[beg:end]
	beg  int
	end  int
	scan int    // header-end search resumes here
	seen []byte // the current message's bytes so far, for ParseError.Data
	err  error
}

// NewReader returns a Reader with the default Limits.
func NewReader(r io.Reader) *Reader { return NewReaderLimits(r, Limits{}) }

// NewReaderLimits returns a Reader with explicit limits.
func NewReaderLimits(r io.Reader, lim Limits) *Reader {
	lim = lim.withDefaults()
	return &Reader{r: r, lim: lim, buf: make([]byte, min(4096, lim.MaxSize))}
}

// ReadMessage returns the next message on the stream. It returns io.EOF
// when the stream ends cleanly between messages.
//
// A *ParseError whose Framing field is false concerns one message only (a
// malformed start line or header block whose Content-Length was still
// readable): its bytes have been consumed and the next call reads the next
// message. Any other error — Framing true (missing, malformed or
// conflicting Content-Length, oversize, stream ended inside a message) or
// an I/O error — is final: every later call returns it again and the
// connection must be closed (SIP-14). An oversized message's error has
// Status 513 and, when its header block parsed, Partial set so that the
// caller can answer 513 Message Too Large first.
func (r *Reader) ReadMessage() (*Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	m, err := r.read()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Framing {
			r.err = err
		}
		return nil, err
	}
	return m, nil
}

func (r *Reader) read() (*Message, error) {
	m, err := r.readMessage()
	if err != nil {
		err = attachData(err, r.seen, true)
	}
	r.seen = nil
	return m, err
}

func (r *Reader) readMessage() (*Message, error) {
	// Keep-alives and stray line ends before the start line.
	for {
		if r.beg == r.end {
			if err := r.fill(); err != nil {
				if err == io.EOF {
					return nil, io.EOF
				}
				return nil, err
			}
			continue
		}
		c := r.buf[r.beg]
		if c != '\r' && c != '\n' {
			break
		}
		if c == '\n' {
			r.beg++
			continue
		}
		if r.end-r.beg < 2 {
			if err := r.fill(); err != nil {
				return nil, r.eof(err)
			}
			continue
		}
		if r.buf[r.beg+1] != '\n' {
			r.beg++ // a lone CR is noise
			continue
		}
		kind := Pong
		if r.end-r.beg >= 4 && r.buf[r.beg+2] == '\r' && r.buf[r.beg+3] == '\n' {
			kind = Ping
			r.beg += 4
		} else if r.end-r.beg == 3 && r.buf[r.beg+2] == '\r' {
			if err := r.fill(); err != nil {
				return nil, r.eof(err)
			}
			continue
		} else {
			r.beg += 2
		}
		if r.OnKeepAlive != nil {
			r.OnKeepAlive(kind)
		}
	}
	r.scan = r.beg

	// The header block.
	hdrEnd := -1
	for {
		if hdrEnd = r.findHeaderEnd(); hdrEnd >= 0 {
			break
		}
		if r.end-r.beg > r.lim.MaxSize {
			r.seen = r.buf[r.beg:r.end]
			return nil, &ParseError{Offset: r.lim.MaxSize, Reason: "header block exceeds the limit of " +
				strconv.Itoa(r.lim.MaxSize) + " bytes", Status: 513, Framing: true, Err: ErrMessageTooLarge}
		}
		if err := r.fill(); err != nil {
			r.seen = r.buf[r.beg:r.end]
			return nil, r.eof(err)
		}
	}
	head := r.buf[r.beg:hdrEnd]
	r.seen = head
	cl, err := contentLength(head)
	if err != nil {
		return nil, err
	}
	total := len(head) + cl
	if total > r.lim.MaxSize {
		e := &ParseError{Offset: r.lim.MaxSize, Reason: "message of " + strconv.Itoa(total) +
			" bytes exceeds the limit of " + strconv.Itoa(r.lim.MaxSize), Status: 513, Framing: true, Err: ErrMessageTooLarge}
		p := new(Message)
		if p.parse(append([]byte(nil), head...), r.lim, modeHead) == nil {
			e.Partial = p
		}
		return nil, e
	}

	// Copy the message out of the read buffer, reading the rest of the body
	// straight into it.
	msg := make([]byte, total)
	n := copy(msg, r.buf[r.beg:r.end])
	r.beg += n
	if r.beg == r.end {
		r.beg, r.end = 0, 0
	}
	if n < total {
		if k, err := io.ReadFull(r.r, msg[n:]); err != nil {
			r.seen = msg[:n+k]
			return nil, r.eof(err)
		}
	}
	r.seen = msg
	m := new(Message)
	if err := m.parse(msg, r.lim, modeStream); err != nil {
		return nil, err
	}
	return m, nil
}

// fill reads more input, compacting or growing the buffer as needed.
func (r *Reader) fill() error {
	if r.beg > 0 && (r.end == len(r.buf) || r.beg == r.end) {
		n := copy(r.buf, r.buf[r.beg:r.end])
		r.scan -= r.beg
		r.beg, r.end = 0, n
	}
	if r.end == len(r.buf) {
		size := min(2*len(r.buf), r.lim.MaxSize+4)
		if size <= len(r.buf) {
			size = len(r.buf) + 4096
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// findHeaderEnd returns the index just past the empty line ending the
// header block in the buffered input, or -1.
func (r *Reader) findHeaderEnd() int {
	b := r.buf[:r.end]
	i := max(r.scan, r.beg)
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			r.scan = max(r.end-1, r.beg)
			return -1
		}
		i += j + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
		if i >= len(b) || (b[i] == '\r' && i+1 >= len(b)) {
			r.scan = i - 1 // re-examine this line end once more bytes arrive
			return -1
		}
	}
}

func (r *Reader) eof(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &ParseError{Offset: -1, Reason: "stream ended inside a message: " + err.Error(),
		Status: 400, Framing: true, Err: err}
}

// contentLength finds the Content-Length of a header block: present,
// 1*DIGIT, and the same in every occurrence (SIP-10, SIP-14).
func contentLength(head []byte) (int, error) {
	cl := -1
	for i := bytes.IndexByte(head, '\n') + 1; i > 0 && i < len(head); {
		j := bytes.IndexByte(head[i:], '\n')
		if j < 0 {
			j = len(head) - i
		}
		line := head[i : i+j]
		lineOff := i
		i += j + 1
		colon := bytes.IndexByte(line, ':')
		if colon < 0 || (len(line) > 0 && isWS(line[0])) {
			continue
		}
		name := bytes.TrimRight(line[:colon], " \t")
		if !(len(name) == 1 && lowerASCII(name[0]) == 'l') && !equalFold(string(name), HdrContentLength) {
			continue
		}
		// The value may be folded onto following lines.
		end := i
		for end < len(head) && isWS(head[end]) {
			k := bytes.IndexByte(head[end:], '\n')
			if k < 0 {
				end = len(head)
				break
			}
			end += k + 1
		}
		val := trimLWS(string(head[lineOff+colon+1 : end]))
		n, ok := parseUint(val, maxInt31)
		if !ok {
			return 0, &ParseError{Offset: lineOff, Header: string(name), Reason: "malformed Content-Length " +
				strconv.Quote(val), Status: 400, Framing: true, Err: ErrContentLength}
		}
		if cl >= 0 && int(n) != cl {
			return 0, &ParseError{Offset: lineOff, Header: string(name), Reason: "conflicting Content-Length values",
				Status: 400, Framing: true, Err: ErrContentLength}
		}
		cl = int(n)
	}
	if cl < 0 {
		return 0, &ParseError{Offset: -1, Header: HdrContentLength, Reason: "missing Content-Length on a stream",
			Status: 400, Framing: true, Err: ErrContentLength}
	}
	return cl, nil
}
