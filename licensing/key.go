package licensing

import (
	"errors"
	"fmt"
	"time"
)

// Option is what an option key enables (LIC-3), identified by its letter.
type Option byte

// Option letters.
const (
	OptSeries      Option = 'E' // Expressway Series feature
	OptRMS         Option = 'Y' // rich media sessions (count)
	OptRoom        Option = 'A' // room system registrations (count)
	OptDesktop     Option = 'B' // desktop system registrations (count)
	OptTURN        Option = 'I' // TURN relays (count)
	OptTraversal   Option = 'T' // Traversal Server feature (legacy)
	OptGateway     Option = 'G' // H.323<->SIP interworking (legacy)
	OptAdvancedNet Option = 'L' // Advanced Networking
	OptJITC        Option = 'J' // Advanced Account Security / FIPS
	OptMicrosoft   Option = 'C' // Microsoft Interoperability
	OptFindMe      Option = 'U'
	OptDevProv     Option = 'P'
	OptVCSTrav     Option = 'W' // VCS traversal calls (count)
	OptVCSCalls    Option = 'V' // VCS non-traversal calls (count)
	OptVCSReg      Option = 'R' // VCS registrations (count)
)

// optionInfo is one row of the LIC-3 table.
type optionInfo struct {
	pid     string
	name    string
	counted bool // a licence count, not a feature
	onC     bool
	onE     bool
	restart bool // installing it needs a restart (LIC-6, alarm 30025)
	current bool // honoured in the current (X12.6+) key profile (LIC-4)
}

var options = map[Option]optionInfo{
	OptSeries:      {"LIC-EXP-SERIES", "Expressway Series", false, true, true, true, false},
	OptRMS:         {"LIC-EXP-RMS", "Rich media sessions", true, true, true, false, true},
	OptRoom:        {"LIC-EXP-ROOM", "Room system registrations", true, true, true, false, true},
	OptDesktop:     {"LIC-EXP-DSK", "Desktop system registrations", true, true, true, false, true},
	OptTURN:        {"LIC-EXP-TURN", "TURN relays", true, false, true, false, false},
	OptTraversal:   {"LIC-EXP-E", "Traversal Server", false, false, true, true, false},
	OptGateway:     {"LIC-EXP-GW", "H.323-SIP interworking", false, true, true, false, false},
	OptAdvancedNet: {"LIC-EXP-AN", "Advanced Networking", false, false, true, false, false},
	OptJITC:        {"LIC-EXP-JITC", "Advanced Account Security", false, true, true, true, true},
	OptMicrosoft:   {"LIC-EXP-MSFT", "Microsoft Interoperability", false, true, false, false, true},
	OptFindMe:      {"LIC-VCS-FINDME", "FindMe", false, true, false, false, false},
	OptDevProv:     {"LIC-VCS-DEVPROV", "Device provisioning", false, true, false, false, false},
	OptVCSTrav:     {"LIC-VCSE", "VCS traversal calls", true, false, false, false, false},
	OptVCSCalls:    {"LIC-VCS", "VCS non-traversal calls", true, false, false, false, false},
	OptVCSReg:      {"LIC-VCS-REG", "VCS registrations", true, false, false, false, false},
}

// String returns the option's product ID.
func (o Option) String() string {
	if info, ok := options[o]; ok {
		return info.pid
	}
	return fmt.Sprintf("Option(%q)", byte(o))
}

// Feature reports whether the option is a feature key (no count).
func (o Option) Feature() bool { return !options[o].counted }

// Key limits (LIC-5; the seed says both 65 and 64, both are kept).
const (
	MaxEffectiveKeys = 65 // keys after the 65th are stored but ignored
	MaxKeyIndex      = 64 // CLI option indices are 1..64
)

// Errors of key handling and modes.
var (
	ErrBadKey               = errors.New("licensing: malformed option key")
	ErrFactoryResetRequired = errors.New("licensing: Smart to PAK needs a factory reset")
	ErrSmartUnavailable     = errors.New("licensing: Smart Licensing is not available on this product")
	ErrClusterInEvaluation  = errors.New("licensing: clustering is refused during Smart evaluation")
	ErrClusterSize          = errors.New("licensing: a cluster has 1 to 6 peers")
	ErrUnknownPlatform      = errors.New("licensing: unknown platform")
	ErrFeatureKeyMismatch   = errors.New("licensing: peers hold different feature keys")
)

// Key is a parsed option key (LIC-2).
type Key struct {
	Text    string
	Option  Option
	Count   int // 0 for a feature key
	Index   int // the key index in the key text (usually 1)
	Release bool
	// Expires is the end of a time-limited key; zero means unlimited
	// (LIC-6).
	Expires time.Time
}

// ParseKey parses an option key `116341<L><n>-<m>-<8 hex>` or a 16-digit
// release key. The checksum is not verified (LIC-2): the suffix is only
// checked to be 8 hex digits.
func ParseKey(s string) (Key, error) {
	bad := func(why string, off int) (Key, error) {
		return Key{}, fmt.Errorf("%w %q at offset %d: %s", ErrBadKey, s, off, why)
	}
	if len(s) == 16 && allDigits(s) {
		return Key{Text: s, Release: true}, nil
	}
	const prefix = "116341"
	if len(s) < len(prefix)+1 || s[:len(prefix)] != prefix {
		return bad("option keys start with "+prefix, 0)
	}
	i := len(prefix)
	opt := Option(s[i])
	if _, ok := options[opt]; !ok {
		return bad("unknown option letter", i)
	}
	i++
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i {
		return bad("missing licence count", i)
	}
	count := atoi(s[i:j])
	if j >= len(s) || s[j] != '-' {
		return bad("expected '-' after the count", j)
	}
	k := j + 1
	m := k
	for m < len(s) && isDigit(s[m]) {
		m++
	}
	if m == k || m >= len(s) || s[m] != '-' {
		return bad("expected key index and '-'", k)
	}
	index := atoi(s[k:m])
	hex := s[m+1:]
	if len(hex) != 8 || !allHex(hex) {
		return bad("suffix must be 8 hex digits", m+1)
	}
	if !options[opt].counted {
		if count != 0 {
			return bad("feature keys carry 00, not a count", i)
		}
	} else if count == 0 {
		return bad("licence keys carry a count", i)
	}
	return Key{Text: s, Option: opt, Count: count, Index: index}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !isDigit(s[i]) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && n < 1e9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
