package h225_test

import (
	"fmt"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/per"
)

// Example builds a registration request, encodes it for a RAS datagram and
// decodes it again.
func Example() {
	rrq := &h225.RasMessage{
		Choice: h225.RasMessageChoiceRegistrationRequest,
		RegistrationRequest: &h225.RegistrationRequest{
			RequestSeqNum:      1,
			ProtocolIdentifier: h225.ProtocolIdentifierV7(),
			CallSignalAddress: []h225.TransportAddress{{
				Choice:    h225.TransportAddressChoiceIPAddress,
				IPAddress: &h225.TransportAddressIPAddress{IP: [4]byte{192, 168, 0, 10}, Port: 1720},
			}},
			RasAddress: []h225.TransportAddress{{
				Choice:    h225.TransportAddressChoiceIPAddress,
				IPAddress: &h225.TransportAddressIPAddress{IP: [4]byte{192, 168, 0, 10}, Port: 1719},
			}},
			TerminalType: h225.EndpointType{Terminal: &h225.TerminalInfo{}},
			TerminalAlias: []h225.AliasAddress{
				{Choice: h225.AliasAddressChoiceH323ID, H323ID: "alice"},
				{Choice: h225.AliasAddressChoiceDialledDigits, DialledDigits: "6432"},
			},
			EndpointVendor: h225.VendorIdentifier{Vendor: h225.H221NonStandard{T35CountryCode: 181}},
		},
	}
	datagram, err := per.Marshal(rrq)
	if err != nil {
		panic(err)
	}

	var got h225.RasMessage
	if err := per.Unmarshal(datagram, &got); err != nil {
		panic(err)
	}
	r := got.RegistrationRequest
	fmt.Println(got.Choice, r.RequestSeqNum, r.TerminalAlias[0].H323ID, r.TerminalAlias[1].DialledDigits, r.KeepAlive)
	// Output: registrationRequest 1 alice 6432 false
}
