package sip

import (
	"strconv"
	"strings"
	"time"
)

// CSeq is the value of the CSeq header (RFC 3261 §20.16).
type CSeq struct {
	Seq    uint32 // below 2^31
	Method string
}

// String returns "seq METHOD".
func (c CSeq) String() string { return strconv.FormatUint(uint64(c.Seq), 10) + " " + c.Method }

// ParseCSeq parses 1*DIGIT LWS Method.
func ParseCSeq(s string) (CSeq, error) {
	s = trimLWS(s)
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	n, ok := parseUint(s[:i], maxInt31)
	if !ok {
		return CSeq{}, perr(0, "CSeq number missing or above 2^31-1")
	}
	j := skipLWS(s, i)
	if j == i {
		return CSeq{}, perr(i, "CSeq without a method")
	}
	if !isToken(s[j:]) {
		return CSeq{}, perr(j, "CSeq method is not a token")
	}
	return CSeq{Seq: uint32(n), Method: s[j:]}, nil
}

// parseDelta parses delta-seconds (1*DIGIT, at most 2^31-1).
func parseDelta(s string) (int, error) {
	n, ok := parseUint(trimLWS(s), maxInt31)
	if !ok {
		return 0, perr(0, "malformed or too large delta-seconds "+strconv.Quote(trimLWS(s)))
	}
	return int(n), nil
}

// ParamValue is a value followed by parameters — the shape of Event,
// Subscription-State, Session-Expires, Min-SE, Content-Disposition,
// Reason, Retry-After and Replaces.
type ParamValue struct {
	Value  string
	Params Params
}

// String returns "value;params".
func (p ParamValue) String() string { return p.Value + string(p.Params.canonical()) }

// parseParamValue splits "value *( SEMI param )", checking the parameters;
// the value is checked by the caller.
func parseParamValue(s string) (ParamValue, error) {
	s = trimLWS(s)
	end := 0
	for end < len(s) && s[end] != ';' {
		if s[end] == '"' {
			j := scanQuoted(s, end)
			if j < 0 {
				return ParamValue{}, perr(end, "unterminated quoted string")
			}
			end = j
			continue
		}
		end++
	}
	pv := ParamValue{Value: trimLWS(s[:end])}
	if end < len(s) {
		if err := checkHeaderParams(s[end:]); err != nil {
			err.Offset += end
			return ParamValue{}, err
		}
		pv.Params = Params(s[end:])
	}
	return pv, nil
}

// MediaType is a Content-Type or Accept value: type/subtype;params.
type MediaType struct {
	Type, Subtype string
	Params        Params
}

// String returns "type/subtype;params".
func (t MediaType) String() string {
	return t.Type + "/" + t.Subtype + string(t.Params.canonical())
}

// Is reports whether the media type is typ/sub, ignoring case.
func (t MediaType) Is(typ, sub string) bool {
	return equalFold(t.Type, typ) && equalFold(t.Subtype, sub)
}

// ParseMediaType parses m-type SLASH m-subtype *( SEMI m-parameter ).
func ParseMediaType(s string) (MediaType, error) {
	pv, err := parseParamValue(s)
	if err != nil {
		return MediaType{}, err
	}
	typ, sub, ok := strings.Cut(pv.Value, "/")
	typ, sub = trimLWS(typ), trimLWS(sub)
	if !ok || !isToken(typ) || !isToken(sub) {
		return MediaType{}, perr(0, "malformed media type "+strconv.Quote(pv.Value))
	}
	return MediaType{Type: typ, Subtype: sub, Params: pv.Params}, nil
}

// Auth is a credentials or challenge value: Authorization,
// Proxy-Authorization, WWW-Authenticate, Proxy-Authenticate (RFC 3261
// §20.7, §20.27, §20.28, §20.44). Its parameters are decoded by AuthParams;
// the digest computation lives in sip/digest.
type Auth struct {
	Scheme string     // "Digest" or another scheme, as written
	Params AuthParams // "username=\"bob\", realm=\"x\", ..."
}

// String returns "Scheme params".
func (a Auth) String() string { return a.Scheme + " " + string(a.Params) }

// AuthParams is a comma-separated auth-param list as written.
type AuthParams string

// Get returns the value of an auth-param, unquoted; names compare
// case-insensitively.
func (p AuthParams) Get(name string) (string, bool) {
	for s := string(p); s != ""; {
		first, rest, _, _ := splitComma(s)
		s = rest
		n, v, ok := strings.Cut(first, "=")
		if ok && equalFold(trimLWS(n), name) {
			return unquote(trimLWS(v)), true
		}
	}
	return "", false
}

// ParseAuth parses auth-scheme LWS auth-param *( COMMA auth-param ), with
// auth-param = token EQUAL ( token / quoted-string ).
func ParseAuth(s string) (Auth, error) {
	s = trimLWS(s)
	i := 0
	for i < len(s) && charClass[s[i]]&cToken != 0 {
		i++
	}
	if i == 0 {
		return Auth{}, perr(0, "malformed auth scheme")
	}
	a := Auth{Scheme: s[:i]}
	j := skipLWS(s, i)
	if j == len(s) {
		return a, nil
	}
	if j == i {
		return Auth{}, perr(i, "auth scheme not followed by white space")
	}
	a.Params = AuthParams(s[j:])
	for rest, k := s[j:], j; rest != ""; {
		first, r, more, ok := splitComma(rest)
		if !ok {
			return Auth{}, perr(k, "unbalanced quotes in auth parameters")
		}
		n, v, found := strings.Cut(first, "=")
		n, v = trimLWS(n), trimLWS(v)
		if !found || !isToken(n) {
			return Auth{}, perr(k, "malformed auth parameter")
		}
		if !isToken(v) {
			if len(v) < 2 || v[0] != '"' || scanQuoted(v, 0) != len(v) {
				return Auth{}, perr(k, "malformed auth parameter value")
			}
		}
		k += len(first) + 1
		rest = r
		if more && trimLWS(rest) == "" {
			return Auth{}, perr(k, "trailing comma in auth parameters")
		}
	}
	return a, nil
}

// Warning is one warning-value (RFC 3261 §20.43).
type Warning struct {
	Code  int    // three digits
	Agent string // host[:port] or pseudonym
	Text  string // unquoted
}

// String returns `code agent "text"`.
func (w Warning) String() string {
	return strconv.Itoa(w.Code) + " " + w.Agent + " " + Quote(w.Text)
}

// ParseWarning parses warn-code SP warn-agent SP warn-text.
func ParseWarning(s string) (Warning, error) {
	s = trimLWS(s)
	if len(s) < 4 || !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || s[3] != ' ' {
		return Warning{}, perr(0, "warn-code is not three digits")
	}
	w := Warning{Code: int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')}
	rest := s[4:]
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 {
		return Warning{}, perr(4, "malformed warn-agent")
	}
	w.Agent = rest[:sp]
	for i := 0; i < len(w.Agent); i++ {
		if c := w.Agent[i]; charClass[c]&cToken == 0 && c != ':' && c != '[' && c != ']' {
			return Warning{}, perr(4+i, "malformed warn-agent")
		}
	}
	text := rest[sp+1:]
	if len(text) < 2 || text[0] != '"' || scanQuoted(text, 0) != len(text) {
		return Warning{}, perr(4+sp+1, "warn-text is not a quoted string")
	}
	w.Text = unquote(text)
	return w, nil
}

// parseDate parses an rfc1123-date, which SIP restricts to GMT
// (RFC 3261 §20.17): "Sat, 13 Nov 2010 23:29:00 GMT".
func parseDate(s string) (time.Time, error) {
	s = trimLWS(s)
	if len(s) != 29 || !strings.HasSuffix(s, " GMT") {
		return time.Time{}, perr(0, "Date is not an RFC 1123 date in GMT")
	}
	t, err := time.Parse(time.RFC1123, s)
	if err != nil {
		return time.Time{}, perr(0, "Date is not an RFC 1123 date in GMT")
	}
	return t, nil
}

// checkToken checks one element of a token list (Supported, Allow …).
func checkToken(v string) error {
	if !isToken(v) {
		return perr(0, "not a token: "+strconv.Quote(v))
	}
	return nil
}
