package q931_test

import (
	"fmt"

	"github.com/causeway-edge/causeway/h323/h225"
	"github.com/causeway-edge/causeway/h323/q931"
)

// Example builds an H.225.0 RELEASE COMPLETE and reads it back.
func Example() {
	m := &q931.Message{CallReference: 1, Type: q931.ReleaseComplete}
	m.SetCause(q931.CauseValue{Value: 16}) // normal call clearing
	err := m.SetUserInformation(&h225.H323UserInformation{H323UUPDU: h225.H323UUPDU{
		H323MessageBody: h225.H323UUPDUH323MessageBody{
			Choice: h225.H323UUPDUH323MessageBodyChoiceReleaseComplete,
			ReleaseComplete: &h225.ReleaseCompleteUUIE{
				ProtocolIdentifier: h225.ProtocolIdentifierV7(),
			},
		},
	}})
	if err != nil {
		panic(err)
	}
	wire, _ := m.MarshalBinary()

	back, err := q931.Parse(wire)
	if err != nil {
		panic(err)
	}
	cause, _ := back.Cause()
	uu, _ := back.UserInformation()
	fmt.Println(back.Type, cause.Value, uu.H323UUPDU.H323MessageBody.Choice)
	// Output: RELEASE COMPLETE 16 releaseComplete
}
