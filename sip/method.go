package sip

// Methods of the SIP-20 table. Requests with other methods are parsed,
// carried and forwarded like any other (RFC 3261 §16).
const (
	MethodInvite    = "INVITE"
	MethodAck       = "ACK"
	MethodCancel    = "CANCEL"
	MethodBye       = "BYE"
	MethodOptions   = "OPTIONS"
	MethodRegister  = "REGISTER"
	MethodInfo      = "INFO"      // RFC 2976
	MethodSubscribe = "SUBSCRIBE" // RFC 6665
	MethodNotify    = "NOTIFY"    // RFC 6665
	MethodRefer     = "REFER"     // RFC 3515
	MethodPublish   = "PUBLISH"   // RFC 3903
	MethodUpdate    = "UPDATE"    // RFC 3311
	MethodPrack     = "PRACK"     // RFC 3262
	MethodMessage   = "MESSAGE"   // RFC 3428
)

// Methods lists the methods of the SIP-20 table, the order of an Allow
// header a server built on the codec would send.
var Methods = []string{
	MethodInvite, MethodAck, MethodCancel, MethodBye, MethodOptions, MethodRegister,
	MethodInfo, MethodSubscribe, MethodNotify, MethodRefer, MethodPublish, MethodUpdate,
	MethodPrack, MethodMessage,
}

// IsDialogForming reports whether the request creates a dialog (SIP-21):
// an INVITE, SUBSCRIBE or REFER whose To carries no tag. A To that does
// not parse counts as untagged.
func (m *Message) IsDialogForming() bool {
	if !m.request {
		return false
	}
	switch m.method {
	case MethodInvite, MethodSubscribe, MethodRefer:
	default:
		return false
	}
	to, err := m.To()
	return err != nil || to.Tag() == ""
}

// IsCallRelatedMethod reports whether requests of this method are
// call-related for event levels (SIP-22): INVITE, ACK, CANCEL, BYE,
// UPDATE, PRACK and INFO.
func IsCallRelatedMethod(method string) bool {
	switch method {
	case MethodInvite, MethodAck, MethodCancel, MethodBye, MethodUpdate, MethodPrack, MethodInfo:
		return true
	}
	return false
}

// IsCallRelated reports whether m — a request, or a response judged by its
// CSeq method — is call-related (SIP-22): a call-related method, or any
// request inside an INVITE dialog, which the caller knows from its dialog
// state and passes as inInviteDialog.
func (m *Message) IsCallRelated(inInviteDialog bool) bool {
	return inInviteDialog || IsCallRelatedMethod(m.Method())
}

// IsOptionsToServer reports whether m is an OPTIONS addressed to the
// server itself rather than to a user (SIP-23): its Request-URI has no user
// part and isLocal accepts its host. Such a request is answered 200 OK
// with Allow, Accept and Supported (see NewOptionsResponse).
func (m *Message) IsOptionsToServer(isLocal func(host string) bool) bool {
	if !m.request || m.method != MethodOptions {
		return false
	}
	u, err := m.RequestURI()
	if err != nil || !u.IsSIP() || u.User != "" {
		return false
	}
	return isLocal != nil && isLocal(u.Hostname())
}
