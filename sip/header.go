package sip

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

// nameHash is the hash kindHash is indexed by: FNV-style over the name with
// bit 0x20 set in every byte, which lower-cases the letters of a token and
// maps no two token characters together (see equalFoldToken). The parser
// computes it while it scans the name.
func nameHash(h uint32, c byte) uint32 { return (h ^ uint32(c|0x20)) * 16777619 }

const hashSlots = 4096 // no two known long names share a slot

// kindHash maps nameHash&(hashSlots-1) of every long name to its kind; a
// slot two names share holds hkindCount and sends the lookup to kindOf.
var kindHash = func() (t [hashSlots]hkind) {
	for k := hkind(1); k < hkindCount; k++ {
		h := uint32(2166136261)
		n := hinfos[k].name
		for i := 0; i < len(n); i++ {
			h = nameHash(h, n[i])
		}
		slot := h & (hashSlots - 1)
		if t[slot] != hUnknown {
			t[slot] = hkindCount
			continue
		}
		t[slot] = k
	}
	return t
}()

// kindOfHashed classifies a name whose nameHash the caller computed.
func kindOfHashed(name string, h uint32) hkind {
	if len(name) == 1 {
		return compactKinds[name[0]]
	}
	switch k := kindHash[h&(hashSlots-1)]; k {
	case hUnknown:
		return hUnknown
	case hkindCount:
		return kindOf(name)
	default:
		if equalFoldToken(hinfos[k].name, name) {
			return k
		}
		return hUnknown
	}
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
