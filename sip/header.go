package sip

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Header names the codec knows. Lookups by name are case-insensitive and
// accept the compact forms (RFC 3261 §7.3.3 and later RFCs), so
// m.Get("v"), m.Get("via") and m.Get(HdrVia) are the same header. Headers
// the codec generates are written in the long form given here; headers it
// only carries are written as received (SIP-16).
const (
	HdrAccept             = "Accept"
	HdrAcceptContact      = "Accept-Contact" // compact a
	HdrAcceptEncoding     = "Accept-Encoding"
	HdrAcceptLanguage     = "Accept-Language"
	HdrAlertInfo          = "Alert-Info"
	HdrAllow              = "Allow"
	HdrAllowEvents        = "Allow-Events" // compact u
	HdrAuthenticationInfo = "Authentication-Info"
	HdrAuthorization      = "Authorization"
	HdrCallID             = "Call-ID" // compact i
	HdrCallInfo           = "Call-Info"
	HdrContact            = "Contact" // compact m
	HdrContentDisposition = "Content-Disposition"
	HdrContentEncoding    = "Content-Encoding" // compact e
	HdrContentLanguage    = "Content-Language"
	HdrContentLength      = "Content-Length" // compact l
	HdrContentType        = "Content-Type"   // compact c
	HdrCSeq               = "CSeq"
	HdrDate               = "Date"
	HdrDiversion          = "Diversion"
	HdrErrorInfo          = "Error-Info"
	HdrEvent              = "Event" // compact o
	HdrExpires            = "Expires"
	HdrFlowTimer          = "Flow-Timer"
	HdrFrom               = "From"     // compact f
	HdrIdentity           = "Identity" // compact y
	HdrInReplyTo          = "In-Reply-To"
	HdrMaxForwards        = "Max-Forwards"
	HdrMIMEVersion        = "MIME-Version"
	HdrMinExpires         = "Min-Expires"
	HdrMinSE              = "Min-SE"
	HdrOrganization       = "Organization"
	HdrPAssertedIdentity  = "P-Asserted-Identity"
	HdrPPreferredIdentity = "P-Preferred-Identity"
	HdrPath               = "Path"
	HdrPriority           = "Priority"
	HdrPrivacy            = "Privacy"
	HdrProxyAuthenticate  = "Proxy-Authenticate"
	HdrProxyAuthorization = "Proxy-Authorization"
	HdrProxyRequire       = "Proxy-Require"
	HdrRAck               = "RAck"
	HdrReason             = "Reason"
	HdrRecordRoute        = "Record-Route"
	HdrReferTo            = "Refer-To"    // compact r
	HdrReferredBy         = "Referred-By" // compact b
	HdrRejectContact      = "Reject-Contact"
	HdrReplaces           = "Replaces"
	HdrReplyTo            = "Reply-To"
	HdrRequestDisposition = "Request-Disposition" // compact d
	HdrRequire            = "Require"
	HdrRetryAfter         = "Retry-After"
	HdrRoute              = "Route"
	HdrRSeq               = "RSeq"
	HdrServer             = "Server"
	HdrServiceRoute       = "Service-Route"
	HdrSessionExpires     = "Session-Expires" // compact x
	HdrSIPETag            = "SIP-ETag"
	HdrSIPIfMatch         = "SIP-If-Match"
	HdrSubject            = "Subject" // compact s
	HdrSubscriptionState  = "Subscription-State"
	HdrSupported          = "Supported" // compact k
	HdrTimestamp          = "Timestamp"
	HdrTo                 = "To" // compact t
	HdrUnsupported        = "Unsupported"
	HdrUserAgent          = "User-Agent"
	HdrVia                = "Via" // compact v
	HdrWarning            = "Warning"
	HdrWWWAuthenticate    = "WWW-Authenticate"
)

// hkind identifies a known header; 0 is any header the codec does not know.
type hkind uint8

const (
	hUnknown hkind = iota
	hAccept
	hAcceptContact
	hAcceptEncoding
	hAcceptLanguage
	hAlertInfo
	hAllow
	hAllowEvents
	hAuthenticationInfo
	hAuthorization
	hCallID
	hCallInfo
	hContact
	hContentDisposition
	hContentEncoding
	hContentLanguage
	hContentLength
	hContentType
	hCSeq
	hDate
	hDiversion
	hErrorInfo
	hEvent
	hExpires
	hFlowTimer
	hFrom
	hIdentity
	hInReplyTo
	hMaxForwards
	hMIMEVersion
	hMinExpires
	hMinSE
	hOrganization
	hPAssertedIdentity
	hPPreferredIdentity
	hPath
	hPriority
	hPrivacy
	hProxyAuthenticate
	hProxyAuthorization
	hProxyRequire
	hRAck
	hReason
	hRecordRoute
	hReferTo
	hReferredBy
	hRejectContact
	hReplaces
	hReplyTo
	hRequestDisposition
	hRequire
	hRetryAfter
	hRoute
	hRSeq
	hServer
	hServiceRoute
	hSessionExpires
	hSIPETag
	hSIPIfMatch
	hSubject
	hSubscriptionState
	hSupported
	hTimestamp
	hTo
	hUnsupported
	hUserAgent
	hVia
	hWarning
	hWWWAuthenticate
	hkindCount
)

// hinfo describes a known header: its long name, its compact letter (0 if
// none) and whether its value is a comma-separated list (RFC 3261 §7.3.1),
// so that several values may share one line or be split over lines.
type hinfo struct {
	name    string
	compact byte
	list    bool
}

var hinfos = [hkindCount]hinfo{
	hAccept:             {HdrAccept, 0, true},
	hAcceptContact:      {HdrAcceptContact, 'a', true},
	hAcceptEncoding:     {HdrAcceptEncoding, 0, true},
	hAcceptLanguage:     {HdrAcceptLanguage, 0, true},
	hAlertInfo:          {HdrAlertInfo, 0, true},
	hAllow:              {HdrAllow, 0, true},
	hAllowEvents:        {HdrAllowEvents, 'u', true},
	hAuthenticationInfo: {HdrAuthenticationInfo, 0, false},
	hAuthorization:      {HdrAuthorization, 0, false},
	hCallID:             {HdrCallID, 'i', false},
	hCallInfo:           {HdrCallInfo, 0, true},
	hContact:            {HdrContact, 'm', true},
	hContentDisposition: {HdrContentDisposition, 0, false},
	hContentEncoding:    {HdrContentEncoding, 'e', true},
	hContentLanguage:    {HdrContentLanguage, 0, true},
	hContentLength:      {HdrContentLength, 'l', false},
	hContentType:        {HdrContentType, 'c', false},
	hCSeq:               {HdrCSeq, 0, false},
	hDate:               {HdrDate, 0, false},
	hDiversion:          {HdrDiversion, 0, true},
	hErrorInfo:          {HdrErrorInfo, 0, true},
	hEvent:              {HdrEvent, 'o', false},
	hExpires:            {HdrExpires, 0, false},
	hFlowTimer:          {HdrFlowTimer, 0, false},
	hFrom:               {HdrFrom, 'f', false},
	hIdentity:           {HdrIdentity, 'y', false},
	hInReplyTo:          {HdrInReplyTo, 0, true},
	hMaxForwards:        {HdrMaxForwards, 0, false},
	hMIMEVersion:        {HdrMIMEVersion, 0, false},
	hMinExpires:         {HdrMinExpires, 0, false},
	hMinSE:              {HdrMinSE, 0, false},
	hOrganization:       {HdrOrganization, 0, false},
	hPAssertedIdentity:  {HdrPAssertedIdentity, 0, true},
	hPPreferredIdentity: {HdrPPreferredIdentity, 0, true},
	hPath:               {HdrPath, 0, true},
	hPriority:           {HdrPriority, 0, false},
	hPrivacy:            {HdrPrivacy, 0, false},
	hProxyAuthenticate:  {HdrProxyAuthenticate, 0, false},
	hProxyAuthorization: {HdrProxyAuthorization, 0, false},
	hProxyRequire:       {HdrProxyRequire, 0, true},
	hRAck:               {HdrRAck, 0, false},
	hReason:             {HdrReason, 0, true},
	hRecordRoute:        {HdrRecordRoute, 0, true},
	hReferTo:            {HdrReferTo, 'r', false},
	hReferredBy:         {HdrReferredBy, 'b', false},
	hRejectContact:      {HdrRejectContact, 'j', true},
	hReplaces:           {HdrReplaces, 0, false},
	hReplyTo:            {HdrReplyTo, 0, false},
	hRequestDisposition: {HdrRequestDisposition, 'd', true},
	hRequire:            {HdrRequire, 0, true},
	hRetryAfter:         {HdrRetryAfter, 0, false},
	hRoute:              {HdrRoute, 0, true},
	hRSeq:               {HdrRSeq, 0, false},
	hServer:             {HdrServer, 0, false},
	hServiceRoute:       {HdrServiceRoute, 0, true},
	hSessionExpires:     {HdrSessionExpires, 'x', false},
	hSIPETag:            {HdrSIPETag, 0, false},
	hSIPIfMatch:         {HdrSIPIfMatch, 0, false},
	hSubject:            {HdrSubject, 's', false},
	hSubscriptionState:  {HdrSubscriptionState, 0, false},
	hSupported:          {HdrSupported, 'k', true},
	hTimestamp:          {HdrTimestamp, 0, false},
	hTo:                 {HdrTo, 't', false},
	hUnsupported:        {HdrUnsupported, 0, true},
	hUserAgent:          {HdrUserAgent, 0, false},
	hVia:                {HdrVia, 'v', true},
	hWarning:            {HdrWarning, 0, true},
	hWWWAuthenticate:    {HdrWWWAuthenticate, 0, false},
}

// compactKinds maps a lower-case compact letter to its header.
var compactKinds = func() (t [256]hkind) {
	for k := hkind(1); k < hkindCount; k++ {
		if c := hinfos[k].compact; c != 0 {
			t[c] = k
			t[c-'a'+'A'] = k
		}
	}
	return t
}()

// kindsByLen buckets the long names by length so that classifying a name
// costs a couple of comparisons.
var kindsByLen = func() (t [24][]hkind) {
	for k := hkind(1); k < hkindCount; k++ {
		n := len(hinfos[k].name)
		t[n] = append(t[n], k)
	}
	return t
}()

// Header names are classified through a table indexed by a hash of the
// name's first and last eight bytes and its length, with bit 0x20 set in
// every byte: that lower-cases the letters of a token and maps no two
// token characters together (see equalFoldToken).

const (
	hashSlots = 4096 // no two known long names share a slot
	foldBits  = 0x2020202020202020
)

// nameWords returns the case-folded first and last eight bytes of name
// (for a name under eight bytes: its bytes, zero-filled, twice).
func nameWords(name string) (lo, hi uint64) {
	n := len(name)
	if n >= 8 {
		return load64(name, 0) | foldBits, load64(name, n-8) | foldBits
	}
	var b [8]byte
	copy(b[:], name)
	lo = (binary.LittleEndian.Uint64(b[:]) | foldBits) & lowBytes(n)
	return lo, lo
}

// nameWordsIn is nameWords for the name s[i:i+n] of a message buffer in
// which at least eight bytes follow i.
func nameWordsIn(s string, i, n int) (lo, hi uint64) {
	if n >= 8 {
		return load64(s, i) | foldBits, load64(s, i+n-8) | foldBits
	}
	lo = (load64(s, i) | foldBits) & lowBytes(n)
	return lo, lo
}

// lowBytes masks the first n (< 8) bytes of a little-endian word.
func lowBytes(n int) uint64 { return 1<<(8*uint(n)) - 1 }

// load64 reads s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:i+8]), 8))
}

func nameSlot(lo, hi uint64, n int) uint32 {
	x := (lo ^ bits.RotateLeft64(hi, 29) ^ uint64(n)<<56) * 0x9E3779B97F4A7C15
	return uint32(x >> (64 - 12))
}

type kindEntry struct {
	lo, hi uint64
	n      uint8
	k      hkind
}

// kindHash maps the nameSlot of every long name to its kind and folded
// words; a slot two names share holds hkindCount.
var kindHash = func() (t [hashSlots]kindEntry) {
	for k := hkind(1); k < hkindCount; k++ {
		n := hinfos[k].name
		lo, hi := nameWords(n)
		slot := nameSlot(lo, hi, len(n))
		if t[slot].k != hUnknown {
			t[slot].k = hkindCount
			continue
		}
		t[slot] = kindEntry{lo: lo, hi: hi, n: uint8(len(n)), k: k}
	}
	return t
}()

// kindWords classifies a name given its nameWords.
func kindWords(name string, lo, hi uint64) hkind {
	if len(name) == 1 {
		return compactKinds[name[0]]
	}
	e := &kindHash[nameSlot(lo, hi, len(name))]
	switch {
	case e.k == hUnknown:
		return hUnknown
	case e.k == hkindCount:
		return kindOf(name)
	case int(e.n) == len(name) && e.lo == lo && e.hi == hi && (len(name) <= 16 || equalFoldToken(hinfos[e.k].name, name)):
		return e.k
	}
	return hUnknown
}

// equalFoldToken compares two tokens ignoring case. For token characters
// setting bit 0x20 lower-cases letters and maps no other token character
// onto a letter, so no per-byte letter test is needed.
func equalFoldToken(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i]|0x20 != b[i]|0x20 {
			return false
		}
	}
	return true
}

// kindOf classifies a header name as written (any case, long or compact).
func kindOf(name string) hkind {
	if len(name) == 1 {
		return compactKinds[name[0]]
	}
	if len(name) >= len(kindsByLen) {
		return hUnknown
	}
	c := lowerASCII(name[0])
	for _, k := range kindsByLen[len(name)] {
		n := hinfos[k].name
		if lowerASCII(n[0]) == c && equalFold(n, name) {
			return k
		}
	}
	return hUnknown
}

// CanonicalHeaderName returns the long form of a known header name in its
// conventional spelling ("v" and "VIA" give "Via"); other names are
// returned unchanged.
func CanonicalHeaderName(name string) string {
	if k := kindOf(name); k != hUnknown {
		return hinfos[k].name
	}
	return name
}

// CompactHeaderName returns the compact form of a header name, or the
// name itself when the header has none.
func CompactHeaderName(name string) string {
	if k := kindOf(name); k != hUnknown && hinfos[k].compact != 0 {
		return string(hinfos[k].compact)
	}
	return name
}
