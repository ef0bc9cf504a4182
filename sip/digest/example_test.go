package digest_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/digest"
)

// A registrar challenges a REGISTER, the endpoint answers, and the second
// attempt is authenticated.
func Example() {
	srv, err := digest.NewServer(digest.Config{Store: digest.MemoryStore{"meetingroom1": "mypassword"}})
	if err != nil {
		panic(err)
	}
	req, _ := sip.ParseMessage([]byte("REGISTER sip:example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\nFrom: <sip:meetingroom1@example.com>;tag=a1\r\n" +
		"To: <sip:meetingroom1@example.com>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"))
	ctx, src := context.Background(), netip.MustParseAddr("192.0.2.1")

	d, _ := srv.Authenticate(ctx, req, src)
	resp, _ := digest.Respond(req, d)
	fmt.Println(d.Result, resp.StatusCode())

	ua := &digest.Client{Username: "meetingroom1", Password: "mypassword"}
	if err := ua.Authorize(req, resp); err != nil {
		panic(err)
	}
	d, _ = srv.Authenticate(ctx, req, src)
	fmt.Println(d.Result, d.Username)
	// Output:
	// Challenged 401
	// Authenticated meetingroom1
}
