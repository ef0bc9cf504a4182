// Command cpl checks and evaluates call-policy scripts with the cpl
// package.
//
//	go run ./examples/cpl check FILE
//	go run ./examples/cpl eval -script FILE -destination ALIAS [-source ALIAS]
//	    [-authenticated] [-source-zone NAME] [-protocol SIP|H323]
//
// check prints "ok" and exits 0 (lint warnings, if any, go to stderr as
// "LINE:COL warning message"), or prints one error per line as
// "LINE:COL CODE message" and exits 2. eval prints the decision as JSON:
// {"action":"proxy|reject|proceed","status":403,"reason":"…","locations":["…"]}.
// Both take -dialect expressway (default) or rfc3880.
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

	"github.com/causeway-edge/causeway/cpl"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  cpl check [-dialect expressway|rfc3880] FILE
  cpl eval -script FILE -destination ALIAS [-destination ALIAS...] [-source ALIAS...]
           [-authenticated] [-source-zone NAME] [-protocol SIP|H323] [-dialect ...]
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "check":
		return check(args[1:], stdout, stderr)
	case "eval":
		return eval(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
	return 2
}

func dialectFlag(fs *flag.FlagSet) *string {
	return fs.String("dialect", "expressway", "CPL dialect: expressway or rfc3880")
}

func dialect(name string) (cpl.Dialect, error) {
	switch strings.ToLower(name) {
	case "expressway", "":
		return cpl.Expressway, nil
	case "rfc3880":
		return cpl.RFC3880, nil
	}
	return 0, fmt.Errorf("unknown dialect %q", name)
}

// compile reads and compiles a script; on failure it prints the errors one
// per line and returns nil.
func compile(path, dialectName string, stderr io.Writer) (*cpl.Program, int) {
	d, err := dialect(dialectName)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	p, err := cpl.Compile(src, d)
	if err != nil {
		var list cpl.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintf(stderr, "%d:%d %s %s\n", e.Line, e.Column, e.Code, e.Msg)
			}
		} else {
			fmt.Fprintln(stderr, err)
		}
		return nil, 2
	}
	return p, 0
}

func check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dn := dialectFlag(fs)
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	p, code := compile(fs.Arg(0), *dn, stdout)
	if code != 0 {
		return code
	}
	// Lint findings go to stderr; they never fail the check.
	for _, w := range p.Warnings() {
		fmt.Fprintf(stderr, "%d:%d warning %s\n", w.Line, w.Column, w.Msg)
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

type decision struct {
	Action    string   `json:"action"`
	Status    int      `json:"status,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	Locations []string `json:"locations,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func eval(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dst, src list
	script := fs.String("script", "", "CPL script file")
	fs.Var(&dst, "destination", "destination alias (repeatable)")
	fs.Var(&src, "source", "source alias (repeatable)")
	auth := fs.Bool("authenticated", false, "the source authenticated")
	zone := fs.String("source-zone", "", "originating zone (default DefaultZone)")
	proto := fs.String("protocol", "SIP", "SIP or H323")
	dn := dialectFlag(fs)
	if err := fs.Parse(args); err != nil || *script == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	in := &cpl.Input{
		Destination:           cpl.Aliases(dst...),
		UnauthenticatedOrigin: cpl.Aliases(src...),
		OriginatingZone:       *zone,
	}
	if *auth {
		in.AuthenticatedOrigin = in.UnauthenticatedOrigin
	}
	switch strings.ToUpper(*proto) {
	case "SIP":
	case "H323", "H.323":
		in.Protocol = cpl.H323
	default:
		fmt.Fprintf(stderr, "unknown protocol %q\n", *proto)
		return 2
	}
	p, code := compile(*script, *dn, stderr)
	if code != 0 {
		return code
	}
	res, err := p.Evaluate(context.Background(), in)
	out := decision{Action: res.Action.String(), Locations: res.URLs()}
	if res.Action == cpl.Reject {
		out.Status, out.Reason = res.Status, res.Reason
	}
	if err != nil {
		out.Error = err.Error()
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err != nil {
		return 1
	}
	return 0
}
