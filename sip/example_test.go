package sip_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/causeway-edge/causeway/sip"
)

const invite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@biloxi.example.com>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
	"CSeq: 314159 INVITE\r\n" +
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Length: 4\r\n" +
	"\r\n" +
	"v=0\n"

// Parse a datagram and read headers through the typed accessors.
func ExampleParseMessage() {
	m, err := sip.ParseMessage([]byte(invite))
	if err != nil {
		fmt.Println(err)
		return
	}
	via, _ := m.Via()
	from, _ := m.From()
	to, _ := m.To()
	cseq, _ := m.CSeq()
	fmt.Println(m.Method(), m.RequestURIString())
	fmt.Println("branch:", via.Branch(), "sent-by:", via.SentBy())
	fmt.Println("from:", from.Display, from.URI.AOR(), "tag", from.Tag())
	fmt.Println("to:", to.URI)
	fmt.Println("cseq:", cseq.Seq, cseq.Method)
	fmt.Println("compact names work:", m.Get("i"))
	// Output:
	// INVITE sip:bob@biloxi.example.com
	// branch: z9hG4bK776asdhds sent-by: pc33.atlanta.example.com
	// from: Alice alice@atlanta.example.com tag 1928301774
	// to: sip:bob@biloxi.example.com
	// cseq: 314159 INVITE
	// compact names work: a84b4c76e66710@pc33.atlanta.example.com
}

// Edit a request the way a proxy forwards it: Via pushed, Max-Forwards
// decremented, Record-Route inserted. The other lines keep their bytes.
func Example_edit() {
	m, _ := sip.ParseMessage([]byte(invite))
	_ = m.PushVia(sip.Via{Transport: "TLS", Host: "192.0.2.1", Port: 5061, Params: ";branch=z9hG4bKp1"})
	mf, _ := m.MaxForwards()
	m.SetMaxForwards(mf - 1)
	_ = m.PrependAddress(sip.HdrRecordRoute, sip.Address{URI: sip.URI{Scheme: "sip", Host: "192.0.2.1", Port: 5061, Params: ";transport=tls;lr"}})
	fmt.Print(strings.ReplaceAll(m.String(), "\r\n", "\n"))
	// Output:
	// INVITE sip:bob@biloxi.example.com SIP/2.0
	// Record-Route: <sip:192.0.2.1:5061;transport=tls;lr>
	// Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKp1
	// Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds
	// Max-Forwards: 69
	// To: Bob <sip:bob@biloxi.example.com>
	// From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
	// Call-ID: a84b4c76e66710@pc33.atlanta.example.com
	// CSeq: 314159 INVITE
	// Contact: <sip:alice@pc33.atlanta.example.com>
	// Content-Type: application/sdp
	// Content-Length: 4
	//
	// v=0
}

// Build a request from scratch.
func ExampleNewRequest() {
	to := sip.URI{Scheme: "sip", User: "bob", Host: "biloxi.example.com"}
	m, _ := sip.NewRequest(sip.MethodOptions, to)
	_ = m.PushVia(sip.Via{Transport: "UDP", Host: "192.0.2.10", Port: 5060, Params: ";branch=z9hG4bK1f2e3d"})
	_ = m.SetFrom(sip.Address{URI: sip.URI{Scheme: "sip", User: "alice", Host: "atlanta.example.com"}, Params: ";tag=88sja8x"})
	_ = m.SetTo(sip.Address{Display: "Bob", URI: to})
	_ = m.Set(sip.HdrCallID, "987asjd97y7atg")
	_ = m.SetCSeq(sip.CSeq{Seq: 1, Method: sip.MethodOptions})
	_ = m.Set(sip.HdrAccept, "application/sdp")
	fmt.Println(m.Validate())
	fmt.Print(strings.ReplaceAll(m.String(), "\r\n", "\n"))
	// Output:
	// <nil>
	// OPTIONS sip:bob@biloxi.example.com SIP/2.0
	// Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1f2e3d
	// Max-Forwards: 70
	// From: <sip:alice@atlanta.example.com>;tag=88sja8x
	// To: "Bob" <sip:bob@biloxi.example.com>
	// Call-ID: 987asjd97y7atg
	// CSeq: 1 OPTIONS
	// Accept: application/sdp
	// Content-Length: 0
}

// Answer a request: Via, From, To, Call-ID and CSeq are copied as received.
func ExampleNewResponse() {
	req, _ := sip.ParseMessage([]byte(invite))
	resp, _ := sip.NewResponse(req, 180, "")
	_ = resp.SetToTag("a6c85cf")
	fmt.Print(strings.ReplaceAll(resp.String(), "\r\n", "\n"))
	// Output:
	// SIP/2.0 180 Ringing
	// Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds
	// To: "Bob" <sip:bob@biloxi.example.com>;tag=a6c85cf
	// From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
	// Call-ID: a84b4c76e66710@pc33.atlanta.example.com
	// CSeq: 314159 INVITE
	// Content-Length: 0
}

// Read messages from a stream (TCP, TLS), with a keep-alive between them.
func ExampleReader() {
	stream := invite + "\r\n\r\n" + strings.Replace(invite, "INVITE", "BYE", 1)
	r := sip.NewReader(strings.NewReader(stream))
	r.OnKeepAlive = func(k sip.KeepAlive) {
		if k == sip.Ping {
			fmt.Println("ping: answer with CRLF")
		}
	}
	for {
		m, err := r.ReadMessage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(m.Method(), len(m.Body()), "body bytes")
	}
	// Output:
	// INVITE 4 body bytes
	// ping: answer with CRLF
	// BYE 4 body bytes
}

// Validate reports every fault with the status to answer.
func ExampleMessage_Validate() {
	bad := strings.Replace(invite, "SIP/2.0\r\n", "SIP/7.0\r\n", 1)
	bad = strings.Replace(bad, "CSeq: 314159 INVITE", "CSeq: 314159 OPTIONS", 1)
	m, _ := sip.ParseMessage([]byte(bad))
	err := m.Validate()
	fmt.Println("status:", sip.ErrorStatus(err))
	var ve *sip.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Faults {
			fmt.Println("-", f.Reason)
		}
	}
	// Output:
	// status: 505
	// - unsupported SIP version "SIP/7.0"
	// - CSeq method "OPTIONS" does not match the request method
}
