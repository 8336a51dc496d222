#!/bin/bash
# sipsleuth speed benchmark: sipsleuth vs tshark vs the libpcap read floor,
# on the same SIPp captures.
#
#   sudo bench/run.sh [--runs N] [--tcp-size SIZE|--no-tcp] [--no-tshark] [SIZES...]
#
# SIZES: numbers of calls (default: 10k 50k 100k 240k). For each size the
# UDP capture bench/data/sip-udp-SIZE.pcap is made by bench/make-capture.sh
# (kept and reused: bench/data/ is git-ignored), plus one TCP capture
# (default 50k calls; --tcp-size, --no-tcp).
#
# Steps: build sipsleuth (Release, in $BUILD, default /tmp/bench/build) and
# bench/floor.c; make the captures; read each capture once so that every
# tool reads it from the page cache; then time, with /usr/bin/time:
#   sipsleuth --format json FILE > /dev/null       best of N runs (default 5)
#   tshark -q -z sip,stat -r FILE > /dev/null      best of 3 if a run takes
#                                                  under 15 s, else 1 run
#   floor FILE > /dev/null                         best of N runs
#   floor --buffer 65536 FILE > /dev/null          best of N runs (floor64k)
# and prints a Markdown report (also written to bench/results/latest.md;
# the raw measurements go to bench/results/latest.tsv).
#
# --runs N      runs per tool and file (default 5; tshark at most 3)
# --rate R      SIPp call rate of the captures (default 1000 calls/s, the same
#               for every size so that they differ in length only; a capture
#               that fails its checks is made again at R/2)
# --nice N      niceness of the measured commands (default -10: the machine
#               is shared, and wall times under load measure the load)
# --no-tshark   skip tshark (its columns then say "-")
#
# Needs root (make-capture.sh), cmake, cc, libpcap-dev, libosip2-dev, jq,
# tshark, /usr/bin/time (Debian package "time"), sipp, tcpdump.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-/tmp/bench/build}
DATA=$HERE/data
RESULTS=$HERE/results
RUNS=5
TSHARK_RUNS_MAX=3      # tshark is slow: at most this many runs
RATE=1000
TCP_SIZE=50k
TSHARK=1
NICE=-10
TSHARK_REPEAT_S=15     # tshark is repeated only if one run is faster than this

die() { echo "run.sh: $*" >&2; exit 1; }
# the comment block at the top of this file
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
log() { echo "run.sh: $*" >&2; }

sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=${2:?}; shift ;;
        --rate) RATE=${2:?}; shift ;;
        --tcp-size) TCP_SIZE=${2:?}; shift ;;
        --no-tcp) TCP_SIZE="" ;;
        --no-tshark) TSHARK=0 ;;
        --nice) NICE=${2:?}; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) sizes+=("$1") ;;
    esac
    shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10k 50k 100k 240k)
case "$RUNS" in [1-9]) ;; *) die "--runs must be 1-9" ;; esac

for t in cmake cc jq awk; do command -v $t >/dev/null || die "missing tool: $t"; done
[ $TSHARK = 0 ] || command -v tshark >/dev/null || die "missing tool: tshark (or --no-tshark)"
if [ ! -x /usr/bin/time ]; then
    log "installing GNU time"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null || die "cannot install package time"
fi

mkdir -p "$DATA" "$RESULTS" "$BUILD"
WORK=$(mktemp -d /tmp/sls-bench-run.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# ------------------------------------------------------------------ build
# Other people edit src/ while this runs: a failed build is retried a few
# times, a minute apart, before giving up.
# A warning that only Release's -O3 shows (the tests build RelWithDebInfo) must not stop
# the benchmark: the build is then retried with SLS_WERROR=OFF (same code,
# warnings not fatal) and the report says so.
build() {   # build WERROR
    { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSLS_WERROR="$1" &&
      cmake --build "$BUILD" -j "$(nproc)" --target sipsleuth; } >"$WORK/build.log" 2>&1
}
build_ok=0
BUILD_NOTE=""
for attempt in 1 2 3 4; do
    if build ON; then build_ok=1; break; fi
    if grep -q "warnings being treated as errors" "$WORK/build.log"; then
        grep -m 3 -E 'error: ' "$WORK/build.log" | sed 's/^/    /' >"$WORK/werror.txt" || true
        if build OFF; then
            build_ok=1
            BUILD_NOTE="built with -DSLS_WERROR=OFF: the -Werror build failed with $(head -n 1 "$WORK/werror.txt" | sed 's/^ *//; s/|/\\|/g')"
            log "$BUILD_NOTE"
            break
        fi
    fi
    log "build failed (attempt $attempt), retrying in 60 s; tail of the log:"
    tail -n 15 "$WORK/build.log" >&2
    [ $attempt = 4 ] || sleep 60
done
[ $build_ok = 1 ] || die "cannot build sipsleuth"
SIPSLEUTH=$BUILD/sipsleuth
FLOOR=$BUILD/bench-floor
cc -O2 "$HERE/floor.c" -lpcap -o "$FLOOR" || die "cannot build bench/floor.c"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- src include CMakeLists.txt 2>/dev/null | wc -l)

# --------------------------------------------------------------- captures
files=()     # capture paths, in table order
declare -A LABEL CALLS GEN_S GEN_RATE
add_capture() {   # add_capture udp|tcp SIZE
    local tr=$1 size=$2 f opt=()
    f=$DATA/sip-$tr-$size.pcap
    [ "$tr" = tcp ] && opt=(--tcp)
    local rc=0
    "$HERE/make-capture.sh" "${opt[@]}" --rate "$RATE" "$size" "$f" >&2 || rc=$?
    if [ $rc = 3 ]; then
        log "retrying $tr $size at $((RATE / 2)) calls/s"
        rc=0
        "$HERE/make-capture.sh" "${opt[@]}" --rate $((RATE / 2)) "$size" "$f" >&2 || rc=$?
    fi
    [ $rc = 0 ] || die "make-capture.sh $tr $size failed"
    files+=("$f")
    LABEL[$f]="$size $tr"
    CALLS[$f]=$(awk '$1 == "calls:" { print $2 }' "$f.meta")
    GEN_S[$f]=$(awk '$1 == "generated_in_s:" { print $2 }' "$f.meta")
    GEN_RATE[$f]=$(awk '$1 == "rate_cps:" { print $2 }' "$f.meta")
}
for s in "${sizes[@]}"; do add_capture udp "$s"; done
[ -z "$TCP_SIZE" ] || add_capture tcp "$TCP_SIZE"

# --------------------------------------------------------------- measure
# measure TOOL FILE N: run the tool N times; the line of the fastest run
# (wall user sys maxrss_kb exit) is appended to the raw table.
RAW=$RESULTS/latest.tsv
printf 'file\ttool\trun\twall_s\tuser_s\tsys_s\tmaxrss_kb\texit\n' >"$RAW.tmp"
run_once() {   # run_once TOOL FILE RUN -> prints "wall user sys rss exit"
    local tool=$1 f=$2 i=$3 rc=0 cmd
    case $tool in
        sipsleuth) cmd=("$SIPSLEUTH" --format json "$f") ;;
        tshark) cmd=(tshark -q -z "sip,stat" -r "$f") ;;   # its statistics are kept (a few lines)
        floor) cmd=("$FLOOR" "$f") ;;
        floor64k) cmd=("$FLOOR" --buffer 65536 "$f") ;;
    esac
    # wall time from the shell's microsecond clock (time's %e has 10 ms steps)
    local t0=$EPOCHREALTIME t1 t
    local out=/dev/null
    [ "$tool" = tshark ] && out=$WORK/tshark-$(basename "$f").txt
    nice -n "$NICE" /usr/bin/time -f '%U %S %M' -o "$WORK/time" "${cmd[@]}" >"$out" 2>"$WORK/stderr" || rc=$?
    t1=$EPOCHREALTIME
    t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $(tail -n 1 "$WORK/time")"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(basename "$f")" "$tool" "$i" "$(echo "$t" | tr ' ' '\t')" "$rc" >>"$RAW.tmp"
    if [ $rc != 0 ]; then
        log "$tool exited with status $rc on $f: $(head -c 300 "$WORK/stderr")"
    fi
    echo "$t $rc"
}
declare -A WALL CPU RSS RUNS_DONE EXIT
measure() {
    local tool=$1 f=$2 n=$3 i best="" r wall
    for i in $(seq "$n"); do
        r=$(run_once "$tool" "$f" "$i")
        wall=${r%% *}
        if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$r
        fi
        # tshark on the large captures: once is enough
        if [ "$tool" = tshark ] && [ "$i" = 1 ] &&
           awk -v a="$wall" -v m=$TSHARK_REPEAT_S 'BEGIN { exit !(a >= m) }'; then
            break
        fi
    done
    read -r w u s m rc <<<"$best"
    WALL[$tool,$f]=$w
    CPU[$tool,$f]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    RSS[$tool,$f]=$(awk -v m="$m" 'BEGIN { printf "%.1f", m / 1024 }')
    RUNS_DONE[$tool,$f]=$i
    EXIT[$tool,$f]=$rc
    log "$tool ${LABEL[$f]}: ${w} s wall, ${CPU[$tool,$f]} s CPU, ${RSS[$tool,$f]} MB ($i run(s), exit $rc)"
}

declare -A MSGS SKIPPED BYTES PKTS TSHARK_MSGS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for f in "${files[@]}"; do
    cat "$f" >/dev/null     # into the page cache, the same for every tool
    BYTES[$f]=$(stat -c %s "$f")
    "$SIPSLEUTH" --format json "$f" >"$WORK/summary.json" 2>/dev/null || true
    MSGS[$f]=$(jq -r '.capture.sip_messages // "?"' "$WORK/summary.json" 2>/dev/null || echo "?")
    PKTS[$f]=$(jq -r '.capture.packets // "?"' "$WORK/summary.json" 2>/dev/null || echo "?")
    SKIPPED[$f]=$(jq -r '[(.capture.skipped // {}), (.capture.not_sip // {})] | add | to_entries
                         | map("\(.key) \(.value)") | join(", ")' "$WORK/summary.json" 2>/dev/null || echo "?")
    cp "$WORK/summary.json" "$WORK/summary-$(basename "$f").json"
    measure floor "$f" "$RUNS"
    measure floor64k "$f" "$RUNS"
    measure sipsleuth "$f" "$RUNS"
    if [ $TSHARK = 1 ]; then
        measure tshark "$f" $((RUNS < TSHARK_RUNS_MAX ? RUNS : TSHARK_RUNS_MAX))
        TSHARK_MSGS[$f]=$(awk '/Number of SIP messages:/ { print $NF }' "$WORK/tshark-$(basename "$f").txt")
    fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
mv -f "$RAW.tmp" "$RAW"

# ---------------------------------------------------------------- report
# helpers: arithmetic in awk, "-" for what was not measured
calc() { awk "BEGIN { $1 }"; }
val() { local v=${1:-}; [ -n "$v" ] && echo "$v" || echo "-"; }
doubling() {   # doubling WALL|CPU FILE1 FILE2: sipsleuth's time growth per doubling of the messages
    local -n t=$1
    calc "printf \"%.2f\", (${t[sipsleuth,$3]} / ${t[sipsleuth,$2]}) ^ (log(2) / log(${MSGS[$3]} / ${MSGS[$2]}))"
}
verdict() {   # verdict VALUE OP LIMIT -> PASS, FAIL or "not measured"
    case "$1" in ''|-|\?) echo "not measured"; return ;; esac
    calc "print ($1 $2 $3) ? \"PASS\" : \"FAIL\""
}
ratio() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && calc "if ($2 > 0) printf \"%.1f\", $1 / $2; else print \"-\"" || echo "-"; }

mem_gb=$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
tshark_v=$(tshark -v 2>/dev/null | head -n 1 || echo "not installed")
pcap_v=$(dpkg-query -W -f='${Version}' libpcap0.8:amd64 2>/dev/null || echo "?")
osip_v=$(dpkg-query -W -f='${Version}' libosip2-15:amd64 2>/dev/null || dpkg-query -W -f='${Version}' libosip2-dev 2>/dev/null || echo "?")

udp_files=()
for f in "${files[@]}"; do case "$f" in *-udp-*) udp_files+=("$f") ;; esac; done
largest=${udp_files[${#udp_files[@]}-1]}
smallest=${udp_files[0]}

NOTES=()
report() {
    echo "# sipsleuth benchmark"
    echo
    echo "Generated by \`bench/run.sh ${sizes[*]}\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "| machine | |"
    echo "|---|---|"
    echo "| CPU | $cpu_model, $(nproc) CPUs |"
    echo "| memory | $mem_gb GB |"
    echo "| OS | Debian $(cat /etc/debian_version), kernel $(uname -r) |"
    echo "| tshark | $tshark_v |"
    echo "| libpcap / libosip2 | $pcap_v / $osip_v |"
    echo "| sipsleuth | $("$SIPSLEUTH" --version 2>/dev/null | head -n 1), commit $COMMIT$([ "$DIRTY" -gt 0 ] && echo " + $DIRTY uncommitted file(s) in src/ include/ CMakeLists.txt"), CMake Release |"
    [ -z "$BUILD_NOTE" ] || echo "| build note | $BUILD_NOTE |"
    echo "| load average | $LOAD_START at start, $LOAD_END at the end (other jobs share the machine; measured commands run at nice $NICE; CPU time is the steadier number) |"
    echo
    echo "## Results"
    echo
    echo "Each capture is read from the page cache. sipsleuth and the floor: best of $RUNS runs;"
    echo "tshark: best of $((RUNS < TSHARK_RUNS_MAX ? RUNS : TSHARK_RUNS_MAX)), or 1 run where marked \`(1 run)\` (runs of ${TSHARK_REPEAT_S} s or more are not repeated)."
    echo "msg/s and MB/s are wall-clock rates over the capture's SIP messages (as counted by sipsleuth) and file size."
    echo
    echo "| capture | calls | SIP msgs | MB | tool | wall s | CPU s | peak RSS MB | msg/s | MB/s |"
    echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"
    local f tool mb w note
    for f in "${files[@]}"; do
        mb=$(calc "printf \"%.0f\", ${BYTES[$f]} / 1e6")
        for tool in sipsleuth tshark floor floor64k; do
            w=${WALL[$tool,$f]:-}
            note=""
            [ "$tool" = tshark ] && [ -n "$w" ] && [ "${RUNS_DONE[$tool,$f]}" = 1 ] && [ "$RUNS" != 1 ] && note=" (1 run)"
            [ -n "$w" ] && [ "${EXIT[$tool,$f]}" != 0 ] && note="$note (exit ${EXIT[$tool,$f]})"
            if [ -z "$w" ]; then
                echo "| ${LABEL[$f]} | ${CALLS[$f]} | ${MSGS[$f]} | $mb | $tool | - | - | - | - | - |"
                continue
            fi
            echo "| ${LABEL[$f]} | ${CALLS[$f]} | ${MSGS[$f]} | $mb | $tool$note | $w | ${CPU[$tool,$f]} | ${RSS[$tool,$f]} |" \
                 "$(calc "if ($w > 0 && \"${MSGS[$f]}\" + 0 > 0) printf \"%.0f\", ${MSGS[$f]:-0} / $w; else print \"-\"") |" \
                 "$(calc "if ($w > 0) printf \"%.0f\", ${BYTES[$f]} / 1e6 / $w; else print \"-\"") |"
        done
    done
    echo
    echo "## Ratios"
    echo
    echo "tshark/sipsleuth and sipsleuth/floor compare wall times (CPU times in parentheses). The floor"
    echo "is the minimal libpcap loop (pcap_open_offline, then pcap_next_ex on every packet); floor64k is"
    echo "the same loop reading through a 64 KiB stdio buffer, as sipsleuth does: a read(2) per 64 KiB"
    echo "instead of per 4 KiB."
    echo "ns/msg is sipsleuth's wall time per SIP message; \"per doubling\" is the growth of sipsleuth's"
    echo "time from the previous size, scaled to a doubling of the input: (t2/t1)^(ln 2 / ln(n2/n1)), wall (CPU)."
    echo
    echo "| capture | tshark / sipsleuth | sipsleuth / floor | sipsleuth / floor64k | sipsleuth ns/msg | vs smallest | per doubling |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    local prev="" ns0 ns pd
    ns0=$(calc "printf \"%.0f\", ${WALL[sipsleuth,$smallest]} * 1e9 / ${MSGS[$smallest]}" 2>/dev/null || echo "")
    for f in "${files[@]}"; do
        ns=$(calc "if (\"${MSGS[$f]}\" + 0 > 0) printf \"%.0f\", ${WALL[sipsleuth,$f]} * 1e9 / ${MSGS[$f]}; else print \"-\"")
        pd="-"
        if [[ "$f" == *-udp-* ]] && [ -n "$prev" ]; then
            pd="$(doubling WALL "$prev" "$f") ($(doubling CPU "$prev" "$f"))"
        fi
        echo "| ${LABEL[$f]} | $(ratio "${WALL[tshark,$f]:-}" "${WALL[sipsleuth,$f]}") ($(ratio "${CPU[tshark,$f]:-}" "${CPU[sipsleuth,$f]}"))" \
             "| $(ratio "${WALL[sipsleuth,$f]}" "${WALL[floor,$f]}") ($(ratio "${CPU[sipsleuth,$f]}" "${CPU[floor,$f]}"))" \
             "| $(ratio "${WALL[sipsleuth,$f]}" "${WALL[floor64k,$f]:-}") ($(ratio "${CPU[sipsleuth,$f]}" "${CPU[floor64k,$f]:-}"))" \
             "| $ns | $([ -n "$ns0" ] && [ "$ns" != "-" ] && calc "printf \"%.2f\", $ns / $ns0" || echo "-") | $pd |"
        if [ "${MSGS[$f]}" = 0 ]; then
            NOTES+=("${LABEL[$f]}: sipsleuth analysed no SIP message in this capture (${SKIPPED[$f]}), so its times are not comparable with tshark's.")
        fi
        [[ "$f" == *-udp-* ]] && prev=$f
    done
    local n
    for n in "${NOTES[@]}"; do echo; echo "Note: $n"; done
    echo
    echo "## Targets"
    echo
    local r ok
    echo "Judged on wall time, as specified; the same check on CPU time follows in parentheses."
    echo
    local rc
    r=$(ratio "${WALL[tshark,$largest]:-}" "${WALL[sipsleuth,$largest]}")
    rc=$(ratio "${CPU[tshark,$largest]:-}" "${CPU[sipsleuth,$largest]}")
    echo "- at least 50x faster than tshark on the largest capture (${LABEL[$largest]}):" \
         "**$(verdict "$r" ">=" 50)** (${r}x; CPU: ${rc}x, $(verdict "$rc" ">=" 50))"
    r=$(ratio "${WALL[sipsleuth,$largest]}" "${WALL[floor,$largest]}")
    rc=$(ratio "${CPU[sipsleuth,$largest]}" "${CPU[floor,$largest]}")
    echo "- within 3x of the libpcap read floor on the largest capture:" \
         "**$(verdict "$r" "<=" 3)** (${r}x; CPU: ${rc}x, $(verdict "$rc" "<=" 3))"
    r=$(ratio "${WALL[sipsleuth,$largest]}" "${WALL[floor64k,$largest]:-}")
    rc=$(ratio "${CPU[sipsleuth,$largest]}" "${CPU[floor64k,$largest]:-}")
    echo "  - the same against floor64k, the loop reading through a 64 KiB buffer as sipsleuth does:" \
         "**$(verdict "$r" "<=" 3)** (${r}x; CPU: ${rc}x, $(verdict "$rc" "<=" 3))"
    local maxrss=0 maxf=""
    for f in "${files[@]}"; do
        if calc "exit !(${RSS[sipsleuth,$f]} > $maxrss)"; then maxrss=${RSS[sipsleuth,$f]}; maxf=${LABEL[$f]}; fi
    done
    ok=$(verdict "$maxrss" "<" 100)
    echo "- peak RSS under 100 MB at every size: **$ok** (largest: $maxrss MB, $maxf)"
    local worst=0 pair="" worstc=0 pairc="" pdc
    prev=""
    for f in "${udp_files[@]}"; do
        if [ -n "$prev" ]; then
            pd=$(doubling WALL "$prev" "$f")
            pdc=$(doubling CPU "$prev" "$f")
            if calc "exit !($pd > $worst)"; then worst=$pd; pair="${LABEL[$prev]} -> ${LABEL[$f]}"; fi
            if calc "exit !($pdc > $worstc)"; then worstc=$pdc; pairc="${LABEL[$prev]} -> ${LABEL[$f]}"; fi
        fi
        prev=$f
    done
    if [ -n "$pair" ]; then
        echo "- doubling the input at most 2.1x the time: **$(verdict "$worst" "<=" 2.1)**" \
             "(worst: ${worst}x per doubling, $pair; CPU: ${worstc}x, $pairc, $(verdict "$worstc" "<=" 2.1))"
    fi
    echo
    echo "## Captures"
    echo
    echo "| capture | file | calls | SIP msgs (mix) | packets | MB | made at | made in | tshark counted | sipsleuth counted |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for f in "${files[@]}"; do
        echo "| ${LABEL[$f]} | bench/data/$(basename "$f") | ${CALLS[$f]} |" \
             "$(awk '$1 == "sip_messages:" { print $2 }' "$f.meta") | ${PKTS[$f]} |" \
             "$(calc "printf \"%.0f\", ${BYTES[$f]} / 1e6") | ${GEN_RATE[$f]} calls/s | ${GEN_S[$f]} s | $(val "${TSHARK_MSGS[$f]:-}") |" \
             "${MSGS[$f]} SIP messages$([ -n "${SKIPPED[$f]}" ] && echo "; ${SKIPPED[$f]}") |"
    done
    echo
    echo "## Calls: the mix and what sipsleuth made of it"
    echo
    echo "Mix: calls per outcome as generated (see bench/README.md). sipsleuth: \`.calls\` of its JSON summary"
    echo "(an \"auth\" call is answered after its 401; \"error\" calls are the 500s; unanswered INVITEs"
    echo "stay in progress until 32 s of capture time have passed)."
    echo
    echo "| capture | mix | sipsleuth .calls | peak open calls / transactions |"
    echo "|---|---|---|---|"
    local js
    for f in "${files[@]}"; do
        js=$WORK/summary-$(basename "$f").json
        echo "| ${LABEL[$f]} | $(awk '$1 == "mix:" && $2 != "total" { printf "%s%s %s", sep, $2, $3; sep = ", " }' "$f.meta") |" \
             "$(jq -r '.calls as $c | "total \($c.total): " + ([$c.outcomes | to_entries[] | select(.value > 0) | "\(.key) \(.value)"] | join(", ")) + "; challenged \($c.challenged // 0)"' "$js" 2>/dev/null || echo "?") |" \
             "$(jq -r '"\(.calls.peak_open // "?") / \(.capture.peak_open_transactions // "?")"' "$js" 2>/dev/null || echo "?") |"
    done
}

report >"$RESULTS/latest.md.tmp"
mv -f "$RESULTS/latest.md.tmp" "$RESULTS/latest.md"
cat "$RESULTS/latest.md"
