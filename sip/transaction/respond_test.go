package transaction

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// SIP-40: a response in a state that does not allow it is refused with
// ErrState naming that state; refusing it while the transaction's timers
// move it on (Timer J terminating it) is free of data races (run with
// -race).
func TestRespondRefusedWhileTerminating(t *testing.T) {
	h := newHarness(t)
	req := request(t, "REGISTER", "z9hG4bKrace")
	h.l.Receive(req, udp)
	tx := <-h.txs
	if err := tx.Respond(response(t, req, 200)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1024)
	started, stop := make(chan struct{}), make(chan struct{})
	wg.Add(1)
	go func() { // refused finals before, during and after the terminate
		defer wg.Done()
		for i := 0; ; i++ {
			err := tx.Respond(response(t, req, 200))
			select {
			case errs <- err:
			default:
			}
			if i == 0 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	<-started
	h.clock.Advance(32 * time.Second) // Timer J: Completed → Terminated
	<-tx.Done()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrState) {
			t.Fatalf("second final response: %v, want ErrState", err)
		}
	}
	<-tx.Done()
	wantState(t, tx.State(), Terminated)
}
