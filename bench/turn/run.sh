#!/usr/bin/env bash
# Side-by-side TURN benchmark: coturn's turnserver and Causeway's
# examples/turnserver on 127.0.0.1, each driven by the same coturn
# turnutils_uclient load against turnutils_peer echoes:
#
#   alloc:  bench/turn/allocrate, 1000 fresh clients (401 + Allocate each),
#           with the server's CPU per allocation (clock-tick resolution)
#   flood:  -c -m 10 -n 20000 -l 200 -z 0   (10 clients, channels, no pacing),
#           once with one uclient process and once split over PROCS uclient
#           processes in parallel (each -n 20000/PROCS, 10 clients, its own
#           turnutils_peer): the same total work, because one uclient process
#           saturates at ~11-12k msg/s on a 2-core box
#   paced:  -c -m 10 -n 2000 -l 200 -z 5    (200 packets/s per client)
#   gflood: bench/turn/flood -clients 10 -n 100000 -size 200 -window 64:
#           the same channel flood from a batched closed-loop generator
#           (sendmmsg/recvmmsg, 64 packets in flight per client) and its
#           built-in batched echo peer, cheap enough that the server, not
#           the client, is the limit; it also reports its own CPU
#
# For every run and server it prints: messages returned to the clients per
# second (each was relayed twice: client->peer and peer->client), loss
# (1 - received/sent over all clients), the server's CPU time (utime+stime
# from /proc/PID/stat over the run) per returned message, and the
# Causeway/coturn ratios. It prints the machine, versions and load average
# so one run's output is a complete record.
#
# Environment:
#   BENCH_SHORT=1   a quick run (flood -n 2000, paced -n 500, 200 allocations)
#   PROCS=N         uclient processes in the multi-process flood (default 4)
#   CW_POLLERS=N    Causeway's -pollers (default: the server's default)
#   CW_READERS=N    Causeway's -readers (default: the server's default)
#   REPEAT=N        runs of every phase, servers taking turns (default 3);
#                   the summary gives every run and the medians
#
# The whole script runs under flock /tmp/causeway-cpu.lock (shared
# machine). Needs coturn (Debian package coturn) and Go.
set -euo pipefail
if [ -z "${CW_BENCH_LOCKED:-}" ]; then
  CW_BENCH_LOCKED=1 exec flock /tmp/causeway-cpu.lock "$0" "$@"
fi
cd "$(dirname "$0")/../.."
command -v turnserver >/dev/null && command -v turnutils_uclient >/dev/null || {
  echo "coturn is not installed (apt-get install coturn)"; exit 2; }

FLOOD_N=20000 PACED_N=2000 ALLOC_N=1000 GFLOOD_N=100000
if [ -n "${BENCH_SHORT:-}" ]; then FLOOD_N=2000 PACED_N=500 ALLOC_N=200 GFLOOD_N=10000; fi
PROCS=${PROCS:-4}

work=$(mktemp -d)
cleanup() {
  local j
  for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/cw-turnserver" ./examples/turnserver
go build -o "$work/allocrate" ./bench/turn/allocrate
go build -o "$work/flood" ./bench/turn/flood

echo "== machine: $(uname -sr), $(nproc) CPUs, $(date -u +%FT%TZ), causeway $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "== $(turnserver --version 2>/dev/null | head -1 | sed 's/^/coturn /'), $(go version | awk '{print $3}')"
echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

PEER0=34800
peers=()
for i in $(seq 0 "$PROCS"); do
  turnutils_peer -L 127.0.0.1 -p $((PEER0 + i)) >/dev/null 2>&1 &
  peers+=($!)
done

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# run_clients NAME PID PORT NPROC ARGS... -> one result line:
# name, returned msg/s, loss %, server CPU us/msg, and the raw counts.
# Rate = all messages received / the longest "Total transmit time" of
# the processes (coturn's 1-second resolution).
run_clients() {
  local name=$1 pid=$2 port=$3 np=$4; shift 4
  local c0 c1 t0 t1 i
  c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  local clients=()
  for i in $(seq 1 "$np"); do
    turnutils_uclient "$@" -u user -w pass -e 127.0.0.1 -r $((PEER0 + i)) -p "$port" 127.0.0.1 >"$work/out.$i" 2>&1 &
    clients+=($!)
  done
  wait "${clients[@]}" || true
  c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
  local sent=0 recv=0 tmax=0 s r t
  for i in $(seq 1 "$np"); do
    s=$(grep -o 'tot_send_msgs=[0-9]*' "$work/out.$i" | tail -1 | cut -d= -f2)
    r=$(grep -o 'tot_recv_msgs=[0-9]*' "$work/out.$i" | tail -1 | cut -d= -f2)
    t=$(grep -o 'Total transmit time is [0-9]*' "$work/out.$i" | tail -1 | awk '{print $5}')
    sent=$((sent + ${s:-0})); recv=$((recv + ${r:-0}))
    [ "${t:-0}" -gt "$tmax" ] && tmax=${t:-0}
  done
  [ "$tmax" -gt 0 ] || tmax=1
  awk -v s="$sent" -v r="$recv" -v t="$tmax" -v c=$((c1 - c0)) -v hz="$hz" -v n="$name" -v t0="$t0" -v t1="$t1" \
    'BEGIN { loss = (s > 0) ? 100 * (s - r) / s : 100; cpu = (r > 0) ? c / hz * 1e6 / r : 0;
             printf "%-9s %8.0f msg/s  loss %6.2f%%  server cpu %6.2f us/msg  (sent %d recv %d, transmit %ds, wall %.1fs, cpu %.2fs)\n",
               n, r / t, loss, cpu, s, r, t, t1 - t0, c / hz }'
}

# run_flood NAME PID PORT ARGS...: bench/turn/flood against the server,
# one result line in run_clients' format plus the generator's own CPU.
# Its rate is received / (first send .. last receive), in-process.
run_flood() {
  local name=$1 pid=$2 port=$3; shift 3
  local c0 c1 out
  c0=$(cpu_ticks "$pid")
  out=$("$work/flood" -server 127.0.0.1:"$port" -user user -pass pass "$@" 2>"$work/flood.err") ||
    { echo "$name: $(cat "$work/flood.err")" >&2; out="flood sent=0 received=0 loss=100% seconds=0 rate=0/s cpu=0s"; }
  c1=$(cpu_ticks "$pid")
  echo "$out" | awk -v c=$((c1 - c0)) -v hz="$hz" -v n="$name" '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 } }
    END { r = v["received"]; cpu = (r > 0) ? c / hz * 1e6 / r : 0
          printf "%-9s %8.0f msg/s  loss %6.2f%%  server cpu %6.2f us/msg  (sent %d recv %d, %.2fs, cpu %.2fs, generator cpu %.2fs)\n",
            n, v["rate"], v["loss"], cpu, v["sent"], r, v["seconds"], c / hz, v["cpu"] }'
}

start_coturn() {
  turnserver -n --listening-ip=127.0.0.1 --listening-port="$1" --relay-ip=127.0.0.1 \
    --min-port=40000 --max-port=45999 -a -r test --user user:pass --allow-loopback-peers \
    --no-cli --no-tls --no-dtls --log-file=stdout --simple-log >/dev/null 2>&1 &
  echo $!
}
start_causeway() {
  local extra=()
  [ -n "${CW_POLLERS:-}" ] && extra+=(-pollers "$CW_POLLERS")
  [ -n "${CW_READERS:-}" ] && extra+=(-readers "$CW_READERS")
  "$work/cw-turnserver" -listen 127.0.0.1:"$1" -realm test -user user:pass -relay-range 20000-25999 \
    -max-relays 1800 -allow-peers 127.0.0.0/8 "${extra[@]}" >/dev/null 2>&1 &
  echo $!
}

# wait_ready PORT: until the server on UDP PORT completes one allocation
# (at most 10 s), so that no phase measures a server still starting.
wait_ready() {
  for _ in $(seq 100); do
    if ss -Hlun "sport = :$1" | grep -q . &&
      "$work/allocrate" -server 127.0.0.1:"$1" -user user -pass pass -n 1 2>/dev/null | grep -q '^allocations 1 '; then
      return 0
    fi
    sleep 0.1
  done
  echo "no TURN server ready on UDP $1" >&2; return 1
}

# Every phase runs REPEAT times, the servers taking turns, so that a
# drift in the machine's load hits both; the summary takes the median of
# each figure.
REPEAT=${REPEAT:-3}
for rep in $(seq 1 "$REPEAT"); do
  for srv in coturn causeway; do
    port=$([ $srv = coturn ] && echo 33478 || echo 33578)
    # A fresh server per phase, so that no allocation of an earlier phase
    # (uclient leaves them to expire) takes relay ports or client 5-tuples.
    for phase in alloc flood1 floodN paced gflood; do
      pid=$(start_$srv "$port")
      wait_ready "$port"
      case $phase in
        alloc)
          c0=$(cpu_ticks "$pid")
          a=$("$work/allocrate" -server 127.0.0.1:"$port" -user user -pass pass -n "$ALLOC_N" 2>/dev/null || true)
          c1=$(cpu_ticks "$pid")
          echo "$a" | awk -v n=$srv -v c=$((c1 - c0)) -v hz="$hz" '{ printf "%-9s %8.0f alloc/s  failed %d  server cpu %6.1f us/alloc  (%s %s in %s, cpu %.2fs)\n",
            n, $(NF-1), $4, ($2 > 0 ? c / hz * 1e6 / $2 : 0), $2, "allocations", $6, c / hz }' >>"$work/alloc" ;;
        flood1) run_clients $srv "$pid" "$port" 1 -c -m 10 -n "$FLOOD_N" -l 200 -z 0 >>"$work/flood1" ;;
        floodN) run_clients $srv "$pid" "$port" "$PROCS" -c -m 10 -n $((FLOOD_N / PROCS)) -l 200 -z 0 >>"$work/floodN" ;;
        paced)  run_clients $srv "$pid" "$port" 1 -c -m 10 -n "$PACED_N" -l 200 -z 5 >>"$work/paced" ;;
        gflood) run_flood $srv "$pid" "$port" -clients 10 -n "$GFLOOD_N" -size 200 -window 64 >>"$work/gflood" ;;
      esac
      kill "$pid"; wait "$pid" 2>/dev/null || true
    done
  done
done

# median FILE SERVER FIELD-UNIT: the median of the number before UNIT.
median() {
  grep "^$2 " "$1" | awk -v k="$3" '{ for (i = 1; i < NF; i++) if ($(i+1) == k) { v = $i; gsub("%", "", v); print v } }' |
    sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# summary FILE: every run, the medians and the Causeway/coturn ratios.
summary() {
  sed 's/^/  /' "$1"
  local srv
  for srv in coturn causeway; do
    printf "  median %-9s %8.0f msg/s  loss %6.2f%%  server cpu %6.2f us/msg\n" $srv \
      "$(median "$1" $srv msg/s)" "$(median "$1" $srv loss)" "$(median "$1" $srv us/msg)"
  done
  awk -v a="$(median "$1" causeway msg/s)" -v b="$(median "$1" coturn msg/s)" \
    -v la="$(median "$1" causeway loss)" -v lb="$(median "$1" coturn loss)" \
    -v ca="$(median "$1" causeway us/msg)" -v cb="$(median "$1" coturn us/msg)" \
    'BEGIN { printf "  ratio causeway/coturn: throughput %.2fx; loss %.2f%% vs %.2f%%; server CPU per message %.2fx (coturn/causeway %.2f)\n",
               (b > 0 ? a / b : 0), la, lb, (cb > 0 ? ca / cb : 0), (ca > 0 ? cb / ca : 0) }'
}
# The loss column's unit is the word after the number ("loss N%"): swap
# it for the median helper.
for f in flood1 floodN paced gflood; do sed -i 's/loss *\([0-9.]*\)%/\1% loss/' "$work/$f"; done

echo "== allocation rate ($ALLOC_N fresh clients, $REPEAT runs)"
sed 's/^/  /' "$work/alloc"
for srv in coturn causeway; do printf "  median %-9s %8.0f alloc/s  server cpu %6.1f us/alloc\n" $srv \
  "$(median "$work/alloc" $srv alloc/s)" "$(median "$work/alloc" $srv us/alloc)"; done
awk -v a="$(median "$work/alloc" causeway alloc/s)" -v b="$(median "$work/alloc" coturn alloc/s)" \
  -v ca="$(median "$work/alloc" causeway us/alloc)" -v cb="$(median "$work/alloc" coturn us/alloc)" \
  'BEGIN { if (b > 0) printf "  ratio causeway/coturn: %.2fx; server CPU per allocation %.2fx\n", a / b, (cb > 0 ? ca / cb : 0) }'
echo "== flood, 1 uclient process (-c -m 10 -n $FLOOD_N -l 200 -z 0), $REPEAT runs"
summary "$work/flood1"
echo "== flood, $PROCS uclient processes (each -c -m 10 -n $((FLOOD_N / PROCS)) -l 200 -z 0, own peer), $REPEAT runs"
summary "$work/floodN"
echo "== paced (-c -m 10 -n $PACED_N -l 200 -z 5), $REPEAT runs"
summary "$work/paced"
echo "== gflood, bench/turn/flood (-clients 10 -n $GFLOOD_N -size 200 -window 64, built-in batched echo peer), $REPEAT runs"
summary "$work/gflood"
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
