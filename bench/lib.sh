# shellcheck shell=bash
# Measurement helpers shared by bench/ladder and bench/soak: CPU and RSS of a process from /proc,
# SIPp statistics files, UDP drop counters. Source it after scripts/lib.sh; defines functions only.


# utime+stime of a process in clock ticks.
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# cutime+cstime of this shell: CPU of the children it has already waited for (the SIPp runs).
children_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Datagrams the kernel dropped on the UDP socket bound to local port $1 (receive buffer full),
# from the last column of /proc/net/udp.
udp_drops() {
  awk -v p="$(printf ':%04X' "$1")" 'NR > 1 && substr($2, length($2) - 4) == p { d += $NF } END { print d + 0 }' /proc/net/udp
}

# Prints the value of a column (by header name) of the last row of a SIPp ;-separated CSV.
csv_last() {
  awk -F';' -v col="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
    NR > 1  { v = $c }
    END     { print (c && v != "") ? v + 0 : 0 }' "$1" 2>/dev/null || echo 0
}

# Sum over the last row of every column whose header matches a regex (e.g. the 503 receive count
# of -trace_counts, whose headers are like 4_503_Recv).
csv_sum_matching() {
  awk -F';' -v re="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ re) cols[i] = 1 }
    NR > 1  { s = 0; for (i in cols) s += $i }
    END     { print s + 0 }' "$1" 2>/dev/null || echo 0
}

# "avg p99" in ms of response-time id 1 from a -trace_rtt file (Date_ms;response_time_ms;rtd_no).
rtt_stats() {
  local f=$1
  [[ -s "$f" ]] || { echo "- -"; return; }
  awk -F';' 'NR > 1 && $3 + 0 == 1 { print $2 + 0 }' "$f" | sort -g | awk '
    { v[NR] = $1; s += $1 }
    END {
      if (NR == 0) { print "- -"; exit }
      i = int(NR * 0.99); if (i < 1) i = 1; if (i > NR) i = NR
      printf "%.2f %.2f\n", s / NR, v[i]
    }'
}

wait_udp_port() {
  local i
  for ((i = 0; i < 50; i++)); do
    port_in_use udp "$1" && return 0
    sleep 0.1
  done
  return 1
}

