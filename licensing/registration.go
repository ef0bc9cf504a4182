package licensing

import (
	"strconv"
	"strings"
)

// RegPath is how a registration reaches the box (LIC-28, LIC-29).
type RegPath uint8

// Registration paths.
const (
	// Direct: registered to this box.
	Direct RegPath = iota
	// ProxiedOnC: a SIP registration proxied from E, seen on C: licensed as
	// a direct one.
	ProxiedOnC
	// ProxiedOnE: the same registration as E forwards it: no licence.
	ProxiedOnE
	// MRARegistration: a Unified CM remote session registration.
	MRARegistration
)

// RegFacts are the facts of a registration that decide its licence.
type RegFacts struct {
	Protocol Protocol
	// Model and Firmware identify the device (e.g. "Cisco DX80",
	// "CE9.12.3"); Firmware is "TC<x.y.z>" or "CE<x.y.z>".
	Model    string
	Firmware string
	// Aliases is the number of aliases registered (at least 1; LIC-27).
	Aliases int
	Path    RegPath
}

// LicenceKind is the registration licence pool (LIC-25).
type LicenceKind uint8

// Registration licence kinds.
const (
	NoRegLicence LicenceKind = iota
	Room
	Desktop
)

func (k LicenceKind) String() string {
	switch k {
	case Room:
		return "room"
	case Desktop:
		return "desktop"
	}
	return "none"
}

// RegDecision is what a registration costs.
type RegDecision struct {
	Kind  LicenceKind
	Count int // licences of Kind: one per alias (LIC-27)
	// Physical: counts toward the node's registration limit (LIC-29).
	Physical bool
	// MRA: counts toward the MRA registration limit too.
	MRA    bool
	Reason string
}

// ClassifyRegistration decides the licence of a registration (LIC-25..
// LIC-29). A device registered over SIP and H.323 is two registrations,
// classified one by one.
func ClassifyRegistration(f RegFacts) RegDecision {
	n := max(f.Aliases, 1)
	switch f.Path {
	case ProxiedOnE:
		return RegDecision{Physical: true, Reason: "LIC-28/proxied-on-E"}
	case MRARegistration:
		// Our reading (spec §6-6): MRA registrations count toward the
		// physical and MRA limits only.
		return RegDecision{Physical: true, MRA: true, Reason: "LIC-29/mra"}
	}
	if f.Protocol == H323 {
		return RegDecision{Kind: Room, Count: n, Physical: true, Reason: "LIC-26/h323-room"}
	}
	if desktopDevice(f.Model, f.Firmware) {
		return RegDecision{Kind: Desktop, Count: n, Physical: true, Reason: "LIC-26/desktop"}
	}
	return RegDecision{Kind: Room, Count: n, Physical: true, Reason: "LIC-26/room"}
}

// desktopDevice: EX60/EX90 on TC7.3.6 or later (or any CE), DX70/DX80 on
// CE8.2 or later, and legacy Jabber Video / Movi (LIC-26).
func desktopDevice(model, firmware string) bool {
	m := strings.ToUpper(model)
	switch {
	case strings.Contains(m, "JABBER VIDEO") || strings.Contains(m, "MOVI"):
		return true
	case strings.Contains(m, "EX60") || strings.Contains(m, "EX90"):
		fam, v := parseFirmware(firmware)
		return fam == "CE" || (fam == "TC" && versionAtLeast(v, []int{7, 3, 6}))
	case strings.Contains(m, "DX70") || strings.Contains(m, "DX80"):
		fam, v := parseFirmware(firmware)
		return fam == "CE" && versionAtLeast(v, []int{8, 2})
	}
	return false
}

// parseFirmware splits "TC7.3.6" into ("TC", [7 3 6]). Unparseable parts
// end the version.
func parseFirmware(s string) (string, []int) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 2 {
		return "", nil
	}
	fam, rest := s[:2], s[2:]
	var v []int
	for _, p := range strings.Split(rest, ".") {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			break
		}
		v = append(v, n)
		if end < len(p) {
			break
		}
	}
	return fam, v
}

func versionAtLeast(v, min []int) bool {
	for i := range min {
		var x int
		if i < len(v) {
			x = v[i]
		}
		if x != min[i] {
			return x > min[i]
		}
	}
	return true
}
