package corpus

import (
	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/h460"
	"github.com/causeway-edge/causeway/h323/per"
)

// rasMessages returns one message per RAS request, confirm and reject, the
// lightweight RRQ, and the extension alternatives.
func rasMessages() ([]Message, error) {
	gk := gkID
	sci, err := incomingCallIndication()
	if err != nil {
		return nil, err
	}
	type entry struct {
		name   string
		msg    *h225.RasMessage
		fields []string
	}
	entries := []entry{
		{"GRQ", ras(h225.RasMessageChoiceGatekeeperRequest, func(m *h225.RasMessage) {
			m.GatekeeperRequest = &h225.GatekeeperRequest{
				RequestSeqNum: 1, ProtocolIdentifier: v7(),
				RasAddress: IPv4(192, 168, 0, 10, 1719), EndpointType: terminal(),
				EndpointAlias: []h225.AliasAddress{H323ID("alice")},
				FeatureSet:    traversalFeatures(),
			}
		}), []string{"h225.h323_ID", "alice"}},
		{"GCF", ras(h225.RasMessageChoiceGatekeeperConfirm, func(m *h225.RasMessage) {
			m.GatekeeperConfirm = &h225.GatekeeperConfirm{
				RequestSeqNum: 1, ProtocolIdentifier: v7(), GatekeeperIdentifier: &gk,
				RasAddress: IPv4(192, 168, 0, 1, 1719),
			}
		}), []string{"h225.gatekeeperIdentifier", "gk.example.com"}},
		{"GRJ", ras(h225.RasMessageChoiceGatekeeperReject, func(m *h225.RasMessage) {
			m.GatekeeperReject = &h225.GatekeeperReject{
				RequestSeqNum: 1, ProtocolIdentifier: v7(),
				RejectReason: h225.GatekeeperRejectReason{Choice: h225.GatekeeperRejectReasonChoiceTerminalExcluded},
			}
		}), []string{"h225.rejectReason", itoa(int(h225.GatekeeperRejectReasonChoiceTerminalExcluded) - 1)}},
		{"RRQ with H.460.18/19 featureSet", RegistrationRequest(), []string{
			"h225.h323_ID", "alice", "h225.dialledDigits", "6432", "h225.url_ID", "alice@example.com",
			"h225.timeToLive", "300", "h225.standard", "18,19"}},
		{"RRQ lightweight keep-alive", KeepAliveRequest(), []string{
			"h225.keepAlive", "1", "h225.endpointIdentifier", "EP0001"}},
		{"RCF", ras(h225.RasMessageChoiceRegistrationConfirm, func(m *h225.RasMessage) {
			ttl := h225.TimeToLive(300)
			m.RegistrationConfirm = &h225.RegistrationConfirm{
				RequestSeqNum: 2, ProtocolIdentifier: v7(),
				CallSignalAddress:    []h225.TransportAddress{IPv4(192, 168, 0, 1, 1720)},
				TerminalAlias:        []h225.AliasAddress{H323ID("alice"), E164("6432")},
				GatekeeperIdentifier: &gk, EndpointIdentifier: epID, TimeToLive: &ttl,
				AlternateGatekeeper: []h225.AlternateGK{{RasAddress: IPv4(192, 168, 0, 2, 1719), NeedToRegister: true, Priority: 1}},
				FeatureSet:          traversalFeatures(),
			}
		}), []string{"h225.endpointIdentifier", "EP0001", "h225.timeToLive", "300", "h225.priority", "1"}},
		{"RRJ duplicateAlias", ras(h225.RasMessageChoiceRegistrationReject, func(m *h225.RasMessage) {
			m.RegistrationReject = &h225.RegistrationReject{
				RequestSeqNum: 2, ProtocolIdentifier: v7(),
				RejectReason: h225.RegistrationRejectReason{
					Choice: h225.RegistrationRejectReasonChoiceDuplicateAlias, DuplicateAlias: []h225.AliasAddress{E164("6432")}},
			}
		}), []string{"h225.rejectReason", itoa(int(h225.RegistrationRejectReasonChoiceDuplicateAlias) - 1), "h225.dialledDigits", "6432"}},
		{"URQ", ras(h225.RasMessageChoiceUnregistrationRequest, func(m *h225.RasMessage) {
			id := epID
			m.UnregistrationRequest = &h225.UnregistrationRequest{
				RequestSeqNum: 4, CallSignalAddress: []h225.TransportAddress{IPv4(192, 168, 0, 10, 1720)},
				EndpointIdentifier: &id,
				Reason:             &h225.UnregRequestReason{Choice: h225.UnregRequestReasonChoiceMaintenance},
			}
		}), []string{"h225.endpointIdentifier", "EP0001"}},
		{"UCF", ras(h225.RasMessageChoiceUnregistrationConfirm, func(m *h225.RasMessage) {
			m.UnregistrationConfirm = &h225.UnregistrationConfirm{RequestSeqNum: 4}
		}), nil},
		{"URJ", ras(h225.RasMessageChoiceUnregistrationReject, func(m *h225.RasMessage) {
			m.UnregistrationReject = &h225.UnregistrationReject{
				RequestSeqNum: 4, RejectReason: h225.UnregRejectReason{Choice: h225.UnregRejectReasonChoiceNotCurrentlyRegistered}}
		}), []string{"h225.rejectReason", itoa(int(h225.UnregRejectReasonChoiceNotCurrentlyRegistered) - 1)}},
		{"ARQ", AdmissionRequest(), []string{"h225.bandWidth", "7680", "h225.dialledDigits", "6433,6432", "h225.guid", guidText}},
		{"ACF", ras(h225.RasMessageChoiceAdmissionConfirm, func(m *h225.RasMessage) {
			m.AdmissionConfirm = &h225.AdmissionConfirm{
				RequestSeqNum: 10, BandWidth: 7680,
				CallModel:             h225.CallModel{Choice: h225.CallModelChoiceGatekeeperRouted},
				DestCallSignalAddress: IPv4(192, 168, 0, 1, 1720),
				WillRespondToIRR:      true,
				UuiesRequested:        h225.UUIEsRequested{Setup: true, ReleaseComplete: true},
			}
		}), []string{"h225.bandWidth", "7680", "h225.callModel", itoa(int(h225.CallModelChoiceGatekeeperRouted) - 1)}},
		{"ARJ", ras(h225.RasMessageChoiceAdmissionReject, func(m *h225.RasMessage) {
			m.AdmissionReject = &h225.AdmissionReject{
				RequestSeqNum: 10, RejectReason: h225.AdmissionRejectReason{Choice: h225.AdmissionRejectReasonChoiceCalledPartyNotRegistered}}
		}), []string{"h225.rejectReason", itoa(int(h225.AdmissionRejectReasonChoiceCalledPartyNotRegistered) - 1)}},
		{"BRQ", ras(h225.RasMessageChoiceBandwidthRequest, func(m *h225.RasMessage) {
			m.BandwidthRequest = &h225.BandwidthRequest{
				RequestSeqNum: 11, EndpointIdentifier: epID, ConferenceID: ConferenceID,
				CallReferenceValue: 1, BandWidth: 3840, CallIdentifier: CallID}
		}), []string{"h225.bandWidth", "3840"}},
		{"BCF", ras(h225.RasMessageChoiceBandwidthConfirm, func(m *h225.RasMessage) {
			m.BandwidthConfirm = &h225.BandwidthConfirm{RequestSeqNum: 11, BandWidth: 3840}
		}), []string{"h225.bandWidth", "3840"}},
		{"BRJ", ras(h225.RasMessageChoiceBandwidthReject, func(m *h225.RasMessage) {
			m.BandwidthReject = &h225.BandwidthReject{
				RequestSeqNum: 11, RejectReason: h225.BandRejectReason{Choice: h225.BandRejectReasonChoiceInsufficientResources},
				AllowedBandWidth: 1920}
		}), []string{"h225.allowedBandWidth", "1920"}},
		{"DRQ", ras(h225.RasMessageChoiceDisengageRequest, func(m *h225.RasMessage) {
			m.DisengageRequest = &h225.DisengageRequest{
				RequestSeqNum: 12, EndpointIdentifier: epID, ConferenceID: ConferenceID, CallReferenceValue: 1,
				DisengageReason: h225.DisengageReason{Choice: h225.DisengageReasonChoiceForcedDrop},
				CallIdentifier:  CallID, AnsweredCall: true}
		}), []string{"h225.disengageReason", itoa(int(h225.DisengageReasonChoiceForcedDrop) - 1), "h225.guid", guidText}},
		{"DCF", ras(h225.RasMessageChoiceDisengageConfirm, func(m *h225.RasMessage) {
			m.DisengageConfirm = &h225.DisengageConfirm{RequestSeqNum: 12}
		}), nil},
		{"DRJ", ras(h225.RasMessageChoiceDisengageReject, func(m *h225.RasMessage) {
			m.DisengageReject = &h225.DisengageReject{
				RequestSeqNum: 12, RejectReason: h225.DisengageRejectReason{Choice: h225.DisengageRejectReasonChoiceRequestToDropOther}}
		}), []string{"h225.rejectReason", itoa(int(h225.DisengageRejectReasonChoiceRequestToDropOther) - 1)}},
		{"LRQ", ras(h225.RasMessageChoiceLocationRequest, func(m *h225.RasMessage) {
			hop := uint8(15)
			m.LocationRequest = &h225.LocationRequest{
				RequestSeqNum: 13, DestinationInfo: []h225.AliasAddress{URL("bob@example.com")},
				ReplyAddress: IPv4(192, 168, 0, 1, 1719), SourceInfo: []h225.AliasAddress{H323ID("alice")},
				CanMapAlias: true, GatekeeperIdentifier: &gk, HopCount: &hop, CallIdentifier: &CallID}
		}), []string{"h225.url_ID", "bob@example.com", "h225.hopCount", "15"}},
		{"LCF", ras(h225.RasMessageChoiceLocationConfirm, func(m *h225.RasMessage) {
			m.LocationConfirm = &h225.LocationConfirm{
				RequestSeqNum: 13, CallSignalAddress: IPv4(10, 0, 0, 5, 1720), RasAddress: IPv4(10, 0, 0, 5, 1719),
				DestinationInfo: []h225.AliasAddress{URL("bob@example.com")}}
		}), []string{"h225.ipV4", "10.0.0.5,10.0.0.5", "h225.ipV4_port", "1720,1719"}},
		{"LRJ hopCountExceeded", ras(h225.RasMessageChoiceLocationReject, func(m *h225.RasMessage) {
			m.LocationReject = &h225.LocationReject{
				RequestSeqNum: 13, RejectReason: h225.LocationRejectReason{Choice: h225.LocationRejectReasonChoiceHopCountExceeded}}
		}), []string{"h225.rejectReason", itoa(int(h225.LocationRejectReasonChoiceHopCountExceeded) - 1)}},
		{"IRQ", ras(h225.RasMessageChoiceInfoRequest, func(m *h225.RasMessage) {
			m.InfoRequest = &h225.InfoRequest{RequestSeqNum: 14, CallReferenceValue: 1, CallIdentifier: CallID}
		}), []string{"h225.guid", guidText}},
		{"IRR", ras(h225.RasMessageChoiceInfoRequestResponse, func(m *h225.RasMessage) {
			m.InfoRequestResponse = &h225.InfoRequestResponse{
				RequestSeqNum: 14, EndpointType: terminal(), EndpointIdentifier: epID,
				RasAddress:        IPv4(192, 168, 0, 10, 1719),
				CallSignalAddress: []h225.TransportAddress{IPv4(192, 168, 0, 10, 1720)},
				EndpointAlias:     []h225.AliasAddress{H323ID("alice")},
				NeedResponse:      true, Unsolicited: true,
			}
		}), []string{"h225.needResponse", "1", "h225.unsolicited", "1"}},
		{"XRS unknownMessageResponse", ras(h225.RasMessageChoiceUnknownMessageResponse, func(m *h225.RasMessage) {
			m.UnknownMessageResponse = &h225.UnknownMessageResponse{RequestSeqNum: 15, MessageNotUnderstood: []byte{0xFF, 0x01}}
		}), nil},
		{"RIP", ras(h225.RasMessageChoiceRequestInProgress, func(m *h225.RasMessage) {
			m.RequestInProgress = &h225.RequestInProgress{RequestSeqNum: 2, Delay: 10000}
		}), []string{"h225.delay", "10000"}},
		{"RAI", ras(h225.RasMessageChoiceResourcesAvailableIndicate, func(m *h225.RasMessage) {
			m.ResourcesAvailableIndicate = &h225.ResourcesAvailableIndicate{
				RequestSeqNum: 16, ProtocolIdentifier: v7(), EndpointIdentifier: epID,
				Protocols: []h225.SupportedProtocols{{Choice: h225.SupportedProtocolsChoiceVoice, Voice: &h225.VoiceCaps{}}}}
		}), []string{"h225.almostOutOfResources", "0"}},
		{"RAC", ras(h225.RasMessageChoiceResourcesAvailableConfirm, func(m *h225.RasMessage) {
			m.ResourcesAvailableConfirm = &h225.ResourcesAvailableConfirm{RequestSeqNum: 16, ProtocolIdentifier: v7()}
		}), nil},
		{"IACK", ras(h225.RasMessageChoiceInfoRequestAck, func(m *h225.RasMessage) {
			m.InfoRequestAck = &h225.InfoRequestAck{RequestSeqNum: 14}
		}), nil},
		{"INAK", ras(h225.RasMessageChoiceInfoRequestNak, func(m *h225.RasMessage) {
			m.InfoRequestNak = &h225.InfoRequestNak{RequestSeqNum: 14, NakReason: h225.InfoRequestNakReason{Choice: h225.InfoRequestNakReasonChoiceNotRegistered}}
		}), []string{"h225.nakReason", itoa(int(h225.InfoRequestNakReasonChoiceNotRegistered) - 1)}},
		{"SCI with H.460.18 incoming call", ras(h225.RasMessageChoiceServiceControlIndication, func(m *h225.RasMessage) {
			m.ServiceControlIndication = &h225.ServiceControlIndication{
				RequestSeqNum: 17, ServiceControl: []h225.ServiceControlSession{},
				GenericData: []h225.GenericData{{
					ID: h225.GenericIdentifier{Choice: h225.GenericIdentifierChoiceStandard, Standard: H46018},
					Parameters: []h225.EnumeratedParameter{{
						ID:      h225.GenericIdentifier{Choice: h225.GenericIdentifierChoiceStandard, Standard: 1},
						Content: &h225.Content{Choice: h225.ContentChoiceRaw, Raw: sci},
					}},
				}},
			}
		}), []string{"h225.standard", "18,1", "h460.18.callSignallingAddress", "0"}},
		{"SCR", ras(h225.RasMessageChoiceServiceControlResponse, func(m *h225.RasMessage) {
			m.ServiceControlResponse = &h225.ServiceControlResponse{RequestSeqNum: 17}
		}), nil},
	}
	var out []Message
	for _, e := range entries {
		out = append(out, Message{
			Name: e.name, Transport: RAS, RAS: e.msg,
			Fields: rasFields(int(e.msg.Choice)-1, int(requestSeqNum(e.msg)), e.fields...),
		})
	}
	return out, nil
}

// guidText is CallID as tshark prints a GUID.
const guidText = "00112233-4455-6677-8899-aabbccddeeff"

// incomingCallIndication encodes the H.460.18 IncomingCallIndication that
// an SCI carries to a NATed endpoint.
func incomingCallIndication() ([]byte, error) {
	return per.Marshal(&h460.IncomingCallIndication{
		CallSignallingAddress: IPv4(203, 0, 113, 1, 2777),
		CallID:                CallID,
	})
}

// requestSeqNum extracts the sequence number every RAS message carries.
func requestSeqNum(m *h225.RasMessage) h225.RequestSeqNum {
	switch m.Choice {
	case h225.RasMessageChoiceGatekeeperRequest:
		return m.GatekeeperRequest.RequestSeqNum
	case h225.RasMessageChoiceGatekeeperConfirm:
		return m.GatekeeperConfirm.RequestSeqNum
	case h225.RasMessageChoiceGatekeeperReject:
		return m.GatekeeperReject.RequestSeqNum
	case h225.RasMessageChoiceRegistrationRequest:
		return m.RegistrationRequest.RequestSeqNum
	case h225.RasMessageChoiceRegistrationConfirm:
		return m.RegistrationConfirm.RequestSeqNum
	case h225.RasMessageChoiceRegistrationReject:
		return m.RegistrationReject.RequestSeqNum
	case h225.RasMessageChoiceUnregistrationRequest:
		return m.UnregistrationRequest.RequestSeqNum
	case h225.RasMessageChoiceUnregistrationConfirm:
		return m.UnregistrationConfirm.RequestSeqNum
	case h225.RasMessageChoiceUnregistrationReject:
		return m.UnregistrationReject.RequestSeqNum
	case h225.RasMessageChoiceAdmissionRequest:
		return m.AdmissionRequest.RequestSeqNum
	case h225.RasMessageChoiceAdmissionConfirm:
		return m.AdmissionConfirm.RequestSeqNum
	case h225.RasMessageChoiceAdmissionReject:
		return m.AdmissionReject.RequestSeqNum
	case h225.RasMessageChoiceBandwidthRequest:
		return m.BandwidthRequest.RequestSeqNum
	case h225.RasMessageChoiceBandwidthConfirm:
		return m.BandwidthConfirm.RequestSeqNum
	case h225.RasMessageChoiceBandwidthReject:
		return m.BandwidthReject.RequestSeqNum
	case h225.RasMessageChoiceDisengageRequest:
		return m.DisengageRequest.RequestSeqNum
	case h225.RasMessageChoiceDisengageConfirm:
		return m.DisengageConfirm.RequestSeqNum
	case h225.RasMessageChoiceDisengageReject:
		return m.DisengageReject.RequestSeqNum
	case h225.RasMessageChoiceLocationRequest:
		return m.LocationRequest.RequestSeqNum
	case h225.RasMessageChoiceLocationConfirm:
		return m.LocationConfirm.RequestSeqNum
	case h225.RasMessageChoiceLocationReject:
		return m.LocationReject.RequestSeqNum
	case h225.RasMessageChoiceInfoRequest:
		return m.InfoRequest.RequestSeqNum
	case h225.RasMessageChoiceInfoRequestResponse:
		return m.InfoRequestResponse.RequestSeqNum
	case h225.RasMessageChoiceUnknownMessageResponse:
		return m.UnknownMessageResponse.RequestSeqNum
	case h225.RasMessageChoiceRequestInProgress:
		return m.RequestInProgress.RequestSeqNum
	case h225.RasMessageChoiceResourcesAvailableIndicate:
		return m.ResourcesAvailableIndicate.RequestSeqNum
	case h225.RasMessageChoiceResourcesAvailableConfirm:
		return m.ResourcesAvailableConfirm.RequestSeqNum
	case h225.RasMessageChoiceInfoRequestAck:
		return m.InfoRequestAck.RequestSeqNum
	case h225.RasMessageChoiceInfoRequestNak:
		return m.InfoRequestNak.RequestSeqNum
	case h225.RasMessageChoiceServiceControlIndication:
		return m.ServiceControlIndication.RequestSeqNum
	case h225.RasMessageChoiceServiceControlResponse:
		return m.ServiceControlResponse.RequestSeqNum
	}
	return 0
}
