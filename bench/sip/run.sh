#!/usr/bin/env bash
# Side-by-side load test: sipp UAC -> proxy -> sipp UAS (INVITE/200/ACK/BYE
# over UDP, no media, Record-Route on INVITE, every request to the UAS as a
# fixed next hop), through the Causeway edge (examples/edge with edge.yaml)
# and through Kamailio (kamailio.cfg, stateful tm, started with
# -m 1024 -x tlsf -X tlsf), at rising call rates, STEP seconds per rate; then
# the same for REGISTER (sipp registration scenario, distinct AORs, no auth).
# Prints the highest rate each sustains with zero failed calls and the ratio.
#
#   bench/sip/run.sh                      # defaults below
#   STEP=5 CALL_RATES="1000 2000" bench/sip/run.sh
#
# Needs sipp (sip-tester), kamailio and go. Run it alone on the machine
# (flock /tmp/causeway-cpu.lock bench/sip/run.sh).
set -euo pipefail
cd "$(dirname "$0")"
STEP=${STEP:-10}
CALL_RATES=${CALL_RATES:-"500 1000 2000 3000 4000 5000 6000 7000 8000 10000"}
REG_RATES=${REG_RATES:-"2000 5000 10000 15000 20000 25000 30000"}
EDGE_PORT=5160 EDGE_UAS=5180
KAM_PORT=5260 KAM_UAS=5280
UAC_PORT=5370

for b in sipp kamailio go; do
	command -v "$b" >/dev/null || { echo "run.sh: $b not found" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/edge" ../../examples/edge

start_edge() {
	"$work/edge" -config edge.yaml -http off 2>"$work/edge.log" &
	server=$!
	pids+=("$server")
}
start_kamailio() {
	mkdir -p "$work/kam"
	kamailio -f kamailio.cfg -m 1024 -x tlsf -X tlsf -DD -E -Y "$work/kam" -P "$work/kam/kamailio.pid" 2>"$work/kam.log" &
	server=$!
	pids+=("$server")
}
stop_server() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
}
# wait_udp PORT: until something is bound to 127.0.0.1:PORT.
wait_udp() {
	for _ in $(seq 100); do
		ss -Hlun "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	echo "run.sh: nothing bound to udp port $1" >&2
	return 1
}

# calls PROXY_PORT UAS_PORT RATE: 0 when every call of a STEP-second run
# at RATE calls/s succeeds.
calls() {
	local n=$(($3 * STEP))
	sipp -sf uas.xml -t u1 -i 127.0.0.1 -p "$2" -m "$n" -nostdin -timeout $((STEP * 3)) >/dev/null 2>&1 &
	local uas=$!
	wait_udp "$2"
	local rc=0
	sipp "127.0.0.1:$1" -sf uac.xml -t u1 -i 127.0.0.1 -p "$UAC_PORT" -r "$3" -m "$n" -l $(($3 * 4)) \
		-timeout $((STEP * 3)) -timeout_error -nostdin -max_socket 100 >/dev/null 2>&1 || rc=$?
	kill "$uas" 2>/dev/null || true
	wait "$uas" 2>/dev/null || true
	return $rc
}
registers() {
	local n=$(($2 * STEP))
	sipp "127.0.0.1:$1" -sf register.xml -t u1 -i 127.0.0.1 -p "$UAC_PORT" -r "$2" -m "$n" -l $(($2 * 4)) \
		-key domain causeway.local -timeout $((STEP * 3)) -timeout_error -nostdin >/dev/null 2>&1
}

# best KIND PORT UASPORT RATES...: highest rate with zero failures.
best() {
	local kind=$1 port=$2 uas=$3 best=0
	shift 3
	for r in "$@"; do
		if "$kind" "$port" "$uas" "$r"; then
			echo "  $kind $r/s: ok" >&2
			best=$r
		else
			echo "  $kind $r/s: failures" >&2
			break
		fi
	done
	echo "$best"
}

registers_only() { registers "$1" "$3"; }

echo "causeway edge:" >&2
start_edge; wait_udp "$EDGE_PORT"
edge_calls=$(best calls "$EDGE_PORT" "$EDGE_UAS" $CALL_RATES)
edge_regs=$(best registers_only "$EDGE_PORT" 0 $REG_RATES)
stop_server

echo "kamailio:" >&2
start_kamailio; wait_udp "$KAM_PORT"
kam_calls=$(best calls "$KAM_PORT" "$KAM_UAS" $CALL_RATES)
kam_regs=$(best registers_only "$KAM_PORT" 0 $REG_RATES)
stop_server

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
printf '%-10s %14s %14s\n' "" "calls/s" "REGISTER/s"
printf '%-10s %14s %14s\n' causeway "$edge_calls" "$edge_regs"
printf '%-10s %14s %14s\n' kamailio "$kam_calls" "$kam_regs"
printf '%-10s %14s %14s\n' ratio "$(ratio "$edge_calls" "$kam_calls")" "$(ratio "$edge_regs" "$kam_regs")"
