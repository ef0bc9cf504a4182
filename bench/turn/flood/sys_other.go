//go:build !unix

package main

import (
	"errors"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

// errTryAgain never matches off Unix.
var errTryAgain = errors.New("flood: no EAGAIN here")

func setBuffers(*udpbatch.Socket, int) {}

func cpuTime() time.Duration { return 0 }
