// Package pattern is the alias matcher shared by every Causeway block that
// matches aliases: alias classification and normalisation, the four pattern
// types (Exact, Prefix, Suffix, Regex), the behaviours that rewrite a
// matching alias (Strip, Leave, Replace, AddPrefix, AddSuffix), \1..\9
// replace strings, and %variables% expanded from system facts.
//
// It implements requirements DP-8, DP-9 and DP-12..DP-20 of the dial-plan
// spec. It is a leaf: it imports nothing else from Causeway, and dialplan,
// cpl and the registration allow/deny lists build on it.
//
// # Compile once, match many
//
// A Spec is the configuration (type, pattern string, behaviour, replace
// string). Compile checks it against Options (facts for the variables, the
// regex budget, case sensitivity) and returns an immutable *Pattern that is
// safe for concurrent use:
//
//	p, err := pattern.Compile(pattern.Spec{
//		Type:     pattern.Regex,
//		Pattern:  `(.*)@example\.com`,
//		Behavior: pattern.Replace,
//		Replace:  `\1@example.net`,
//	}, pattern.Options{})
//	res, err := p.Apply("alice@example.com") // res.Alias == "alice@example.net"
//
// Match returns a Match (whether it matched, the matched span, the groups)
// without allocating for the literal types; Rewrite applies the behaviour to
// a Match; Apply does both.
//
// # Matching rules
//
// All four types compare case-insensitively by Unicode simple folding unless
// Options.CaseSensitive is set (DP-13); the parts of the alias that are not
// replaced keep their case, and replacement text is inserted as written.
// Exact, Prefix and Suffix patterns are literal: "." is a dot (DP-12).
//
// A Regex pattern matches only the whole alias, as if written ^(?:P)$
// (DP-15), so 911|(911@x) does not match 9110. The dialect (DP-14) is the
// product's: ., \d (ASCII digits only), * + ? {n} {n,} {n,m} and their lazy
// forms, [...] and [^...] with ranges, groups numbered by opening
// parenthesis, |, ^, $, (?:...), (?=...), (?!...), (?<=...), (?<!...),
// \w, \s, \b. Inside [...] every character is literal, POSIX style, so [\d]
// matches a backslash or a d. Named groups are refused. Regexes run on
// github.com/dlclark/regexp2 with a per-match time budget (DefaultBudget,
// 10 ms); a match that runs out is no match and returns ErrBudgetExceeded,
// so a catastrophic pattern costs a bounded time, never a hang. regexp2
// checks deadlines against a clock that ticks every 100 ms by default
// (regexp2.SetTimeoutCheckPeriod, a process-wide setting this package leaves
// alone), so a runaway match is cut off between the budget and about 100 ms
// after it.
//
// Compile errors are *SyntaxError values naming the field (pattern_string
// or replace_string) and the byte offset in the string as written.
//
// # Replace strings
//
// In a Regex replace string \1..\9 insert capture groups (a group that did
// not take part inserts nothing), \\ \( \) \% give the character, any other
// \x gives x, and unescaped ( and ) produce nothing — the only reading of
// the seed's 44123123(\1) example. In Exact, Prefix and Suffix replace
// strings the text is literal apart from variables; a back-reference there
// is an error (DP-17).
//
// # Variables
//
// %ip%, %ipv4%, %ipv6%, %ipv4_1%, %ipv4_2%, %ipv6_1%, %ipv6_2%,
// %systemname%, %localdomains% and %localdomain1%..%localdomain200% are
// expanded from Facts when a pattern is compiled (DP-18, DP-19); names are
// case-insensitive. In a pattern a variable matches any of its values (in a
// regex it becomes a non-capturing alternation of escaped literals, so group
// numbers do not move); a variable with no value matches nothing. In a
// replace string the %ipvN_M% variables take the local peer's address;
// %ip%, %ipv4%, %ipv6% and %localdomains% are refused. Unknown %tokens% are
// literal text. When the facts change, compile again.
//
// # Aliases
//
// ParseAlias removes a sip:, sips:, h323: or tel: scheme and any URI
// parameters or headers (DP-9); Classify sorts an alias into IPv4, IPv6,
// URI, E164 or H323ID, tested in that order (DP-8).
package pattern
