package main

import "testing"

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"h323-uu-pdu":          "H323UUPDU",
		"H323-UserInformation": "H323UserInformation",
		"Setup-UUIE":           "SetupUUIE",
		"ipAddress":            "IPAddress",
		"ip6Address":           "IP6Address",
		"url-ID":               "URLID",
		"h323-ID":              "H323ID",
		"qOSCapabilities":      "QOSCapabilities",
		"h245Address":          "H245Address",
		"requestSeqNum":        "RequestSeqNum",
		"mobileUIM":            "MobileUIM",
		"t35CountryCode":       "T35CountryCode",
		"user-data":            "UserData",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}
