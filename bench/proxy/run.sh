#!/usr/bin/env bash
# Side-by-side load test: sipp UAC -> proxy -> sipp UAS (INVITE/200/ACK/BYE
# over UDP, no media, Record-Route on INVITE, every request to the UAS as a
# fixed next hop), through the Causeway edge (examples/edge with edge.yaml)
# and through Kamailio (kamailio.cfg, stateful tm, started with
# -m 1024 -x tlsf -X tlsf), at rising call rates, STEP seconds per rate; then
# the same for REGISTER (sipp registration scenario, distinct AORs, no auth).
# Prints the highest rate each sustains with zero failed calls and the ratio.
#
# It also prints the server CPU time per operation: utime+stime of the
# server's whole process tree (Kamailio forks workers), from /proc/PID/stat,
# over a fixed-rate run (CPU_CALL_RATE calls/s, CPU_REG_RATE REGISTER/s, for
# CPU_STEP seconds plus CPU_SETTLE seconds for the transactions to wind
# down), divided by the operations sipp saw complete. With 2 cores the load
# generator (sipp) saturates before a fast server does, so this is the fair
# comparison; both servers must sustain the fixed rates.
#
#   bench/proxy/run.sh                      # defaults below
#   STEP=5 CALL_RATES="1000 2000" bench/proxy/run.sh
#   QUICK=1 bench/proxy/run.sh              # short mode: 3 s steps, few rates
#   CPU_ONLY=1 bench/proxy/run.sh           # only the CPU-per-operation runs
#   SERVERS=edge bench/proxy/run.sh         # one server only (edge, kamailio)
#
# Needs sipp (sip-tester), kamailio and go. Run it alone on the machine
# (flock /tmp/causeway-cpu.lock bench/proxy/run.sh).
set -euo pipefail
cd "$(dirname "$0")"
if [ -n "${QUICK:-}" ]; then
	STEP=${STEP:-3}
	CALL_RATES=${CALL_RATES:-"1000 2000 4000"}
	REG_RATES=${REG_RATES:-"5000 10000 20000"}
	CPU_STEP=${CPU_STEP:-5}
fi
STEP=${STEP:-10}
CALL_RATES=${CALL_RATES:-"500 1000 2000 3000 4000 5000 6000 7000 8000 10000"}
REG_RATES=${REG_RATES:-"2000 5000 10000 15000 20000 25000 30000 35000 40000 50000 60000"}
CPU_STEP=${CPU_STEP:-10}
CPU_SETTLE=${CPU_SETTLE:-2}
CPU_CALL_RATE=${CPU_CALL_RATE:-1000}
CPU_REG_RATE=${CPU_REG_RATE:-5000}
CLK_TCK=$(getconf CLK_TCK)
# Ports; the UAS ports are written into copies of edge.yaml and
# kamailio.cfg, so that a busy port can be dodged (EDGE_UAS=5182 ...).
EDGE_PORT=5160 KAM_PORT=5260
EDGE_UAS=${EDGE_UAS:-5180}
KAM_UAS=${KAM_UAS:-5280}
UAC_PORT=${UAC_PORT:-5370}

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
sed "s/127\.0\.0\.1:5180/127.0.0.1:$EDGE_UAS/" edge.yaml >"$work/edge.yaml"
sed "s/127\.0\.0\.1:5280/127.0.0.1:$KAM_UAS/" kamailio.cfg >"$work/kamailio.cfg"

# Every port must be free: a stray sipp on a UAS port swallows the calls.
for p in $EDGE_PORT $EDGE_UAS $KAM_PORT $KAM_UAS $UAC_PORT; do
	if ss -Hlun "sport = :$p" | grep -q .; then
		echo "run.sh: udp port $p is busy:" >&2
		ss -Hlunp "sport = :$p" >&2
		exit 1
	fi
done

start_edge() {
	"$work/edge" -config "$work/edge.yaml" -http off 2>"$work/edge.log" &
	server=$!
	pids+=("$server")
}
start_kamailio() {
	mkdir -p "$work/kam"
	kamailio -f "$work/kamailio.cfg" -m 1024 -x tlsf -X tlsf -DD -E -Y "$work/kam" -P "$work/kam/kamailio.pid" 2>"$work/kam.log" &
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

# calls PROXY_PORT UAS_PORT RATE [STATFILE]: 0 when every call of a
# STEP-second run at RATE calls/s succeeds; STATFILE gets sipp's
# statistics (for successes()).
calls() {
	local n=$(($3 * STEP))
	sipp -sf uas.xml -t u1 -i 127.0.0.1 -p "$2" -m "$n" -nostdin -timeout $((STEP * 3)) >/dev/null 2>&1 &
	local uas=$!
	wait_udp "$2"
	local rc=0 stat=()
	[ -n "${4:-}" ] && stat=(-trace_stat -stf "$4" -fd 3600)
	sipp "127.0.0.1:$1" -sf uac.xml -t u1 -i 127.0.0.1 -p "$UAC_PORT" -r "$3" -m "$n" -l $(($3 * 4)) \
		-timeout $((STEP * 3)) -timeout_error -nostdin -max_socket 100 "${stat[@]}" >/dev/null 2>&1 || rc=$?
	kill "$uas" 2>/dev/null || true
	wait "$uas" 2>/dev/null || true
	return $rc
}
registers() {
	local n=$(($2 * STEP)) stat=()
	[ -n "${3:-}" ] && stat=(-trace_stat -stf "$3" -fd 3600)
	sipp "127.0.0.1:$1" -sf register.xml -t u1 -i 127.0.0.1 -p "$UAC_PORT" -r "$2" -m "$n" -l $(($2 * 4)) \
		-key domain causeway.local -timeout $((STEP * 3)) -timeout_error -nostdin "${stat[@]}" >/dev/null 2>&1
}

# tree_ticks PID: utime+stime, in clock ticks, of PID and every descendant.
tree_ticks() {
	local todo=("$1") all=() p kids total=0 f
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		all+=("$p")
		kids=$(ps -o pid= --ppid "$p" 2>/dev/null || true)
		for k in $kids; do todo+=("$k"); done
	done
	for p in "${all[@]}"; do
		# Fields after the ")" that ends comm: utime and stime are the
		# 12th and 13th (fields 14 and 15 of the whole line).
		f=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $f
		total=$((total + ${12} + ${13}))
	done
	echo "$total"
}

# successes STATFILE: successful calls in sipp's last statistics line.
successes() {
	awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") c = i; next }
		{ v = $c } END { print v + 0 }' "$1"
}

# cpu_per_op KIND PORT UASPORT RATE: server CPU microseconds per completed
# operation over a CPU_STEP-second run at RATE (plus CPU_SETTLE seconds).
cpu_per_op() {
	local kind=$1 port=$2 uas=$3 rate=$4 stat="$work/stat-$1-$2.csv" t0 t1 ok
	rm -f "$stat"
	t0=$(tree_ticks "$server")
	if [ "$kind" = calls ]; then
		STEP=$CPU_STEP calls "$port" "$uas" "$rate" "$stat" || echo "  cpu run $kind $rate/s: failures" >&2
	else
		STEP=$CPU_STEP registers "$port" "$rate" "$stat" || echo "  cpu run $kind $rate/s: failures" >&2
	fi
	sleep "$CPU_SETTLE"
	t1=$(tree_ticks "$server")
	ok=$(successes "$stat")
	echo "  cpu $kind $rate/s: $((t1 - t0)) ticks, $ok completed" >&2
	awk -v t=$((t1 - t0)) -v n="$ok" -v hz="$CLK_TCK" 'BEGIN { if (n == 0) print "n/a"; else printf "%.1f", t * 1e6 / hz / n }'
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

# measure NAME PORT UASPORT: CPU per operation on a fresh server (first,
# so that earlier steps' timers do not fall into the window), then the
# highest rates; sets NAME_{calls,regs,cpu_call,cpu_reg}.
measure() {
	local name=$1 port=$2 uas=$3 c r cc cr
	echo "$name:" >&2
	"start_$name"
	wait_udp "$port"
	cc=$(cpu_per_op calls "$port" "$uas" "$CPU_CALL_RATE")
	cr=$(cpu_per_op registers "$port" 0 "$CPU_REG_RATE")
	c=n/a r=n/a
	if [ -z "${CPU_ONLY:-}" ]; then
		c=$(best calls "$port" "$uas" $CALL_RATES)
		r=$(best registers_only "$port" 0 $REG_RATES)
	fi
	stop_server
	eval "${name}_calls=\$c ${name}_regs=\$r ${name}_cpu_call=\$cc ${name}_cpu_reg=\$cr"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
edge_calls=n/a edge_regs=n/a edge_cpu_call=n/a edge_cpu_reg=n/a
kamailio_calls=n/a kamailio_regs=n/a kamailio_cpu_call=n/a kamailio_cpu_reg=n/a
for s in ${SERVERS:-edge kamailio}; do
	case $s in
	edge) measure edge "$EDGE_PORT" "$EDGE_UAS" ;;
	kamailio) measure kamailio "$KAM_PORT" "$KAM_UAS" ;;
	*) echo "run.sh: unknown server $s in SERVERS" >&2; exit 2 ;;
	esac
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0 || a == "n/a" || b == "n/a") print "n/a"; else printf "%.2f", a / b }'; }
printf '%-10s %10s %12s %14s %16s\n' "" "calls/s" "REGISTER/s" "CPU us/call" "CPU us/REGISTER"
printf '%-10s %10s %12s %14s %16s\n' causeway "$edge_calls" "$edge_regs" "$edge_cpu_call" "$edge_cpu_reg"
printf '%-10s %10s %12s %14s %16s\n' kamailio "$kamailio_calls" "$kamailio_regs" "$kamailio_cpu_call" "$kamailio_cpu_reg"
# Rates: causeway/kamailio (higher is better); CPU: kamailio/causeway
# (higher is better, 1.00 = as cheap as kamailio).
printf '%-10s %10s %12s %14s %16s\n' ratio "$(ratio "$edge_calls" "$kamailio_calls")" "$(ratio "$edge_regs" "$kamailio_regs")" \
	"$(ratio "$kamailio_cpu_call" "$edge_cpu_call")" "$(ratio "$kamailio_cpu_reg" "$edge_cpu_reg")"
printf '(CPU at %d calls/s and %d REGISTER/s for %d s; load average at end: %s)\n' \
	"$CPU_CALL_RATE" "$CPU_REG_RATE" "$CPU_STEP" "$(cut -d' ' -f1-3 /proc/loadavg)"
