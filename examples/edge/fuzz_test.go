package main

import (
	"os"
	"testing"
)

// FuzzLoadConfig: any configuration file is loaded or refused with an
// error, never a panic.
func FuzzLoadConfig(f *testing.F) {
	f.Add(defaultConfig)
	if b, err := os.ReadFile("../../bench/proxy/edge.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("zones:\n  - name: A\n    address: 1.2.3.4:5060\n    transport: tcp\ncall_policy:\n  rules:\n    - {source_type: Unauthenticated, destination_pattern: \".*\", action: Reject}\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("registrar:\n  domains: [a.b]\n  call_remove: true\n  history_size: 5\nzones:\n  - name: P\n    type: Neighbor\n    address: 127.0.0.1:5070\n" +
		"    rfc3327: off\n    monitor_peer_status: on\n    proxy_require_strip: a,b\n    update_strip: on\n    preloaded_sip_routes: accept\n" +
		"proxy:\n  mode: ProxyToKnownOnly\n  monitor_interval: 5s\n  sip_routes:\n    - {index: 1, method: MESSAGE, request_line_pattern: \".*@(%localdomains%|%ip%)\", address: 127.0.0.1}\n" +
		"  conference_factory: {alias: meet@a.b, template: \"sip:c%%@a.b\", start: 1, end: 9}\n" +
		"call_policy:\n  script: \"<reject status='403'/>\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := LoadConfig(data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
	})
}
