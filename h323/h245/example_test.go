package h245_test

import (
	"fmt"

	"github.com/causeway-edge/causeway/h323/h245"
	"github.com/causeway-edge/causeway/h323/per"
)

// Example encodes a DTMF digit as a UserInputIndication signal and decodes
// it (spec h323.md §4.3 V8).
func Example() {
	msg := &h245.MultimediaSystemControlMessage{
		Choice: h245.MultimediaSystemControlMessageChoiceIndication,
		Indication: &h245.IndicationMessage{
			Choice: h245.IndicationMessageChoiceUserInput,
			UserInput: &h245.UserInputIndication{
				Choice: h245.UserInputIndicationChoiceSignal,
				Signal: &h245.UserInputIndicationSignal{SignalType: "5"},
			},
		},
	}
	b, err := per.Marshal(msg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% X\n", b)

	var got h245.MultimediaSystemControlMessage
	if err := per.Unmarshal(b, &got); err != nil {
		panic(err)
	}
	fmt.Println(got.Indication.UserInput.Choice, got.Indication.UserInput.Signal.SignalType)
	// Output:
	// 6D 81 02 06 A0
	// signal 5
}
