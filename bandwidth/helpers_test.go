package bandwidth

import (
	"strconv"
	"sync"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

func testTime() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

var benchIDs struct {
	mu sync.Mutex
	n  int
}

func nextBenchID() int {
	benchIDs.mu.Lock()
	defer benchIDs.mu.Unlock()
	benchIDs.n++
	return benchIDs.n
}
