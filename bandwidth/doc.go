// Package bandwidth is the call admission control of an edge: it books the
// bandwidth of every call on subzones, links and pipes and decides, per call,
// whether it may be placed, at what rate, and over which route.
//
// Endpoints live in subzones; subzones and zones are joined by links; pipes
// attached to links model bandwidth-limited network segments. A call takes
// the route with the fewest links (traversal calls always through the
// Traversal Subzone), gets the lowest per-call limit that applies on that
// route, and is downspeeded or rejected when totals run out.
//
// The package does no network I/O. A [Config] is plain data with a
// Validate method that reports every fault at once; [New] compiles it into a
// [Controller] whose Admit, Change, Release and Check methods are safe for
// concurrent use. Usage is kept in a [Store]; [MemoryStore] is the in-memory
// default and may be shared by the controllers of several cluster peers.
package bandwidth
