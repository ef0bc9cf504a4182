package turn

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/causeway-edge/causeway/internal/udpbatch"
	"github.com/pion/stun/v3"
)

// handler holds one reader's reusable messages (a UDP listener socket's,
// used by its poller, or a stream connection's goroutine): STUN requests
// are decoded and answered without per-request message allocations.
type handler struct {
	s    *Server
	req  *stun.Message
	resp *stun.Message
	// hijack is set by a successful ConnectionBind: the stream becomes an
	// RFC 6062 data connection.
	hijack   *pendingConn
	leftover []byte // stream bytes read past the ConnectionBind
	// pending client datagrams for peers, sent per relay with one
	// sendmmsg at the end of each read batch (flush).
	pending []toSend
	// poller serves the UDP listener socket this handler reads (nil for
	// streams); the allocations it creates get their relays there.
	poller *poller
}

type toSend struct {
	a    *allocation
	r    *relay
	data []byte
	to   netip.AddrPort
}

func (s *Server) newHandler() *handler {
	return &handler{s: s, req: new(stun.Message), resp: new(stun.Message), pending: make([]toSend, 0, udpbatch.BatchSize)}
}

// flush sends the pending datagrams, one sendmmsg per relay.
func (h *handler) flush() {
	s := h.s
	for i := range h.pending {
		r := h.pending[i].r
		if r == nil {
			continue
		}
		r.wmu.Lock()
		for j := i; j < len(h.pending); j++ {
			p := &h.pending[j]
			if p.r != r {
				continue
			}
			_ = r.w.Queue(p.data, p.to)
			p.a.pktsToPeer.Add(1)
			s.stats.packetsToPeer.Add(1)
			s.stats.bytesToPeer.Add(uint64(len(p.data)))
			p.r = nil
		}
		if err := r.w.Flush(); err != nil {
			s.stats.drops.Add(1)
		}
		r.wmu.Unlock()
	}
	clear(h.pending)
	h.pending = h.pending[:0]
}

// rawAttr adds an attribute with a raw value.
type rawAttr struct {
	t stun.AttrType
	v []byte
}

func (r rawAttr) AddTo(m *stun.Message) error { m.Add(r.t, r.v); return nil }

// packet handles one datagram or stream frame from a client.
func (h *handler) packet(cl *client, data []byte) {
	if isChannelData(data) {
		h.channelFromClient(cl, data)
		return
	}
	if !isSTUN(data) {
		h.s.stats.drops.Add(1)
		return
	}
	req := h.req
	req.Raw = data
	if err := req.Decode(); err != nil {
		h.s.stats.drops.Add(1)
		return
	}
	if req.Contains(stun.AttrFingerprint) {
		if err := stun.Fingerprint.Check(req); err != nil {
			h.s.stats.drops.Add(1)
			return
		}
	}
	switch req.Type.Class {
	case stun.ClassIndication:
		if req.Type.Method == methodSend {
			h.sendIndication(cl, req)
		}
		return
	case stun.ClassRequest:
	default:
		return // responses are not for a server
	}
	h.s.stats.requests.Add(1)
	user, key, ok := h.auth(cl)
	if !ok {
		return
	}
	switch req.Type.Method {
	case stun.MethodBinding:
		h.binding(cl, key)
	case methodAllocate:
		h.allocate(cl, user, key)
	case methodRefresh:
		h.refresh(cl, user, key)
	case methodCreatePermission:
		h.createPermission(cl, user, key)
	case methodChannelBind:
		h.channelBind(cl, user, key)
	case methodConnect:
		h.connect(cl, user, key)
	case methodConnectionBind:
		h.connectionBind(cl, user, key)
	default:
		h.fail(cl, stun.CodeBadRequest, key)
	}
}

// auth applies the long-term credential mechanism (TURN-18): 401 with
// REALM and NONCE without MESSAGE-INTEGRITY, 438 with a fresh NONCE for an
// expired or foreign nonce, 401 for unknown users and bad integrity.
func (h *handler) auth(cl *client) (user string, key []byte, ok bool) {
	s := h.s
	if s.cfg.NoAuth {
		return "", nil, true
	}
	req := h.req
	if !req.Contains(stun.AttrMessageIntegrity) {
		h.challenge(cl, stun.CodeUnauthorized)
		return "", nil, false
	}
	uname, ok1 := attr(req, stun.AttrUsername)
	realm, ok2 := attr(req, stun.AttrRealm)
	nonce, ok3 := attr(req, stun.AttrNonce)
	if !ok1 || !ok2 || !ok3 {
		h.fail(cl, stun.CodeBadRequest, nil)
		return "", nil, false
	}
	genuine, fresh := s.nonces.check(string(nonce), s.cfg.Now(), cl.remote.Addr())
	if !genuine || !fresh {
		h.challenge(cl, stun.CodeStaleNonce)
		return "", nil, false
	}
	if string(realm) != s.cfg.Realm {
		s.stats.authFailures.Add(1)
		h.challenge(cl, stun.CodeUnauthorized)
		return "", nil, false
	}
	user, key, ok = checkIntegrity(req, uname, s.cfg.Credentials, s.cfg.Realm)
	if !ok {
		s.stats.authFailures.Add(1)
		h.challenge(cl, stun.CodeUnauthorized)
		return "", nil, false
	}
	return user, key, true
}

// checkIntegrity looks up the long-term key of the USERNAME uname in
// realm and checks the request's MESSAGE-INTEGRITY with it (RFC 5389
// §10.2.2, §15.4).
func checkIntegrity(req *stun.Message, uname []byte, creds CredentialStore, realm string) (string, []byte, bool) {
	user := string(uname)
	key, found := creds.LongTermKey(user, realm)
	if !found || stun.MessageIntegrity(key).Check(req) != nil {
		return "", nil, false
	}
	return user, key, true
}

func (h *handler) challenge(cl *client, code stun.ErrorCode) {
	s := h.s
	nonce := s.nonces.issue(s.cfg.Now(), cl.remote.Addr())
	h.fail(cl, code, nil, stun.NewRealm(s.cfg.Realm), stun.NewNonce(nonce))
}

// reply sends a success response; key adds MESSAGE-INTEGRITY.
func (h *handler) reply(cl *client, key []byte, setters ...stun.Setter) []byte {
	h.s.stats.success.Add(1)
	return h.send(cl, stun.ClassSuccessResponse, key, setters)
}

// fail sends an error response.
func (h *handler) fail(cl *client, code stun.ErrorCode, key []byte, setters ...stun.Setter) {
	h.s.stats.errors.Add(1)
	var ec stun.Setter = code // pion's default reason phrase
	if r := reasonOf(code); r != nil {
		ec = stun.ErrorCodeAttribute{Code: code, Reason: r}
	}
	h.send(cl, stun.ClassErrorResponse, key, append([]stun.Setter{ec}, setters...))
}

func (h *handler) send(cl *client, class stun.MessageClass, key []byte, setters []stun.Setter) []byte {
	h.flush() // data the client sent before this request leaves first
	r := h.resp
	all := make([]stun.Setter, 0, len(setters)+5)
	all = append(all, stun.NewType(h.req.Type.Method, class), stun.NewTransactionIDSetter(h.req.TransactionID))
	all = append(all, setters...)
	if h.s.cfg.Software != "-" {
		all = append(all, stun.NewSoftware(h.s.cfg.Software))
	}
	if key != nil {
		all = append(all, stun.MessageIntegrity(key))
	}
	all = append(all, stun.Fingerprint)
	if err := r.Build(all...); err != nil {
		h.s.cfg.Logger.Error("turn: building response", "err", err)
		return nil
	}
	_ = cl.write(r.Raw)
	return r.Raw
}

func reasonOf(c stun.ErrorCode) []byte {
	switch c {
	case 437:
		return []byte("Allocation Mismatch")
	case 438:
		return []byte("Stale Nonce")
	case 440:
		return []byte("Address Family not Supported")
	case 441:
		return []byte("Wrong Credentials")
	case 442:
		return []byte("Unsupported Transport Protocol")
	case 443:
		return []byte("Peer Address Family Mismatch")
	case 446:
		return []byte("Connection Already Exists")
	case 447:
		return []byte("Connection Timeout or Failure")
	case 486:
		return []byte("Allocation Quota Reached")
	case 508:
		return []byte("Insufficient Capacity")
	case 300:
		return []byte("Try Alternate")
	case 403:
		return []byte("Forbidden")
	case 420:
		return []byte("Unknown Attribute")
	}
	return nil
}

func addrAttr(t stun.AttrType, a netip.AddrPort) stun.Setter {
	return xorSetter{t: t, a: a}
}

type xorSetter struct {
	t stun.AttrType
	a netip.AddrPort
}

func (x xorSetter) AddTo(m *stun.Message) error {
	v := make([]byte, 20)
	n := putXORAddr(v, x.a, m.TransactionID[:])
	m.Add(x.t, v[:n])
	return nil
}

func lifetimeAttr(d time.Duration) stun.Setter {
	v := make([]byte, 4)
	binary.BigEndian.PutUint32(v, uint32(d/time.Second))
	return rawAttr{attrLifetime, v}
}

// binding answers an authenticated Binding (TURN-4).
func (h *handler) binding(cl *client, key []byte) {
	h.reply(cl, key, addrAttr(stun.AttrXORMappedAddress, cl.remote))
}

// ownAllocation finds the caller's allocation: 437 without one, 441 when
// another user created it (TURN-18).
func (h *handler) ownAllocation(cl *client, user string, key []byte) *allocation {
	a := h.s.lookup(cl.key())
	if a == nil {
		h.fail(cl, stun.CodeAllocMismatch, key)
		return nil
	}
	if a.username != user {
		h.fail(cl, stun.CodeWrongCredentials, key)
		return nil
	}
	return a
}

// lifetime clamps a requested LIFETIME (TURN-22).
func (h *handler) lifetime() time.Duration {
	s := h.s
	v, ok := attr(h.req, attrLifetime)
	if !ok || len(v) != 4 {
		return s.cfg.AllocationLifetime
	}
	d := time.Duration(binary.BigEndian.Uint32(v)) * time.Second
	if d == 0 {
		return 0
	}
	return min(max(d, s.cfg.AllocationLifetime), s.cfg.MaxAllocationLifetime)
}

func (h *handler) allocate(cl *client, user string, key []byte) {
	s, req := h.s, h.req
	if a := s.lookup(cl.key()); a != nil {
		if a.allocTxID == req.TransactionID && a.allocResp != nil {
			_ = cl.write(a.allocResp) // a retransmission gets the cached success
			return
		}
		h.fail(cl, stun.CodeAllocMismatch, key)
		return
	}
	tr, ok := attr(req, attrReqTransport)
	if !ok || len(tr) < 1 {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	tcpAlloc := false
	switch tr[0] {
	case protoUDPNumber:
	case protoTCPNumber:
		if !s.cfg.TCPAllocations || !cl.stream() {
			h.fail(cl, stun.CodeUnsupportedTransProto, key)
			return
		}
		tcpAlloc = true
	default:
		h.fail(cl, stun.CodeUnsupportedTransProto, key)
		return
	}
	evenV, even := attr(req, attrEvenPort)
	tokenV, hasToken := attr(req, attrReservationToken)
	famV, hasFam := attr(req, attrReqAddrFamily)
	addV, hasAdd := attr(req, attrAddlAddrFamily)
	_, dontFrag := attr(req, attrDontFragment)
	if (even && hasToken) || (hasFam && hasToken) || (hasToken && len(tokenV) != 8) || (hasFam && hasAdd) {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	families := []netip.Addr{s.cfg.RelayAddress}
	if hasFam {
		if len(famV) < 1 || (famV[0] != familyIPv4 && famV[0] != familyIPv6) {
			h.fail(cl, stun.CodeAddrFamilyNotSupported, key)
			return
		}
		if famV[0] == familyIPv6 {
			families[0] = s.cfg.RelayAddress6
		}
	}
	if hasAdd {
		if len(addV) < 1 || addV[0] != familyIPv6 {
			h.fail(cl, stun.CodeBadRequest, key)
			return
		}
		families = append(families, s.cfg.RelayAddress6)
	}
	for _, f := range families {
		if !f.IsValid() {
			h.fail(cl, stun.CodeAddrFamilyNotSupported, key)
			return
		}
	}
	if code, alt := s.admit(user); code != 0 {
		if code == stun.CodeTryAlternate {
			h.fail(cl, code, key, &stun.AlternateServer{IP: alt.Addr().AsSlice(), Port: int(alt.Port())})
		} else {
			h.fail(cl, code, key)
		}
		return
	}
	life := h.lifetime()
	if life == 0 {
		life = s.cfg.AllocationLifetime
	}
	now := s.cfg.Now()
	a := &allocation{srv: s, key: cl.key(), client: *cl, username: user, keyMat: key, created: now}
	a.bucket.rate = int64(s.cfg.BandwidthCap)
	a.bucket.tokens.Store(a.bucket.rate)
	a.bucket.last.Store(now.UnixNano())
	a.tab.Store(&table{perms: map[netip.Addr]int64{}, chanByNum: map[uint16]*binding{}, chanByPeer: map[netip.AddrPort]*binding{}})
	a.expires.Store(now.Add(life).UnixNano())
	if cl.udp != nil {
		a.cw = udpbatch.NewSocketWriter(cl.udp)
		a.cw.SetSegmentation(!s.cfg.NoSegmentationOffload)
	} else {
		a.so = newStreamOut()
	}
	var token [8]byte
	var gotToken bool
	fail := func(code stun.ErrorCode, extra ...stun.Setter) {
		for _, r := range a.relays {
			r.conn.Close()
			s.ports.release(r.local.Port())
		}
		if a.tcp != nil {
			a.tcp.close()
		}
		s.unadmit(user)
		h.fail(cl, code, key, extra...)
	}
	if tcpAlloc {
		tr, err := s.newTCPRelay(a, families[0])
		if err != nil {
			fail(stun.CodeInsufficientCapacity)
			return
		}
		a.tcp = tr
	} else {
		for i, fam := range families {
			var c *udpbatch.Socket
			var err error
			switch {
			case hasToken && i == 0:
				c, _, err = s.ports.claim([8]byte(tokenV))
				if err != nil {
					fail(stun.CodeInsufficientCapacity)
					return
				}
			default:
				reserve := i == 0 && even && len(evenV) > 0 && evenV[0]&0x80 != 0
				c, _, token, err = s.ports.bind(fam, i == 0 && even, reserve, now)
				gotToken = gotToken || reserve
				if err != nil {
					fail(stun.CodeInsufficientCapacity)
					return
				}
			}
			if dontFrag {
				if err := setDontFragment(c); err != nil {
					c.Close()
					fail(stun.CodeUnknownAttribute, stun.UnknownAttributes{attrDontFragment})
					return
				}
			}
			_ = s.setDSCP(c, fam)
			setBuffers(c, s.cfg.RelayBuffer)
			local := c.LocalAddr()
			pub := local
			if s.cfg.PublicAddress.IsValid() && fam.Is4() {
				pub = netip.AddrPortFrom(s.cfg.PublicAddress, local.Port())
			}
			w := udpbatch.NewSocketWriter(c)
			w.SetSegmentation(!s.cfg.NoSegmentationOffload)
			a.relays = append(a.relays, &relay{conn: c, local: local, public: pub, w: w})
		}
	}
	setters := []stun.Setter{}
	if a.tcp != nil {
		setters = append(setters, addrAttr(stun.AttrXORRelayedAddress, a.tcp.public))
	}
	for _, r := range a.relays {
		setters = append(setters, addrAttr(stun.AttrXORRelayedAddress, r.public))
	}
	setters = append(setters, lifetimeAttr(life), addrAttr(stun.AttrXORMappedAddress, cl.remote))
	if gotToken {
		setters = append(setters, rawAttr{attrReservationToken, token[:]})
	}
	sh := s.shard(a.key)
	sh.mu.Lock()
	if sh.allocs[a.key] != nil {
		sh.mu.Unlock()
		fail(stun.CodeAllocMismatch)
		return
	}
	// Relay sockets are served from now on; before the allocation is
	// published no datagram from a peer can be permitted anyway.
	for _, r := range a.relays {
		p := s.poller(h)
		if err := p.AddShared(r.conn, p.relays, func(n int) { a.fromPeers(p.relays, n) }); err != nil {
			sh.mu.Unlock()
			fail(stun.CodeServerError)
			return
		}
	}
	sh.allocs[a.key] = a
	sh.mu.Unlock()
	if a.so != nil && len(a.relays) > 0 {
		a.wg.Add(1)
		go a.so.write(a)
	}
	s.stats.allocations.Add(1)
	s.stats.allocationsTotal.Add(1)
	if a.tcp != nil {
		a.wg.Add(1)
		go a.tcp.accept(a)
	}
	s.capacityAlarms()
	var relayAddr netip.AddrPort
	if len(a.relays) > 0 {
		relayAddr = a.relays[0].public
	} else if a.tcp != nil {
		relayAddr = a.tcp.public
	}
	s.event(Event{Name: "Relay Allocated", Level: 2, Username: user, Client: cl.remote, Relay: relayAddr})
	a.allocTxID = req.TransactionID
	a.allocResp = append([]byte(nil), h.reply(cl, key, setters...)...)
}

// admit counts a new allocation against the quotas: 486 over the user
// quota, 300 (with the alternate) or 508 when the node is full (TURN-14).
func (s *Server) admit(user string) (stun.ErrorCode, netip.AddrPort) {
	s.umu.Lock()
	defer s.umu.Unlock()
	if s.total >= s.cfg.MaxRelays {
		if alt, ok := s.alternate(); ok {
			return stun.CodeTryAlternate, alt
		}
		return stun.CodeInsufficientCapacity, netip.AddrPort{}
	}
	if s.cfg.UserQuota > 0 && s.perUser[user] >= s.cfg.UserQuota {
		return stun.CodeAllocQuotaReached, netip.AddrPort{}
	}
	s.total++
	s.perUser[user]++
	return 0, netip.AddrPort{}
}

func (s *Server) unadmit(user string) {
	s.umu.Lock()
	s.total--
	if s.perUser[user]--; s.perUser[user] <= 0 {
		delete(s.perUser, user)
	}
	s.umu.Unlock()
}

// alternate picks the cluster peer with the most free relays (ties to the
// lowest index), or the first configured alternate.
func (s *Server) alternate() (netip.AddrPort, bool) {
	if s.cfg.Cluster != nil {
		best, free := netip.AddrPort{}, 0
		for _, p := range s.cfg.Cluster.Peers() {
			if p.Free > free {
				best, free = p.Addr, p.Free
			}
		}
		if free > 0 {
			return best, true
		}
		return netip.AddrPort{}, false
	}
	if len(s.cfg.Alternates) > 0 {
		return s.cfg.Alternates[0], true
	}
	return netip.AddrPort{}, false
}

func (h *handler) refresh(cl *client, user string, key []byte) {
	a := h.ownAllocation(cl, user, key)
	if a == nil {
		return
	}
	if fam, ok := attr(h.req, attrReqAddrFamily); ok && len(fam) > 0 {
		want := familyIPv4
		if len(a.relays) > 0 && !a.relays[0].local.Addr().Is4() {
			want = familyIPv6
		}
		if int(fam[0]) != want {
			h.fail(cl, stun.CodePeerAddrFamilyMismatch, key)
			return
		}
	}
	life := h.lifetime()
	if life == 0 {
		h.s.deleteAllocation(a, "Relay Deleted")
		h.reply(cl, key, lifetimeAttr(0))
		return
	}
	a.expires.Store(h.s.cfg.Now().Add(life).UnixNano())
	h.reply(cl, key, lifetimeAttr(life))
}

// peers decodes every XOR-PEER-ADDRESS of the request; the answer code is
// 400 when there is none or one is malformed, 443 on a family with no
// relay, 403 for a filtered peer.
func (h *handler) peers(a *allocation) ([]netip.AddrPort, stun.ErrorCode) {
	var out []netip.AddrPort
	for _, at := range h.req.Attributes {
		if at.Type != attrXORPeerAddress {
			continue
		}
		p, ok := xorAddr(at.Value, h.req.TransactionID[:])
		if !ok {
			return nil, stun.CodeBadRequest
		}
		if a.relayFor(p.Addr()) == nil && (a.tcp == nil || a.tcp.public.Addr().Is4() != p.Addr().Unmap().Is4()) {
			return nil, stun.CodePeerAddrFamilyMismatch
		}
		if !h.s.filter.permitted(p.Addr()) {
			return nil, stun.CodeForbidden
		}
		out = append(out, netip.AddrPortFrom(p.Addr().Unmap(), p.Port()))
	}
	if len(out) == 0 {
		return nil, stun.CodeBadRequest
	}
	return out, 0
}

// onePeer decodes the single XOR-PEER-ADDRESS of a ChannelBind or
// Connect, answering the error itself when there is not exactly one valid
// peer.
func (h *handler) onePeer(cl *client, a *allocation, key []byte) (netip.AddrPort, bool) {
	ps, code := h.peers(a)
	if code == 0 && len(ps) != 1 {
		code = stun.CodeBadRequest
	}
	if code != 0 {
		h.fail(cl, code, key)
		return netip.AddrPort{}, false
	}
	return ps[0], true
}

// createPermission installs or refreshes permissions (TURN-23).
func (h *handler) createPermission(cl *client, user string, key []byte) {
	a := h.ownAllocation(cl, user, key)
	if a == nil {
		return
	}
	ps, code := h.peers(a)
	if code != 0 {
		h.fail(cl, code, key)
		return
	}
	exp := h.s.cfg.Now().Add(h.s.cfg.PermissionLifetime).UnixNano()
	added := 0
	a.update(func(t *table) {
		for _, p := range ps {
			if _, had := t.perms[p.Addr()]; !had {
				added++
			}
			t.perms[p.Addr()] = exp
		}
	})
	h.s.stats.permissions.Add(int64(added))
	h.reply(cl, key)
}

// channelBind binds a channel number to a peer (TURN-24).
func (h *handler) channelBind(cl *client, user string, key []byte) {
	s := h.s
	a := h.ownAllocation(cl, user, key)
	if a == nil {
		return
	}
	v, ok := attr(h.req, attrChannelNumber)
	if !ok || len(v) != 4 {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	num := binary.BigEndian.Uint16(v)
	if num < MinChannel || num > MaxChannel {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	peer, ok := h.onePeer(cl, a, key)
	if !ok {
		return
	}
	now := s.cfg.Now()
	t := a.tab.Load()
	if b := t.chanByNum[num]; b != nil && b.peer != peer {
		h.fail(cl, stun.CodeBadRequest, key) // bound (or quarantined) to another peer
		return
	}
	if b := t.chanByPeer[peer]; b != nil && b.num != num {
		h.fail(cl, stun.CodeBadRequest, key)
		return
	}
	chanExp := now.Add(s.cfg.ChannelLifetime).UnixNano()
	permExp := now.Add(s.cfg.PermissionLifetime).UnixNano()
	newChan, newPerm := false, false
	a.update(func(t *table) {
		if _, had := t.chanByNum[num]; !had {
			newChan = true
		}
		b := &binding{num: num, peer: peer, expires: chanExp}
		t.chanByNum[num] = b
		t.chanByPeer[peer] = b
		if _, had := t.perms[peer.Addr()]; !had {
			newPerm = true
		}
		t.perms[peer.Addr()] = permExp
	})
	if newChan {
		s.stats.channels.Add(1)
	}
	if newPerm {
		s.stats.permissions.Add(1)
	}
	h.reply(cl, key)
}

// sendIndication relays the DATA of a Send indication to its peer, if a
// permission exists (no integrity: matched by 5-tuple).
func (h *handler) sendIndication(cl *client, req *stun.Message) {
	s := h.s
	a := s.lookup(cl.key())
	if a == nil {
		s.stats.drops.Add(1)
		return
	}
	pv, ok1 := attr(req, attrXORPeerAddress)
	data, ok2 := attr(req, attrData)
	if !ok1 || !ok2 {
		s.stats.drops.Add(1)
		return
	}
	peer, ok := xorAddr(pv, req.TransactionID[:])
	if !ok {
		s.stats.drops.Add(1)
		return
	}
	h.toPeer(a, netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port()), data)
}

// channelFromClient is the ChannelData fast path from client to peer.
func (h *handler) channelFromClient(cl *client, d []byte) {
	s := h.s
	num := binary.BigEndian.Uint16(d)
	n := int(binary.BigEndian.Uint16(d[2:]))
	if 4+n > len(d) { // a lying length
		s.stats.drops.Add(1)
		return
	}
	a := s.lookup(cl.key())
	if a == nil {
		s.stats.drops.Add(1)
		return
	}
	b := a.tab.Load().chanByNum[num]
	if b == nil || b.expires <= s.cfg.Now().UnixNano() {
		s.stats.drops.Add(1)
		return
	}
	h.toPeer(a, b.peer, d[4:4+n])
}

// toPeer queues data for a peer if a permission exists; flush sends it.
func (h *handler) toPeer(a *allocation, peer netip.AddrPort, data []byte) {
	s := h.s
	now := s.cfg.Now().UnixNano()
	if !a.permitted(peer.Addr(), now) || !a.bucket.take(len(data), now) {
		s.stats.drops.Add(1)
		return
	}
	r := a.relayFor(peer.Addr())
	if r == nil {
		s.stats.drops.Add(1)
		return
	}
	if len(h.pending) == cap(h.pending) {
		h.flush()
	}
	h.pending = append(h.pending, toSend{a: a, r: r, data: data, to: peer})
}
