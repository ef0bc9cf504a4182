package sip

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func streamMsg(method string, body string) string {
	return crlf(method+" sip:b@example.com SIP/2.0",
		"Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK"+method,
		"To: <sip:b@example.com>", "From: <sip:a@example.com>;tag=1", "Call-ID: c1", "CSeq: 1 "+method,
		"Content-Length: "+itoa(len(body)), "", body)
}

func itoa(n int) string { return string(appendInt(nil, n)) }

// readAll reads messages until an error and returns them with the error.
func readAll(r *Reader) ([]*Message, error) {
	var out []*Message
	for {
		m, err := r.ReadMessage()
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

// TestReaderFraming: SIP-10 on streams — messages framed by Content-Length,
// back to back, with keep-alives between them (SIP-38, RFC 5626 §3.5.1).
func TestReaderFraming(t *testing.T) {
	a, b, c := streamMsg("INVITE", "v=0\r\n"), streamMsg("BYE", ""), streamMsg("MESSAGE", "hello\r\n\r\nworld")
	stream := a + "\r\n\r\n" + b + "\r\n" + c + "\r\n\r\n\r\n\r\n"
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"halves":   iotest.HalfReader,
		"data+EOF": iotest.DataErrReader,
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader(wrap(strings.NewReader(stream)))
			var kas []KeepAlive
			r.OnKeepAlive = func(k KeepAlive) { kas = append(kas, k) }
			msgs, err := readAll(r)
			assert.ErrorIs(t, err, io.EOF)
			require.Len(t, msgs, 3)
			assert.Equal(t, a, msgs[0].String())
			assert.Equal(t, b, msgs[1].String())
			assert.Equal(t, c, msgs[2].String())
			assert.Equal(t, "hello\r\n\r\nworld", string(msgs[2].Body()), "a blank line in the body is body")
			if name == "whole" {
				assert.Equal(t, []KeepAlive{Ping, Pong, Ping, Ping}, kas)
			} else {
				assert.NotEmpty(t, kas)
			}
			_, err = r.ReadMessage()
			assert.ErrorIs(t, err, io.EOF, "EOF is sticky")
		})
	}
}

// TestReaderSplitEverywhere feeds two messages split at every byte
// boundary: the framing never depends on how TCP segments the stream.
func TestReaderSplitEverywhere(t *testing.T) {
	stream := streamMsg("INVITE", "v=0\r\n") + "\r\n\r\n" + streamMsg("ACK", "")
	for i := 1; i < len(stream); i++ {
		r := NewReader(io.MultiReader(strings.NewReader(stream[:i]), strings.NewReader(stream[i:])))
		msgs, err := readAll(r)
		require.ErrorIs(t, err, io.EOF, "split at %d", i)
		require.Len(t, msgs, 2, "split at %d", i)
		assert.Equal(t, MethodAck, msgs[1].Method())
	}
}

// TestReaderFramingErrors: SIP-14 — a missing or malformed Content-Length,
// a conflicting one, a stream that ends inside a message: the stream is out
// of sync, the error is final and marked Framing.
func TestReaderFramingErrors(t *testing.T) {
	noCL := crlf("OPTIONS sip:h SIP/2.0", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "", "")
	inv := streamMsg("INVITE", "v=0\r\n")
	cases := []struct {
		name, in string
		want     error
	}{
		{"missing Content-Length", noCL + streamMsg("BYE", ""), ErrContentLength},
		{"Content-Length: abc (spec 3.15)", strings.Replace(streamMsg("INVITE", ""), "Content-Length: 0", "Content-Length: abc", 1), ErrContentLength},
		{"conflicting Content-Length", strings.Replace(streamMsg("INVITE", "abc"), "Content-Length: 3", "Content-Length: 3\r\nl: 4", 1) + "d", ErrContentLength},
		{"body cut short", inv[:len(inv)-3], io.ErrUnexpectedEOF},
		{"header block cut short", "INVITE sip:h SIP/2.0\r\nVia: x", io.ErrUnexpectedEOF},
		{"keep-alive cut short", "\r", io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(streamMsg("OPTIONS", "") + c.in))
			first, err := r.ReadMessage()
			require.NoError(t, err)
			assert.Equal(t, MethodOptions, first.Method())
			_, err = r.ReadMessage()
			require.ErrorIs(t, err, c.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.True(t, pe.Framing)
			_, err2 := r.ReadMessage()
			assert.Equal(t, err, err2, "the error is final")
		})
	}
}

// TestReaderMessageError: a malformed message whose Content-Length is
// readable is consumed; the next message is read normally (SIP-14
// RetainSome/RetainAll can keep the connection).
func TestReaderMessageError(t *testing.T) {
	bad := crlf("INVITE sip:h SIP/2.0", "Bad Header: x", "Content-Length: 3", "", "abc")
	r := NewReader(strings.NewReader(bad + streamMsg("BYE", "")))
	_, err := r.ReadMessage()
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.Framing)
	assert.Equal(t, 400, pe.Status)
	m, err := r.ReadMessage()
	require.NoError(t, err)
	assert.Equal(t, MethodBye, m.Method())

	// Malformed headers the lazy parser indexes are found by Validate, with
	// the names RetainSome checks against the mandatory set.
	r = NewReader(strings.NewReader(strings.Replace(streamMsg("INVITE", ""), "CSeq: 1 INVITE", "CSeq: one INVITE", 1)))
	m, err = r.ReadMessage()
	require.NoError(t, err)
	var ve *ValidationError
	require.ErrorAs(t, m.Validate(), &ve)
	assert.Equal(t, []string{"CSeq"}, ve.Headers())
}

// TestReaderOversize: SIP-13 / spec 3.15 — a 40000-byte INVITE with the
// default SipMaxSize is refused once its header block shows its size, and
// the header block is handed back so that a 513 can be sent first.
func TestReaderOversize(t *testing.T) {
	body := strings.Repeat("a=x\r\n", 8000)
	big := streamMsg("INVITE", body)
	require.Equal(t, 40000, len(body))
	src := &countingReader{r: strings.NewReader(big + streamMsg("BYE", ""))}
	r := NewReader(src)
	_, err := r.ReadMessage()
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrMessageTooLarge)
	assert.Equal(t, 513, pe.Status)
	assert.True(t, pe.Framing)
	require.NotNil(t, pe.Partial)
	assert.Nil(t, pe.Partial.Body())
	resp := must(NewResponse(pe.Partial, 513, ""))(t)
	assert.Equal(t, "SIP/2.0 513 Message Too Large", strings.SplitN(resp.String(), "\r\n", 2)[0])
	assert.Equal(t, "z9hG4bKINVITE", must(resp.Via())(t).Branch())
	assert.Less(t, src.n, 8192, "the body is never read")

	// A header block that never ends is refused at the limit too.
	r = NewReaderLimits(strings.NewReader("INVITE sip:h SIP/2.0\r\n"+strings.Repeat("X-Pad: "+strings.Repeat("p", 90)+"\r\n", 100)), Limits{MaxSize: 4096})
	_, err = r.ReadMessage()
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 513, pe.Status)
	assert.Nil(t, pe.Partial)

	// The same message passes with a larger limit.
	r = NewReaderLimits(strings.NewReader(big), Limits{MaxSize: 65536})
	m, err := r.ReadMessage()
	require.NoError(t, err)
	assert.Len(t, m.Body(), 40000)
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) > 512 {
		p = p[:512]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReaderIOError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(iotest.ErrReader(boom))
	_, err := r.ReadMessage()
	assert.ErrorIs(t, err, boom)
	_, err = r.ReadMessage()
	assert.ErrorIs(t, err, boom)

	r = NewReader(io.MultiReader(strings.NewReader("INVITE sip:h SIP/2.0\r\n"), iotest.ErrReader(boom)))
	_, err = r.ReadMessage()
	assert.ErrorIs(t, err, boom)
}

// TestReaderOverTCP drives the Reader over a real TCP connection on
// 127.0.0.1: messages written in pieces, a CRLFCRLF ping answered with a
// CRLF pong from the OnKeepAlive callback (SIP-38), and a clean close.
func TestReaderOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()

	type result struct {
		methods []string
		pings   int
		err     error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() { done <- res }()
		conn, err := ln.Accept()
		if err != nil {
			res.err = err
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		r := NewReader(conn)
		r.OnKeepAlive = func(k KeepAlive) {
			if k == Ping {
				res.pings++
				_, _ = conn.Write([]byte("\r\n"))
			}
		}
		for {
			m, err := r.ReadMessage()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					res.err = err
				}
				return
			}
			res.methods = append(res.methods, m.Method())
		}
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	inv := streamMsg("INVITE", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n")
	for _, piece := range []string{inv[:10], inv[10:100], inv[100:]} {
		_, err := conn.Write([]byte(piece))
		require.NoError(t, err)
	}
	_, err = conn.Write([]byte("\r\n\r\n"))
	require.NoError(t, err)
	pong, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "\r\n", pong)
	_, err = conn.Write([]byte(streamMsg("BYE", "")))
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite())

	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, []string{MethodInvite, MethodBye}, res.methods)
	assert.Equal(t, 1, res.pings)
	conn.Close()
}

// TestReaderLargeMessages reads messages bigger than the initial buffer,
// one after the other.
func TestReaderLargeMessages(t *testing.T) {
	var buf bytes.Buffer
	var want []string
	for i := 0; i < 5; i++ {
		s := streamMsg("MESSAGE", strings.Repeat(string(rune('a'+i)), 3000*(i+1)))
		want = append(want, s)
		buf.WriteString(s)
	}
	msgs, err := readAll(NewReader(iotest.HalfReader(&buf)))
	require.ErrorIs(t, err, io.EOF)
	require.Len(t, msgs, 5)
	for i, m := range msgs {
		assert.Equal(t, want[i], m.String())
	}
}

// TestDecodeErrorData: SIP-15 — an undecodable message's error carries the
// bytes seen, truncated to 4 KiB, for the Decode Error event.
func TestDecodeErrorData(t *testing.T) {
	bad := "INVITE sip:h SIP/2.0\r\nBad Header: x\r\nContent-Length: 3\r\n\r\nabc"
	_, err := ParseMessage([]byte(bad))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, bad, string(pe.Data))

	r := NewReader(strings.NewReader(bad + streamMsg("BYE", "")))
	_, err = r.ReadMessage()
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, bad, string(pe.Data), "the stream's bytes of that message")
	_, err = r.ReadMessage()
	require.NoError(t, err)

	noCL := "OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n"
	_, err = NewReader(strings.NewReader(noCL)).ReadMessage()
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, noCL, string(pe.Data))

	cut := streamMsg("INVITE", "v=0\r\n")
	cut = cut[:len(cut)-2]
	_, err = NewReader(iotest.OneByteReader(strings.NewReader(cut))).ReadMessage()
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, cut, string(pe.Data))

	huge := "INVITE sip:h SIP/2.0\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 90)+"\r\n", 400)
	_, err = NewReader(strings.NewReader(huge)).ReadMessage()
	require.ErrorAs(t, err, &pe)
	assert.Len(t, pe.Data, MaxErrorData)
	assert.Equal(t, huge[:MaxErrorData], string(pe.Data))

	big := make([]byte, DefaultMaxSize+1)
	_, err = ParseMessage(big)
	require.ErrorAs(t, err, &pe)
	assert.Len(t, pe.Data, MaxErrorData)
}
