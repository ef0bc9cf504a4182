package sip

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Round-trip property tests over generated messages (spec §4.4: parse(
// serialise(m)) == m; SIP-16: unedited messages byte-identical, edits
// touching only what they edit). The generator is seeded, so a failure
// reproduces.

type genField struct{ name, value string }

type generator struct{ r *rand.Rand }

func (g generator) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g generator) token(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
	b := make([]byte, 1+g.r.IntN(n))
	for i := range b {
		b[i] = chars[g.r.IntN(len(chars))]
	}
	return string(b)
}

func (g generator) text(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789;,=<>\"/:@()[]?{}\\\t\x80\xc3\xa9"
	b := make([]byte, g.r.IntN(n))
	for i := range b {
		b[i] = chars[g.r.IntN(len(chars))]
	}
	return strings.TrimSpace(string(b))
}

// knownValue returns a valid value for one of the headers the codec types.
func (g generator) knownField() genField {
	host := g.pick("example.com", "192.0.2.7", "[2001:db8::7]", "proxy.example.org")
	switch g.r.IntN(8) {
	case 0:
		return genField{g.pick("Via", "v", "VIA"), "SIP/2.0/" + g.pick("UDP", "TCP", "TLS") + " " + host + ";branch=z9hG4bK" + g.token(10)}
	case 1:
		return genField{g.pick("Contact", "m"), "<sip:" + g.token(8) + "@" + host + ">;expires=" + itoa(g.r.IntN(7200))}
	case 2:
		return genField{g.pick("Record-Route", "Route"), "<sip:" + host + ";lr>"}
	case 3:
		return genField{g.pick("Supported", "k", "Allow", "Require"), g.token(6) + ", " + g.token(6)}
	case 4:
		return genField{g.pick("Subject", "s"), g.text(30)}
	case 5:
		return genField{"P-Asserted-Identity", "<sip:" + g.token(8) + "@" + host + ">"}
	case 6:
		return genField{g.pick("Expires", "Min-Expires", "Session-Expires", "x"), itoa(g.r.IntN(100000))}
	default:
		return genField{g.pick("User-Agent", "Server"), g.token(10) + "/" + itoa(g.r.IntN(10)) + " (" + g.text(10) + ")"}
	}
}

func (g generator) field() genField {
	if g.r.IntN(3) == 0 {
		return genField{"X-" + g.token(12), g.text(40)}
	}
	return g.knownField()
}

// line writes a field with random spacing and folding, as a peer might.
func (g generator) line(f genField) string {
	sep := g.pick(":", ": ", " : ", ":\t", ":  ")
	v := f.value
	if g.r.IntN(5) == 0 {
		if i := strings.IndexByte(v, ' '); i > 0 {
			v = v[:i] + "\r\n" + g.pick(" ", "\t", "   ") + v[i+1:]
		}
	}
	return f.name + sep + v + "\r\n"
}

func (g generator) message() (string, []genField, string) {
	var b strings.Builder
	if g.r.IntN(4) == 0 {
		b.WriteString("SIP/2.0 " + itoa(100+g.r.IntN(600)) + " " + g.text(20) + "\r\n")
	} else {
		b.WriteString(g.pick("INVITE", "REGISTER", "OPTIONS", "X-"+g.token(5)) + " sip:" + g.token(6) + "@example.com SIP/2.0\r\n")
	}
	var fields []genField
	for i := g.r.IntN(25); i > 0; i-- {
		f := g.field()
		fields = append(fields, f)
		b.WriteString(g.line(f))
	}
	body := ""
	if g.r.IntN(2) == 0 {
		body = g.text(200)
	}
	cl := genField{g.pick("Content-Length", "l"), itoa(len(body))}
	fields = append(fields, cl)
	b.WriteString(g.line(cl))
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.String(), fields, body
}

func TestRoundTripProperty(t *testing.T) {
	g := generator{rand.New(rand.NewPCG(1, 2))}
	for i := 0; i < 2000; i++ {
		wire, fields, body := g.message()
		m, err := ParseMessage([]byte(wire))
		require.NoError(t, err, "%d: %q", i, wire)
		require.Equal(t, wire, m.String(), "%d: SIP-16 byte-identical", i)
		require.Equal(t, body, string(m.Body()))
		var got []genField
		for n, v := range m.All() {
			got = append(got, genField{n, v})
		}
		require.Len(t, got, len(fields), "%d", i)
		for j, f := range fields {
			assert.Equal(t, f.name, got[j].name)
			assert.Equal(t, strings.Join(strings.Fields(f.value), " "), strings.Join(strings.Fields(got[j].value), " "), "%d: %q", i, wire)
		}
		back := must(ParseMessage(m.Bytes()))(t)
		require.Equal(t, m.Bytes(), back.Bytes())
	}
}

// model mirrors the edit operations on a plain list of fields.
type model struct{ fields []genField }

func editName(name string) string {
	if k := kindOf(name); k != hUnknown && (len(name) != 1 || hinfos[k].compact == 0) {
		return hinfos[k].name
	}
	return name
}

func (md *model) match(i int, name string) bool {
	a, b := kindOf(md.fields[i].name), kindOf(name)
	if a != hUnknown || b != hUnknown {
		return a == b
	}
	return equalFold(md.fields[i].name, name)
}

func (md *model) set(name, value string) {
	for i := range md.fields {
		if md.match(i, name) {
			md.fields[i].value = value
			out := md.fields[:i+1]
			for j := i + 1; j < len(md.fields); j++ {
				if !md.match(j, name) {
					out = append(out, md.fields[j])
				}
			}
			md.fields = out
			return
		}
	}
	md.add(name, value)
}

func (md *model) add(name, value string) {
	f := genField{editName(name), value}
	last := -1
	for i := range md.fields {
		if md.match(i, name) {
			last = i
		}
	}
	at := len(md.fields)
	switch {
	case last >= 0:
		at = last + 1
	case at > 0 && kindOf(md.fields[at-1].name) == hContentLength && kindOf(name) != hContentLength:
		at--
	}
	md.fields = append(md.fields[:at], append([]genField{f}, md.fields[at:]...)...)
}

func (md *model) prepend(name, value string) {
	at := 0
	for i := range md.fields {
		if md.match(i, name) {
			at = i
			break
		}
	}
	md.fields = append(md.fields[:at], append([]genField{{editName(name), value}}, md.fields[at:]...)...)
}

func (md *model) del(name string) {
	out := md.fields[:0]
	for i := range md.fields {
		if !md.match(i, name) {
			out = append(out, md.fields[i])
		}
	}
	md.fields = out
}

// TestEditProperty applies random edits to parsed messages and to a model,
// then checks that serialise-and-parse gives the model's headers and body.
func TestEditProperty(t *testing.T) {
	g := generator{rand.New(rand.NewPCG(3, 4))}
	names := []string{"X-A", "x-a", "X-B", "Subject", "s", "Via", "v", "Contact", "Supported", "Content-Type", "P-Asserted-Identity"}
	for i := 0; i < 1000; i++ {
		wire, fields, body := g.message()
		m := must(ParseMessage([]byte(wire)))(t)
		md := &model{}
		for _, f := range fields {
			md.fields = append(md.fields, genField{f.name, strings.Join(strings.Fields(f.value), " ")})
		}
		for e := g.r.IntN(6); e > 0; e-- {
			name := g.pick(names...)
			value := g.token(10)
			switch g.r.IntN(5) {
			case 0:
				require.NoError(t, m.Set(name, value))
				md.set(name, value)
			case 1:
				require.NoError(t, m.Add(name, value))
				md.add(name, value)
			case 2:
				require.NoError(t, m.Prepend(name, value))
				md.prepend(name, value)
			case 3:
				m.Del(name)
				md.del(name)
			case 4:
				body = g.text(50)
				require.NoError(t, m.SetBody("", []byte(body)))
				if body == "" {
					md.del(HdrContentType) // an empty body without a type drops Content-Type
				}
				md.set(HdrContentLength, itoa(len(body)))
			}
		}
		back, err := ParseMessage(m.Bytes())
		require.NoError(t, err, "%d: %q", i, m.String())
		var got []genField
		for n, v := range back.All() {
			got = append(got, genField{n, strings.Join(strings.Fields(v), " ")})
		}
		require.Equal(t, md.fields, got, "%d:\n%s", i, m.String())
		require.Equal(t, body, string(back.Body()))
	}
}

// TestValueRoundTripProperty: URI, Address and Via values built from random
// parts serialise and parse back to the same parts.
func TestValueRoundTripProperty(t *testing.T) {
	g := generator{rand.New(rand.NewPCG(5, 6))}
	userChars := "abcXYZ019-_.!~*'()&=+$,;?/%41"
	for i := 0; i < 3000; i++ {
		var user strings.Builder
		for j := g.r.IntN(12); j >= 0; j-- {
			c := userChars[g.r.IntN(len(userChars)-2)]
			if c == '%' {
				user.WriteString("%41")
				continue
			}
			user.WriteByte(c)
		}
		u := URI{Scheme: g.pick("sip", "sips", "SIP"), User: user.String(),
			Host: g.pick("example.com", "a-b.example.org", "192.0.2.1", "[2001:db8::1]", "2001:db8::2"),
			Port: g.r.IntN(3) * 5060}
		if g.r.IntN(2) == 0 {
			u.Params = Params(";transport=" + g.pick("udp", "tcp") + g.pick("", ";lr", ";maddr=[2001:db8::9]"))
		}
		if g.r.IntN(4) == 0 {
			u.Headers = "subject=" + g.pick("lunch", "a%20b", "x") + "&priority=urgent"
		}
		p := must(ParseURI(u.String()))(t)
		if strings.IndexByte(u.Host, ':') >= 0 && u.Host[0] != '[' {
			u.Host = "[" + u.Host + "]"
		}
		require.Equal(t, u, p, u.String())
		require.True(t, p.Equal(u))

		var disp strings.Builder
		for j := g.r.IntN(15); j > 0; j-- {
			disp.WriteByte(g.pick("a", "B", " ", "\"", "\\", ",", "<", ";", "é")[0])
		}
		a := Address{Display: strings.TrimSpace(disp.String()), URI: u, Params: Params(g.pick("", ";tag="+g.token(8), ";q=0.5;+sip.instance=\"<urn:uuid:1>\""))}
		pa := must(ParseAddress(a.String()))(t)
		require.Equal(t, a.Display, pa.Display, a.String())
		require.Equal(t, a.Params, pa.Params)
		require.True(t, a.URI.Equal(pa.URI))

		v := Via{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: g.pick("UDP", "TCP", "WSS"), Host: u.Host, Port: u.Port,
			Params: Params(";branch=z9hG4bK" + g.token(12) + g.pick("", ";rport", ";received=192.0.2.9;rport=5060"))}
		require.Equal(t, v, must(ParseVia(v.String()))(t))
	}
}
