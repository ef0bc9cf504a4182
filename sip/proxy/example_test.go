package proxy_test

import (
	"context"
	"fmt"

	"github.com/causeway-edge/causeway/sip"
	"github.com/causeway-edge/causeway/sip/proxy"
	"github.com/causeway-edge/causeway/sip/transport"
)

// A Router decides where each request goes; here every alias of
// example.com forks to two phones and everything else is refused.
func ExampleRouterFunc() {
	desk, _ := sip.ParseURI("sip:alice@192.0.2.10:5060")
	mobile, _ := sip.ParseURI("sip:alice@192.0.2.11:5060;transport=tcp")
	r := proxy.RouterFunc(func(_ context.Context, req *sip.Message, _ transport.Addr) (proxy.Decision, error) {
		u, err := req.RequestURI()
		if err != nil || u.Host != "example.com" {
			return proxy.Decision{Status: 403, Reason: "Not our domain"}, nil
		}
		return proxy.Decision{Targets: []proxy.Target{{URI: desk, HopCount: 15}, {URI: mobile, HopCount: 15}}}, nil
	})
	for _, ruri := range []string{"sip:alice@example.com", "sip:bob@other.org"} {
		u, _ := sip.ParseURI(ruri)
		req, _ := sip.NewRequest("INVITE", u)
		d, _ := r.Route(context.Background(), req, transport.Addr{})
		fmt.Println(ruri, len(d.Targets), d.Status)
	}
	// Output:
	// sip:alice@example.com 2 0
	// sip:bob@other.org 0 403
}
