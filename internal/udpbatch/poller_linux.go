//go:build linux

package udpbatch

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Poller serves many Sockets from one epoll instance on one goroutine:
// when any of them is readable, that goroutine reads a batch from every
// ready socket and calls each socket's handler in turn. The epoll
// descriptor itself waits in the Go runtime's network poller, so an idle
// poller holds no thread, and a wake-up serves every socket that became
// ready meanwhile — a relayed packet and its answer often share one —
// in place of one goroutine wake per socket and packet. Reads and the
// waits are raw non-blocking system calls. Handlers must not block.
type Poller struct {
	epfd    int
	file    *os.File // epfd in the runtime poller
	rc      syscall.RawConn
	mu      sync.Mutex
	entries map[uint64]pollEntry
	next    uint64
	closed  bool
	done    chan struct{}
	events  []unix.EpollEvent
	ready   int
	waitFn  func(fd uintptr) bool
}

type pollEntry struct {
	r  *Reader
	s  *Socket
	fn func(n int)
}

// ErrPollerClosed is returned by Add after Close.
var ErrPollerClosed = errors.New("udpbatch: poller closed")

// NewPoller creates a poller and starts its goroutine; Close stops it.
func NewPoller() (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("udpbatch: epoll: %w", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("udpbatch: epoll: %w", err)
	}
	f := os.NewFile(uintptr(epfd), "epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("udpbatch: epoll: %w", err)
	}
	p := &Poller{epfd: epfd, file: f, rc: rc, entries: make(map[uint64]pollEntry), next: 1,
		done: make(chan struct{}), events: make([]unix.EpollEvent, 64)}
	p.waitFn = p.poll
	go p.run()
	return p, nil
}

// Add registers s, read through r (from NewSocketReader(s, …)): whenever
// datagrams are waiting, the poller reads up to BatchSize of them into
// r.Msgs and calls fn with their count, on the poller's goroutine. A
// socket belongs to one poller.
func (p *Poller) Add(s *Socket, r *Reader, fn func(n int)) error {
	if r.sock != s {
		return errors.New("udpbatch: reader is not over this socket")
	}
	return p.add(s, r, fn)
}

// AddShared registers s like Add, read through r from NewSharedReader,
// which every socket added this way to p may share: fn must be done with
// r.Msgs when it returns. A shared reader serves one poller only.
func (p *Poller) AddShared(s *Socket, r *Reader, fn func(n int)) error {
	if r.sock != nil {
		return errors.New("udpbatch: reader is bound to one socket; use Add")
	}
	if !r.owner.CompareAndSwap(nil, p) && r.owner.Load() != p {
		return errors.New("udpbatch: shared reader belongs to another poller")
	}
	return p.add(s, r, fn)
}

func (p *Poller) add(s *Socket, r *Reader, fn func(n int)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd < 0 {
		return errors.New("udpbatch: socket closed")
	}
	if s.p != nil {
		return errors.New("udpbatch: socket already has a poller")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrPollerClosed
	}
	id := p.next
	p.next++
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, s.fd, &ev); err != nil {
		return fmt.Errorf("udpbatch: epoll add: %w", err)
	}
	p.entries[id] = pollEntry{r: r, s: s, fn: fn}
	s.p, s.id = p, id
	return nil
}

// remove is called by Socket.Close with s.mu held.
func (p *Poller) remove(s *Socket) {
	p.mu.Lock()
	delete(p.entries, s.id)
	if !p.closed {
		_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
	}
	p.mu.Unlock()
	s.p = nil
}

// poll collects ready sockets without blocking; false makes the runtime
// wait until the epoll descriptor is readable.
func (p *Poller) poll(fd uintptr) bool {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)),
		0, 0, 0)
	if e != 0 || n == 0 {
		return false
	}
	p.ready = int(n)
	return true
}

// run serves ready sockets until Close.
func (p *Poller) run() {
	defer close(p.done)
	for {
		p.ready = 0
		if err := p.rc.Read(p.waitFn); err != nil {
			return // closed
		}
		for i := 0; i < p.ready; i++ {
			id := uint64(uint32(p.events[i].Fd)) | uint64(uint32(p.events[i].Pad))<<32
			p.mu.Lock()
			e, ok := p.entries[id]
			p.mu.Unlock()
			if !ok {
				continue // removed after the event was queued
			}
			if k := e.r.readSocket(e.s); k > 0 {
				e.fn(k)
			}
		}
	}
}

// Close stops the poller's goroutine, waiting for the handler running,
// and releases the poller. It must not be called from a handler. Sockets
// still registered stay open; close them yourself.
func (p *Poller) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	clear(p.entries)
	err := p.file.Close() // wakes run
	p.mu.Unlock()
	<-p.done
	return err
}
