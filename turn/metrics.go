package turn

import (
	"fmt"
	"io"
)

// WriteMetrics writes the counters in the Prometheus text exposition
// format (version 0.0.4), so that a /metrics handler can serve them
// without a client library: turn_allocations, turn_allocations_total,
// turn_permissions, turn_channels, turn_tcp_connections,
// turn_requests_total, turn_responses_total{result},
// turn_auth_failures_total, turn_relayed_packets_total{dir},
// turn_relayed_bytes_total{dir}, turn_dropped_packets_total and
// turn_alarm{id}.
func (s *Server) WriteMetrics(w io.Writer) error {
	st := s.Stats()
	var err error
	p := func(format string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	gauge := func(name, help string, v int64) {
		p("# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	counter := func(name, help string, v uint64) {
		p("# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge("turn_allocations", "Current allocations.", st.Allocations)
	counter("turn_allocations_total", "Allocations made.", st.AllocationsTotal)
	gauge("turn_permissions", "Current permissions.", st.Permissions)
	gauge("turn_channels", "Current channel bindings.", st.Channels)
	gauge("turn_tcp_connections", "Current RFC 6062 data connections.", st.TCPConnections)
	counter("turn_requests_total", "STUN/TURN requests received.", st.Requests)
	p("# HELP turn_responses_total Responses sent.\n# TYPE turn_responses_total counter\n")
	p("turn_responses_total{result=\"success\"} %d\nturn_responses_total{result=\"error\"} %d\n", st.SuccessResponses, st.ErrorResponses)
	counter("turn_auth_failures_total", "Requests with bad credentials.", st.AuthFailures)
	p("# HELP turn_relayed_packets_total Packets relayed.\n# TYPE turn_relayed_packets_total counter\n")
	p("turn_relayed_packets_total{dir=\"to_peer\"} %d\nturn_relayed_packets_total{dir=\"to_client\"} %d\n", st.PacketsToPeer, st.PacketsToClient)
	p("# HELP turn_relayed_bytes_total Payload bytes relayed.\n# TYPE turn_relayed_bytes_total counter\n")
	p("turn_relayed_bytes_total{dir=\"to_peer\"} %d\nturn_relayed_bytes_total{dir=\"to_client\"} %d\n", st.BytesToPeer, st.BytesToClient)
	counter("turn_dropped_packets_total", "Packets dropped: no permission, cap, malformed.", st.Dropped)
	p("# HELP turn_alarm Raised capacity alarms (30005, 30024).\n# TYPE turn_alarm gauge\n")
	raised := map[int]bool{}
	for _, id := range s.Alarms() {
		raised[id] = true
	}
	for _, id := range []int{30005, 30024} {
		v := 0
		if raised[id] {
			v = 1
		}
		p("turn_alarm{id=\"%d\"} %d\n", id, v)
	}
	return err
}
