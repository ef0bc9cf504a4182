package corpus

import (
	"fmt"
	"strconv"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/h245"
	"github.com/causeway-edge/causeway/h323/per"
	"github.com/causeway-edge/causeway/h323/q931"
)

func itoa(i int) string { return strconv.Itoa(i) }

func uuie(body h225.H323UUPDUH323MessageBody, tunnelling bool, h245Control [][]byte) *h225.H323UserInformation {
	return &h225.H323UserInformation{H323UUPDU: h225.H323UUPDU{
		H323MessageBody: body,
		H245Tunnelling:  tunnelling,
		H245Control:     h245Control,
	}}
}

// Setup is a SETUP from alice (6432) to 6433 with two fastStart proposals
// and a tunnelled TerminalCapabilitySet.
func Setup() (*q931.Message, error) {
	olc, err := OpenLogicalChannel(false)
	if err != nil {
		return nil, err
	}
	fs1, err := per.Marshal(olc)
	if err != nil {
		return nil, err
	}
	olc.ForwardLogicalChannelParameters.DataType.AudioData = audio(h245.AudioCapabilityChoiceG711Alaw64k, 20)
	olc.ForwardLogicalChannelNumber = 2
	fs2, err := per.Marshal(olc)
	if err != nil {
		return nil, err
	}
	tcs, err := per.Marshal(TerminalCapabilitySet())
	if err != nil {
		return nil, err
	}
	hop := uint8(31)
	src := IPv4(192, 168, 0, 10, 1720)
	body := h225.H323UUPDUH323MessageBody{
		Choice: h225.H323UUPDUH323MessageBodyChoiceSetup,
		Setup: &h225.SetupUUIE{
			ProtocolIdentifier:      v7(),
			SourceAddress:           []h225.AliasAddress{H323ID("alice"), E164("6432")},
			SourceInfo:              terminal(),
			DestinationAddress:      []h225.AliasAddress{E164("6433")},
			DestCallSignalAddress:   ptr(IPv4(192, 168, 0, 20, 1720)),
			ConferenceID:            ConferenceID,
			ConferenceGoal:          h225.SetupUUIEConferenceGoal{Choice: h225.SetupUUIEConferenceGoalChoiceCreate},
			CallType:                h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
			SourceCallSignalAddress: &src,
			CallIdentifier:          CallID,
			FastStart:               [][]byte{fs1, fs2},
			MediaWaitForConnect:     false,
			CanOverlapSend:          false,
			HopCount:                &hop,
			SupportedFeatures:       traversalFeatures().SupportedFeatures,
		},
	}
	m := &q931.Message{CallReference: 1, Type: q931.Setup}
	m.SetBearer(q931.BearerValue{TransferCapability: 8, TransferRate: 0x10, Layer1: 5})
	if err := m.SetDisplay("alice"); err != nil {
		return nil, err
	}
	if err := m.SetPartyNumber(q931.CallingPartyNumber, q931.PartyNumber{Plan: 1, Screened: true, Digits: "6432"}); err != nil {
		return nil, err
	}
	if err := m.SetPartyNumber(q931.CalledPartyNumber, q931.PartyNumber{Plan: 1, Digits: "6433"}); err != nil {
		return nil, err
	}
	return m, m.SetUserInformation(uuie(body, true, [][]byte{tcs}))
}

func ptr[T any](v T) *T { return &v }

func csMessage(typ q931.MessageType, fromDestination bool, body h225.H323UUPDUH323MessageBody, set func(*q931.Message)) (*q931.Message, error) {
	m := &q931.Message{CallReference: 1, FromDestination: fromDestination, Type: typ}
	if set != nil {
		set(m)
	}
	return m, m.SetUserInformation(uuie(body, true, nil))
}

func csMessages() ([]Message, error) {
	setup, err := Setup()
	if err != nil {
		return nil, err
	}
	h245Addr := IPv4(192, 168, 0, 20, 1800)
	dest := h225.EndpointType{Terminal: &h225.TerminalInfo{}}
	type entry struct {
		name   string
		typ    q931.MessageType
		body   h225.H323UUPDUH323MessageBody
		set    func(*q931.Message)
		fields []string
	}
	entries := []entry{
		{"Call Proceeding", q931.CallProceeding, h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceCallProceeding,
			CallProceeding: &h225.CallProceedingUUIE{
				ProtocolIdentifier: v7(), DestinationInfo: h225.EndpointType{Gatekeeper: &h225.GatekeeperInfo{}},
				CallIdentifier: CallID}}, nil, nil},
		{"Alerting", q931.Alerting, h225.H323UUPDUH323MessageBody{
			Choice:   h225.H323UUPDUH323MessageBodyChoiceAlerting,
			Alerting: &h225.AlertingUUIE{ProtocolIdentifier: v7(), DestinationInfo: dest, CallIdentifier: CallID}},
			func(m *q931.Message) { m.SetProgress(q931.ProgressValue{Location: 1, Description: 8}) },
			[]string{"q931.progress_indicator.description", "0x08"}},
		{"Connect", q931.Connect, h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceConnect,
			Connect: &h225.ConnectUUIE{ProtocolIdentifier: v7(), H245Address: &h245Addr, DestinationInfo: dest,
				ConferenceID: ConferenceID, CallIdentifier: CallID}},
			func(m *q931.Message) { _ = m.SetDisplay("bob") }, []string{"q931.display_information", "bob", "h225.h245IpPort", "1800"}},
		{"Facility routeCallToGatekeeper", q931.Facility, h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceFacility,
			Facility: &h225.FacilityUUIE{ProtocolIdentifier: v7(), AlternativeAddress: ptr(IPv4(192, 168, 0, 1, 1720)),
				ConferenceID: &ConferenceID,
				Reason:       h225.FacilityReason{Choice: h225.FacilityReasonChoiceRouteCallToGatekeeper}, CallIdentifier: CallID}},
			nil, []string{"h225.reason", itoa(int(h225.FacilityReasonChoiceRouteCallToGatekeeper) - 1), "h225.ipV4", "192.168.0.1"}},
		{"Facility startH245", q931.Facility, h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceFacility,
			Facility: &h225.FacilityUUIE{ProtocolIdentifier: v7(), H245Address: &h245Addr,
				Reason: h225.FacilityReason{Choice: h225.FacilityReasonChoiceStartH245}, CallIdentifier: CallID}},
			nil, []string{"h225.reason", itoa(int(h225.FacilityReasonChoiceStartH245) - 1), "h225.h245IpPort", "1800"}},
		{"Progress", q931.Progress, h225.H323UUPDUH323MessageBody{
			Choice:   h225.H323UUPDUH323MessageBodyChoiceProgress,
			Progress: &h225.ProgressUUIE{ProtocolIdentifier: v7(), DestinationInfo: dest, CallIdentifier: CallID}},
			func(m *q931.Message) { m.SetProgress(q931.ProgressValue{Location: 1, Description: 1}) }, nil},
		{"Release Complete (V5)", q931.ReleaseComplete, h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceReleaseComplete,
			ReleaseComplete: &h225.ReleaseCompleteUUIE{ProtocolIdentifier: v7(),
				Reason:         &h225.ReleaseCompleteReason{Choice: h225.ReleaseCompleteReasonChoiceUndefinedReason},
				CallIdentifier: CallID}},
			func(m *q931.Message) { m.SetCause(q931.CauseValue{Value: 16}) }, []string{"q931.cause_value", "16"}},
	}
	out := []Message{{Name: "Setup with fastStart and h245Control", Transport: CallSignalling, Q931: setup,
		Fields: map[string]string{
			"q931.message_type": "0x05", "h225.h323_message_body": "0", "h225.guid": guidText,
			"h225.h245Tunnelling": "1", "h225.dialledDigits": "6432,6433", "h225.hopCount": "31",
			"q931.calling_party_number.digits": "6432", "q931.called_party_number.digits": "6433",
			"h245.g711Ulaw64k": "20,20", "h245.g711Alaw64k": "20,20",
		}}}
	for _, e := range entries {
		m, err := csMessage(e.typ, e.typ != q931.Setup, e.body, e.set)
		if err != nil {
			return nil, err
		}
		f := map[string]string{
			"q931.message_type":      fmt.Sprintf("0x%02x", uint8(e.typ)),
			"h225.h323_message_body": itoa(int(e.body.Choice) - 1),
			"h225.guid":              guidText,
			"h225.h245Tunnelling":    "1",
		}
		for i := 0; i+1 < len(e.fields); i += 2 {
			f[e.fields[i]] = e.fields[i+1]
		}
		out = append(out, Message{Name: e.name, Transport: CallSignalling, Q931: m, Fields: f})
	}
	return out, nil
}

// All returns the whole corpus: RAS, call signalling, then H.245.
func All() ([]Message, error) {
	r, err := rasMessages()
	if err != nil {
		return nil, err
	}
	c, err := csMessages()
	if err != nil {
		return nil, err
	}
	h, err := h245Messages()
	if err != nil {
		return nil, err
	}
	return append(append(r, c...), h...), nil
}
