package turn

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
)

// relayHeadroom leaves room in front of each datagram read from a peer to
// build the Data indication (20 + 24 + 4 bytes) or ChannelData header in
// place.
const (
	relayHeadroom = 64
	relayBufSize  = 64 + 1600 + 4 // inbound MTU 1600, plus padding
)

// table is an allocation's permissions and channel bindings, replaced as
// a whole (copy on write) so that the packet path reads it with one atomic
// load.
type table struct {
	perms      map[netip.Addr]int64 // peer IP -> expiry (unix nanos)
	chanByNum  map[uint16]*binding
	chanByPeer map[netip.AddrPort]*binding
}

type binding struct {
	num     uint16
	peer    netip.AddrPort
	expires int64
}

func (t *table) clone() *table {
	n := &table{perms: make(map[netip.Addr]int64, len(t.perms)+1),
		chanByNum: make(map[uint16]*binding, len(t.chanByNum)+1), chanByPeer: make(map[netip.AddrPort]*binding, len(t.chanByPeer)+1)}
	for k, v := range t.perms {
		n.perms[k] = v
	}
	for k, v := range t.chanByNum {
		n.chanByNum[k] = v
	}
	for k, v := range t.chanByPeer {
		n.chanByPeer[k] = v
	}
	return n
}

// relay is one relayed transport address (a UDP socket) of an allocation;
// a dual allocation has an IPv4 and an IPv6 relay.
type relay struct {
	conn   *udpbatch.Socket
	local  netip.AddrPort // bound
	public netip.AddrPort // advertised (static NAT)
	// wmu guards w, which the listener readers use to send a batch of
	// client datagrams to peers with one sendmmsg.
	wmu sync.Mutex
	w   *udpbatch.Writer
}

// allocation is one TURN allocation (TURN-22).
type allocation struct {
	srv      *Server
	key      fiveTuple
	client   client
	username string
	keyMat   []byte // long-term key, for responses
	relays   []*relay
	tcp      *tcpRelay // RFC 6062 allocations
	created  time.Time
	expires  atomic.Int64
	tab      atomic.Pointer[table]
	tmu      sync.Mutex // serialises table writers
	// last Allocate transaction and its response, for retransmissions.
	allocTxID [12]byte
	allocResp []byte
	bucket    tokenBucket
	// cw batches datagrams to a UDP client (used by the relay handlers,
	// which may run on several pollers: cwmu).
	cwmu sync.Mutex
	cw   *udpbatch.Writer
	// so queues relayed frames for a stream (TCP, TLS, DTLS) client to
	// its own writer goroutine, so that a slow client never stalls a
	// poller; nil for UDP clients.
	so *streamOut

	pktsToPeer, pktsToClient atomic.Uint64
	closed                   atomic.Bool
	wg                       sync.WaitGroup
}

// relayFor picks the relay of the peer's address family.
func (a *allocation) relayFor(peer netip.Addr) *relay {
	v4 := peer.Unmap().Is4()
	for _, r := range a.relays {
		if r.local.Addr().Is4() == v4 {
			return r
		}
	}
	return nil
}

func (a *allocation) permitted(peer netip.Addr, now int64) bool {
	exp, ok := a.tab.Load().perms[peer.Unmap()]
	return ok && exp > now
}

// update applies f to a copy of the table and publishes it.
func (a *allocation) update(f func(t *table)) {
	a.tmu.Lock()
	defer a.tmu.Unlock()
	t := a.tab.Load().clone()
	f(t)
	a.tab.Store(t)
}

// fromPeers handles a batch of datagrams read from peers on one relay
// into rd, the reader its poller shares among its relays (the poller
// calls it), and sends them to the client as ChannelData (when a channel
// is bound) or Data indications, built in place in the read buffer's
// headroom, with one sendmmsg for the batch. Nothing may keep rd's
// buffers after it returns: stream frames are copied, UDP batches are
// flushed.
func (a *allocation) fromPeers(rd *udpbatch.Reader, n int) {
	s := a.srv
	var txid [12]byte
	batch := 0
	now := s.cfg.Now().UnixNano()
	t := a.tab.Load()
	for i := 0; i < n; i++ {
		m := &rd.Msgs[i]
		if m.N < 0 {
			s.stats.drops.Add(1)
			continue
		}
		from := netip.AddrPortFrom(m.From.Addr().Unmap(), m.From.Port())
		if exp, ok := t.perms[from.Addr()]; !ok || exp <= now { // TURN-23: silently dropped
			s.stats.drops.Add(1)
			continue
		}
		if !a.bucket.take(m.N, now) {
			s.stats.drops.Add(1)
			continue
		}
		var out []byte
		if b := t.chanByPeer[from]; b != nil && b.expires > now {
			out = channelData(m.Buf, relayHeadroom, m.N, b.num, a.client.stream())
		} else {
			binary.BigEndian.PutUint64(txid[:], rand.Uint64())
			binary.BigEndian.PutUint32(txid[8:], rand.Uint32())
			out = dataIndication(m.Buf, relayHeadroom, m.N, from, txid[:])
		}
		if a.cw != nil {
			if batch == 0 {
				a.cwmu.Lock()
			}
			_ = a.cw.Queue(out, a.client.remote)
			batch++
		} else if !a.so.queue(out) {
			s.stats.drops.Add(1)
			continue
		}
		a.pktsToClient.Add(1)
		s.stats.packetsToClient.Add(1)
		s.stats.bytesToClient.Add(uint64(m.N))
	}
	if batch > 0 {
		if err := a.cw.Flush(); err != nil {
			s.stats.drops.Add(1)
		}
		a.cwmu.Unlock()
	}
}

// streamOut is the queue of frames for a stream client and its writer.
type streamOut struct {
	ch   chan *[]byte
	done chan struct{}
	pool sync.Pool
}

// streamQueue is how many frames may wait for a stream client; more are
// dropped, as a congested UDP path would drop them.
const streamQueue = 256

func newStreamOut() *streamOut {
	o := &streamOut{ch: make(chan *[]byte, streamQueue), done: make(chan struct{})}
	o.pool.New = func() any { b := make([]byte, 0, relayBufSize); return &b }
	return o
}

// queue copies frame for the writer; false when the queue is full.
func (o *streamOut) queue(frame []byte) bool {
	b := o.pool.Get().(*[]byte)
	*b = append((*b)[:0], frame...)
	select {
	case o.ch <- b:
		return true
	default:
		o.pool.Put(b)
		return false
	}
}

// write sends queued frames to the client until the allocation is
// deleted (done closed).
func (o *streamOut) write(a *allocation) {
	defer a.wg.Done()
	for {
		select {
		case <-o.done:
			return
		case b := <-o.ch:
			if err := a.client.write(*b); err != nil {
				a.srv.stats.drops.Add(1)
			}
			o.pool.Put(b)
		}
	}
}

// channelData writes the 4-byte ChannelData header in front of buf[off :
// off+n] (and zero padding after it on streams) and returns the frame.
func channelData(buf []byte, off, n int, num uint16, stream bool) []byte {
	h := buf[off-4 : off]
	binary.BigEndian.PutUint16(h, num)
	binary.BigEndian.PutUint16(h[2:], uint16(n))
	end := off + n
	if stream {
		for p := pad4(n) - n; p > 0; p-- {
			buf[end] = 0
			end++
		}
	}
	return buf[off-4 : end]
}

// dataIndication builds a Data indication (XOR-PEER-ADDRESS, DATA) around
// buf[off : off+n] in place.
func dataIndication(buf []byte, off, n int, peer netip.AddrPort, txid []byte) []byte {
	addrLen := 8
	if !peer.Addr().Is4() {
		addrLen = 20
	}
	start := off - 4 - (4 + addrLen) - headerLen
	b := buf[start:]
	binary.BigEndian.PutUint16(b[0:], typeDataIndication)
	binary.BigEndian.PutUint32(b[4:], magicCookie)
	copy(b[8:20], txid)
	p := b[headerLen:]
	binary.BigEndian.PutUint16(p[0:], attrXORPeerAddress)
	binary.BigEndian.PutUint16(p[2:], uint16(addrLen))
	putXORAddr(p[4:], peer, txid)
	p = p[4+addrLen:]
	binary.BigEndian.PutUint16(p[0:], attrData)
	binary.BigEndian.PutUint16(p[2:], uint16(n))
	end := off + n
	for k := pad4(n) - n; k > 0; k-- {
		buf[end] = 0
		end++
	}
	binary.BigEndian.PutUint16(b[2:], uint16(end-start-headerLen))
	return buf[start:end]
}

// tokenBucket caps an allocation's relayed bytes per second (0 = no cap).
type tokenBucket struct {
	rate   int64 // bytes per second
	tokens atomic.Int64
	last   atomic.Int64
}

func (b *tokenBucket) take(n int, now int64) bool {
	if b.rate == 0 {
		return true
	}
	last := b.last.Load()
	if elapsed := now - last; elapsed > 0 && b.last.CompareAndSwap(last, now) {
		add := elapsed * b.rate / int64(time.Second)
		if t := b.tokens.Add(add); t > b.rate {
			b.tokens.Store(b.rate)
		}
	}
	if b.tokens.Add(-int64(n)) < 0 {
		b.tokens.Add(int64(n))
		return false
	}
	return true
}
