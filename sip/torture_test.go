package sip

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The RFC 4475 and RFC 5118 torture messages, byte for byte from
// ../shared/testdata/sip-torture (RFC 4475 Appendix A, RFC 5118 §4), with
// the verdicts of its VERDICTS.md. Every file in testdata/torture must
// appear here exactly once.

type verdict int

const (
	mustParse   verdict = iota // RFC 4475 §3.1.1, RFC 5118 accept: parse, round-trip, Validate passes
	parserFails                // §3.1.2: ParseMessage refuses with a *ParseError
	validateErr                // §3.1.2 (and §3.3 where RFC 3261 says 400): Validate refuses with a status
	aboveParser                // §3.2–§3.4: parse and validate; the problem is for a higher layer
)

type tortureCase struct {
	file    string
	verdict verdict
	status  int // status of the refusal (parserFails, validateErr)
	framed  int // serialised length when the datagram holds extra bytes, 0 = whole file
	check   func(*testing.T, *Message)
}

var tortureCases = []tortureCase{
	// RFC 4475 §3.1.1 valid messages.
	{file: "wsinv.dat", verdict: mustParse, check: checkWsinv},
	{file: "intmeth.dat", verdict: mustParse, check: checkIntmeth},
	{file: "esc01.dat", verdict: mustParse, check: checkEsc01},
	{file: "escnull.dat", verdict: mustParse, check: checkEscnull},
	{file: "esc02.dat", verdict: mustParse, check: checkEsc02},
	{file: "lwsdisp.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		from := must(m.From())(t)
		assert.Equal(t, "caller", from.Display)
		assert.Equal(t, "323", from.Tag())
	}},
	{file: "longreq.dat", verdict: mustParse, check: checkLongreq},
	{file: "dblreq.dat", verdict: mustParse, framed: 300, check: func(t *testing.T, m *Message) {
		// Over UDP the INVITE after Content-Length: 0 is ignored.
		assert.Equal(t, MethodRegister, m.Method())
		assert.Nil(t, m.Body())
		assert.Equal(t, "dblreq.0ha0isndaksdj99sdfafnl3lk233412", must(m.CallID())(t))
	}},
	{file: "semiuri.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		u := must(m.RequestURI())(t)
		assert.Equal(t, "user;par=u%40example.net", u.User)
		assert.Equal(t, "user;par=u@example.net", Unescape(u.User))
		assert.Equal(t, "example.com", u.Host)
		assert.Empty(t, u.Params)
		assert.Equal(t, []string{"application/sdp", "application/pkcs7-mime", "multipart/mixed",
			"multipart/signed", "message/sip", "message/sipfrag"}, m.Values("Accept"))
	}},
	{file: "transports.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		vias := must(m.Vias())(t)
		var tr []string
		for _, v := range vias {
			tr = append(tr, v.Transport)
		}
		assert.Equal(t, []string{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}, tr)
		assert.Equal(t, "transports.kijh4akdnaqjkwendsasfdj", must(m.CallID())(t))
	}},
	{file: "mpart01.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		assert.Len(t, m.Body(), 553)
		assert.True(t, bytes.IndexByte(m.Body(), 0) >= 0, "binary body keeps its NUL bytes")
		ct := must(m.ContentType())(t)
		assert.True(t, ct.Is("multipart", "mixed"))
		b, _ := ct.Params.Get("boundary")
		assert.Equal(t, "7a9cbec02ceef655", b)
		rp, ok := must(m.Via())(t).RPort()
		assert.True(t, ok)
		assert.Zero(t, rp)
	}},
	{file: "unreason.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		assert.Equal(t, 200, m.StatusCode())
		assert.True(t, strings.HasPrefix(m.Reason(), "= 2**3 * 5**2 "))
		assert.Len(t, m.Body(), 154)
	}},
	{file: "noreason.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		assert.Equal(t, 100, m.StatusCode())
		assert.Equal(t, "", m.Reason())
	}},

	// RFC 4475 §3.1.2 invalid messages.
	{file: "badinv01.dat", verdict: validateErr, status: 400},
	{file: "clerr.dat", verdict: parserFails, status: 400},
	{file: "ncl.dat", verdict: parserFails, status: 400},
	{file: "scalar02.dat", verdict: validateErr, status: 400},
	{file: "scalarlg.dat", verdict: validateErr, status: 400},
	{file: "quotbal.dat", verdict: validateErr, status: 400},
	{file: "ltgtruri.dat", verdict: parserFails, status: 400},
	{file: "lwsruri.dat", verdict: parserFails, status: 400},
	{file: "lwsstart.dat", verdict: parserFails, status: 400},
	{file: "trws.dat", verdict: parserFails, status: 400},
	{file: "escruri.dat", verdict: validateErr, status: 400},
	{file: "baddate.dat", verdict: validateErr, status: 400},
	{file: "regbadct.dat", verdict: validateErr, status: 400},
	{file: "badaspec.dat", verdict: validateErr, status: 400},
	{file: "baddn.dat", verdict: validateErr, status: 400},
	{file: "badvers.dat", verdict: validateErr, status: 505},
	{file: "mismatch01.dat", verdict: validateErr, status: 400},
	{file: "mismatch02.dat", verdict: validateErr, status: 400},
	{file: "bigcode.dat", verdict: parserFails, status: 400},

	// RFC 4475 §3.2–§3.4: they parse; a higher layer acts. Those RFC 3261
	// answers with 400 (insuf, multi01, mcl01) are refused by Validate.
	{file: "badbranch.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		assert.Equal(t, BranchMagicCookie, must(m.Via())(t).Branch())
	}},
	{file: "insuf.dat", verdict: validateErr, status: 400},
	{file: "unkscm.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		u := must(m.RequestURI())(t)
		assert.Equal(t, "nobodyKnowsThisScheme", u.Scheme)
		assert.Equal(t, "totallyopaquecontent", u.Opaque)
	}},
	{file: "novelsc.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		u := must(m.RequestURI())(t)
		assert.Equal(t, "soap.beep", u.Scheme)
		assert.Equal(t, "//192.0.2.103:3002", u.Opaque)
	}},
	{file: "unksm2.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		assert.Equal(t, "isbn", must(m.To())(t).URI.Scheme)
		assert.Equal(t, "http", must(m.From())(t).URI.Scheme)
		assert.Equal(t, "name:John_Smith", must(m.Contact())(t).URI.String())
	}},
	{file: "bext01.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		assert.Equal(t, []string{"nothingSupportsThis", "nothingSupportsThisEither"}, must(m.Tokens(HdrRequire))(t))
		assert.True(t, m.HasToken(HdrProxyRequire, "norDoAnyProxiesSupportThis"))
	}},
	{file: "invut.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		assert.True(t, must(m.ContentType())(t).Is("application", "unknownformat"))
	}},
	{file: "regaut01.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		a := must(m.Auth(HdrAuthorization))(t)
		assert.Equal(t, "NoOneKnowsThisScheme", a.Scheme)
		v, ok := a.Params.Get("opaque-data")
		assert.True(t, ok)
		assert.Equal(t, "here", v)
	}},
	{file: "multi01.dat", verdict: validateErr, status: 400},
	{file: "mcl01.dat", verdict: validateErr, status: 400},
	{file: "bcast.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		vias := must(m.Vias())(t)
		require.Len(t, vias, 2)
		assert.Equal(t, "255.255.255.255", vias[1].Host)
	}},
	{file: "zeromf.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		assert.Equal(t, 0, must(m.MaxForwards())(t))
	}},
	{file: "cparam01.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		c := must(m.Contact())(t)
		assert.True(t, c.Params.Has("unknownparam"), "bare addr-spec: the parameter belongs to the header")
		assert.Empty(t, c.URI.Params)
	}},
	{file: "cparam02.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		c := must(m.Contact())(t)
		assert.True(t, c.URI.Params.Has("unknownparam"), "inside <> the parameter belongs to the URI")
		assert.Empty(t, c.Params)
	}},
	{file: "regescrt.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		c := must(m.Contact())(t)
		assert.Equal(t, "Route=%3Csip:sip.example.com%3E", c.URI.Headers)
	}},
	{file: "sdp01.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		assert.Equal(t, "text/nobodyKnowsThis", m.Get(HdrAccept))
	}},
	{file: "inv2543.dat", verdict: aboveParser, check: func(t *testing.T, m *Message) {
		v := must(m.Via())(t)
		assert.Equal(t, "", v.Branch(), "RFC 2543 Via without branch")
		assert.False(t, m.Has(HdrMaxForwards))
		assert.Len(t, m.Body(), 105, "no Content-Length over UDP: the rest of the datagram")
		to := must(m.To())(t)
		u, _ := to.Params.Get("user")
		assert.Equal(t, "phone", u, "bare addr-spec: ;user=phone is a header parameter")
	}},

	// RFC 5118.
	{file: "ipv6-good.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		u := must(m.RequestURI())(t)
		assert.Equal(t, "[2001:db8::10]", u.Host)
		a, ok := u.Addr()
		assert.True(t, ok)
		assert.Equal(t, "2001:db8::10", a.String())
		assert.Equal(t, "[2001:db8::9:1]", must(m.Via())(t).Host)
	}},
	{file: "port-ambiguous.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		u := must(m.RequestURI())(t)
		assert.Equal(t, "[2001:db8::10:5070]", u.Host)
		assert.Zero(t, u.Port)
	}},
	{file: "port-unambiguous.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		u := must(m.RequestURI())(t)
		assert.Equal(t, "[2001:db8::10]", u.Host)
		assert.Equal(t, 5070, u.Port)
	}},
	{file: "via-received-param-with-delim.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		assert.Equal(t, "[2001:db8::9:255]", must(m.Via())(t).Received())
	}},
	{file: "via-received-param-no-delim.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		assert.Equal(t, "2001:db8::9:255", must(m.Via())(t).Received())
	}},
	{file: "ipv6-in-sdp.dat", verdict: mustParse, framed: 580, check: func(t *testing.T, m *Message) {
		assert.Len(t, m.Body(), 241)
	}},
	{file: "mult-ip-in-header.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		vias := must(m.Vias())(t)
		require.Len(t, vias, 3)
		assert.Equal(t, 6050, vias[0].Port)
		assert.Equal(t, "192.0.2.1", vias[1].Host)
		assert.Equal(t, "[2001:db8::9:255]", vias[2].Host)
		assert.Equal(t, "192.0.2.200", vias[2].Received())
	}},
	{file: "mult-ip-in-sdp.dat", verdict: mustParse, framed: 522, check: func(t *testing.T, m *Message) {
		assert.Len(t, m.Body(), 181)
	}},
	{file: "ipv4-mapped-ipv6.dat", verdict: mustParse, framed: 648, check: func(t *testing.T, m *Message) {
		c := must(m.Contact())(t)
		assert.Equal(t, "[::ffff:192.0.2.2]", c.URI.Host)
		assert.Equal(t, "T. desk phone", c.Display)
		assert.Equal(t, 19823, must(m.Via())(t).Port)
	}},
	{file: "ipv6-correct-abnf-2-colons.dat", verdict: mustParse, check: func(t *testing.T, m *Message) {
		assert.Equal(t, "[2001:db8::192.0.2.1]", must(m.RequestURI())(t).Host)
	}},
	{file: "ipv6-bad.dat", verdict: validateErr, status: 400},
	{file: "ipv6-bug-abnf-3-colons.dat", verdict: validateErr, status: 400},
}

// must(f())(t) fails the test when f returns an error and gives its value.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		require.NoError(t, err)
		return v
	}
}

func readTorture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "torture", name))
	require.NoError(t, err)
	return data
}

// TestTortureVerdicts enforces VERDICTS.md on all 61 messages (SIP-10,
// SIP-11, SIP-12, SIP-16; spec §4.1).
func TestTortureVerdicts(t *testing.T) {
	files, err := filepath.Glob("testdata/torture/*.dat")
	require.NoError(t, err)
	require.Len(t, files, 61, "49 RFC 4475 + 12 RFC 5118 messages")
	seen := map[string]bool{}
	for _, c := range tortureCases {
		require.False(t, seen[c.file], "duplicate case %s", c.file)
		seen[c.file] = true
	}
	for _, f := range files {
		require.True(t, seen[filepath.Base(f)], "no verdict for %s", f)
	}
	require.Len(t, tortureCases, 61)

	right := 0
	for _, c := range tortureCases {
		ok := t.Run(strings.TrimSuffix(c.file, ".dat"), func(t *testing.T) {
			data := readTorture(t, c.file)
			m, err := ParseMessage(data)
			switch c.verdict {
			case parserFails:
				require.Error(t, err)
				var pe *ParseError
				require.True(t, errors.As(err, &pe), "want *ParseError, got %T", err)
				assert.Equal(t, c.status, pe.Status)
				assert.Equal(t, c.status, ErrorStatus(err))
				assert.GreaterOrEqual(t, pe.Offset, 0)
				assert.NotEmpty(t, pe.Reason)
				return
			case validateErr:
				require.NoError(t, err, "the parser accepts it; Validate refuses it")
				verr := m.Validate()
				require.Error(t, verr)
				var ve *ValidationError
				require.True(t, errors.As(verr, &ve))
				assert.Equal(t, c.status, ve.Status)
				assert.Equal(t, c.status, ErrorStatus(verr))
				require.NotEmpty(t, ve.Faults)
				var pe *ParseError
				assert.True(t, errors.As(verr, &pe))
				// Still byte-exact: a proxy that forwards what it does not own.
				assert.Equal(t, data, m.Bytes())
				return
			}
			require.NoError(t, err)
			require.NoError(t, m.Validate())
			want := data
			if c.framed > 0 {
				want = data[:c.framed]
			}
			assert.Equal(t, string(want), string(m.Bytes()), "SIP-16 byte-identical round trip")
			assert.Equal(t, len(want), m.Len())
			m2, err := ParseMessage(m.Bytes())
			require.NoError(t, err)
			assert.Equal(t, m.Bytes(), m2.Bytes())
			if c.check != nil {
				c.check(t, m)
			}
		})
		if ok {
			right++
		}
	}
	t.Logf("torture verdicts right: %d/61", right)
	assert.Equal(t, 61, right)
}

func checkWsinv(t *testing.T, m *Message) {
	assert.Equal(t, MethodInvite, m.Method())
	u := must(m.RequestURI())(t)
	assert.Equal(t, "vivekg", u.User)
	assert.True(t, u.Params.Has("unknownparam"))
	to := must(m.To())(t)
	assert.Equal(t, "sip:vivekg@chair-dnrc.example.com", to.URI.String())
	assert.Equal(t, "1918181833n", to.Tag())
	from := must(m.From())(t)
	assert.Equal(t, `J Rosenberg \"`, from.Display)
	assert.Equal(t, "98asjd8", from.Tag())
	assert.Equal(t, 68, must(m.MaxForwards())(t))
	assert.Equal(t, CSeq{Seq: 9, Method: "INVITE"}, must(m.CSeq())(t))
	vias := must(m.Vias())(t)
	require.Len(t, vias, 3)
	assert.Equal(t, Via{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "192.0.2.2",
		Params: ";branch=390skdjuw"}, vias[0])
	assert.Equal(t, "TCP", vias[1].Transport)
	assert.Equal(t, "spindle.example.com", vias[1].Host)
	assert.Equal(t, "z9hG4bK9ikj8", vias[1].Branch())
	assert.Equal(t, "192.168.255.111", vias[2].Host)
	assert.Equal(t, "z9hG4bK30239", vias[2].Branch())
	assert.Equal(t, "SIP/2.0/UDP 192.168.255.111;branch=z9hG4bK30239", vias[2].String())
	c := must(m.Contact())(t)
	assert.Equal(t, `Quoted string ""`, c.Display)
	nv, _ := c.Params.Get("newparam")
	assert.Equal(t, "newvalue", nv)
	assert.True(t, c.Params.Has("secondparam"))
	q, _ := c.Params.Get("q")
	assert.Equal(t, "0.33", q)
	routes := must(m.Routes())(t)
	require.Len(t, routes, 1)
	assert.True(t, routes[0].URI.Params.Has("lr"))
	assert.Equal(t, "newfangled value continued newfangled value", m.Get("NewFangledHeader"))
	assert.True(t, m.Has("Subject"))
	assert.Equal(t, "", m.Get("s"))
	assert.Equal(t, ";;,,;;,;", m.Get("UnknownHeaderWithUnusualValue"))
	assert.Len(t, m.Body(), 150)
}

func checkIntmeth(t *testing.T, m *Message) {
	assert.Equal(t, "!interesting-Method0123456789_*+`.%indeed'~", m.Method())
	u := must(m.RequestURI())(t)
	assert.Equal(t, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", u.User)
	assert.Equal(t, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", u.Password)
	assert.Equal(t, "example.com", u.Host)
	to := must(m.To())(t)
	assert.Equal(t, "BEL:\x07 NUL:\x00 DEL:\x7f", to.Display)
	from := must(m.From())(t)
	assert.Equal(t, "token1~` token2'+_ token3*%!.-", from.Display)
	assert.Equal(t, "_token~1'+`*%!-.", from.Tag())
	fp, ok := from.Params.Get("fromParam''~+*_!.-%")
	assert.True(t, ok)
	assert.Equal(t, "работающий", Unquote(fp))
	assert.Equal(t, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", must(m.CallID())(t))
	assert.Equal(t, "\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb", m.Get("extensionHeader-!.%*+_`'~"))
	assert.Equal(t, 255, must(m.MaxForwards())(t))
}

func checkEsc01(t *testing.T, m *Message) {
	u := must(m.RequestURI())(t)
	assert.Equal(t, "sips:user@example.com", Unescape(u.User))
	assert.Equal(t, "example.net", u.Host)
	to := must(m.To())(t)
	assert.Equal(t, "user", Unescape(to.URI.User))
	from := must(m.From())(t)
	assert.Equal(t, "I have spaces", Unescape(from.URI.User))
	c := must(m.Contact())(t)
	assert.Equal(t, "caller", Unescape(c.URI.User))
	assert.True(t, c.URI.Params.Has("%6C%72"))
	v, _ := c.URI.Params.Get("n%61me")
	assert.Equal(t, "value%41", Unescape(v))
	assert.True(t, c.URI.Equal(must(ParseURI("sip:caller@host5.example.net;lr;name=value%2541"))(t)))
	assert.False(t, c.URI.Equal(must(ParseURI("sip:caller@host5.example.net;lr;name=value%41"))(t)))
	assert.True(t, must(m.ContentType())(t).Is("application", "sdp"), "compact C")
}

func checkEscnull(t *testing.T, m *Message) {
	to := must(m.To())(t)
	assert.Equal(t, "null-\x00-null", Unescape(to.URI.User))
	cs := must(m.Contacts())(t)
	require.Len(t, cs, 2)
	assert.Equal(t, "\x00", Unescape(cs[0].URI.User))
	assert.Equal(t, "\x00\x00", Unescape(cs[1].URI.User))
	assert.Equal(t, 0, must(m.ContentLength())(t))
}

func checkEsc02(t *testing.T, m *Message) {
	assert.Equal(t, "RE%47IST%45R", m.Method(), "a token, not an escaped REGISTER")
	to := must(m.To())(t)
	assert.Equal(t, "%Z%45", to.Display)
	assert.Equal(t, "z9hG4bK209%fzsnel234", must(m.Via())(t).Branch())
	cs := must(m.Contacts())(t)
	require.Len(t, cs, 2, "C%6Fntact is another header")
	assert.Equal(t, "<sip:alias2@host2.example.com>", m.Get("C%6Fntact"))
}

func checkLongreq(t *testing.T, m *Message) {
	assert.Equal(t, 34, m.ViaCount(), "Via in every case and compact form, with and without spaces before the colon")
	vias := must(m.Vias())(t)
	assert.Equal(t, "sip33.example.com", vias[0].Host)
	assert.Equal(t, "sip22.example.com", vias[11].Host)
	assert.Equal(t, "192.0.2.5", vias[33].Received())
	to := must(m.To())(t)
	assert.Equal(t, 6000, to.URI.Port)
	assert.True(t, to.URI.Params.Has("verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongParameterNameWithNoValue"))
	from := must(m.From())(t)
	assert.Len(t, from.Tag(), 155)
	assert.Len(t, m.Body(), 150)
	assert.Equal(t, 150, must(m.ContentLength())(t))
}

// TestTortureDblreqStream: on a stream, dblreq.dat is two requests framed
// by their Content-Length (RFC 4475 §3.1.1.8 describes the UDP case). The
// INVITE declares 150 body bytes where 155 follow, so the last five bytes
// ("C" CRLF CRLF) are a header block without Content-Length: a framing
// error that closes the stream (SIP-10, SIP-14).
func TestTortureDblreqStream(t *testing.T) {
	r := NewReader(bytes.NewReader(readTorture(t, "dblreq.dat")))
	m1, err := r.ReadMessage()
	require.NoError(t, err)
	assert.Equal(t, MethodRegister, m1.Method())
	m2, err := r.ReadMessage()
	require.NoError(t, err)
	assert.Equal(t, MethodInvite, m2.Method())
	assert.Len(t, m2.Body(), 150)
	require.NoError(t, m2.Validate())
	_, err = r.ReadMessage()
	assert.ErrorIs(t, err, ErrContentLength)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Framing)
}
