package proxy

import (
	"bytes"
	"testing"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/transport"
)

// FuzzPipeline feeds arbitrary requests to the parts of the pipeline that
// read untrusted headers — Route preprocessing, loop detection, the
// session-timer rules, forwarding preparation and the stateless ACK path —
// which must return errors, never panic.
func FuzzPipeline(f *testing.F) {
	for _, s := range []string{
		"INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-cw0011223344556677-x\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nRoute: <sip:127.0.0.1:5060;lr>\r\nSession-Expires: 300;refresher=uac\r\nMin-SE: 90\r\nContent-Length: 0\r\n\r\n",
		"ACK sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;x-edge-poison=box\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: x\r\nCSeq: 1 ACK\r\nRoute: <sip:192.0.2.9>\r\nRoute: <sip:127.0.0.1;lr>\r\nContent-Length: 0\r\n\r\n",
		"REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK2\r\nFrom: <sip:a@example.org>;tag=1\r\nTo: <sip:a@example.org>\r\nCall-ID: r\r\nCSeq: 1 REGISTER\r\nSupported: outbound\r\nContact: <sip:a@192.0.2.1;transport=tcp>;+sip.instance=\"<urn:uuid:1>\";reg-id=1;expires=60\r\nContent-Length: 0\r\n\r\n",
		"INVITE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK3\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: m\r\nCSeq: 1 INVITE\r\nAllow: INVITE, UPDATE\r\nUser-Agent: Lync\r\nContent-Type: multipart/mixed;boundary=b\r\nContent-Length: 63\r\n\r\n--b\r\nContent-Type: application/sdp\r\n\r\nm=x 1 UDP/BFCP *\r\n--b--\r\n",
	} {
		f.Add([]byte(s))
	}
	tp := newTransport(f)
	p, err := New(Config{Transport: tp, Router: to(), SessionExpires: 1800, MinSE: 500, BoxID: "box", Logger: quiet()})
	if err != nil {
		f.Fatal(err)
	}
	defer p.Close()
	routes, err := CompileSIPRoutes([]SIPRoute{{Index: 1, Method: "INVITE", RequestLinePattern: `.*@(%localdomains%|%ip%)`, Address: "192.0.2.1"},
		{Index: 2, HeaderName: "User-Agent", HeaderPattern: "Lync", Address: "192.0.2.2"}}, routeFacts)
	if err != nil {
		f.Fatal(err)
	}
	rules := &ZoneRules{MIMEStrip: true, UpdateStrip: true, UDPBFCPFilter: true, UDPIXFilter: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := sip.ParseMessage(data)
		if err != nil || !m.IsRequest() || m.Validate() != nil {
			return
		}
		_ = p.looped(m)
		_, _ = routes.Match(m, true)
		applyIngress(m, rules)
		if tok, err := p.preprocessRoute(m); err == nil && tok != "" {
			_, _ = p.parseFlowToken(tok)
		}
		_, _ = p.mappedTarget(m)
		if m.Method() == sip.MethodInvite {
			p.sessionTimer(m)
		}
		u, err := m.RequestURI()
		if err != nil || !u.IsSIP() {
			return
		}
		dest := transport.Addr{Network: "udp", AddrPort: tp.LocalAddr("udp")}
		for _, noPath := range []bool{false, true} {
			out, err := p.prepare(p.ctx, m, Target{URI: u, Dest: dest, Route: []string{"<sip:192.0.2.1;lr>"}, HopCount: 15, Poison: true, NoPath: noPath, Rules: rules}, dest, 70)
			if err != nil || m.Method() != sip.MethodRegister {
				continue
			}
			// The registrar's 2xx lists the rewritten Contacts back.
			resp, err := sip.NewResponse(out.msg, 200, "")
			if err != nil {
				continue
			}
			for _, v := range out.msg.Values(sip.HdrContact) {
				_ = resp.Add(sip.HdrContact, v)
			}
			p.mapBackContacts(resp, out.contacts)
		}
	})
}

// FuzzSDPPart: the multipart reader of SIP MIME Strip (SIP-87 b) returns
// a part of its input or an error, never panics.
func FuzzSDPPart(f *testing.F) {
	f.Add([]byte("pre\r\n--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b--\r\n"), "b")
	f.Add([]byte("--b\nContent-Type: text/plain\n\nx\n--b\ncontent-type:application/sdp\n\nv=0\n--b--"), "b")
	f.Add([]byte("--b\r\n\r\n--b"), "b")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		got, err := SDPPart(body, boundary)
		if err == nil && !bytes.Contains(body, got) {
			t.Fatalf("part %q is not in the body", got)
		}
	})
}

// FuzzFilterSDP: the SIP-88 m-line filters keep the number of lines and
// touch only m= lines.
func FuzzFilterSDP(f *testing.F) {
	f.Add([]byte("v=0\r\nm=application 9 UDP/BFCP *\r\nm=application 9 UDP/UDT/IX *\r\n"), true, true)
	f.Add([]byte("m=audio 1 RTP/AVP 0\nm= 1 UDP/BFCP"), true, false)
	f.Fuzz(func(t *testing.T, body []byte, bfcp, ix bool) {
		out, changed := FilterSDP(body, bfcp, ix)
		if !changed && !bytes.Equal(out, body) {
			t.Fatal("unchanged body differs")
		}
		if bytes.Count(out, []byte("\n")) != bytes.Count(body, []byte("\n")) {
			t.Fatal("line count changed")
		}
		again, _ := FilterSDP(out, bfcp, ix)
		if !bytes.Equal(again, out) {
			t.Fatal("filtering is not idempotent")
		}
	})
}
