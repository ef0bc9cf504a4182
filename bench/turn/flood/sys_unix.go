//go:build unix

package main

import (
	"syscall"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

// errTryAgain is a full socket buffer.
var errTryAgain error = syscall.EAGAIN

// setBuffers asks for n-byte receive and send buffers (the kernel caps
// them at net.core.rmem_max/wmem_max); best effort.
func setBuffers(s *udpbatch.Socket, n int) {
	_ = s.Control(func(fd uintptr) error {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
		return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, n)
	})
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
