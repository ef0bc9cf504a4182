package per_test

import (
	"fmt"

	"github.com/causeway-edge/causeway/h323/per"
)

// Example encodes the fields of a small structure by hand the way generated
// code does: a BOOLEAN, a constrained INTEGER(1..65535) and a dialledDigits
// string, then reads them back.
func Example() {
	digits := per.NewCharString(per.IA5String, per.Size{Min: 1, Max: 128}, "0123456789#*,")

	var e per.Encoder
	e.PutBit(true)
	if err := e.PutConstrained(4660, 1, 65535); err != nil {
		panic(err)
	}
	if err := e.PutString("6432", &digits); err != nil {
		panic(err)
	}
	wire := e.Bytes()
	fmt.Printf("% X\n", wire)

	var d per.Decoder
	d.Reset(wire)
	flag, _ := d.Bit()
	seq, _ := d.Constrained(1, 65535)
	s, _ := d.String(&digits)
	fmt.Println(flag, seq, s)
	// Output:
	// 80 12 33 06 97 65
	// true 4660 6432
}

// ExampleError shows the error a truncated input produces: the path of
// components and the bit offset where decoding stopped.
func ExampleError() {
	var d per.Decoder
	d.Reset([]byte{0x12})
	_, err := d.Constrained(0, 65535)
	err = per.Field(err, "requestSeqNum")
	fmt.Println(err)
	// Output: per: requestSeqNum: input truncated: need 16 bits, have 8 at bit 0
}
