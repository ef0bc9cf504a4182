package h225

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/causeway-edge/causeway/h323/per"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

func ipv4(a, b, c, d byte, port uint16) TransportAddress {
	return TransportAddress{
		Choice:    TransportAddressChoiceIPAddress,
		IPAddress: &TransportAddressIPAddress{IP: [4]byte{a, b, c, d}, Port: port},
	}
}

// requireBoth checks that v encodes to want and that want decodes to a
// value that encodes to want again (spec h323.md §4.3: both ways).
func requireBoth(t *testing.T, want string, v per.Value, fresh func() per.Value) per.Value {
	t.Helper()
	wb := unhex(t, want)
	got, err := per.Marshal(v)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(wb), hex.EncodeToString(got))
	back := fresh()
	require.NoError(t, per.Unmarshal(wb, back))
	again, err := per.Marshal(back)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(wb), hex.EncodeToString(again))
	return back
}

func newRas() per.Value { return new(RasMessage) }

// TestGoldenV1 covers spec h323.md §4.3 V1: RAS UCF, requestSeqNum 1 and 4660.
func TestGoldenV1(t *testing.T) {
	for _, c := range []struct {
		hex string
		seq RequestSeqNum
	}{{"1C 00 00", 1}, {"1C 12 33", 4660}} {
		msg := &RasMessage{
			Choice:                RasMessageChoiceUnregistrationConfirm,
			UnregistrationConfirm: &UnregistrationConfirm{RequestSeqNum: c.seq},
		}
		back := requireBoth(t, c.hex, msg, newRas).(*RasMessage)
		require.Equal(t, RasMessageChoiceUnregistrationConfirm, back.Choice)
		require.Equal(t, c.seq, back.UnregistrationConfirm.RequestSeqNum)
	}
}

// TestGoldenV2 covers V2: RIP, extension alternative 25, seq 1, delay 10.
func TestGoldenV2(t *testing.T) {
	msg := &RasMessage{
		Choice:            RasMessageChoiceRequestInProgress,
		RequestInProgress: &RequestInProgress{RequestSeqNum: 1, Delay: 10},
	}
	back := requireBoth(t, "80 05 00 00 00 00 09", msg, newRas).(*RasMessage)
	require.Equal(t, RasMessageChoiceRequestInProgress, back.Choice)
	require.Equal(t, "requestInProgress", back.Choice.String())
	require.EqualValues(t, 1, back.RequestInProgress.RequestSeqNum)
	require.EqualValues(t, 10, back.RequestInProgress.Delay)
}

// TestGoldenV3 covers V3: GRQ seq 1, protocolIdentifier 0.0.8.2250.0.7,
// rasAddress 192.168.0.1:1719, endpointType terminal, no extensions.
func TestGoldenV3(t *testing.T) {
	grq := &GatekeeperRequest{
		RequestSeqNum:      1,
		ProtocolIdentifier: ProtocolIdentifierV7(),
		RasAddress:         ipv4(192, 168, 0, 1, 1719),
		EndpointType:       EndpointType{Terminal: &TerminalInfo{}},
	}
	// A version-1 style GRQ: without the mandatory supportsAssignedGK
	// addition a value built in code would carry.
	grq.Extensions().RootOnly()
	msg := &RasMessage{Choice: RasMessageChoiceGatekeeperRequest, GatekeeperRequest: grq}
	back := requireBoth(t, "00 00 00 00 06 00 08 91 4A 00 07 00 C0 A8 00 01 06 B7 02 00", msg, newRas).(*RasMessage)
	g := back.GatekeeperRequest
	require.NotNil(t, g)
	require.EqualValues(t, 1, g.RequestSeqNum)
	require.Equal(t, "0.0.8.2250.0.7", per.ObjectIdentifier(g.ProtocolIdentifier).String())
	require.Equal(t, TransportAddressChoiceIPAddress, g.RasAddress.Choice)
	require.Equal(t, [4]byte{192, 168, 0, 1}, g.RasAddress.IPAddress.IP)
	require.EqualValues(t, 1719, g.RasAddress.IPAddress.Port)
	require.NotNil(t, g.EndpointType.Terminal)
	require.Nil(t, g.EndpointType.Gateway)
}

// v4 is the V4 RRQ of spec h323.md §4.3.
const v4 = "0C 80 00 01 06 00 08 91 4A 00 07 00 01 00 C0 A8 00 0A 06 B8 01 00 C0 A8 00 0A 06 B7 02 00 02 40 04 00 61 00 6C 00 69 00 63 00 65 01 80 97 65 00 B5 00 12 34"

func v4Value() *RasMessage {
	rrq := &RegistrationRequest{
		RequestSeqNum:      2,
		ProtocolIdentifier: ProtocolIdentifierV7(),
		DiscoveryComplete:  false,
		CallSignalAddress:  []TransportAddress{ipv4(192, 168, 0, 10, 1720)},
		RasAddress:         []TransportAddress{ipv4(192, 168, 0, 10, 1719)},
		TerminalType:       EndpointType{Terminal: &TerminalInfo{}},
		TerminalAlias: []AliasAddress{
			{Choice: AliasAddressChoiceH323ID, H323ID: "alice"},
			{Choice: AliasAddressChoiceDialledDigits, DialledDigits: "6432"},
		},
		EndpointVendor: VendorIdentifier{Vendor: H221NonStandard{T35CountryCode: 181, T35Extension: 0, ManufacturerCode: 0x1234}},
	}
	rrq.Extensions().RootOnly() // "no extension additions"
	return &RasMessage{Choice: RasMessageChoiceRegistrationRequest, RegistrationRequest: rrq}
}

// TestGoldenV4 covers V4: the RRQ with aliases and vendor, and checks that a
// decoder accepts the absence of the mandatory additions keepAlive,
// willSupplyUUIEs, maintainConnection (spec h323.md §4.2).
func TestGoldenV4(t *testing.T) {
	back := requireBoth(t, v4, v4Value(), newRas).(*RasMessage)
	r := back.RegistrationRequest
	require.NotNil(t, r)
	require.EqualValues(t, 2, r.RequestSeqNum)
	require.False(t, r.DiscoveryComplete)
	require.Len(t, r.CallSignalAddress, 1)
	require.Equal(t, [4]byte{192, 168, 0, 10}, r.CallSignalAddress[0].IPAddress.IP)
	require.EqualValues(t, 1720, r.CallSignalAddress[0].IPAddress.Port)
	require.EqualValues(t, 1719, r.RasAddress[0].IPAddress.Port)
	require.NotNil(t, r.TerminalType.Terminal)
	require.Len(t, r.TerminalAlias, 2)
	require.Equal(t, AliasAddressChoiceH323ID, r.TerminalAlias[0].Choice)
	require.Equal(t, "alice", r.TerminalAlias[0].H323ID)
	require.Equal(t, AliasAddressChoiceDialledDigits, r.TerminalAlias[1].Choice)
	require.Equal(t, "6432", r.TerminalAlias[1].DialledDigits)
	require.EqualValues(t, 181, r.EndpointVendor.Vendor.T35CountryCode)
	require.EqualValues(t, 0, r.EndpointVendor.Vendor.T35Extension)
	require.EqualValues(t, 0x1234, r.EndpointVendor.Vendor.ManufacturerCode)
	require.False(t, r.KeepAlive)
	require.False(t, r.Extensions().Keep(5), "keepAlive was absent and stays absent")
}

// TestMandatoryAdditionsEmitted covers spec h323.md §4.2: an RRQ built in
// code carries keepAlive, willSupplyUUIEs and maintainConnection, and
// every UUIE's H323-UU-PDU carries h245Tunnelling.
func TestMandatoryAdditionsEmitted(t *testing.T) {
	msg := v4Value()
	msg.RegistrationRequest.ext = per.Extensions{} // as built in code
	msg.RegistrationRequest.KeepAlive = true
	b, err := per.Marshal(msg)
	require.NoError(t, err)
	require.Greater(t, len(b), len(unhex(t, v4)))
	var back RasMessage
	require.NoError(t, per.Unmarshal(b, &back))
	r := back.RegistrationRequest
	require.True(t, r.KeepAlive)
	for i, name := range map[int]string{5: "keepAlive", 7: "willSupplyUUIEs", 8: "maintainConnection"} {
		require.True(t, r.Extensions().Keep(i), name)
	}

	uu := &H323UserInformation{H323UUPDU: H323UUPDU{
		H323MessageBody: H323UUPDUH323MessageBody{Choice: H323UUPDUH323MessageBodyChoiceEmpty},
	}}
	b, err = per.Marshal(uu)
	require.NoError(t, err)
	var ub H323UserInformation
	require.NoError(t, per.Unmarshal(b, &ub))
	require.True(t, ub.H323UUPDU.Extensions().Keep(1), "h245Tunnelling present")
}

// v5uuie is the PER H323-UserInformation inside V5's user-user IE.
const v5uuie = "25 C0 06 00 08 91 4A 00 07 58 A8 00 11 00 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 10 80 01 00"

// TestGoldenV5UUIE covers the UUIE of V5: releaseComplete, reason
// undefinedReason, callIdentifier 00112233-...-eeff, h245Tunnelling FALSE.
func TestGoldenV5UUIE(t *testing.T) {
	uu := &H323UserInformation{H323UUPDU: H323UUPDU{
		H323MessageBody: H323UUPDUH323MessageBody{
			Choice: H323UUPDUH323MessageBodyChoiceReleaseComplete,
			ReleaseComplete: &ReleaseCompleteUUIE{
				ProtocolIdentifier: ProtocolIdentifierV7(),
				Reason:             &ReleaseCompleteReason{Choice: ReleaseCompleteReasonChoiceUndefinedReason},
				CallIdentifier: CallIdentifier{GUID: GloballyUniqueID{
					0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF}},
			},
		},
		H245Tunnelling: false,
	}}
	back := requireBoth(t, v5uuie, uu, func() per.Value { return new(H323UserInformation) }).(*H323UserInformation)
	body := back.H323UUPDU.H323MessageBody
	require.Equal(t, H323UUPDUH323MessageBodyChoiceReleaseComplete, body.Choice)
	rc := body.ReleaseComplete
	require.Equal(t, ReleaseCompleteReasonChoiceUndefinedReason, rc.Reason.Choice)
	require.Equal(t, "00112233445566778899aabbccddeeff", hex.EncodeToString(rc.CallIdentifier.GUID[:]))
	require.False(t, back.H323UUPDU.H245Tunnelling)
	require.True(t, back.H323UUPDU.Extensions().Keep(1))
}

// TestUnknownExtensionsPreserved covers spec h323.md §4.2: an addition this
// code does not know is skipped on decode and re-encoded byte for byte.
func TestUnknownExtensionsPreserved(t *testing.T) {
	// A UCF whose extension bitmap declares 40 additions, of which only the
	// last, unknown to this version, is present with two octets.
	var e per.Encoder
	e.PutChoice(7, 25, true)
	e.PutBit(true)  // UCF extension bit
	e.PutBit(false) // nonStandardData absent
	_ = e.PutConstrained(5, 1, 65535)
	const n = 40
	e.PutNormallySmall(n - 1)
	for i := 0; i < n; i++ {
		e.PutBit(i == n-1)
	}
	_ = e.PutOpenRaw([]byte{0xDE, 0xAD})
	in := append([]byte(nil), e.Bytes()...)
	var m RasMessage
	require.NoError(t, per.Unmarshal(in, &m))
	require.EqualValues(t, 5, m.UnregistrationConfirm.RequestSeqNum)
	require.True(t, m.UnregistrationConfirm.Extensions().HasUnknown())
	out, err := per.Marshal(&m)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(in), hex.EncodeToString(out))

	// An unknown RasMessage alternative (extension index 20) survives too.
	e.Reset()
	e.PutChoice(25+20, 25, true)
	_ = e.PutOpenRaw([]byte{0x01, 0x02, 0x03})
	in = append([]byte(nil), e.Bytes()...)
	require.NoError(t, per.Unmarshal(in, &m))
	require.EqualValues(t, 46, m.Choice)
	out, err = per.Marshal(&m)
	require.NoError(t, err)
	require.Equal(t, in, out)
}

func TestDecodeErrorPath(t *testing.T) {
	b := unhex(t, v4)
	b[len(b)-20] = 0x7F // corrupt the dialledDigits length area
	var m RasMessage
	err := per.Unmarshal(b[:len(b)-8], &m)
	require.Error(t, err)
	var pe *per.Error
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "h225.RasMessage", pe.Path[0])
	require.Equal(t, "registrationRequest", pe.Path[1])
}
