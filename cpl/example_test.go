package cpl_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/causeway-edge/causeway/cpl"
)

// Compile a script once and decide calls with it.
func ExampleCompile() {
	p, err := cpl.Compile([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions">
  <taa:routed>
    <taa:rule-switch>
      <taa:rule originating-zone="TraversalZone" destination="9(.*)">
        <reject status="403" reason="Denied by policy"/>
      </taa:rule>
      <taa:rule origin=".*" destination=".*">
        <proxy/>
      </taa:rule>
    </taa:rule-switch>
  </taa:routed>
</cpl>`))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, in := range []*cpl.Input{
		{Destination: cpl.Aliases("9123"), OriginatingZone: "TraversalZone"},
		{Destination: cpl.Aliases("123"), AuthenticatedOrigin: cpl.Aliases("alice@example.com")},
		{Destination: cpl.Aliases("123")},
	} {
		res, _ := p.Evaluate(ctx, in)
		fmt.Println(res)
	}
	// Output:
	// REJECT 403 "Denied by policy"
	// PROXY[123]
	// PROCEED
}

// Refused scripts report every fault with its position and code.
func ExampleCompile_errors() {
	_, err := cpl.Compile([]byte(`<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions">
  <taa:routed>
    <address-switch field="destination">
      <address regex="(9"><time-switch/></address>
    </address-switch>
  </taa:routed>
</cpl>`))
	for _, e := range err.(cpl.ErrorList) {
		fmt.Println(e.Line, e.Column, e.Code, e.Path)
	}
	// Output:
	// 4 23 E_REGEX /cpl/taa:routed/address-switch[1]/address[1]
	// 4 27 E_UNSUPPORTED_ELEMENT /cpl/taa:routed/address-switch[1]/address[1]/time-switch[1]
}

// A proxy with outputs waits for the routing outcome.
func ExampleResult_Resume() {
	p := cpl.MustCompile(`<proxy timeout="10">
  <busy>
    <location clear="yes" url="recorder"><proxy/></location>
  </busy>
</proxy>`)
	ctx := context.Background()
	res, _ := p.Evaluate(ctx, &cpl.Input{Destination: cpl.Aliases("alice@example.com")})
	fmt.Println(res, res.Timeout, res.Pending)
	busy, _ := res.Resume(ctx, cpl.Busy)
	fmt.Println(busy, busy.Timeout, busy.Pending)
	noAnswer, _ := res.Resume(ctx, cpl.NoAnswer)
	fmt.Println(noAnswer)
	// Output:
	// PROXY[alice@example.com] 10s true
	// PROXY[recorder] 20s false
	// COMPLETED(noanswer)
}

// A rule table is evaluated as its CPL rendering, and the rendering reads
// back as the table.
func ExampleRulesToCPL() {
	rules := []cpl.Rule{
		{Source: cpl.SourceZone, Zone: "TraversalZone", DestinationPattern: "9.*", Action: cpl.Deny},
		{Source: cpl.SourceFromAddress, AppliesTo: cpl.Authenticated, DestinationPattern: ".*", Action: cpl.Allow},
	}
	src, _ := cpl.RulesToCPL(rules)
	back, ok := cpl.RulesFromCPL(src)
	fmt.Println(ok, len(back), back[0].Zone, back[0].Action)
	res, _ := cpl.MustCompile(string(src)).Evaluate(context.Background(),
		&cpl.Input{Destination: cpl.Aliases("9555"), OriginatingZone: "traversalzone"})
	fmt.Println(res)
	// Output:
	// true 2 TraversalZone Reject
	// REJECT 403 "Denied by policy"
}

// The admin policy: an invalid upload never replaces the running script.
func ExamplePolicy() {
	p, _ := cpl.NewPolicy(cpl.PolicyConfig{Mode: cpl.LocalCPL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_ = p.Upload([]byte(`<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions">
  <taa:routed>
    <address-switch field="registered-origin">
      <not-present><reject status="403" reason="Only local endpoints"/></not-present>
    </address-switch>
  </taa:routed>
</cpl>`))
	err := p.Upload([]byte(`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><incoming/></cpl>`))
	fmt.Println(err != nil)
	res, _ := p.Evaluate(context.Background(), &cpl.Input{Destination: cpl.Aliases("bob")})
	fmt.Println(res)
	// Output:
	// true
	// REJECT 403 "Only local endpoints"
}

// Ask an external policy service; when no server answers, the Default CPL
// decides.
func ExampleServiceClient() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Form.Get("DESTINATION_ALIAS") == "9123" {
			fmt.Fprint(w, `<reject status="403" reason="no gateway for you"/>`)
			return
		}
		fmt.Fprint(w, `<proxy/>`)
	}))
	defer srv.Close()
	c, err := cpl.NewServiceClient(cpl.ServiceConfig{
		Name: "admin-policy", Protocol: "http", Servers: []string{srv.Listener.Addr().String()}, Path: "policy",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	in := &cpl.Input{Destination: cpl.Aliases("9123")}
	res, _ := c.Evaluate(context.Background(), cpl.NewRequest(cpl.PolicyAdmin, in), in)
	fmt.Println(res)
	// Output:
	// REJECT 403 "no gateway for you"
}

// DeriveInput applies the product's field rules to raw call facts.
func ExampleDeriveInput() {
	in := cpl.DeriveInput(cpl.CallFacts{
		Protocol:        cpl.H323,
		SourceAliases:   cpl.Aliases("alice@example.com"),
		SetupWithoutRAS: true, // SETUP messages are never authenticated
		Authenticated:   true,
		ZonePolicy:      cpl.CheckCredentials,
		ZoneKind:        cpl.FromRegistered,
	})
	fmt.Println(in.AuthenticatedOrigin == nil, in.OriginatingZone)
	// Output:
	// true DefaultSubZone
}
