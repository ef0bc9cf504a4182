package sip

import (
	"strings"
	"unsafe"
)

// Character classes of the RFC 3261 §25 grammar, as bits in one table so
// that every scanner in the package is a table lookup per byte.
const (
	cToken    = 1 << iota // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
	cWord                 // word: token chars plus ( ) < > : \ " / [ ] ? { }
	cUnres                // unreserved: alphanum / mark
	cUser                 // user: unreserved / user-unreserved (escaped handled apart)
	cPass                 // password: unreserved / & = + $ ,
	cParam                // paramchar: param-unreserved / unreserved
	cHnv                  // hname/hvalue: hnv-unreserved / unreserved
	cURIC                 // uric: reserved / unreserved (escaped handled apart)
	cGenValue             // a gen-value outside quotes: token chars plus ":" "[" "]" (hosts, IPv6 references)
	cLWS                  // SP, HTAB, CR, LF
)

var charClass = func() (t [256]uint16) {
	set := func(chars string, bits uint16) {
		for i := 0; i < len(chars); i++ {
			t[chars[i]] |= bits
		}
	}
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	set(alnum, cToken|cWord|cUnres|cUser|cPass|cParam|cHnv|cURIC)
	set("-.!*_'~", cToken|cWord|cUnres|cUser|cPass|cParam|cHnv|cURIC) // marks that are also token chars
	set("%+`", cToken|cWord)
	set("()", cWord|cUnres|cUser|cPass|cParam|cHnv|cURIC) // marks that are not token chars
	set("<>:\\\"/[]?{}", cWord)
	set("&=+$,;?/", cUser)
	set("&=+$,", cPass)
	set("[]/:&+$", cParam)
	set("[]/?:+$", cHnv)
	set(";/?:@&=+$,", cURIC)
	for c := range t {
		if t[c]&cToken != 0 {
			t[c] |= cGenValue
		}
	}
	set(":[]", cGenValue)
	set(" \t\r\n", cLWS)
	return t
}()

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&cToken == 0 {
			return false
		}
	}
	return true
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&cWord == 0 {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isWS(c byte) bool    { return c == ' ' || c == '\t' }

// isLWSByte reports whether c may be part of linear white space once line
// folding has been accepted by the header indexer (CRLF followed by WSP).
func isLWSByte(c byte) bool { return charClass[c]&cLWS != 0 }

// trimLWS removes leading and trailing linear white space, folding included.
func trimLWS(s string) string {
	i, j := 0, len(s)
	for i < j && isLWSByte(s[i]) {
		i++
	}
	for j > i && isLWSByte(s[j-1]) {
		j--
	}
	return s[i:j]
}

func skipLWS(s string, i int) int {
	for i < len(s) && isLWSByte(s[i]) {
		i++
	}
	return i
}

// hasLWS reports whether s contains any white space or line break.
func hasLWS(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLWSByte(s[i]) {
			return true
		}
	}
	return false
}

// lowerASCII returns c in lower case when it is an ASCII letter.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold is an ASCII-only case-insensitive comparison; SIP names are ASCII.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// scanQuoted scans a quoted-string starting at s[i] == '"' and returns the
// index just past the closing quote, or -1 when the string is unterminated
// or holds a raw control character. Quoted-pairs (backslash and any byte but
// CR/LF) are honoured; CR and LF may appear only as line folding, which the
// header indexer has already checked.
func scanQuoted(s string, i int) int {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
			if i < len(s) && (s[i] == '\r' || s[i] == '\n') {
				return -1
			}
		case c == '"':
			return i + 1
		case (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f:
			return -1
		}
	}
	return -1
}

// unquote strips the quotes of a quoted-string and decodes its
// quoted-pairs; values that are not quoted are returned unchanged. It
// allocates only when the string contains a quoted-pair.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	bs := indexByte(s, '\\')
	if bs < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:bs]...)
	for i := bs; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b = append(b, s[i])
	}
	return string(b)
}

// Unquote returns the content of a quoted-string (RFC 3261 §25.1) with its
// quoted-pairs decoded; a value that is not quoted is returned unchanged.
// Header parameters such as +sip.instance are returned quoted by
// Params.Get and read through Unquote.
func Unquote(s string) string { return unquote(trimLWS(s)) }

// Quote returns s as a quoted-string, escaping backslash and double quote.
func Quote(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = AppendQuoted(b, s)
	return string(b)
}

// AppendQuoted appends s to b as a quoted-string, as Quote returns it.
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// splitComma returns the first element of a comma-separated header value
// and the rest after the comma. Commas inside quoted strings and angle
// brackets do not split. ok is false when a quote or bracket is unbalanced.
func splitComma(s string) (first, rest string, more, ok bool) {
	if indexByte(s, ',') < 0 {
		return s, "", false, true // nothing to split; balance is the value parser's concern
	}
	angle := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			j := scanQuoted(s, i)
			if j < 0 {
				return s, "", false, false
			}
			i = j - 1
		case '<':
			angle = true
		case '>':
			angle = false
		case ',':
			if !angle {
				return s[:i], s[i+1:], true, true
			}
		}
	}
	return s, "", false, !angle
}

// parseUint parses 1*DIGIT as a non-negative integer not above max; ok is
// false for empty input, non-digits or overflow.
func parseUint(s string, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// maxInt31 is the ceiling for every integer the codec accepts (CSeq,
// Expires, Content-Length, delta-seconds): 2^31-1, per the spec §4.2.
const maxInt31 = 1<<31 - 1

// appendInt appends the decimal form of a non-negative n without fmt.
func appendInt(b []byte, n int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// hasCtl reports whether s contains CR, LF or NUL — bytes that would let a
// value inject header lines or truncate a C peer's parse.
func hasCtl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 {
			return true
		}
	}
	return false
}

// ownedString turns a byte slice nobody else references into a string
// without copying it (what strings.Builder does).
func ownedString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// indexByte is strings.IndexByte with a plain loop for short strings,
// where the vectorised search costs more to set up than it saves.
func indexByte(s string, c byte) int {
	if len(s) < 16 {
		for i := 0; i < len(s); i++ {
			if s[i] == c {
				return i
			}
		}
		return -1
	}
	return strings.IndexByte(s, c)
}
