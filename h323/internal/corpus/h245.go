package corpus

import (
	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/h245"
	"github.com/causeway-edge/causeway/h323/h460"
	"github.com/causeway-edge/causeway/h323/per"
)

// H245ProtocolID is the H.245 version 13 protocol identifier used in
// TerminalCapabilitySet (0.0.8.245.0.13).
var H245ProtocolID = per.ObjectIdentifier{0, 0, 8, 245, 0, 13}

func unicast(a, b, c, d byte, port uint16) *h245.TransportAddress {
	return &h245.TransportAddress{
		Choice: h245.TransportAddressChoiceUnicastAddress,
		UnicastAddress: &h245.UnicastAddress{
			Choice:    h245.UnicastAddressChoiceIPAddress,
			IPAddress: &h245.UnicastAddressIPAddress{Network: [4]byte{a, b, c, d}, TsapIdentifier: port},
		},
	}
}

func request(set func(*h245.RequestMessage)) *h245.MultimediaSystemControlMessage {
	r := &h245.RequestMessage{}
	set(r)
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceRequest, Request: r}
}

func response(set func(*h245.ResponseMessage)) *h245.MultimediaSystemControlMessage {
	r := &h245.ResponseMessage{}
	set(r)
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceResponse, Response: r}
}

func command(set func(*h245.CommandMessage)) *h245.MultimediaSystemControlMessage {
	r := &h245.CommandMessage{}
	set(r)
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceCommand, Command: r}
}

func indication(set func(*h245.IndicationMessage)) *h245.MultimediaSystemControlMessage {
	r := &h245.IndicationMessage{}
	set(r)
	return &h245.MultimediaSystemControlMessage{Choice: h245.MultimediaSystemControlMessageChoiceIndication, Indication: r}
}

func audio(choice h245.AudioCapabilityChoice, frames uint16) *h245.AudioCapability {
	a := &h245.AudioCapability{Choice: choice}
	switch choice {
	case h245.AudioCapabilityChoiceG711Ulaw64k:
		a.G711Ulaw64k = frames
	case h245.AudioCapabilityChoiceG711Alaw64k:
		a.G711Alaw64k = frames
	case h245.AudioCapabilityChoiceG729:
		a.G729 = frames
	}
	return a
}

func h263() *h245.VideoCapability {
	one := uint8(1)
	return &h245.VideoCapability{
		Choice: h245.VideoCapabilityChoiceH263VideoCapability,
		H263VideoCapability: &h245.H263VideoCapability{
			QcifMPI: &one, CifMPI: &one, MaxBitRate: 3840,
		},
	}
}

// TerminalCapabilitySet is a TCS with G.711 µ-law, G.711 A-law and G.729
// audio, H.263 video and DTMF user input.
func TerminalCapabilitySet() *h245.MultimediaSystemControlMessage {
	entry := func(n h245.CapabilityTableEntryNumber, c *h245.Capability) h245.CapabilityTableEntry {
		return h245.CapabilityTableEntry{CapabilityTableEntryNumber: n, Capability: c}
	}
	return request(func(r *h245.RequestMessage) {
		r.Choice = h245.RequestMessageChoiceTerminalCapabilitySet
		r.TerminalCapabilitySet = &h245.TerminalCapabilitySet{
			SequenceNumber:     1,
			ProtocolIdentifier: H245ProtocolID,
			MultiplexCapability: &h245.MultiplexCapability{
				Choice: h245.MultiplexCapabilityChoiceH2250Capability,
				H2250Capability: &h245.H2250Capability{
					MaximumAudioDelayJitter: 60,
					ReceiveMultipointCapability: h245.MultipointCapability{
						MediaDistributionCapability: []h245.MediaDistributionCapability{{}},
					},
					TransmitMultipointCapability: h245.MultipointCapability{
						MediaDistributionCapability: []h245.MediaDistributionCapability{{}},
					},
					ReceiveAndTransmitMultipointCapability: h245.MultipointCapability{
						MediaDistributionCapability: []h245.MediaDistributionCapability{{}},
					},
					McCapability:                 h245.H2250CapabilityMcCapability{},
					RTCPVideoControlCapability:   false,
					MediaPacketizationCapability: h245.MediaPacketizationCapability{},
				},
			},
			CapabilityTable: []h245.CapabilityTableEntry{
				entry(1, &h245.Capability{Choice: h245.CapabilityChoiceReceiveAudioCapability, ReceiveAudioCapability: audio(h245.AudioCapabilityChoiceG711Ulaw64k, 20)}),
				entry(2, &h245.Capability{Choice: h245.CapabilityChoiceReceiveAudioCapability, ReceiveAudioCapability: audio(h245.AudioCapabilityChoiceG711Alaw64k, 20)}),
				entry(3, &h245.Capability{Choice: h245.CapabilityChoiceReceiveAudioCapability, ReceiveAudioCapability: audio(h245.AudioCapabilityChoiceG729, 2)}),
				entry(4, &h245.Capability{Choice: h245.CapabilityChoiceReceiveVideoCapability, ReceiveVideoCapability: h263()}),
				entry(5, &h245.Capability{Choice: h245.CapabilityChoiceReceiveUserInputCapability,
					ReceiveUserInputCapability: &h245.UserInputCapability{Choice: h245.UserInputCapabilityChoiceDtmf}}),
			},
			CapabilityDescriptors: []h245.CapabilityDescriptor{{
				CapabilityDescriptorNumber: 0,
				SimultaneousCapabilities: []h245.AlternativeCapabilitySet{
					{1, 2, 3}, {4}, {5},
				},
			}},
		}
	})
}

// traversalInfo is the H.245 genericInformation carrying H.460.19
// TraversalParameters.
func traversalInfo(p *h460.TraversalParameters) ([]h245.GenericInformation, error) {
	raw, err := per.Marshal(p)
	if err != nil {
		return nil, err
	}
	return []h245.GenericInformation{{
		MessageIdentifier: h245.CapabilityIdentifier{Choice: h245.CapabilityIdentifierChoiceStandard, Standard: TraversalOID},
		MessageContent: []h245.GenericParameter{{
			ParameterIdentifier: h245.ParameterIdentifier{Choice: h245.ParameterIdentifierChoiceStandard, Standard: 1},
			ParameterValue:      h245.ParameterValue{Choice: h245.ParameterValueChoiceOctetString, OctetString: raw},
		}},
	}}, nil
}

// OpenLogicalChannel proposes a G.711 µ-law channel to the RTCP port
// 192.168.0.10:5003, optionally with H.460.19 traversal parameters asking
// for multiplexed media.
func OpenLogicalChannel(traversal bool) (*h245.OpenLogicalChannel, error) {
	olc := &h245.OpenLogicalChannel{
		ForwardLogicalChannelNumber: 1,
		ForwardLogicalChannelParameters: h245.OpenLogicalChannelForwardLogicalChannelParameters{
			DataType: h245.DataType{Choice: h245.DataTypeChoiceAudioData, AudioData: audio(h245.AudioCapabilityChoiceG711Ulaw64k, 20)},
			MultiplexParameters: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParameters{
				Choice: h245.OpenLogicalChannelForwardLogicalChannelParametersMultiplexParametersChoiceH2250LogicalChannelParameters,
				H2250LogicalChannelParameters: &h245.H2250LogicalChannelParameters{
					SessionID:           1,
					MediaControlChannel: unicast(192, 168, 0, 10, 5003),
				},
			},
		},
	}
	if traversal {
		info, err := traversalInfo(&h460.TraversalParameters{})
		if err != nil {
			return nil, err
		}
		olc.GenericInformation = info
	}
	return olc, nil
}

func h245Messages() ([]Message, error) {
	olc, err := OpenLogicalChannel(true)
	if err != nil {
		return nil, err
	}
	mux := uint32(0x1234)
	pt := uint8(127)
	interval := h225.TimeToLive(20)
	ackInfo, err := traversalInfo(&h460.TraversalParameters{
		MultiplexedMediaChannel:        unicast(203, 0, 113, 1, 2776),
		MultiplexedMediaControlChannel: unicast(203, 0, 113, 1, 2777),
		MultiplexID:                    &mux,
		KeepAliveChannel:               unicast(203, 0, 113, 1, 2776),
		KeepAlivePayloadType:           &pt,
		KeepAliveInterval:              &interval,
	})
	if err != nil {
		return nil, err
	}
	session := uint8(1)
	type entry struct {
		name   string
		msg    *h245.MultimediaSystemControlMessage
		fields []string
	}
	entries := []entry{
		{"MSD", request(func(r *h245.RequestMessage) {
			r.Choice = h245.RequestMessageChoiceMasterSlaveDetermination
			r.MasterSlaveDetermination = &h245.MasterSlaveDetermination{TerminalType: 60, StatusDeterminationNumber: 12345}
		}), []string{"h245.terminalType", "60", "h245.statusDeterminationNumber", "12345"}},
		{"MSDAck", response(func(r *h245.ResponseMessage) {
			r.Choice = h245.ResponseMessageChoiceMasterSlaveDeterminationAck
			r.MasterSlaveDeterminationAck = &h245.MasterSlaveDeterminationAck{
				Decision: h245.MasterSlaveDeterminationAckDecision{Choice: h245.MasterSlaveDeterminationAckDecisionChoiceSlave}}
		}), []string{"h245.decision", "1"}},
		{"TCS audio and video", TerminalCapabilitySet(), []string{
			"h245.sequenceNumber", "1", "h245.capabilityTableEntryNumber", "1,2,3,4,5",
			"h245.g711Ulaw64k", "20", "h245.g711Alaw64k", "20", "h245.g729", "2", "h245.maxBitRate", "3840"}},
		{"TCSAck", response(func(r *h245.ResponseMessage) {
			r.Choice = h245.ResponseMessageChoiceTerminalCapabilitySetAck
			r.TerminalCapabilitySetAck = &h245.TerminalCapabilitySetAck{SequenceNumber: 1}
		}), []string{"h245.sequenceNumber", "1"}},
		{"OLC with H.460.19 traversal", request(func(r *h245.RequestMessage) {
			r.Choice = h245.RequestMessageChoiceOpenLogicalChannel
			r.OpenLogicalChannel = olc
		}), []string{"h245.forwardLogicalChannelNumber", "1", "h245.sessionID", "1", "h245.tsapIdentifier", "5003", "h245.standardOid", TraversalOID.String()}},
		{"OLCAck with H.460.19 traversal", response(func(r *h245.ResponseMessage) {
			r.Choice = h245.ResponseMessageChoiceOpenLogicalChannelAck
			r.OpenLogicalChannelAck = &h245.OpenLogicalChannelAck{
				ForwardLogicalChannelNumber: 1,
				ForwardMultiplexAckParameters: &h245.OpenLogicalChannelAckForwardMultiplexAckParameters{
					Choice: h245.OpenLogicalChannelAckForwardMultiplexAckParametersChoiceH2250LogicalChannelAckParameters,
					H2250LogicalChannelAckParameters: &h245.H2250LogicalChannelAckParameters{
						SessionID:           &session,
						MediaChannel:        unicast(203, 0, 113, 1, 2776),
						MediaControlChannel: unicast(203, 0, 113, 1, 2777),
					},
				},
				GenericInformation: ackInfo,
			}
		}), []string{"h245.forwardLogicalChannelNumber", "1",
			// mediaChannel, mediaControlChannel, then the three channels of
			// the TraversalParameters inside genericInformation.
			"h245.tsapIdentifier", "2776,2777,2776,2777,2776",
			"h460.19.multiplexID", "4660", "h460.19.keepAlivePayloadType", "127", "h460.19.keepAliveInterval", "20"}},
		{"CLC", request(func(r *h245.RequestMessage) {
			r.Choice = h245.RequestMessageChoiceCloseLogicalChannel
			r.CloseLogicalChannel = &h245.CloseLogicalChannel{
				ForwardLogicalChannelNumber: 1,
				Source:                      h245.CloseLogicalChannelSource{Choice: h245.CloseLogicalChannelSourceChoiceUser},
				Reason:                      h245.CloseLogicalChannelReason{Choice: h245.CloseLogicalChannelReasonChoiceUnknown},
			}
		}), []string{"h245.forwardLogicalChannelNumber", "1"}},
		{"CLCAck", response(func(r *h245.ResponseMessage) {
			r.Choice = h245.ResponseMessageChoiceCloseLogicalChannelAck
			r.CloseLogicalChannelAck = &h245.CloseLogicalChannelAck{ForwardLogicalChannelNumber: 1}
		}), []string{"h245.forwardLogicalChannelNumber", "1"}},
		{"UII alphanumeric (V7)", indication(func(r *h245.IndicationMessage) {
			r.Choice = h245.IndicationMessageChoiceUserInput
			r.UserInput = &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceAlphanumeric, Alphanumeric: "5"}
		}), []string{"h245.alphanumeric", "5"}},
		{"UII signal (V8)", indication(func(r *h245.IndicationMessage) {
			r.Choice = h245.IndicationMessageChoiceUserInput
			r.UserInput = &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceSignal,
				Signal: &h245.UserInputIndicationSignal{SignalType: "5"}}
		}), []string{"h245.signalType", "5"}},
		{"UII signal with duration", indication(func(r *h245.IndicationMessage) {
			d := uint16(250)
			r.Choice = h245.IndicationMessageChoiceUserInput
			r.UserInput = &h245.UserInputIndication{Choice: h245.UserInputIndicationChoiceSignal,
				Signal: &h245.UserInputIndicationSignal{SignalType: "#", Duration: &d}}
		}), []string{"h245.signalType", "#", "h245.duration", "250"}},
		{"miscellaneousCommand videoFastUpdatePicture", command(func(r *h245.CommandMessage) {
			r.Choice = h245.CommandMessageChoiceMiscellaneousCommand
			r.MiscellaneousCommand = &h245.MiscellaneousCommand{
				LogicalChannelNumber: 2,
				Type:                 h245.MiscellaneousCommandType{Choice: h245.MiscellaneousCommandTypeChoiceVideoFastUpdatePicture},
			}
		}), []string{"h245.logicalChannelNumber", "2"}},
		{"flowControlCommand", command(func(r *h245.CommandMessage) {
			r.Choice = h245.CommandMessageChoiceFlowControlCommand
			r.FlowControlCommand = &h245.FlowControlCommand{
				Scope:       h245.FlowControlCommandScope{Choice: h245.FlowControlCommandScopeChoiceLogicalChannelNumber, LogicalChannelNumber: 2},
				Restriction: h245.FlowControlCommandRestriction{Choice: h245.FlowControlCommandRestrictionChoiceMaximumBitRate, MaximumBitRate: 3840},
			}
		}), []string{"h245.maximumBitRate", "3840"}},
		{"roundTripDelayRequest", request(func(r *h245.RequestMessage) {
			r.Choice = h245.RequestMessageChoiceRoundTripDelayRequest
			r.RoundTripDelayRequest = &h245.RoundTripDelayRequest{SequenceNumber: 7}
		}), []string{"h245.sequenceNumber", "7"}},
		{"endSessionCommand disconnect (V6)", command(func(r *h245.CommandMessage) {
			r.Choice = h245.CommandMessageChoiceEndSessionCommand
			r.EndSessionCommand = &h245.EndSessionCommand{Choice: h245.EndSessionCommandChoiceDisconnect}
		}), []string{"h245.endSessionCommand", "1"}},
	}
	var out []Message
	for _, e := range entries {
		f := map[string]string{"h245.pdu_type": itoa(int(e.msg.Choice) - 1)}
		for i := 0; i+1 < len(e.fields); i += 2 {
			f[e.fields[i]] = e.fields[i+1]
		}
		out = append(out, Message{Name: e.name, Transport: H245, H245: e.msg, Fields: f})
	}
	return out, nil
}
