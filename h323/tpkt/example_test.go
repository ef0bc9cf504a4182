package tpkt_test

import (
	"bytes"
	"fmt"

	"github.com/causeway-edge/causeway/h323/tpkt"
)

func Example() {
	var conn bytes.Buffer                     // stands in for a TCP connection
	_ = tpkt.Write(&conn, []byte{0x4A, 0x40}) // an H.245 endSessionCommand
	conn.Write(tpkt.KeepAlive)
	_ = tpkt.Write(&conn, []byte{0x6D, 0x40, 0x01, 0x35})

	r := tpkt.NewReader(&conn, 0)
	for {
		p, err := r.Next() // keep-alives are skipped
		if err != nil {
			break
		}
		fmt.Printf("% X\n", p)
	}
	// Output:
	// 4A 40
	// 6D 40 01 35
}
