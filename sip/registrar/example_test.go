package registrar_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/registrar"
)

func ExampleRegistrar_Register() {
	r, err := registrar.New(registrar.Config{Domains: []string{"example.com"}})
	if err != nil {
		panic(err)
	}
	req, _ := sip.ParseMessage([]byte("REGISTER sip:example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n" +
		"From: <sip:bob@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n" +
		"Call-ID: c1\r\nCSeq: 1 REGISTER\r\nContact: <sip:bob@192.0.2.10>\r\n" +
		"Expires: 3600\r\nContent-Length: 0\r\n\r\n"))
	src := registrar.Source{Network: "udp", Addr: netip.MustParseAddrPort("192.0.2.10:5060")}
	resp, _ := r.Register(context.Background(), req, src)
	fmt.Println(resp.StatusCode(), resp.Get("Contact"))
	bs, _ := r.Lookup(context.Background(), sip.URI{Scheme: "sip", User: "bob", Host: "example.com"})
	fmt.Println(len(bs), bs[0].Contact)
	// Output:
	// 200 <sip:bob@192.0.2.10>;expires=60
	// 1 <sip:bob@192.0.2.10>
}

func ExampleRegistrar_UnregisterAndBlock() {
	r, err := registrar.New(registrar.Config{Domains: []string{"example.com"}, Restriction: registrar.DenyList,
		OnEnd: func(e registrar.Ended) { fmt.Println("ended:", e.Binding.AOR, e.Reason) }})
	if err != nil {
		panic(err)
	}
	req, _ := sip.ParseMessage([]byte("REGISTER sip:example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n" +
		"From: <sip:mallory@example.com>;tag=1\r\nTo: <sip:mallory@example.com>\r\n" +
		"Call-ID: c1\r\nCSeq: 1 REGISTER\r\nContact: <sip:mallory@192.0.2.10>\r\n" +
		"Content-Length: 0\r\n\r\n"))
	src := registrar.Source{Network: "udp", Addr: netip.MustParseAddrPort("192.0.2.10:5060")}
	ctx := context.Background()
	resp, _ := r.Register(ctx, req, src)
	fmt.Println(resp.StatusCode())

	n, err := r.UnregisterAndBlock(ctx, "mallory@example.com")
	fmt.Println(n, err, r.RestrictionPolicy().DenyList[0].Pattern)
	resp, _ = r.Register(ctx, req, src)
	fmt.Println(resp.StatusCode(), len(r.History()))
	// Output:
	// 200
	// ended: mallory@example.com Operator forced removal
	// 1 <nil> mallory@example.com
	// 403 1
}
