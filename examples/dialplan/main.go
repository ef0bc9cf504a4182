// Command dialplan is the dial-plan engine's command-line tool, for people
// and test scripts: check a pattern against an alias, or locate an alias
// through a whole dial plan, without a network.
//
//	go run ./examples/dialplan check-pattern -type regex -pattern '(.*)@example.com' \
//	    -behavior replace -replace '\1@example.net' -alias alice@example.com
//	go run ./examples/dialplan locate -config examples/dialplan/testdata/dialplan.yaml \
//	    -alias bob@example.com [-protocol SIP|H323] [-source-zone NAME] [-authenticated] \
//	    [-source-alias ALIAS] [-hop-count N]
//
// Both print one JSON object on standard output. In a locate config the
// zones answer from their static `registrations:` tables (and the Local
// Zone from `local_registrations:`). Invalid input exits with status 2 and
// a one-line error naming the field.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

// usageError is bad input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "dialplan:", ue.msg)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "dialplan:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError{"want a command: check-pattern or locate"}
	}
	switch args[0] {
	case "check-pattern":
		return checkPattern(args[1:], out)
	case "locate":
		return locate(ctx, args[1:], out)
	}
	return usageError{fmt.Sprintf("unknown command %q: want check-pattern or locate", args[0])}
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func checkPattern(args []string, out io.Writer) error {
	fs := newFlags("check-pattern")
	typ := fs.String("type", "prefix", "pattern type: exact, prefix, suffix, regex")
	pat := fs.String("pattern", "", "pattern string")
	beh := fs.String("behavior", "leave", "pattern behavior: strip, leave, replace, addprefix, addsuffix")
	repl := fs.String("replace", "", "replace string")
	alias := fs.String("alias", "", "alias to test")
	system := fs.String("system-name", "", "%systemname%")
	domain := fs.String("domain", "", "%localdomain1% (comma-separated for more)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	t, err := pattern.ParseType(*typ)
	if err != nil {
		return usageError{"-type: " + err.Error()}
	}
	b, err := pattern.ParseBehavior(*beh)
	if err != nil {
		return usageError{"-behavior: " + err.Error()}
	}
	facts := &pattern.Facts{SystemName: *system}
	if *domain != "" {
		facts.Domains = strings.Split(*domain, ",")
	}
	res, err := dialplan.CheckPattern(dialplan.CheckRequest{Alias: *alias, Type: t, Pattern: *pat, Behavior: b, Replace: *repl}, facts)
	if err != nil {
		return usageError{err.Error()}
	}
	return json.NewEncoder(out).Encode(res)
}

func locate(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("locate")
	cfgPath := fs.String("config", "", "dial plan file (YAML or JSON)")
	alias := fs.String("alias", "", "alias to locate")
	proto := fs.String("protocol", "SIP", "SIP or H323")
	source := fs.String("source-zone", "", "source zone (default: the Default Zone)")
	auth := fs.Bool("authenticated", false, "the request is authenticated")
	hops := fs.Int("hop-count", 15, "hop count 0..255")
	srcAlias := fs.String("source-alias", "", "the caller's alias (default xcom-locate)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *cfgPath == "" {
		return usageError{"-config: required"}
	}
	f, err := os.Open(*cfgPath)
	if err != nil {
		return usageError{"-config: " + err.Error()}
	}
	defer f.Close()
	cfg, err := dialplan.LoadConfig(f)
	if err != nil {
		return usageError{"-config: " + firstLine(err.Error())}
	}
	var p dialplan.Protocol
	if err := p.UnmarshalText([]byte(*proto)); err != nil || p == dialplan.AnyProtocol {
		return usageError{fmt.Sprintf("-protocol: %q is not SIP or H323", *proto)}
	}
	e, err := dialplan.NewEngine(cfg)
	if err != nil {
		return usageError{"-config: " + firstLine(err.Error())}
	}
	res, err := e.Locate(ctx, dialplan.LocateRequest{Alias: *alias, Protocol: p, SourceZone: *source,
		Authenticated: *auth, HopCount: *hops, SourceAlias: *srcAlias})
	if err != nil {
		return usageError{firstLine(err.Error())}
	}
	type output struct {
		Result string          `json:"result"`
		Zone   string          `json:"zone,omitempty"`
		Alias  string          `json:"alias,omitempty"`
		Reason string          `json:"reason,omitempty"`
		Trace  *dialplan.Trace `json:"trace,omitempty"`
	}
	o := output{Result: resultName(res.Status), Reason: string(res.Reason), Trace: res.Trace}
	if len(res.Routes) > 0 {
		o.Zone, o.Alias = res.Routes[0].Zone, res.Routes[0].Alias
	}
	return json.NewEncoder(out).Encode(o)
}

// resultName maps the engine's status to the CLI's words.
func resultName(s dialplan.Status) string {
	switch s {
	case dialplan.Found:
		return "found"
	case dialplan.Rejected:
		return "rejected"
	}
	return "not_found"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
