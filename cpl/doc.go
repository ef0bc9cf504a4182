// Package cpl is Causeway's call-policy block: the Call Processing Language
// of RFC 3880 and the Expressway dialect built on it, the simple Call
// Policy rule table, the admin policy modes, and the client of external
// HTTP policy services. It decides calls; it does no signalling — SIP and
// H.323 adaptors build its Input and act on its Result.
//
// # Compile once, evaluate many
//
// Compile parses, validates and compiles a script into an immutable
// *Program that any number of goroutines may Evaluate at once:
//
//	p, err := cpl.Compile(src)                      // Expressway dialect
//	p, err := cpl.Compile(src, cpl.RFC3880)         // the whole RFC
//	res, err := p.Evaluate(ctx, &cpl.Input{
//		Destination:     cpl.Aliases("9123"),
//		OriginatingZone: "TraversalZone",
//	})
//	// res.Action is Proceed, Proxy, Reject (or Redirect, Completed)
//
// A script is a full cpl document or a fragment such as the Default CPL
// <reject status='403' reason='Service Unavailable'/> (CPL-4). A refused
// script yields an ErrorList: every fault at once, in document order, each
// a *CompileError with line, column, element path
// (/cpl/taa:routed/address-switch[1]/address[2]), a stable Code such as
// E_UNSUPPORTED_ELEMENT or E_REGEX, and for regex faults the offset inside
// the attribute (CPL-28, BX-4). Program.Warnings lists legal but suspect
// constructs (unreachable outputs, shadowed rules, a reject without a
// reason...), and Format prints a program as canonical CPL (BX-5, BX-6).
//
// # Dialects
//
// Expressway (the default) is the product's dialect: one taa:routed
// section; address-switch over the fields destination,
// original-destination, origin (= authenticated-origin),
// authenticated-origin, unauthenticated-origin, originating-zone,
// originating-user and registered-origin, with is, contains, subdomain-of
// and regex; taa:rule-switch; location and taa:location (priority, random,
// regex/replace, source rewriting); proxy with its outputs; reject. The
// RFC 3880 elements the product does not support (time-switch,
// string-switch, language-switch, priority-switch, redirect, mail, log,
// subaction, lookup, remove-location, incoming, outgoing) are refused with
// E_UNSUPPORTED_ELEMENT (CPL-2, CPL-3).
//
// RFC3880 accepts the whole RFC: incoming and outgoing (Input.Direction),
// subactions resolved at compile time (recursion refused), the string,
// language (RFC 4647 basic filtering), priority and time switches (RFC
// 5545 recurrences, evaluated lazily in the rule's zone and correct across
// DST, against Input.Now), lookup through a LocationService,
// remove-location, redirect, and mail and log delivered to the sinks of
// WithSinks after the decision. WithExtensions(true) adds the taa:
// extensions to it. The RFC's default behaviour (a location set the
// script built is proxied to when a path ends) and its clearing of used
// locations after a proxy apply in that dialect only.
//
// # Matching
//
// Every comparison ignores case (CPL-11). Regular expressions are those of
// the dial plan, through dialplan/pattern: matched against the whole value,
// case-insensitive, with lookahead and lookbehind, \1..\9 in replace
// strings, and a per-match time budget so a catastrophic pattern costs a
// bounded time. Plain literals, L.* and .*L forms and the literal prefix and
// suffix of other patterns are decided without running the regex engine
// (BX-7). A multi-valued field matches when any of its aliases does
// (CPL-16); a field with no value takes not-present, never otherwise, in
// the Expressway dialect (CPL-17).
//
// # Decisions
//
// The location set starts as the destination aliases at priority 1.0
// (CPL-19). A Proxy result lists Locations highest priority first; Groups
// splits them into the groups tried in parallel. A proxy with outputs
// leaves the result Pending: report the routing outcome with Resume and
// evaluation continues from the matching output (CPL-25, CPL-31).
// Retargeted says whether the call goes somewhere new (CPL-30). Trace
// lists every node visited with its position, the output taken and the
// deciding value (CPL-32).
//
// Evaluation is bounded (CPL-56, BX-12): steps, regex budget, proxy
// resumes, location-set size and the context. Exceeding a bound returns
// an error wrapping ErrStepLimit, ErrRegexBudget, ErrResumeLimit,
// ErrLocationLimit or the context's error, together with the program's
// OnError result — by default Reject 500 "Policy evaluation error": fail
// closed (CPL-34).
//
// # Rule tables and the admin policy
//
// A Rule is a row of the Call Policy table (Zone or FromAddress source,
// destination regex, Allow or Reject). RulesToCPL renders a table as a
// taa:rule-switch script, which is what evaluating the table means;
// RulesFromCPL recognises that rendering again, so a downloaded rules file
// uploads back as rules (CPL-39, CPL-40).
//
// Policy holds the admin Call Policy: its Mode (Off, LocalCPL,
// LocalService, PolicyService), the uploaded script or the rule table, and
// the program in force. Replacement is atomic; a script that does not
// compile never replaces the running one, raises warning 45001 and is
// reported through PolicyConfig.OnEvent (CPL-33, CPL-42). ShowPolicy
// returns the active text; Watch reloads a script file when it changes
// (CPL-47). Schema returns the XML Schemas the engine enforces.
//
// # Policy services
//
// ServiceClient asks an external policy service over HTTP(S) (CPL-48..54):
// the CPL-49 parameters of the request type as a POST form (or GET for
// search rules), up to three servers in order with status polling (Run,
// Poll) and failure marking, a per-attempt timeout, TLS with an injected
// tls.Config and revocation check, redirects followed only towards HTTPS,
// responses compiled in the Expressway dialect through a bounded cache, and
// the Default CPL when no server answers (403 for admin and registration
// policy, 504 for search rules). Package cpl/policytest is a reference
// policy server for tests of code that uses a ServiceClient.
//
// # Choices where the spec is silent
//
// DeriveInput applies the field table of CPL-9 to raw call facts. Regex
// budgets are wall-clock time (pattern.Options.Budget); a match that runs
// out is retried once before it counts, so a goroutine descheduled on a
// busy machine does not fail a call. %variables% in regexes expand from
// WithFacts exactly as in the dial plan. Time-switch values without tzid
// and without Z are read in WithTimeZone (default UTC); a recurrence's
// occurrences are those the rule generates at or after dtstart. The
// engine needs the IANA time zone database; import time/tzdata to embed
// it.
package cpl
