package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

const seed = "../../cpl/testdata/seed/"

func TestCheck(t *testing.T) {
	for _, e := range []string{"E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11"} {
		code, out, errs := runCmd("check", seed+e+".xml")
		if code != 0 || out != "ok\n" {
			t.Errorf("%s: exit %d out %q err %q", e, code, out, errs)
		}
	}
	lint := filepath.Join(t.TempDir(), "lint.cpl")
	if err := os.WriteFile(lint, []byte(`<reject status="403"/>`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd("check", lint); code != 0 || out != "ok\n" || !strings.HasPrefix(errs, "1:1 warning reject without a reason") {
		t.Errorf("lint: exit %d out %q err %q", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.cpl")
	src := "<cpl xmlns=\"urn:ietf:params:xml:ns:cpl\" xmlns:taa=\"http://www.tandberg.net/cpl-extensions\">\n <taa:routed>\n  <time-switch/>\n  <proxy timeout=\"0\"/>\n </taa:routed>\n</cpl>\n"
	if err := os.WriteFile(bad, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd("check", bad)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 2 || len(lines) != 3 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.HasPrefix(lines[0], "3:3 E_UNSUPPORTED_ELEMENT ") || !strings.HasPrefix(lines[1], "4:3 E_CHILD_COUNT ") || !strings.HasPrefix(lines[2], "4:10 E_RANGE ") {
		t.Errorf("error lines:\n%s", out)
	}
	// The RFC dialect accepts time-switch but still refuses timeout 0.
	code, out, _ = runCmd("check", "-dialect", "rfc3880", bad)
	if code != 2 || strings.Contains(out, "E_UNSUPPORTED") {
		t.Errorf("rfc3880: exit %d\n%s", code, out)
	}
	if code, _, _ := runCmd("check"); code != 2 {
		t.Error("missing file accepted")
	}
	if code, _, _ := runCmd("check", "/nonexistent"); code != 2 {
		t.Error("unreadable file accepted")
	}
}

func TestEval(t *testing.T) {
	cases := []struct {
		args []string
		want decision
	}{
		{[]string{"-script", seed + "E9.xml", "-destination", "9123", "-source-zone", "TraversalZone"},
			decision{Action: "reject", Status: 403, Reason: "Denied by policy"}},
		{[]string{"-script", seed + "E9.xml", "-destination", "123", "-source", "a@example.com", "-authenticated", "-source-zone", "TraversalZone", "-protocol", "H323"},
			decision{Action: "proxy", Locations: []string{"123"}}},
		{[]string{"-script", seed + "E9.xml", "-destination", "9123", "-source", "a@example.com"},
			decision{Action: "proceed"}},
		{[]string{"-script", seed + "E1.xml", "-destination", "lobby", "-destination", "reception@example.com"},
			decision{Action: "proxy", Locations: []string{"lobby", "reception@example.com"}}},
	}
	for _, c := range cases {
		code, out, errs := runCmd(append([]string{"eval"}, c.args...)...)
		if code != 0 {
			t.Errorf("%v: exit %d %s", c.args, code, errs)
			continue
		}
		var got decision
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if got.Action != c.want.Action || got.Status != c.want.Status || got.Reason != c.want.Reason || strings.Join(got.Locations, ",") != strings.Join(c.want.Locations, ",") {
			t.Errorf("%v: got %+v, want %+v", c.args, got, c.want)
		}
	}
	if code, _, _ := runCmd("eval", "-destination", "x"); code != 2 {
		t.Error("eval without -script accepted")
	}
	if code, _, _ := runCmd("eval", "-script", seed+"E1.xml", "-protocol", "Q931"); code != 2 {
		t.Error("bad protocol accepted")
	}
	if code, _, _ := runCmd("frob"); code != 2 {
		t.Error("unknown command accepted")
	}
}
