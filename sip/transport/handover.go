package transport

import (
	"sync/atomic"
	"time"
)

// Messages are handed to the Receiver in the goroutine that read them: a
// request runs through the transaction layer and the proxy to its
// forwarded copy without a goroutine switch. A Receiver may block (a
// router asking a policy service), so a reader that spends longer than
// stallAfter on one batch hands reading over to a fresh goroutine and,
// once its batch is done, ends.
const stallAfter = 20 * time.Millisecond

// Reader states of a handover.
const (
	readerReading  = iota // in the socket read, or between batches
	readerHandling        // handing a batch to the Receiver
	readerHanded          // the watchdog handed reading over
)

// handover is one reading goroutine's watchdog.
type handover struct {
	state atomic.Int32
	timer *time.Timer
}

// newHandover arms nothing yet; takeOver starts the next reader and
// reports whether it did (not when the transport is closing).
func newHandover(takeOver func() bool) *handover {
	h := &handover{}
	h.timer = time.AfterFunc(time.Hour, func() {
		if h.state.CompareAndSwap(readerHandling, readerHanded) && !takeOver() {
			h.state.Store(readerHandling) // closing: nobody takes over
		}
	})
	h.timer.Stop()
	return h
}

// handling marks the start of a batch.
func (h *handover) handling() {
	h.state.Store(readerHandling)
	h.timer.Reset(stallAfter)
}

// handled marks the end of a batch; false means another goroutine reads
// now and this one must stop.
func (h *handover) handled() bool {
	h.timer.Stop()
	return h.state.CompareAndSwap(readerHandling, readerReading)
}

func (h *handover) stop() { h.timer.Stop() }

// InlineReceive reports that the transport's readers tolerate a Receiver
// that blocks (transaction.InlineReceiver): the transaction layer may run
// its Handler in the reading goroutine.
func (t *Transport) InlineReceive() bool { return true }

// addReader counts a new reading goroutine unless the transport is
// closing.
func (t *Transport) addReader() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return false
	}
	t.wg.Add(1)
	return true
}
