package main

import (
	"os"
	"testing"
)

// FuzzLoadConfig: any configuration file is loaded or refused with an
// error, never a panic.
func FuzzLoadConfig(f *testing.F) {
	f.Add(defaultConfig)
	if b, err := os.ReadFile("../../bench/sip/edge.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("zones:\n  - name: A\n    address: 1.2.3.4:5060\n    transport: tcp\ncall_policy:\n  rules:\n    - {source_type: Unauthenticated, destination_pattern: \".*\", action: Reject}\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := LoadConfig(data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
	})
}
