// Command allocrate measures a TURN server's allocation rate: N fresh UDP
// clients, each answering the 401 challenge and allocating a relay, with
// a bounded number in flight. It prints allocations per second.
//
//	go run ./bench/turn/allocrate -server 127.0.0.1:3478 -user user -pass pass -n 1000
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/stun/v3"
)

func main() {
	server := flag.String("server", "127.0.0.1:3478", "TURN server")
	user := flag.String("user", "user", "username")
	pass := flag.String("pass", "pass", "password")
	n := flag.Int("n", 1000, "fresh clients")
	par := flag.Int("parallel", 50, "clients in flight")
	flag.Parse()
	raddr, err := net.ResolveUDPAddr("udp", *server)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var ok, failed atomic.Int64
	sem := make(chan struct{}, *par)
	var wg sync.WaitGroup
	var conns sync.Map // client index -> *session
	start := time.Now()
	for i := 0; i < *n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialUDP("udp", nil, raddr)
			if err != nil {
				failed.Add(1)
				return
			}
			ss := &session{c: c}
			conns.Store(i, ss) // keep the 5-tuple (and allocation) alive until the end
			if err := ss.allocate(*user, *pass); err != nil {
				if failed.Add(1) <= 3 {
					fmt.Fprintln(os.Stderr, "allocrate:", err)
				}
				return
			}
			ok.Add(1)
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("allocations %d failed %d in %v: %.0f allocations/s\n", ok.Load(), failed.Load(), elapsed.Round(time.Millisecond),
		float64(ok.Load())/elapsed.Seconds())
	// Delete the allocations (Refresh with LIFETIME 0) so the next run
	// starts from an empty server.
	conns.Range(func(_, v any) bool {
		wg.Add(1)
		go func(ss *session) {
			defer wg.Done()
			ss.release(*user, *pass)
			ss.c.Close()
		}(v.(*session))
		return true
	})
	wg.Wait()
}

// session is one fresh client.
type session struct {
	c     *net.UDPConn
	realm stun.Realm
	nonce stun.Nonce
	ok    bool
}

func (ss *session) release(user, pass string) {
	if !ss.ok {
		return
	}
	life := stun.RawAttribute{Type: stun.AttrLifetime, Value: []byte{0, 0, 0, 0}}
	m := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodRefresh, stun.ClassRequest), &life,
		stun.NewUsername(user), ss.realm, ss.nonce, stun.NewLongTermIntegrity(user, string(ss.realm), pass), stun.Fingerprint)
	_, _ = roundTrip(ss.c, m)
}

func roundTrip(c *net.UDPConn, m *stun.Message) (*stun.Message, error) {
	buf := make([]byte, 1500)
	for try := 0; try < 5; try++ {
		if _, err := c.Write(m.Raw); err != nil {
			return nil, err
		}
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		for {
			k, err := c.Read(buf)
			if err != nil {
				break // timeout: retransmit
			}
			r := &stun.Message{Raw: append([]byte(nil), buf[:k]...)}
			if r.Decode() == nil && r.TransactionID == m.TransactionID {
				return r, nil
			}
		}
	}
	return nil, errors.New("no answer")
}

func (ss *session) allocate(user, pass string) error {
	c := ss.c
	transport := stun.RawAttribute{Type: stun.AttrRequestedTransport, Value: []byte{17, 0, 0, 0}}
	m := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodAllocate, stun.ClassRequest), &transport, stun.Fingerprint)
	r, err := roundTrip(c, m)
	if err != nil {
		return err
	}
	if err := ss.realm.GetFrom(r); err != nil {
		return err
	}
	if err := ss.nonce.GetFrom(r); err != nil {
		return err
	}
	m = stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodAllocate, stun.ClassRequest), &transport,
		stun.NewUsername(user), ss.realm, ss.nonce, stun.NewLongTermIntegrity(user, string(ss.realm), pass), stun.Fingerprint)
	r, err = roundTrip(c, m)
	if err != nil {
		return err
	}
	if r.Type.Class != stun.ClassSuccessResponse {
		var ec stun.ErrorCodeAttribute
		_ = ec.GetFrom(r)
		return fmt.Errorf("allocate: %v", ec)
	}
	ss.ok = true
	return nil
}
