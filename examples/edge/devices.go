package main

import (
	"regexp"
	"strings"

	"github.com/causeway-edge/causeway/licensing"
)

// deviceModels are the desktop models of LIC-26 as they appear in SIP
// User-Agent strings; any other device is a room system.
var (
	deviceModel    = regexp.MustCompile(`(?i)\b(EX60|EX90|DX70|DX80|Jabber Video|Movi)\b`)
	deviceFirmware = regexp.MustCompile(`(?i)\b(TC|CE)(\d+(?:\.\d+)*)`)
)

// deviceClass classifies a registering device from its User-Agent into
// "room" or "desktop" through the licensing block (LIC-26, SIP-60): the
// model is the first desktop model named anywhere in the string and the
// firmware the first TC<x.y.z> or CE<x.y.z> version in it.
func deviceClass(userAgent string) string {
	f := licensing.RegFacts{Protocol: licensing.SIP, Aliases: 1}
	if m := deviceModel.FindString(userAgent); m != "" {
		f.Model = "Cisco " + strings.ToUpper(m)
		if strings.EqualFold(m, "jabber video") || strings.EqualFold(m, "movi") {
			f.Model = m
		}
	}
	if m := deviceFirmware.FindStringSubmatch(userAgent); m != nil {
		f.Firmware = strings.ToUpper(m[1]) + m[2]
	}
	switch licensing.ClassifyRegistration(f).Kind {
	case licensing.Desktop:
		return "desktop"
	case licensing.Room:
		return "room"
	}
	return ""
}
