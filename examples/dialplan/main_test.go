package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func runJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("%v: not JSON: %q", args, out.String())
	}
	return m
}

// DP-21: check-pattern prints the match and the result.
func TestCheckPattern(t *testing.T) {
	m := runJSON(t, "check-pattern", "-type", "regex", "-pattern", "(.*)@example.com", "-behavior", "replace",
		"-replace", `\1@example.net`, "-alias", "alice@example.com")
	if m["matched"] != true || m["result"] != "alice@example.net" {
		t.Fatalf("%v", m)
	}
	m = runJSON(t, "check-pattern", "-type", "suffix", "-pattern", "@%localdomain1%", "-behavior", "leave",
		"-domain", "example.org", "-alias", "bob@example.org")
	if m["matched"] != true || m["result"] != "bob@example.org" {
		t.Fatalf("variables: %v", m)
	}
}

// DP-51: locate through the example dial plan's static tables.
func TestLocate(t *testing.T) {
	cfg := "testdata/dialplan.yaml"
	m := runJSON(t, "locate", "-config", cfg, "-alias", "alice@example.com")
	if m["result"] != "found" || m["zone"] != "LocalZone" || m["alias"] != "alice@example.com" || m["trace"] == nil {
		t.Fatalf("found: %v", m)
	}
	m = runJSON(t, "locate", "-config", cfg, "-alias", "nobody@example.com")
	if m["result"] != "not_found" {
		t.Fatalf("not found: %v", m)
	}
	m = runJSON(t, "locate", "-config", cfg, "-alias", "alice@example.com", "-source-alias", "mallory@evil.example")
	if m["result"] != "rejected" {
		t.Fatalf("call policy reject: %v", m)
	}
}

// Invalid input is a usage error (exit status 2) naming the field.
func TestInvalidInput(t *testing.T) {
	for _, c := range []struct {
		args  []string
		field string
	}{
		{[]string{"check-pattern", "-type", "glob", "-pattern", "x", "-alias", "x"}, "-type"},
		{[]string{"check-pattern", "-type", "regex", "-pattern", "(", "-alias", "x"}, "pattern_string"},
		{[]string{"locate", "-alias", "x"}, "-config"},
		{[]string{"locate", "-config", "testdata/dialplan.yaml", "-alias", "x", "-protocol", "XMPP"}, "-protocol"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		err := run(context.Background(), c.args, &bytes.Buffer{})
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(ue.msg, c.field) || strings.Contains(ue.msg, "\n") {
			t.Errorf("%v: %v, want a one-line usage error naming %q", c.args, err, c.field)
		}
	}
}
