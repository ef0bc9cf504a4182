// Package corpus builds a set of representative H.323 messages from the
// generated types: every RAS request with its confirm and reject, the
// H.225.0 call-signalling messages with their UUIEs, and the H.245 messages
// a call uses, including the H.460.18 and H.460.19 traversal parameters.
// Tests cross-check the set against tshark, seed fuzz targets with it and
// benchmark on it.
package corpus

import (
	"fmt"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/h245"
	"github.com/causeway-edge/causeway/h323/per"
	"github.com/causeway-edge/causeway/h323/q931"
	"github.com/causeway-edge/causeway/h323/tpkt"
)

// Transport says how a message travels.
type Transport int

const (
	// RAS is one PER RasMessage per UDP datagram (port 1719).
	RAS Transport = iota
	// CallSignalling is a Q.931 message in a TPKT over TCP (port 1720).
	CallSignalling
	// H245 is a PER MultimediaSystemControlMessage in a TPKT over TCP.
	H245
)

// Message is one corpus entry.
type Message struct {
	Name      string
	Transport Transport
	RAS       *h225.RasMessage
	Q931      *q931.Message
	H245      *h245.MultimediaSystemControlMessage
	// Raw, when set, is the payload itself (a golden vector given as
	// octets rather than as a value).
	Raw []byte
	// Fields are tshark field names with the values tshark must print
	// for them (several occurrences joined by commas).
	Fields map[string]string
}

// Payload returns the message as it is carried on its transport: the PER
// datagram for RAS, the TPKT packet for call signalling and H.245.
func (m Message) Payload() ([]byte, error) {
	if m.Raw != nil {
		return m.Raw, nil
	}
	switch m.Transport {
	case RAS:
		return per.Marshal(m.RAS)
	case CallSignalling:
		b, err := m.Q931.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return tpkt.Append(nil, b)
	default:
		b, err := per.Marshal(m.H245)
		if err != nil {
			return nil, err
		}
		return tpkt.Append(nil, b)
	}
}

// Addresses and identifiers shared by the corpus.
var (
	// CallID is the callIdentifier of the corpus call.
	CallID = h225.CallIdentifier{GUID: h225.GloballyUniqueID{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF}}
	// ConferenceID is the conferenceID of the corpus call.
	ConferenceID = h225.ConferenceIdentifier{0xC0, 0x4F, 0x1E, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D}
	gkID         = h225.GatekeeperIdentifier("gk.example.com")
	epID         = h225.EndpointIdentifier("EP0001")
	// H46018 and H46019 are the feature identifiers of H.460.18/19 in
	// genericData (GenericIdentifier standard).
	H46018 = int64(18)
	H46019 = int64(19)
	// TraversalOID identifies H.460.19 TraversalParameters in H.245
	// genericInformation.
	TraversalOID = per.ObjectIdentifier{0, 0, 8, 460, 19, 0, 1}
)

func v7() h225.ProtocolIdentifier { return h225.ProtocolIdentifierV7() }

// IPv4 returns an H.225.0 ipAddress transport address.
func IPv4(a, b, c, d byte, port uint16) h225.TransportAddress {
	return h225.TransportAddress{
		Choice:    h225.TransportAddressChoiceIPAddress,
		IPAddress: &h225.TransportAddressIPAddress{IP: [4]byte{a, b, c, d}, Port: port},
	}
}

// H323ID returns an h323-ID alias.
func H323ID(s string) h225.AliasAddress {
	return h225.AliasAddress{Choice: h225.AliasAddressChoiceH323ID, H323ID: s}
}

// E164 returns a dialledDigits alias.
func E164(s string) h225.AliasAddress {
	return h225.AliasAddress{Choice: h225.AliasAddressChoiceDialledDigits, DialledDigits: s}
}

// URL returns a url-ID alias.
func URL(s string) h225.AliasAddress {
	return h225.AliasAddress{Choice: h225.AliasAddressChoiceURLID, URLID: s}
}

func terminal() h225.EndpointType {
	return h225.EndpointType{Terminal: &h225.TerminalInfo{}}
}

func vendor() h225.VendorIdentifier {
	return h225.VendorIdentifier{
		Vendor:    h225.H221NonStandard{T35CountryCode: 181, ManufacturerCode: 0x1234},
		ProductID: []byte("Causeway"),
		VersionID: []byte("1.0"),
	}
}

// traversalFeatures is the featureSet advertising H.460.18 and H.460.19.
func traversalFeatures() *h225.FeatureSet {
	return &h225.FeatureSet{SupportedFeatures: []h225.FeatureDescriptor{
		{ID: h225.GenericIdentifier{Choice: h225.GenericIdentifierChoiceStandard, Standard: H46018}},
		{ID: h225.GenericIdentifier{Choice: h225.GenericIdentifierChoiceStandard, Standard: H46019}},
	}}
}

func ras(choice h225.RasMessageChoice, set func(*h225.RasMessage)) *h225.RasMessage {
	m := &h225.RasMessage{Choice: choice}
	set(m)
	return m
}

func rasFields(index, seq int, more ...string) map[string]string {
	f := map[string]string{"h225.RasMessage": fmt.Sprint(index), "h225.requestSeqNum": fmt.Sprint(seq)}
	for i := 0; i+1 < len(more); i += 2 {
		f[more[i]] = more[i+1]
	}
	return f
}

// RegistrationRequest is a full RRQ of alice with H.460.18/19 in its
// featureSet.
func RegistrationRequest() *h225.RasMessage {
	ttl := h225.TimeToLive(300)
	return ras(h225.RasMessageChoiceRegistrationRequest, func(m *h225.RasMessage) {
		m.RegistrationRequest = &h225.RegistrationRequest{
			RequestSeqNum:      2,
			ProtocolIdentifier: v7(),
			DiscoveryComplete:  true,
			CallSignalAddress:  []h225.TransportAddress{IPv4(192, 168, 0, 10, 1720)},
			RasAddress:         []h225.TransportAddress{IPv4(192, 168, 0, 10, 1719)},
			TerminalType:       terminal(),
			TerminalAlias:      []h225.AliasAddress{H323ID("alice"), E164("6432"), URL("alice@example.com")},
			EndpointVendor:     vendor(),
			TimeToLive:         &ttl,
			KeepAlive:          false,
			WillSupplyUUIEs:    false,
			MaintainConnection: false,
			FeatureSet:         traversalFeatures(),
		}
	})
}

// KeepAliveRequest is a lightweight RRQ (keepAlive TRUE, no aliases).
func KeepAliveRequest() *h225.RasMessage {
	ttl := h225.TimeToLive(300)
	id := epID
	return ras(h225.RasMessageChoiceRegistrationRequest, func(m *h225.RasMessage) {
		m.RegistrationRequest = &h225.RegistrationRequest{
			RequestSeqNum:        3,
			ProtocolIdentifier:   v7(),
			CallSignalAddress:    []h225.TransportAddress{IPv4(192, 168, 0, 10, 1720)},
			RasAddress:           []h225.TransportAddress{IPv4(192, 168, 0, 10, 1719)},
			TerminalType:         terminal(),
			GatekeeperIdentifier: &gkID,
			EndpointVendor:       vendor(),
			TimeToLive:           &ttl,
			KeepAlive:            true,
			EndpointIdentifier:   &id,
		}
	})
}

// AdmissionRequest is an ARQ for a call from alice to 6433.
func AdmissionRequest() *h225.RasMessage {
	return ras(h225.RasMessageChoiceAdmissionRequest, func(m *h225.RasMessage) {
		m.AdmissionRequest = &h225.AdmissionRequest{
			RequestSeqNum:      10,
			CallType:           h225.CallType{Choice: h225.CallTypeChoicePointToPoint},
			CallModel:          &h225.CallModel{Choice: h225.CallModelChoiceGatekeeperRouted},
			EndpointIdentifier: epID,
			DestinationInfo:    []h225.AliasAddress{E164("6433")},
			SrcInfo:            []h225.AliasAddress{H323ID("alice"), E164("6432")},
			BandWidth:          7680,
			CallReferenceValue: 1,
			ConferenceID:       ConferenceID,
			CallIdentifier:     CallID,
			CanMapAlias:        true,
			WillSupplyUUIEs:    true,
		}
	})
}
