package cpl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the tests do not depend on the host's zoneinfo
)

func rfcProgram(t *testing.T, name string, opts ...Option) *Program {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rfc3880", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(b, append([]Option{RFC3880}, opts...)...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func at(loc string, y int, m time.Month, d, h, mi int) func() time.Time {
	l, err := time.LoadLocation(loc)
	if err != nil {
		panic(err)
	}
	t := time.Date(y, m, d, h, mi, 0, 0, l)
	return func() time.Time { return t }
}

// Every RFC 3880 example compiles in the RFC dialect and is refused by the
// Expressway dialect (BX-1, BX-2).
func TestRFC3880ExamplesCompile(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rfc3880", "*.xml"))
	if len(files) != 10 {
		t.Fatalf("%d examples", len(files))
	}
	for _, f := range files {
		rfcProgram(t, filepath.Base(f))
		b, _ := os.ReadFile(f)
		if _, err := Compile(b); err == nil {
			t.Errorf("%s compiled in the Expressway dialect", f)
		}
	}
}

func TestRFC3880Redirect(t *testing.T) {
	p := rfcProgram(t, "01-redirect-unconditional.xml")
	res, err := p.Evaluate(context.Background(), &Input{Direction: Incoming, Destination: Aliases("sip:smith@example.com")})
	if err != nil || res.String() != "REDIRECT[sip:smith@phone.example.com]" || res.Permanent {
		t.Fatalf("%v %v", res, err)
	}
	// A call without a direction runs the incoming action.
	res, _ = p.Evaluate(context.Background(), &Input{Destination: Aliases("sip:smith@example.com")})
	if res.String() != "REDIRECT[sip:smith@phone.example.com]" {
		t.Errorf("no direction: %s", res)
	}
	// The incoming action does not run for outgoing calls.
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Outgoing, Destination: Aliases("sip:x@example.com")})
	if res.Action != Proceed {
		t.Errorf("outgoing: %s", res)
	}
}

func TestRFC3880ForwardBusyNoAnswer(t *testing.T) {
	ctx := context.Background()
	p := rfcProgram(t, "02-forward-busy-noanswer.xml")
	res, err := p.Evaluate(ctx, &Input{Direction: Incoming, Destination: Aliases("sip:jones@example.com")})
	if err != nil || res.String() != "PROXY[sip:jones@jonespc.example.com]" || res.Timeout != 8*time.Second || !res.Pending {
		t.Fatalf("%v %v", res, err)
	}
	for _, o := range []Outcome{Busy, NoAnswer} {
		r, err := res.Resume(ctx, o)
		// The used location is cleared (RFC 3880 §6.1): voicemail only.
		if err != nil || r.String() != "PROXY[sip:jones@voicemail.example.com]" || r.Pending {
			t.Errorf("%s: %v %v", o, r, err)
		}
		if r.Trace[len(r.Trace)-3].Element != "sub" {
			t.Errorf("trace does not show the sub: %v", r.Trace)
		}
	}
	r, _ := res.Resume(ctx, Failure)
	if r.String() != "COMPLETED(failure)" {
		t.Errorf("failure: %s", r)
	}
}

func TestRFC3880ForwardRedirectDefault(t *testing.T) {
	ctx := context.Background()
	p := rfcProgram(t, "03-forward-redirect-default.xml")
	res, _ := p.Evaluate(ctx, &Input{Direction: Incoming, Destination: Aliases("sip:jones@example.com")})
	r, err := res.Resume(ctx, Redirection, "sip:jones@home.example.com")
	if err != nil || r.String() != "REDIRECT[sip:jones@home.example.com]" {
		t.Errorf("redirection: %v %v", r, err)
	}
	for _, o := range []Outcome{Busy, NoAnswer, Failure} {
		r, _ := res.Resume(ctx, o)
		if r.String() != "PROXY[sip:jones@voicemail.example.com]" {
			t.Errorf("%s: %s", o, r)
		}
	}
}

func TestRFC3880CallScreening(t *testing.T) {
	p := rfcProgram(t, "04-call-screening.xml")
	res, _ := p.Evaluate(context.Background(), &Input{Direction: Incoming, UnauthenticatedOrigin: Aliases("sip:anonymous@anonymous.invalid")})
	if res.String() != `REJECT 603 "I reject anonymous calls"` {
		t.Errorf("anonymous: %s", res)
	}
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Incoming, UnauthenticatedOrigin: Aliases("sip:bob@example.com"), Destination: Aliases("sip:jones@example.com")})
	if res.Action != Proceed {
		t.Errorf("bob: %s", res)
	}
	// RFC 3880 origin is the caller's address, authenticated or not.
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Incoming})
	if res.Action != Proceed {
		t.Errorf("no origin: %s", res)
	}
}

func TestRFC3880PriorityLanguage(t *testing.T) {
	p := rfcProgram(t, "05-priority-language.xml")
	cases := []struct {
		prio  string
		langs []string
		want  string
	}{
		{"emergency", nil, "PROXY[sip:hotline@example.com]"},
		{"Emergency", []string{"es"}, "PROXY[sip:hotline@example.com]"},
		{"urgent", []string{"es-MX"}, "PROXY[sip:english@example.com]"}, // range es-MX does not cover tag es
		{"", []string{"fr", "es;q=0.5"}, "PROXY[sip:spanish@example.com]"},
		{"non-urgent", []string{"*"}, "PROXY[sip:spanish@example.com]"},
		{"bogus", []string{"en"}, "PROXY[sip:english@example.com]"},
		{"normal", nil, "PROXY[sip:english@example.com]"},
	}
	for _, c := range cases {
		res, err := p.Evaluate(context.Background(), &Input{Direction: Incoming, Priority: c.prio, Languages: c.langs})
		if err != nil || res.String() != c.want {
			t.Errorf("priority %q languages %v: %v %v, want %s", c.prio, c.langs, res, err, c.want)
		}
	}
	if !languageMatches("en", "en-US") || languageMatches("en-US", "en") || languageMatches("e", "en") || !languageMatches("EN", "en") {
		t.Error("RFC 4647 basic filtering")
	}
}

func TestRFC3880OutgoingScreening(t *testing.T) {
	p := rfcProgram(t, "06-outgoing-screening.xml")
	res, _ := p.Evaluate(context.Background(), &Input{Direction: Outgoing, Destination: Aliases("tel:19005551212")})
	if res.String() != `REJECT 603 "Not allowed to make 1-900 calls."` {
		t.Errorf("1-900: %s", res)
	}
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Outgoing, Destination: Aliases("sip:19005551212@gw.example.com;user=phone")})
	if res.Action != Reject {
		t.Errorf("1-900 via user=phone: %s", res)
	}
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Outgoing, Destination: Aliases("tel:12125551212")})
	if res.Action != Proceed {
		t.Errorf("ordinary number: %s", res)
	}
	// A destination without a tel subfield is not present: no action.
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Outgoing, Destination: Aliases("sip:bob@example.com")})
	if res.Action != Proceed {
		t.Errorf("sip uri: %s", res)
	}
}

type regs map[string][]Location

func (r regs) Lookup(ctx context.Context, source string, in *Input) ([]Location, error) {
	if source != "registration" {
		return nil, errors.New("unknown source")
	}
	if len(in.Destination) == 0 {
		return nil, nil
	}
	l, ok := r[in.Destination[0].Value]
	if !ok {
		return nil, nil
	}
	return l, nil
}

var jonesRegs = regs{"sip:jones@example.com": {{URL: "sip:jones@jonespc.example.com", Priority: 1}, {URL: "sip:jones@mobile.example.com", Priority: 0.5}}}

func TestRFC3880TimeOfDay(t *testing.T) {
	p := rfcProgram(t, "07-time-of-day.xml", WithLocationService(jonesRegs))
	ny := "America/New_York"
	cases := []struct {
		now  func() time.Time
		want string
	}{
		{at(ny, 2024, 5, 8, 10, 0), "PROXY[sip:jones@jonespc.example.com, sip:jones@mobile.example.com]"}, // Wednesday 10:00
		{at(ny, 2024, 5, 8, 9, 0), "PROXY[sip:jones@jonespc.example.com, sip:jones@mobile.example.com]"},  // start is inclusive
		{at(ny, 2024, 5, 8, 17, 0), "PROXY[sip:jones@voicemail.example.com]"},                             // end is exclusive
		{at(ny, 2024, 5, 8, 8, 59), "PROXY[sip:jones@voicemail.example.com]"},
		{at(ny, 2024, 5, 11, 12, 0), "PROXY[sip:jones@voicemail.example.com]"},                                 // Saturday
		{at(ny, 2024, 3, 11, 9, 30), "PROXY[sip:jones@jonespc.example.com, sip:jones@mobile.example.com]"},     // first Monday of DST
		{at(ny, 2024, 11, 4, 16, 30), "PROXY[sip:jones@jonespc.example.com, sip:jones@mobile.example.com]"},    // first Monday after DST
		{at("UTC", 2024, 11, 4, 21, 30), "PROXY[sip:jones@jonespc.example.com, sip:jones@mobile.example.com]"}, // 16:30 EST
		{at("UTC", 2024, 7, 1, 21, 30), "PROXY[sip:jones@voicemail.example.com]"},                              // 17:30 EDT
		{at(ny, 2000, 7, 3, 8, 0), "PROXY[sip:jones@voicemail.example.com]"},                                   // before dtstart
	}
	for i, c := range cases {
		res, err := p.Evaluate(context.Background(), &Input{Direction: Incoming, Destination: Aliases("sip:jones@example.com"), Now: c.now})
		if err != nil || res.String() != c.want {
			t.Errorf("case %d (%v): %v %v, want %s", i, c.now(), res, err, c.want)
		}
	}
	// A failing location service takes the failure output, which is
	// absent: the path ends and the call proceeds (RFC 3880 §11).
	p = rfcProgram(t, "07-time-of-day.xml", WithLocationService(LocationServiceFunc(func(context.Context, string, *Input) ([]Location, error) {
		return nil, errors.New("database down")
	})))
	res, err := p.Evaluate(context.Background(), &Input{Direction: Incoming, Destination: Aliases("sip:jones@example.com"), Now: at(ny, 2024, 5, 8, 10, 0)})
	if err != nil || res.Action != Proceed {
		t.Errorf("lookup failure: %v %v", res, err)
	}
}

func TestRFC3880LocationFiltering(t *testing.T) {
	p := rfcProgram(t, "08-location-filtering.xml", WithLocationService(jonesRegs))
	in := func(origin string) *Input {
		return &Input{Direction: Incoming, Destination: Aliases("sip:jones@example.com"), UnauthenticatedOrigin: Aliases(origin)}
	}
	res, _ := p.Evaluate(context.Background(), in("sip:boss@sales.example.com"))
	if res.String() != "PROXY[sip:jones@jonespc.example.com, sip:jones@mobile.example.com]" {
		t.Errorf("internal: %s", res)
	}
	res, _ = p.Evaluate(context.Background(), in("sip:someone@elsewhere.org:5060"))
	if res.String() != "PROXY[sip:jones@mobile.example.com]" {
		t.Errorf("external: %s", res)
	}
	res, _ = p.Evaluate(context.Background(), &Input{Direction: Incoming, Destination: Aliases("sip:nobody@example.com")})
	if res.Action != Proceed {
		t.Errorf("notfound: %s", res)
	}
}

func TestRFC3880NonSignalling(t *testing.T) {
	var mu sync.Mutex
	var mails []Mail
	var logs []Log
	p := rfcProgram(t, "09-non-signalling.xml", WithSinks(
		func(m Mail) { mu.Lock(); mails = append(mails, m); mu.Unlock() },
		func(l Log) { mu.Lock(); logs = append(logs, l); mu.Unlock() }))
	res, err := p.Evaluate(context.Background(), &Input{Direction: Incoming, UnauthenticatedOrigin: Aliases("SIP:Boss@example.com")})
	if err != nil || res.Action != Proceed {
		t.Fatalf("%v %v", res, err)
	}
	if len(res.Mails) != 1 || res.Mails[0].URL != "mailto:jones@pager.example.com?subject=boss%20called" || len(res.Logs) != 1 || res.Logs[0].Comment != "the boss called" {
		t.Errorf("effects %+v %+v", res.Mails, res.Logs)
	}
	_, _ = p.Evaluate(context.Background(), &Input{Direction: Incoming, UnauthenticatedOrigin: Aliases("sip:x@example.com")})
	if len(mails) != 1 || len(logs) != 2 || logs[1].Comment != "someone called" {
		t.Errorf("sinks got %+v %+v", mails, logs)
	}
}

func TestRFC3880Hybrid(t *testing.T) {
	ctx := context.Background()
	p := rfcProgram(t, "10-hybrid.xml")
	oslo := "Europe/Oslo"
	base := func(now func() time.Time) *Input {
		return &Input{Direction: Incoming, Destination: Aliases("sip:jones@example.com"), UnauthenticatedOrigin: Aliases("sip:eve@evil.org"), Now: now}
	}
	in := base(at(oslo, 2024, 6, 3, 3, 0))
	in.Subject = "URGENT: server down"
	res, _ := p.Evaluate(ctx, in)
	if res.String() != "PROXY[sip:jones@desk.example.com, sip:jones@mobile.example.com]" || res.Ordering != Parallel {
		t.Errorf("urgent: %s", res)
	}
	res, _ = p.Evaluate(ctx, base(at(oslo, 2024, 6, 3, 9, 0)))
	if res.String() != "PROXY[sip:jones@desk.example.com]" || !res.Pending || res.Timeout != 10*time.Second {
		t.Fatalf("office hours: %s", res)
	}
	vm, _ := res.Resume(ctx, NoAnswer)
	if vm.String() != "REDIRECT[sip:jones@voicemail.example.com]" {
		t.Errorf("desk no answer: %s", vm)
	}
	res, _ = p.Evaluate(ctx, base(at(oslo, 2024, 6, 3, 16, 0)))
	if res.String() != "REDIRECT[sip:jones@voicemail.example.com]" {
		t.Errorf("after hours, outsider: %s", res)
	}
	in = base(at(oslo, 2024, 6, 8, 12, 0))
	in.UnauthenticatedOrigin = Aliases("sip:boss@example.com")
	res, _ = p.Evaluate(ctx, in)
	if res.String() != "PROXY[sip:jones@mobile.example.com]" || res.Ordering != Sequential || res.Recurse {
		t.Errorf("weekend, colleague: %s %v %v", res, res.Ordering, res.Recurse)
	}
	res, _ = p.Evaluate(ctx, &Input{Direction: Outgoing, Destination: Aliases("tel:1900123")})
	if res.Action != Reject {
		t.Errorf("outgoing 1-900: %s", res)
	}
}

// RFC dialect compile rules: subaction references (BX-2), the extension
// mechanism, taa: extensions on request, RFC-only attributes.
func TestRFC3880Compile(t *testing.T) {
	bad := map[string]Code{
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><incoming><sub ref="nope"/></incoming></cpl>`:                                                   CodeSubaction,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><subaction id="a"><sub ref="a"/></subaction><incoming><sub ref="a"/></incoming></cpl>`:          CodeSubaction,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><subaction id="a"><sub ref="b"/></subaction><subaction id="b"><sub ref="a"/></subaction></cpl>`: CodeSubaction,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><subaction id="a"/><subaction id="a"/></cpl>`:                                                   CodeDuplicate,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><subaction/></cpl>`:                                                                             CodeMissingAttribute,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl" require="frob"><incoming/></cpl>`:                                                               CodeExtension,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><incoming/><incoming/></cpl>`:                                                                   CodeDuplicate,
		`<cpl xmlns="urn:ietf:params:xml:ns:cpl"><taa:routed xmlns:taa="http://www.tandberg.net/cpl-extensions"/></cpl>`:                         CodeNamespace,
		`<reject/>`:                                   CodeMissingAttribute,
		`<proxy ordering="random"/>`:                  CodeValue,
		`<proxy stop-on-busy="yes"/>`:                 CodeBadAttribute,
		`<address-switch field="registered-origin"/>`: CodeValue,
		`<address-switch field="origin"><address regex="x"/></address-switch>`:         CodeBadAttribute,
		`<string-switch field="weather"/>`:                                             CodeValue,
		`<string-switch field="subject"><string is="a" contains="b"/></string-switch>`: CodeConflict,
		`<language-switch><language matches="not a tag"/></language-switch>`:           CodeValue,
		`<priority-switch><priority/></priority-switch>`:                               CodeMissingAttribute,
		`<lookup source="r" timeout="0"/>`:                                             CodeRange,
		`<lookup source="r"><otherwise/></lookup>`:                                     CodeWrongParent,
		`<mail/>`:                            CodeMissingAttribute,
		`<time-switch tzid="Mars/Olympus"/>`: CodeValue,
		`<time-switch><time duration="PT1H"/></time-switch>`:                                                                   CodeMissingAttribute,
		`<time-switch><time dtstart="2024-01-01" duration="PT1H"/></time-switch>`:                                              CodeValue,
		`<time-switch><time dtstart="20240101T000000"/></time-switch>`:                                                         CodeMissingAttribute,
		`<time-switch><time dtstart="20240101T000000" duration="1H"/></time-switch>`:                                           CodeValue,
		`<time-switch><time dtstart="20240101T000000" dtend="20231231T000000"/></time-switch>`:                                 CodeRange,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" byday="MO"/></time-switch>`:                              CodeConflict,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" freq="fortnightly"/></time-switch>`:                      CodeValue,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" freq="weekly" byday="1MO"/></time-switch>`:               CodeConflict,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" freq="daily" count="3" until="20250101"/></time-switch>`: CodeConflict,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" freq="daily" byhour="24"/></time-switch>`:                CodeRange,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" freq="monthly" byweekno="3"/></time-switch>`:             CodeConflict,
		`<time-switch><time dtstart="20240101T000000" duration="PT1H" freq="daily" bymonthday="0"/></time-switch>`:             CodeRange,
	}
	for src, code := range bad {
		l := compileErrs(t, src, RFC3880)
		if !hasCode(l, code) {
			t.Errorf("%s: want %s, got %v", src, code, l)
		}
		if l[0].Dialect != RFC3880 {
			t.Errorf("dialect not recorded: %v", l[0])
		}
	}
	// With the extensions the RFC dialect takes taa: elements and
	// require="taa" (BX-1).
	src := `<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions" require="taa">
	  <incoming><taa:rule-switch><taa:rule origin="sip:boss@.*"><reject status="busy"/></taa:rule></taa:rule-switch></incoming></cpl>`
	p, err := Compile([]byte(src), RFC3880, WithExtensions(true))
	if err != nil {
		t.Fatal(err)
	}
	if p.Dialect() != RFC3880 {
		t.Error("dialect")
	}
	res, _ := p.Evaluate(context.Background(), &Input{Direction: Incoming, UnauthenticatedOrigin: Aliases("sip:boss@example.com")})
	if res.String() != `REJECT 486 ""` {
		t.Errorf("rule-switch in RFC dialect: %s", res)
	}
	if _, err := Compile([]byte(src), RFC3880); err == nil {
		t.Error("taa: accepted without WithExtensions")
	}
}

// RFC 3880 differences from the product (spec §4.2): an absent field with
// no not-present output takes otherwise; subfields parse full URIs.
func TestRFC3880AddressSemantics(t *testing.T) {
	src := `<address-switch field="origin" subfield="%s"><address is="%s"><reject status="404" reason="match"/></address><otherwise><reject status="486" reason="otherwise"/></otherwise></address-switch>`
	cases := []struct {
		sub, is string
		origin  *Alias
		want    string
	}{
		{"user", "x", nil, "otherwise"},
		{"host", "example.com", &Alias{Value: "sip:bob:secret@example.com:5061;transport=tls"}, "match"},
		{"port", "5061", &Alias{Value: "sip:bob:secret@example.com:5061;transport=tls"}, "match"},
		{"password", "secret", &Alias{Value: "sip:bob:secret@example.com:5061"}, "match"},
		{"address-type", "sips", &Alias{Value: "sips:bob@example.com"}, "match"},
		{"display", "Bob Smith", &Alias{Value: "sip:bob@example.com", Display: "Bob Smith"}, "match"},
		{"tel", "+4722", &Alias{Value: "tel:+4722"}, "match"},
		{"host", "[2001:db8::1]", &Alias{Value: "sip:bob@[2001:db8::1]:5060"}, "match"},
	}
	for _, c := range cases {
		in := &Input{Direction: Incoming}
		if c.origin != nil {
			in.UnauthenticatedOrigin = []Alias{*c.origin}
		}
		res := eval(t, fmt.Sprintf(src, c.sub, c.is), in, RFC3880)
		if res.Reason != c.want {
			t.Errorf("subfield %s of %+v: %s, want %s", c.sub, c.origin, res, c.want)
		}
	}
}
