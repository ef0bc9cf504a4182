package sip

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDatagramFraming: SIP-10 on a message transport — the body is
// Content-Length bytes, extra bytes are ignored, a missing Content-Length
// means the rest of the datagram, and leading CRLFs are skipped.
func TestDatagramFraming(t *testing.T) {
	head := crlf("MESSAGE sip:kumiko@example.org SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1")
	cases := []struct {
		name, in, body, wire string
	}{
		{"exact", head + "\r\nl: 5\r\n\r\nhello", "hello", head + "\r\nl: 5\r\n\r\nhello"},
		{"extra bytes ignored", head + "\r\nl: 5\r\n\r\nhello world", "hello", head + "\r\nl: 5\r\n\r\nhello"},
		{"no Content-Length", head + "\r\n\r\nhello world", "hello world", head + "\r\n\r\nhello world"},
		{"leading CRLFs", "\r\n\r\n" + head + "\r\nl: 0\r\n\r\n", "", head + "\r\nl: 0\r\n\r\n"},
		{"LF line ends", strings.ReplaceAll(head, "\r\n", "\n") + "\nl: 2\n\nhi", "hi", strings.ReplaceAll(head, "\r\n", "\n") + "\nl: 2\n\nhi"},
		{"binary body with CR and NUL", head + "\r\nl: 4\r\n\r\n\r\x00\n\xff", "\r\x00\n\xff", head + "\r\nl: 4\r\n\r\n\r\x00\n\xff"},
		{"folded Content-Length", head + "\r\nContent-Length:\r\n 3\r\n\r\nabc", "abc", head + "\r\nContent-Length:\r\n 3\r\n\r\nabc"},
		{"no headers", "OPTIONS sip:h SIP/2.0\r\n\r\n", "", "OPTIONS sip:h SIP/2.0\r\n\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := must(ParseMessage([]byte(c.in)))(t)
			assert.Equal(t, c.body, string(m.Body()))
			assert.Equal(t, c.wire, m.String())
			assert.Equal(t, len(c.wire), m.Len())
		})
	}
}

// TestParseErrors: malformed input is a *ParseError with offset, header
// name and reason, never a panic.
func TestParseErrors(t *testing.T) {
	ok := "OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
	cases := []struct {
		name, in string
		offset   int
		header   string
		framing  bool
		sentinel error
	}{
		{"empty", "", 0, "", true, nil},
		{"only CRLF", "\r\n\r\n", 4, "", true, nil},
		{"start line not terminated", "OPTIONS sip:h SIP/2.0", 0, "", true, nil},
		{"one word", "HELLO\r\n\r\n", 0, "", false, nil},
		{"method not a token", "OP@TIONS sip:h SIP/2.0\r\n\r\n", 0, "", false, nil},
		{"version", "OPTIONS sip:h SIP/2\r\n\r\n", 14, "", false, nil},
		{"version letters", "OPTIONS sip:h SIP/a.b\r\n\r\n", 14, "", false, nil},
		{"no version", "OPTIONS sip:h\r\n\r\n", 0, "", false, nil},
		{"URI not absolute", "OPTIONS h SIP/2.0\r\n\r\n", 8, "", false, nil},
		{"URI with control byte", "OPTIONS sip:h\x01 SIP/2.0\r\n\r\n", 8, "", false, nil},
		{"status code letters", "SIP/2.0 2OO OK\r\n\r\n", 8, "", false, nil},
		{"status code range", "SIP/2.0 099 Odd\r\n\r\n", 8, "", false, nil},
		{"status code 4 digits", "SIP/2.0 2000 OK\r\n\r\n", 8, "", false, nil},
		{"status line no code", "SIP/2.0\r\n\r\n", 0, "", false, nil},
		{"reason with control", "SIP/2.0 200 O\x01K\r\n\r\n", 13, "", false, nil},
		{"header block not terminated", ok, len(ok), "", true, nil},
		{"header without colon", ok + "Subject foo\r\n\r\n", len(ok), "Subject", false, nil},
		{"bad header name", ok + "Sub ject: foo\r\n\r\n", len(ok), "Sub ject", false, nil},
		{"empty header name", ok + ": foo\r\n\r\n", len(ok), "", false, nil},
		{"first line folded", "OPTIONS sip:h SIP/2.0\r\n Via: x\r\n\r\n", 23, "", false, nil},
		{"bare CR", ok + "Subject: a\rb\r\n\r\n", len(ok) + 10, "Subject", false, nil},
		{"bare CR in folded line", ok + "Subject: a\r\n b\rc\r\n\r\n", len(ok) + 14, "Subject", false, nil},
		{"header line not terminated", ok + "Subject: x", len(ok), "", true, nil},
		{"Content-Length negative", ok + "Content-Length: -1\r\n\r\n", len(ok), "Content-Length", true, ErrContentLength},
		{"Content-Length letters", ok + "l: abc\r\n\r\n", len(ok), "l", true, ErrContentLength},
		{"Content-Length huge", ok + "l: 99999999999\r\n\r\n", len(ok), "l", true, ErrContentLength},
		{"Content-Length beyond datagram", ok + "l: 10\r\n\r\nabc", len(ok), "Content-Length", true, ErrContentLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(c.in))
			require.Error(t, err)
			assert.Nil(t, m)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, c.offset, pe.Offset, pe.Error())
			assert.Equal(t, c.header, pe.Header)
			assert.Equal(t, c.framing, pe.Framing)
			assert.Equal(t, 400, pe.Status)
			assert.NotEmpty(t, pe.Reason)
			if c.sentinel != nil {
				assert.ErrorIs(t, err, c.sentinel)
			}
			assert.Contains(t, err.Error(), "sip: ")
		})
	}
}

// TestLimits: SIP-13 — a message over SipMaxSize is refused before it is
// parsed (513); header count and field length are bounded (spec §4.2).
func TestLimits(t *testing.T) {
	big := []byte(crlf("INVITE sip:b@example.com SIP/2.0", "Content-Length: 39950", "", strings.Repeat("x", 39950)))
	require.Greater(t, len(big), DefaultMaxSize)
	_, err := ParseMessage(big)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 513, pe.Status)
	assert.Equal(t, 513, ErrorStatus(err))
	assert.ErrorIs(t, err, ErrMessageTooLarge)
	assert.Nil(t, pe.Partial)

	m, err := ParseMessageLimits(big, Limits{MaxSize: 1 << 20})
	require.NoError(t, err, "SipMaxSize is configurable up to 1 MiB (SIP-1)")
	assert.Len(t, m.Body(), 39950)

	exact := make([]byte, DefaultMaxSize)
	copy(exact, "OPTIONS sip:h SIP/2.0\r\n\r\n")
	_, err = ParseMessage(exact)
	assert.NoError(t, err, "exactly SipMaxSize bytes is allowed")

	many := "OPTIONS sip:h SIP/2.0\r\n" + strings.Repeat("X-A: 1\r\n", 257) + "\r\n"
	_, err = ParseMessage([]byte(many))
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Reason, "256")
	_, err = ParseMessageLimits([]byte(many), Limits{MaxHeaders: 300})
	assert.NoError(t, err)

	long := "OPTIONS sip:h SIP/2.0\r\nSubject: " + strings.Repeat("y", 9000) + "\r\n\r\n"
	_, err = ParseMessage([]byte(long))
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "Subject", pe.Header)
	_, err = ParseMessageLimits([]byte(long), Limits{MaxFieldLen: 10000})
	assert.NoError(t, err)

	name := "OPTIONS sip:h SIP/2.0\r\n" + strings.Repeat("N", 256) + ": v\r\n\r\n"
	_, err = ParseMessage([]byte(name))
	assert.Error(t, err)

	vias := "OPTIONS sip:h SIP/2.0\r\nTo: <sip:a@h>\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n" +
		strings.Repeat("Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n", 71) + "\r\n"
	verr := parseStr(t, vias).Validate()
	require.Error(t, verr)
	assert.Contains(t, verr.Error(), "70 Via")
}

// TestParseKeepsInput: ParseMessage does not copy: the message's strings
// and body are views into the caller's buffer, which it does not modify.
func TestParseKeepsInput(t *testing.T) {
	data := []byte(crlf("MESSAGE sip:a@h SIP/2.0", "Subject: hello", "l: 2", "", "hi"))
	orig := string(data)
	m := must(ParseMessage(data))(t)
	assert.Equal(t, orig, string(data))
	assert.Equal(t, "hello", m.Get("Subject"))
	assert.Equal(t, &data[len(data)-2], &m.Body()[0], "the body is a view into the input")
}

// TestValidateFaults: every fault is reported at once, with the status to
// answer; the header list drives SIP-14's RetainSome decision.
func TestValidateFaults(t *testing.T) {
	m := parseStr(t, crlf("INVITE sip:b@example.com SIP/2.0",
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1",
		"To: <sip:b@example.com>",
		"From: <sip:a@example.com>;tag=1",
		"Call-ID: c@h",
		"CSeq: 1 INVITE",
		"Max-Forwards: 70",
		"Subject: fine",
		"Expires: soon",
		"Date: yesterday",
		"Content-Length: 0", "", ""))
	verr := m.Validate()
	var ve *ValidationError
	require.ErrorAs(t, verr, &ve)
	assert.Equal(t, 400, ve.Status)
	assert.Equal(t, []string{"Expires", "Date"}, ve.Headers())
	assert.Len(t, ve.Faults, 2)
	assert.Contains(t, ve.Error(), "(and 1 more)")
	assert.Len(t, ve.Unwrap(), 2)

	noVia := parseStr(t, crlf("OPTIONS sip:h SIP/2.0", "To: <sip:a@h>", "From: <sip:a@h>;tag=1", "Call-ID: x", "CSeq: 1 OPTIONS", "", ""))
	require.ErrorAs(t, noVia.Validate(), &ve)
	assert.Equal(t, "Via", ve.Faults[0].Header)
	assert.Equal(t, -1, ve.Faults[0].Offset)

	wrongCL := parseStr(t, crlf("OPTIONS sip:h SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "To: <sip:a@h>", "From: <sip:a@h>;tag=1",
		"Call-ID: x", "CSeq: 1 OPTIONS", "", ""))
	require.NoError(t, wrongCL.Set(HdrContentLength, "7"))
	require.ErrorAs(t, wrongCL.Validate(), &ve)
	assert.Contains(t, ve.Faults[0].Reason, "Content-Length 7")

	resp := parseStr(t, crlf("SIP/3.0 200 OK", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "To: <sip:a@h>", "From: <sip:a@h>;tag=1",
		"Call-ID: x", "CSeq: 1 OPTIONS", "", ""))
	require.ErrorAs(t, resp.Validate(), &ve)
	assert.Equal(t, 400, ve.Status, "505 is only for requests")

	wild := parseStr(t, crlf("REGISTER sip:h SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "To: <sip:a@h>", "From: <sip:a@h>;tag=1",
		"Call-ID: x", "CSeq: 1 REGISTER", "Contact: *", "Expires: 0", "", ""))
	require.NoError(t, wild.Validate())
	c := must(wild.Contact())(t)
	assert.True(t, c.Wildcard)
	require.NoError(t, wild.Add(HdrContact, "<sip:a@192.0.2.1>"))
	assert.Error(t, wild.Validate(), "a wildcard Contact must be alone")
	assert.Equal(t, 0, ErrorStatus(errors.New("other")))
}

// TestSmallAccessors covers the plain getters and value String methods.
func TestSmallAccessors(t *testing.T) {
	req := parseStr(t, registerFixture)
	assert.True(t, req.IsRequest())
	assert.False(t, req.IsResponse())
	assert.Equal(t, "SIP/2.0", req.Version())
	assert.Equal(t, 0, req.StatusCode())
	c := must(req.Contact())(t)
	rid, ok := c.Param("reg-id")
	assert.True(t, ok)
	assert.Equal(t, "1", rid)
	tr, _ := c.URI.Param("transport")
	assert.Equal(t, "tls", tr)
	resp := must(NewResponse(req, 200, ""))(t)
	assert.True(t, resp.IsResponse())
	assert.Equal(t, MethodRegister, resp.Method())
	_, err := resp.RequestURI()
	assert.Error(t, err)

	assert.Equal(t, "presence;id=1", ParamValue{Value: "presence", Params: " ; id = 1"}.String())
	assert.Equal(t, "application/sdp;charset=utf-8", MediaType{Type: "application", Subtype: "sdp", Params: ";charset=utf-8"}.String())
	assert.Equal(t, `Digest realm="x"`, Auth{Scheme: "Digest", Params: `realm="x"`}.String())
	assert.Equal(t, "1800;refresher=uas", SessionExpires{Delta: 1800, Refresher: "uas"}.String())
	assert.Equal(t, "7 INVITE", CSeq{Seq: 7, Method: "INVITE"}.String())

	for q, ok := range map[string]bool{"0": true, "1": true, "0.5": true, "0.125": true, "1.000": true, "1.5": false,
		"0.1234": false, "2": false, "": false, "0.": true, "0,5": false} {
		assert.Equal(t, ok, validQ(q), q)
	}
	for _, bad := range []string{"Event: pres ence", "Subscription-State: act ive", "Call-ID: a b", "Authorization: Digest a=b c"} {
		m := must(ParseMessage(withHeaders(bad)))(t)
		_, e1 := m.Event()
		_, e2 := m.SubscriptionState()
		_, e3 := m.CallID()
		_, e4 := m.Auth(HdrAuthorization)
		assert.True(t, e1 != nil || e2 != nil || e3 != nil || e4 != nil, bad)
	}
	a := must(ParseAddress("Mr   Watson\t<sip:w@example.com>"))(t)
	assert.Equal(t, "Mr Watson", a.Display, "token display names are joined by one space")
}
