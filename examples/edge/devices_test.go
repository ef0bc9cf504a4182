package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// LIC-26 through SIP-60: desktop models with recent enough firmware are
// desktop, everything else a room.
func TestDeviceClass(t *testing.T) {
	for ua, want := range map[string]string{
		"Cisco DX80 CE9.12.3":                "desktop",
		"TANDBERG/529 (CE8.2.0) Cisco-DX70":  "desktop",
		"Cisco DX80 CE8.1.0":                 "room", // DX needs CE8.2 or later
		"TANDBERG/257 (TC7.3.6) EX90":        "desktop",
		"TANDBERG/257 (TC7.3.5) EX90":        "room",
		"Cisco Webex Room Kit CE9.15":        "room",
		"sipp":                               "room",
		"":                                   "room",
		"Jabber Video/4.8.8 (TANDBERG Movi)": "desktop",
	} {
		assert.Equal(t, want, deviceClass(ua), ua)
	}
}
