package sip

import (
	"strconv"
	"strings"
	"unsafe"
)

// Default limits (SIP-13 and the spec §4.2).
const (
	// DefaultMaxSize is SipMaxSize's default: the largest message, start
	// line to end of body, that is parsed at all.
	DefaultMaxSize = 32768
	// DefaultMaxHeaders bounds the number of header fields in a message.
	DefaultMaxHeaders = 256
	// DefaultMaxFieldLen bounds one header field, folded lines included.
	DefaultMaxFieldLen = 8192
)

// Limits bounds what the parser accepts. The zero value of each field
// means its default.
type Limits struct {
	MaxSize     int // bytes of a whole message; default DefaultMaxSize
	MaxHeaders  int // header fields per message; default DefaultMaxHeaders
	MaxFieldLen int // bytes of one header field; default DefaultMaxFieldLen, at most 65535
}

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxFieldLen <= 0 {
		l.MaxFieldLen = DefaultMaxFieldLen
	}
	l.MaxFieldLen = min(l.MaxFieldLen, maxFieldLen)
	return l
}

// ParseMessage parses one message received as a datagram, with the
// default Limits.
//
// The message keeps data: its strings and body are views into it, so the
// caller must not modify data afterwards — read each datagram into a fresh
// buffer (or pass a copy). Nothing is copied on the parse path.
//
// Framing follows RFC 3261 §18.3 for message-oriented transports: the body
// is Content-Length bytes and any bytes after it are ignored; without a
// Content-Length the body is the rest of the datagram. Leading CRLFs are
// skipped. The parser checks the start line and the header block's
// structure and indexes the headers; the headers' own grammar is checked
// when a typed accessor reads them, or all at once by Validate.
func ParseMessage(data []byte) (*Message, error) {
	return ParseMessageLimits(data, Limits{})
}

// ParseMessageLimits is ParseMessage with explicit limits.
func ParseMessageLimits(data []byte, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxSize {
		return nil, attachData(&ParseError{Offset: lim.MaxSize, Reason: "message of " + strconv.Itoa(len(data)) +
			" bytes exceeds the limit of " + strconv.Itoa(lim.MaxSize), Status: 513, Framing: true, Err: ErrMessageTooLarge}, data, false)
	}
	if len(data) == 0 {
		return nil, &ParseError{Offset: 0, Reason: "empty message", Status: 400, Framing: true}
	}
	m := new(Message)
	if err := m.parse(data, lim, modeDatagram); err != nil {
		return nil, attachData(err, data, false)
	}
	return m, nil
}

type parseMode uint8

const (
	modeDatagram parseMode = iota // Content-Length optional, trailing bytes ignored
	modeStream                    // buffer is exactly one framed message
	modeHead                      // buffer is a header block only (oversize report)
)

// parse indexes buf, which the message takes ownership of and never
// modifies: every string the message hands out is a view into it.
func (m *Message) parse(buf []byte, lim Limits, mode parseMode) error {
	if len(buf) > 1<<31 {
		return &ParseError{Offset: 0, Reason: "message too large", Status: 513, Framing: true, Err: ErrMessageTooLarge}
	}
	s := unsafe.String(unsafe.SliceData(buf), len(buf))
	pos := 0
	for pos < len(s) && (s[pos] == '\r' || s[pos] == '\n') {
		pos++ // RFC 3261 §7.5: CRLFs before the start line are ignored
	}
	if pos == len(s) {
		return &ParseError{Offset: pos, Reason: "no start line", Status: 400, Framing: true}
	}
	nl := strings.IndexByte(s[pos:], '\n')
	if nl < 0 {
		return &ParseError{Offset: pos, Reason: "start line not terminated", Status: 400, Framing: true}
	}
	line := s[pos : pos+nl]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	m.msgStart = uint32(pos)
	m.startEnd = uint32(pos + nl + 1)
	if err := m.parseStartLine(line, pos); err != nil {
		return err
	}

	fields := m.inline[:0]
	var (
		clValue    = -1
		clConflict bool
		clField    = -1
		bodyStart  = -1
		crlfLines  = 0 // lines ending in CRLF; any other CR is a bare CR
	)
	i := int(m.startEnd)
	for {
		if i >= len(s) {
			if mode == modeHead {
				bodyStart = len(s)
				break
			}
			return &ParseError{Offset: i, Reason: "header block not terminated by an empty line", Status: 400, Framing: true}
		}
		c := s[i]
		if c == '\n' {
			m.sepStart, bodyStart = uint32(i), i+1
			break
		}
		if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			m.sepStart, bodyStart = uint32(i), i+2
			break
		}
		if c == ' ' || c == '\t' {
			return &ParseError{Offset: i, Reason: "folded line without a header before it", Status: 400}
		}
		start := i
		nl := strings.IndexByte(s[i:], '\n')
		if nl < 0 {
			return &ParseError{Offset: i, Reason: "header line not terminated", Status: 400, Framing: true}
		}
		lineEnd := i + nl // index of '\n'
		// The name: a token up to optional white space and the colon.
		j := i
		for j < lineEnd && charClass[s[j]]&cToken != 0 {
			j++
		}
		nameEnd := j
		for j < lineEnd && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j == lineEnd || s[j] != ':' || nameEnd == i {
			name := s[i:nameEnd]
			if colon := strings.IndexByte(s[i:lineEnd], ':'); colon >= 0 {
				name = strings.TrimRight(s[i:i+colon], " \t")
			}
			if j == lineEnd || strings.IndexByte(s[i:lineEnd], ':') < 0 {
				return &ParseError{Offset: i, Header: name, Reason: "header line without a colon", Status: 400}
			}
			return &ParseError{Offset: i, Header: name, Reason: "malformed header name", Status: 400}
		}
		if nameEnd-i > maxNameLen {
			return &ParseError{Offset: i, Header: s[i:nameEnd], Reason: "header name longer than 127 bytes", Status: 400}
		}
		if s[lineEnd-1] == '\r' {
			crlfLines++
		}
		end := lineEnd + 1
		for end < len(s) && (s[end] == ' ' || s[end] == '\t') {
			nl := strings.IndexByte(s[end:], '\n')
			if nl < 0 {
				return &ParseError{Offset: end, Header: s[i:nameEnd], Reason: "folded line not terminated", Status: 400, Framing: true}
			}
			end += nl + 1
			if s[end-2] == '\r' {
				crlfLines++
			}
		}
		if end-start > lim.MaxFieldLen {
			return &ParseError{Offset: start, Header: s[i:nameEnd], Reason: "header field longer than " +
				strconv.Itoa(lim.MaxFieldLen) + " bytes", Status: 400}
		}
		if len(fields) == lim.MaxHeaders {
			return &ParseError{Offset: start, Header: s[i:nameEnd], Reason: "more than " +
				strconv.Itoa(lim.MaxHeaders) + " header fields", Status: 400}
		}
		// The value, trimmed of LWS (folding included) on both sides.
		vs, ve := j+1, end
		for vs < ve && isLWSByte(s[vs]) {
			vs++
		}
		for ve > vs && isLWSByte(s[ve-1]) {
			ve--
		}
		var lo, hi uint64
		if i+8 <= len(s) {
			lo, hi = nameWordsIn(s, i, nameEnd-i)
		} else {
			lo, hi = nameWords(s[i:nameEnd])
		}
		kind := kindWords(s[i:nameEnd], lo, hi)
		if kind == hContentLength && mode != modeHead {
			n, ok := parseUint(s[vs:ve], maxInt31)
			if !ok {
				return &ParseError{Offset: start, Header: s[i:nameEnd], Reason: "malformed Content-Length " +
					strconv.Quote(s[vs:ve]), Status: 400, Framing: true, Err: ErrContentLength}
			}
			switch {
			case clValue < 0:
				clValue, clField = int(n), start
			case int(n) != clValue:
				clConflict = true
			}
		}
		// Written in place, as one word each: a field assembled on the
		// stack from narrow stores and copied with wide loads stalls
		// store forwarding on every header.
		fields = append(fields, field{})
		f := &fields[len(fields)-1]
		f.off = uint32(start)
		f.valOff, f.valLen, f.rawLen = uint16(vs-start), uint16(ve-vs), uint16(end-start)
		f.nl, f.kf = uint8(nameEnd-i), uint8(kind)|bitRaw
		i = end
	}
	m.fields = fields
	// A bare CR anywhere but before an LF would let a peer that splits lines
	// differently see other headers: refuse it. Counting the header block's
	// CRs once is cheaper than searching every line.
	if m.sepStart > 0 && s[m.sepStart] == '\r' {
		crlfLines++
	}
	if strings.Count(s[m.startEnd:bodyStart], "\r") != crlfLines {
		for k := int(m.startEnd); k < bodyStart; k++ {
			if s[k] == '\r' && (k+1 >= len(s) || s[k+1] != '\n') {
				return &ParseError{Offset: k, Reason: "bare CR in header field", Status: 400, Header: headerAt(s, fields, k)}
			}
		}
	}

	m.hs = s[:bodyStart]
	avail := len(s) - bodyStart
	n := avail
	switch {
	case mode == modeHead:
		n = 0
	case clConflict:
		if mode == modeStream {
			return &ParseError{Offset: clField, Header: HdrContentLength, Reason: "conflicting Content-Length values",
				Status: 400, Framing: true, Err: ErrContentLength}
		}
		// Datagram: the rest of the datagram is the body; Validate
		// reports the conflict (RFC 4475 §3.3.11, mcl01).
	case clValue < 0:
		if mode == modeStream {
			return &ParseError{Offset: bodyStart, Header: HdrContentLength, Reason: "missing Content-Length on a stream",
				Status: 400, Framing: true, Err: ErrContentLength}
		}
	case clValue > avail:
		return &ParseError{Offset: clField, Header: HdrContentLength, Reason: "Content-Length " + strconv.Itoa(clValue) +
			" exceeds the " + strconv.Itoa(avail) + " body bytes received", Status: 400, Framing: true, Err: ErrContentLength}
	default:
		n = clValue
	}
	if n > 0 {
		m.body = buf[bodyStart : bodyStart+n : bodyStart+n]
	}
	return nil
}

// headerAt returns the name of the parsed field holding offset off.
func headerAt(s string, fields []field, off int) string {
	for i := range fields {
		f := &fields[i]
		if off >= int(f.off) && off < int(f.off)+int(f.rawLen) {
			return s[f.off : f.off+uint32(f.nameLen())]
		}
	}
	return ""
}

func (m *Message) parseStartLine(line string, off int) error {
	if hasPrefixFold(line, "SIP/") {
		sp := indexByte(line, ' ')
		if sp < 0 {
			return &ParseError{Offset: off, Reason: "status line without a status code", Status: 400}
		}
		if !validVersion(line[:sp]) {
			return &ParseError{Offset: off, Reason: "malformed SIP version " + strconv.Quote(line[:sp]), Status: 400}
		}
		rest := line[sp+1:]
		if len(rest) < 3 || !isDigit(rest[0]) || !isDigit(rest[1]) || !isDigit(rest[2]) ||
			(len(rest) > 3 && rest[3] != ' ') {
			return &ParseError{Offset: off + sp + 1, Reason: "status code is not three digits", Status: 400}
		}
		code := int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
		if code < 100 || code > 699 {
			return &ParseError{Offset: off + sp + 1, Reason: "status code " + rest[:3] + " out of range", Status: 400}
		}
		var reason string
		if len(rest) > 3 {
			reason = rest[4:]
		}
		for i := 0; i < len(reason); i++ {
			if c := reason[i]; (c < 0x20 && c != '\t') || c == 0x7f {
				return &ParseError{Offset: off + sp + 5 + i, Reason: "control character in reason phrase", Status: 400}
			}
		}
		m.request, m.version, m.status, m.reason = false, line[:sp], uint16(code), reason
		return nil
	}
	sp1 := indexByte(line, ' ')
	if sp1 <= 0 {
		return &ParseError{Offset: off, Reason: "malformed request line", Status: 400}
	}
	method := line[:sp1]
	if !isToken(method) {
		return &ParseError{Offset: off, Reason: "method is not a token", Status: 400}
	}
	sp2 := strings.LastIndexByte(line, ' ')
	if sp2 == sp1 {
		return &ParseError{Offset: off, Reason: "request line without a SIP version", Status: 400}
	}
	version := line[sp2+1:]
	if !validVersion(version) {
		return &ParseError{Offset: off + sp2 + 1, Reason: "malformed SIP version " + strconv.Quote(version), Status: 400}
	}
	uri := line[sp1+1 : sp2]
	if !validRequestURIText(uri) {
		return &ParseError{Offset: off + sp1 + 1, Reason: "malformed Request-URI " + strconv.Quote(uri), Status: 400}
	}
	m.request, m.method, m.ruri, m.version = true, method, uri, version
	return nil
}

// validVersion checks SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT.
func validVersion(v string) bool {
	if v == "SIP/2.0" {
		return true
	}
	if !hasPrefixFold(v, "SIP/") {
		return false
	}
	v = v[4:]
	dot := indexByte(v, '.')
	if dot <= 0 || dot == len(v)-1 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if i != dot && !isDigit(v[i]) {
			return false
		}
	}
	return true
}

// validRequestURIText is the parser's cheap check of the Request-URI: an
// absolute URI (scheme ":" ...) with no white space or control bytes. The
// full grammar is checked by RequestURI and Validate.
func validRequestURIText(u string) bool {
	if u == "" || !isAlpha(u[0]) {
		return false
	}
	colon := -1
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c == ':' {
			colon = i
			break
		}
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	if colon <= 0 {
		return false
	}
	for i := colon + 1; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
