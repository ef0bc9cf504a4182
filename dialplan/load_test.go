package dialplan_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/dialplan"
	"github.com/causeway-edge/causeway/dialplan/pattern"
)

func TestLoadConfigExample(t *testing.T) {
	f, err := os.Open("testdata/dialplan.yaml")
	require.NoError(t, err)
	defer f.Close()
	cfg, err := dialplan.LoadConfig(f)
	require.NoError(t, err)
	assert.Equal(t, "MainHQ", cfg.System.SystemName)
	assert.Len(t, cfg.Transforms, 2)
	assert.Equal(t, pattern.Regex, cfg.Transforms[1].PatternType)
	assert.Equal(t, 10*time.Millisecond, cfg.RegexBudget)
	assert.Equal(t, dialplan.On, cfg.CallLoopDetection)
	assert.Equal(t, dialplan.Off, cfg.Zones[0].SearchAutoResponse)
	assert.Equal(t, "10.44.0.0/16", cfg.Subzones[0].Subnets[0].String())
	assert.Equal(t, dialplan.SourceNamed, cfg.SearchRules[2].SourceMode)
	assert.Equal(t, dialplan.TargetPolicyService, cfg.SearchRules[1].TargetType)
	assert.Equal(t, dialplan.Stop, cfg.SearchRules[1].Progress)
	assert.Equal(t, 15, cfg.Zones[1].HopCount) // default filled in

	// The static tables make Locate work without a network.
	e, err := dialplan.NewEngine(cfg)
	require.NoError(t, err)
	r, err := e.Locate(context.Background(), dialplan.LocateRequest{Alias: "alice@example.com", HopCount: 15, Protocol: dialplan.SIP, SourceZone: "Branch"})
	require.NoError(t, err)
	require.Equal(t, dialplan.Found, r.Status, r.Trace.String())
	assert.Equal(t, dialplan.LocalZone, r.Route0().Zone)
	r, err = e.Locate(context.Background(), dialplan.LocateRequest{Alias: "bob@example.com", HopCount: 15, Protocol: dialplan.SIP, SourceZone: "Branch"})
	require.NoError(t, err)
	require.Equal(t, dialplan.NotFound, r.Status, r.Trace.String()) // sent as bob@example.net
	r, err = e.Locate(context.Background(), dialplan.LocateRequest{Alias: "bob@example.net", HopCount: 15, Protocol: dialplan.SIP, SourceZone: "LocalZone"})
	require.NoError(t, err)
	assert.Equal(t, dialplan.NotFound, r.Status)
}

// I-14, I-15: defaults for entries that leave fields out, in YAML and JSON.
func TestLoadConfigDefaults(t *testing.T) {
	for _, src := range []string{
		"transforms:\n  - pattern_string: '9'\nsearch_rules:\n  - name: r\n    target_name: LocalZone\nzones:\n  - name: z\n",
		`{"transforms":[{"pattern_string":"9"}],"search_rules":[{"name":"r","target_name":"LocalZone"}],"zones":[{"name":"z"}]}`,
	} {
		cfg, err := dialplan.LoadConfig(strings.NewReader(src))
		require.NoError(t, err, src)
		assert.Equal(t, 1, cfg.Transforms[0].Priority)
		assert.Equal(t, pattern.Prefix, cfg.Transforms[0].PatternType)
		assert.Equal(t, pattern.Strip, cfg.Transforms[0].PatternBehavior)
		r := cfg.SearchRules[0]
		assert.Equal(t, 100, r.Priority)
		assert.Equal(t, dialplan.AnyAlias, r.Mode)
		assert.Equal(t, dialplan.Continue, r.Progress)
		assert.Equal(t, 15, cfg.Zones[0].HopCount)
		assert.Equal(t, dialplan.Neighbor, cfg.Zones[0].Type)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for src, frag := range map[string]string{
		"search_rules:\n  - name: r\n    target_name: LocalZone\n    patern_type: Regex\n": "patern_type",
		"zones:\n  - name: z\n    type: Gateway\n":                                         "unknown zone type",
		"zones:\n  - name: z\n    hop_count: 0\n":                                          "zones[0].hop_count",
		"- a\n- b\n": "mapping",
		"transforms: [{pattern_string: '(', pattern_type: Regex}]": "transforms[0].pattern_string: position 0",
		"a: 1\na: 2\n":   "already defined",
		"{\"zones\": [}": "config",
	} {
		_, err := dialplan.LoadConfig(strings.NewReader(src))
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), frag, src)
	}
	cfg, err := dialplan.LoadConfig(strings.NewReader(""))
	require.NoError(t, err)
	assert.Empty(t, cfg.SearchRules)
}
