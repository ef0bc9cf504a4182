package turn_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/causeway-edge/causeway/turn"
)

// Changing the configuration of a running server takes a restart
// (TURN-3): Reconfigure keeps the new configuration pending, Restart
// deletes every allocation and applies it.
func ExampleServer_Restart() {
	lo := netip.MustParseAddr("127.0.0.1")
	cfg := turn.Config{
		Listeners:    []turn.Listener{{Network: turn.UDP, Addr: netip.AddrPortFrom(lo, 0)}},
		RelayAddress: lo, RelayPortMin: 27000, RelayPortMax: 27099, MaxRelays: 100,
		Realm: "example.org", Credentials: turn.StaticCredentials{"alice": "secret"},
	}
	s, err := turn.NewServer(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	cfg.Realm = "example.net"
	err = s.Reconfigure(cfg)
	fmt.Println("restart required:", errors.Is(err, turn.ErrRestartRequired))
	pending, _ := s.Pending()
	fmt.Println("pending realm:", pending.Realm)
	if err := s.Restart(ctx); err != nil {
		fmt.Println(err)
		return
	}
	_, still := s.Pending()
	fmt.Println("pending after restart:", still)
	// Output:
	// restart required: true
	// pending realm: example.net
	// pending after restart: false
}
