package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causeway-edge/causeway/dialplan"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testScript = `<cpl xmlns="urn:ietf:params:xml:ns:cpl" xmlns:taa="http://www.tandberg.net/cpl-extensions">
  <taa:routed>
    <address-switch field="destination">
      <address regex="blocked@.*"><reject status="403" reason="Denied by script"/></address>
      <address is="alias-bob@causeway.local"><location url="bob@causeway.local"><proxy/></location></address>
    </address-switch>
  </taa:routed>
</cpl>`

// scriptConfig is testConfig with the rule table replaced by a CPL script
// file.
func scriptConfig(t *testing.T, script string) (cfgText, scriptPath string) {
	t.Helper()
	scriptPath = filepath.Join(t.TempDir(), "policy.cpl")
	require.NoError(t, os.WriteFile(scriptPath, []byte(script), 0o644))
	cfgText = fmt.Sprintf(testConfig, filepath.Join(t.TempDir(), "cdr.jsonl"), "")
	i := strings.Index(cfgText, "call_policy:")
	j := strings.Index(cfgText, "search_rules:")
	require.True(t, i > 0 && j > i)
	cfgText = cfgText[:i] + "call_policy:\n  script_file: " + scriptPath + "\n" + cfgText[j:]
	return cfgText, scriptPath
}

// DP-26 with a CPL script as the Call Policy (CPL-30): a reject in the
// script answers the caller 403, and a location in it restarts the search
// with the new alias, so a call to alias-bob rings bob.
func TestSippCallPolicyScript(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			text, _ := scriptConfig(t, testScript)
			e := startEdgeConfig(t, text)
			require.NotNil(t, e.policy)
			tmpl, err := os.ReadFile("testdata/sipp/uac-fail.xml")
			require.NoError(t, err)
			sc := filepath.Join(t.TempDir(), "uac-403.xml")
			require.NoError(t, os.WriteFile(sc, []byte(strings.ReplaceAll(string(tmpl), `response="[expect]"`, `response="403"`)), 0o644))
			startSipp(t, e.target(m.network), m.mode, freePort(t), "-sf", sc,
				"-key", "user", "alice", "-s", "blocked", "-key", "mf", "70").wait(t)

			bobPort := freePort(t)
			e.register(t, m.mode, m.network, "bob", bobPort)
			uas := startSipp(t, e.target(m.network), m.mode, bobPort, "-sf", "testdata/sipp/uas.xml")
			startSipp(t, e.target(m.network), m.mode, freePort(t), "-sf", "testdata/sipp/uac.xml", "-key", "user", "alice", "-s", "alias-bob").wait(t)
			uas.wait(t)
			assert.Equal(t, int64(1), e.callsAnswered.Load())
		})
	}
}

// A script that does not compile is a configuration fault listing its
// errors with line and column (CPL-28); script and rules exclude each
// other.
func TestCallPolicyScriptConfigFaults(t *testing.T) {
	text, _ := scriptConfig(t, `<cpl><taa:routed><address-switch field="nowhere"/></taa:routed></cpl>`)
	_, err := LoadConfig([]byte(text))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "call_policy: script")

	both := strings.Replace(fmt.Sprintf(testConfig, "cdr.jsonl", ""), "call_policy:\n", "call_policy:\n  script: \"<reject status='403'/>\"\n", 1)
	_, err = LoadConfig([]byte(both))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a script and rules exclude each other")
}

// CPL-33, CPL-55: the edge watches the script file; a changed script is
// loaded, one that does not compile leaves the running script in force,
// and the watch ends with its context.
func TestCallPolicyReload(t *testing.T) {
	text, path := scriptConfig(t, testScript)
	cfg, err := LoadConfig([]byte(text))
	require.NoError(t, err)
	cfg.CallPolicy.ReloadInterval = 5 * time.Millisecond
	cp, err := newCallPolicy(cfg.CallPolicy, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); cp.watch(ctx) }()
	defer func() { cancel(); <-done }()

	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(testScript, "Denied by script", "Denied again", 1)), 0o644))
	require.Eventually(t, func() bool { return strings.Contains(cp.p.ShowPolicy(), "Denied again") }, 10*time.Second, 5*time.Millisecond)
	d, err := cp.Decide(ctx, dialplan.PolicyRequest{Alias: "sip:blocked@causeway.local", Protocol: dialplan.SIP})
	require.NoError(t, err)
	assert.Equal(t, dialplan.Decision{Action: dialplan.RejectCall, Status: 403, Reason: "Denied again"}, d)

	require.NoError(t, os.WriteFile(path, []byte("<cpl><bogus/></cpl>"), 0o644))
	// The refused file is seen (two polls), then the script is unchanged.
	require.NoError(t, os.WriteFile(path, []byte(testScript), 0o644))
	require.Eventually(t, func() bool { return strings.Contains(cp.p.ShowPolicy(), "Denied by script") }, 10*time.Second, 5*time.Millisecond)
	d, err = cp.Decide(ctx, dialplan.PolicyRequest{Alias: "sip:alias-bob@causeway.local", Protocol: dialplan.SIP})
	require.NoError(t, err)
	// Without clear="yes" the location adds to the set that holds the
	// destination (CPL-19): the search restarts with both.
	assert.Equal(t, dialplan.Decision{Action: dialplan.Redirect, Aliases: []string{"alias-bob@causeway.local", "bob@causeway.local"}}, d)
	d, err = cp.Decide(ctx, dialplan.PolicyRequest{Alias: "sip:carol@causeway.local", Protocol: dialplan.SIP})
	require.NoError(t, err)
	assert.Equal(t, dialplan.Proxy, d.Action)
}
