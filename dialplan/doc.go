// Package dialplan is an embeddable call-routing engine: it decides where a
// call or search request for an alias goes, the way a video/voice edge
// proxy's dial plan does — pre-search transforms, Call Policy and User
// Policy hooks, prioritised search rules with zone transforms, and zones
// (the Local Zone of registrations, neighbor and traversal zones, DNS and
// ENUM zones, policy services) as targets. The requirements it implements
// are numbered DP-1..DP-54 in the project's dial-plan spec.
//
// # Using it
//
// Describe the dial plan in a Config (plain structs, or a YAML/JSON file
// read with LoadConfig), bind the zones' implementations, and route:
//
//	e, err := dialplan.NewEngine(cfg,
//		dialplan.WithLocalZone(registrar),             // a Target
//		dialplan.WithTarget("Head office", neighbor),  // a Target per zone
//		dialplan.WithResolver(dns),                    // for DNS and ENUM zones
//		dialplan.WithCallPolicy(cpl))                  // optional hooks
//	res, err := e.Route(ctx, dialplan.Request{Alias: "bob@example.com", Protocol: dialplan.SIP,
//		Source: dialplan.FromLocalZone("")})
//
// The result is Found (with the route: zone, alias as sent, protocol,
// rule), NotFound or Rejected, with a Reason, and with a structured Trace
// when the request asks for one. Signalling, DNS I/O and policy scripts
// stay behind the small interfaces Target, Resolver and Policy, each with a
// …Func adapter; package dialplantest has in-memory implementations for
// tests.
//
// # The pipeline (DP-22)
//
//  1. The first destination alias is normalised (scheme and URI parameters
//     removed) and classified (IPv4, IPv6, URI, E164, H323ID). A request
//     that names no callee uses the fallback alias or is rejected.
//  2. The first matching pre-search transform (by priority) rewrites it.
//  3. The Call Policy hook may proxy, redirect (restart with new aliases,
//     forked) or reject.
//  4. The User Policy (FindMe) hook may expand it into aliases (forked).
//  5. An unknown IP address is called directly, blocked, or searched,
//     per CallsToUnknownIPAddresses; a known one goes to the Local Zone.
//  6. Search rules run in priority groups. Every eligible rule of a group
//     whose mode and pattern match sends its (zone-transformed) alias to
//     its target; a group's queries run concurrently, identical ones are
//     sent once, and targets are retried in the other protocol
//     (interworking) before the next group. The first "found" ends the
//     search; a matching Stop rule ends it after its group. Policy
//     services and ENUM/DNS results restart the search with new aliases.
//
// Restarts keep the call tag and hop count, are bounded (16 deep) and stop
// on an alias loop; call loop detection refuses a second search with the
// same call tag, alias, protocol and source zone while the first is in
// flight. Every search is recorded in a 255-entry History; at most 500 run
// at once (ErrTooManySearches).
//
// # Performance
//
// A Config compiles once into an immutable plan: every pattern is compiled
// (variables expanded), and literal patterns are indexed — a hash of Exact
// literals, tries of Prefix and reversed Suffix literals, and regexes by
// the literal text they must start or end with — so that a search looks at
// the few rules that can match instead of all of them. Reload swaps plans
// atomically; searches in flight finish on the plan they started with.
//
// # Configuration file
//
// Keys are the snake_case of the product's field names; enum values are the
// product's names, case-insensitive; unknown keys are errors. Entries that
// leave a key out get the product's default (transform priority 1, search
// rule priority 100, zone hop count 15, Prefix, Strip, AnyAlias, Continue,
// Enabled, source Any, modes On). A complete example (testdata/dialplan.yaml):
//
//	system:
//	  system_name: MainHQ
//	  peers:
//	    - lan1_ipv4: 10.0.0.1
//	      lan2_ipv4: 192.168.1.1
//	      lan1_ipv6: "2001:db8::1"
//	  local_peer: 0
//	  domains: [example.com, example.net]
//
//	calls_to_unknown_ip_addresses: Indirect   # Off | Direct | Indirect
//	fallback_alias: reception@example.com
//	call_loop_detection_mode: On
//	interworking_mode: RegisteredOnly         # Off | On | RegisteredOnly
//	call_policy_mode: LocalCPL                # Off | LocalCPL | LocalService | PolicyService
//	call_policy_rules:
//	  - source_type: Unauthenticated          # Unauthenticated | Authenticated | Zone
//	    source_pattern: ".*@evil\\.example"
//	    destination_pattern: ".*"
//	    action: Reject                        # Allow | Reject
//	case_sensitive: false
//	regex_budget: 10ms
//	max_alias_length: 255
//	max_concurrent_searches: 500
//
//	transforms:
//	  - priority: 1
//	    description: strip the outside-line 9
//	    pattern_type: Prefix                  # Exact | Prefix | Suffix | Regex
//	    pattern_string: "9"
//	    pattern_behavior: Strip               # Strip | Replace | AddPrefix | AddSuffix
//	    state: Enabled
//	  - priority: 2
//	    pattern_type: Regex
//	    pattern_string: '(\d+)'
//	    pattern_behavior: Replace
//	    replace_string: '\1@example.com'
//
//	subzones:
//	  - name: Branch
//	    subnets: [10.44.0.0/16]
//
//	zones:
//	  - name: Head office
//	    type: Neighbor                        # Neighbor | TraversalClient | TraversalServer | ENUM | DNS
//	    hop_count: 15
//	    h323_mode: On
//	    sip_mode: On
//	    search_auto_response: Off
//	    registrations:                        # static table, used when no Target is bound
//	      - alias: bob@example.com
//	        protocol: SIP
//	        address: 192.0.2.20:5060
//	  - name: ENUM
//	    type: ENUM
//	    dns_suffix: e164.arpa
//	  - name: DNS
//	    type: DNS
//	    include_address_record: Off
//	    domain_to_search_for: ""
//
//	local_registrations:                      # the Local Zone's static table
//	  - alias: alice@example.com
//	    protocol: Any
//	    address: 10.44.1.5:5060
//	    subzone: Branch
//
//	policy_services:
//	  - name: Conf
//	    description: conference alias service
//	    servers: [policy.example.com]
//	    protocol: HTTPS
//	    default_cpl: "<reject status='504' reason='Policy Service Unavailable'/>"
//
//	search_rules:
//	  - name: LocalZoneMatch
//	    priority: 50
//	    protocol: Any                         # Any | SIP | H323
//	    traffic_type: Any                     # Any | Standard | AnyMicrosoft | MicrosoftSIP | MicrosoftIMP
//	    source_mode: Any                      # Any | AllZones | LocalZone | Named
//	    authentication: false
//	    mode: AnyAlias                        # AnyAlias | AliasPatternMatch | AnyIPAddress
//	    progress: Continue                    # Continue | Stop
//	    target_type: Zone                     # Zone | PolicyService
//	    target_name: LocalZone
//	    state: Enabled
//	  - name: Meetings
//	    priority: 60
//	    mode: AliasPatternMatch
//	    pattern_type: Regex
//	    pattern_string: '.*\.meet@example\.com'
//	    pattern_behavior: Leave
//	    progress: Stop
//	    target_type: PolicyService
//	    target_name: Conf
//	  - name: HeadOffice
//	    priority: 100
//	    source_mode: Named
//	    source_name: Branch
//	    mode: AliasPatternMatch
//	    pattern_type: Suffix
//	    pattern_string: "@example.com"
//	    pattern_behavior: Replace
//	    replace_string: "@example.net"
//	    target_name: Head office
//
// Validate (and LoadConfig, NewEngine, Reload) report every fault at once as
// *FieldError values naming the field ("search_rules[3].pattern_string:
// position 4: ..."); Lint reports what is valid but suspicious.
package dialplan
