package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/causeway-edge/causeway/cpl"
	"github.com/causeway-edge/causeway/dialplan"
)

// callPolicy plugs a CPL script (package cpl, Expressway dialect) into the
// dial plan as its Call Policy hook (DP-26): the engine asks it before each
// search, and its answer lets the call go on, restarts the search with the
// script's locations, or rejects the call.
type callPolicy struct {
	p    *cpl.Policy
	file string        // watched for changes when set
	poll time.Duration // Watch interval; 0 means cpl's 5 s
}

// newCallPolicy compiles the call_policy: script (inline or from its file)
// in LocalCPL mode. Every compile fault is reported at once.
func newCallPolicy(c CallPolicyConfig, log *slog.Logger) (*callPolicy, error) {
	src := []byte(c.Script)
	if c.ScriptFile != "" {
		b, err := os.ReadFile(c.ScriptFile)
		if err != nil {
			return nil, fmt.Errorf("call_policy.script_file: %w", err)
		}
		src = b
	}
	p, err := cpl.NewPolicy(cpl.PolicyConfig{Mode: cpl.LocalCPL, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := p.Upload(src); err != nil {
		return nil, fmt.Errorf("call_policy: script refused: %w", err)
	}
	return &callPolicy{p: p, file: c.ScriptFile, poll: c.ReloadInterval}, nil
}

// watch reloads the script file when it changes until ctx ends; a file
// that does not compile leaves the running script in force (CPL-33).
func (c *callPolicy) watch(ctx context.Context) {
	if c.file == "" {
		return
	}
	if err := c.p.Watch(ctx, c.file, c.poll); err != nil && !errors.Is(err, context.Canceled) {
		slog.Default().Warn("call policy watch ended", "err", err)
	}
}

// Decide implements dialplan.Policy.
func (c *callPolicy) Decide(ctx context.Context, r dialplan.PolicyRequest) (dialplan.Decision, error) {
	in := &cpl.Input{
		Protocol:              cpl.SIP,
		Destination:           cpl.Aliases(stripScheme(r.Alias)),
		UnauthenticatedOrigin: cpl.Aliases(stripSchemes(r.SourceAliases)...),
		OriginatingZone:       zoneName(r.Source),
	}
	if r.Protocol == dialplan.H323 {
		in.Protocol = cpl.H323
	}
	if r.Authenticated {
		in.AuthenticatedOrigin = in.UnauthenticatedOrigin
	}
	if r.Source.Zone == dialplan.LocalZone {
		in.RegisteredOrigin = in.UnauthenticatedOrigin
	}
	res, err := c.p.Evaluate(ctx, in)
	if err != nil {
		return dialplan.Decision{}, err
	}
	switch res.Action {
	case cpl.Reject:
		return dialplan.Decision{Action: dialplan.RejectCall, Status: res.Status, Reason: res.Reason}, nil
	case cpl.Proxy, cpl.Redirect:
		if len(res.Locations) == 0 || (len(res.Locations) == 1 && strings.EqualFold(res.Locations[0].URL, in.Destination[0].Value)) {
			return dialplan.Decision{Action: dialplan.Proxy}, nil // on to the destination itself
		}
		// The product's CPL proxy to a location restarts the search with
		// the new aliases (DP-29).
		d := dialplan.Decision{Action: dialplan.Redirect}
		for _, l := range res.Locations {
			d.Aliases = append(d.Aliases, l.URL)
		}
		return d, nil
	default: // Proceed, Completed
		return dialplan.Decision{Action: dialplan.Proxy}, nil
	}
}

// zoneName is the CPL originating-zone of a dial-plan source.
func zoneName(s dialplan.Source) string {
	switch {
	case s.Zone == dialplan.LocalZone && s.Subzone != "":
		return s.Subzone
	case s.Zone == "":
		return dialplan.DefaultZone
	}
	return s.Zone
}

// stripScheme removes sip:/sips: — the Expressway dialect compares
// aliases without their scheme.
func stripScheme(a string) string {
	if i := strings.IndexByte(a, ':'); i > 0 {
		switch strings.ToLower(a[:i]) {
		case "sip", "sips":
			return a[i+1:]
		}
	}
	return a
}

func stripSchemes(as []string) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = stripScheme(a)
	}
	return out
}
