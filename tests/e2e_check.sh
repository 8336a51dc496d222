#!/usr/bin/env bash
# End-to-end tests of the CI gate on the sample captures: `sipsleuth check`
# (every rule passing and failing, every exit status, INI policies, baselines,
# JUnit/Markdown/JSON reports), `sipsleuth merge` (exactness against one run
# over all captures), and the JSON schemas in docs/schema against real
# output.
#
# Usage: e2e_check.sh SIPSLEUTH SOURCE_DIR
# Needs jq, xmllint (libxml2-utils), editcap (tshark's wireshark-common) and
# python3 with jsonschema (python3-jsonschema).
set -euo pipefail
bin=$1
src=$2
samples=$src/samples
shared=${SLS_SHARED_CAPTURES:-$src/../shared/captures}
export TZ=GMT0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); }
ko() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}

for tool in jq xmllint editcap; do
  command -v $tool >/dev/null || { echo "e2e_check: $tool is required" >&2; exit 1; }
done
py=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import jsonschema' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "e2e_check: python3 with jsonschema is required (python3-jsonschema)" >&2; exit 1; }
[ -f "$samples/mixed.pcap" ] || { echo "e2e_check: no samples in $samples" >&2; exit 1; }

# run EXPECTED_STATUS NAME ARGS...: runs sipsleuth, output in $tmp/out and
# $tmp/err, and checks the exit status.
run() {
  local want=$1 name=$2 rc=0
  shift 2
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -eq "$want" ]; then
    ok
  else
    ko "$name: exit status $rc, expected $want (sipsleuth $*)"
    sed 's/^/    | /' "$tmp/err" "$tmp/out" | head -20 >&2
  fi
}

# has NAME PATTERN [FILE]: FILE (default $tmp/out) has a line matching the
# fixed string PATTERN.
has() {
  local name=$1 pat=$2 file=${3:-$tmp/out}
  if grep -qF -- "$pat" "$file"; then ok; else
    ko "$name: no line with '$pat' in $(basename "$file")"
    sed 's/^/    | /' "$file" | head -20 >&2
  fi
}

# rule_status EXPECTED NAME ARGS...: `check --format json` with one rule
# flag; the status of the first result must be EXPECTED (pass/fail/skip).
rule_status() {
  local want=$1 name=$2 got rc=0
  shift 2
  "$bin" check --format json "$@" >"$tmp/rs.json" 2>"$tmp/rs.err" || rc=$?
  got=$(jq -r '.rules[0].status' "$tmp/rs.json" 2>/dev/null || echo "no JSON (exit $rc)")
  if [ "$got" = "$want" ]; then ok; else
    ko "$name: rule is '$got', expected '$want' (sipsleuth check $*)"
    sed 's/^/    | /' "$tmp/rs.err" | head -5 >&2
    jq -c '.rules[0] | {measured_text, allowed_text, detail}' "$tmp/rs.json" 2>/dev/null | sed 's/^/    | /' >&2 || true
  fi
}

S=$samples
"$bin" --format json "$S/mixed.pcap" >"$tmp/mixed.json"
"$bin" --format json "$S/answered.pcap" >"$tmp/answered.json"
m() { jq -r "$1" "$tmp/mixed.json"; }

# ---------------------------------------------------------------- rules
# Each rule at the measured value passes and just past it fails, with the
# measured value taken from the summary of the same capture.
fr=$(m '.calls.failed * 100 / .calls.attempts')            # 30
rule_status pass "failure-rate at the value" --max-failure-rate "${fr}%" "$S/mixed.pcap"
rule_status fail "failure-rate below the value" --max-failure-rate "$(awk "BEGIN{print $fr - 0.01}")%" "$S/mixed.pcap"
rule_status pass "failure-rate as a fraction" --max-failure-rate 0.3 "$S/mixed.pcap"
rule_status skip "failure-rate without calls" --max-failure-rate 1% "$S/options_register.pcap"

n503=$(m '.response_codes["503"].transactions')
rule_status pass "count 503" --max-count "503=$n503" "$S/mixed.pcap"
rule_status fail "count 503 - 1" --max-count "503=$((n503 - 1))" "$S/mixed.pcap"
rule_status fail "count 5xx" --max-count 5xx=1 "$S/server_error.pcap"
rule_status pass "count 5xx" --max-count 5xx=2 "$S/server_error.pcap"
rule_status pass "count 500 absent" --max-count 500=0 "$S/answered.pcap"

rated=$(m '.error_rate.denominator')
r4=$(m "[.response_codes[] | select(.class | startswith(\"4\")) | .transactions] | add * 100 / $rated")
rule_status pass "rate 4xx at the value" --max-rate "4xx=$(awk "BEGIN{printf \"%.6f\", $r4 + 0.000001}")%" "$S/mixed.pcap"
rule_status fail "rate 4xx below the value" --max-rate "4xx=$(awk "BEGIN{printf \"%.6f\", $r4 - 0.000001}")%" "$S/mixed.pcap"
rule_status fail "rate 4xx" --max-rate 4xx=1% "$S/mixed.pcap"

rule_status pass "no-final" --max-no-final 1 "$S/unanswered.pcap"
rule_status fail "no-final" --max-no-final 0 "$S/unanswered.pcap"

asr=$(m '.calls.outcomes.answered * 100 / .calls.attempts')
rule_status pass "asr at the value" --min-asr "${asr}%" "$S/mixed.pcap"
rule_status fail "asr above the value" --min-asr "$(awk "BEGIN{print $asr + 0.01}")%" "$S/mixed.pcap"
rule_status pass "asr 100%" --min-asr 100% "$S/answered.pcap"

pdd=$(jq -r '.timings.pdd_ms.p95' "$tmp/answered.json")
rule_status pass "pdd-p95 at the value" --max-pdd-p95 "${pdd}ms" "$S/answered.pcap"
rule_status fail "pdd-p95 below the value" --max-pdd-p95 "$(awk "BEGIN{print $pdd - 0.5}")ms" "$S/answered.pcap"
rule_status skip "pdd-p95 without ringing" --max-pdd-p95 3s "$S/busy.pcap"

rt=$(m '.timings.response_ms.p95')
rule_status pass "response-p95 at the value" --max-response-p95 "${rt}ms" "$S/mixed.pcap"
rule_status fail "response-p95 below the value" --max-response-p95 "$((rt - 1))ms" "$S/mixed.pcap"

# A capture with one malformed SIP message (no Call-ID) and one datagram cut
# short (a UDP length beyond the captured bytes).
"$py" - "$tmp/malformed.pcap" <<'EOF'
import struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(payload, udp_len=None):
    udp = struct.pack('!HHHH', 5060, 5060, udp_len or 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\0\1\2\3\4\5' + b'\0\1\2\3\4\6' + b'\x08\x00' + ip + udp
sip = (b'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n'
       b'From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n'
       b'CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n')
frames = [frame(sip), frame(b'OPTIONS sip:x SIP/2.0\r\n', udp_len=400)]
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(fr), len(fr)))
        f.write(fr)
EOF
"$bin" --format json "$tmp/malformed.pcap" >"$tmp/malformed.json"
nmal=$(jq '[.capture.malformed[], .capture.skipped[]] | add // 0' "$tmp/malformed.json")
if [ "$nmal" -ge 1 ]; then ok; else ko "the crafted capture has no malformed or skipped item"; fi
rule_status pass "malformed at the value" --max-malformed "$nmal" "$tmp/malformed.pcap"
rule_status fail "malformed below the value" --max-malformed "$((nmal - 1))" "$tmp/malformed.pcap"
rule_status fail "malformed by name" --max-malformed sip-no-call-id=0 "$tmp/malformed.pcap"
rule_status pass "malformed by name" --max-malformed sip-no-call-id=1 "$tmp/malformed.pcap"
rule_status pass "malformed on a clean capture" --max-malformed 0 "$S/mixed.pcap"

er=$(m '.error_rate.errors * 100 / .error_rate.denominator')
rule_status pass "error-rate at the value" --max-error-rate "$(awk "BEGIN{printf \"%.6f\", $er + 0.000001}")%" "$S/mixed.pcap"
rule_status fail "error-rate below the value" --max-error-rate "$(awk "BEGIN{printf \"%.6f\", $er - 0.000001}")%" "$S/mixed.pcap"

rule_status pass "min-calls" --min-calls 10 "$S/mixed.pcap"
rule_status fail "min-calls" --min-calls 11 "$S/mixed.pcap"
rule_status fail "min-calls on a capture without calls" --min-calls 1 "$S/options_register.pcap"

# Scopes: a method's transactions, a peer's calls.
rule_status pass "method INVITE rate 5xx" --method INVITE --max-count 5xx=1 "$S/mixed.pcap"
rule_status fail "method INVITE count 4xx" --method INVITE --max-count 4xx=0 "$S/mixed.pcap"
rule_status pass "method BYE count 4xx" --method BYE --max-count 4xx=0 "$S/mixed.pcap"
rule_status pass "method REGISTER error rate" --method REGISTER --max-error-rate 0% "$S/mixed.pcap"
peer=$(m '.peers[0].peer')
pcalls=$(m '.peers[0].calls')
rule_status pass "peer calls" --peer "$peer" --min-calls "$pcalls" "$S/mixed.pcap"
rule_status fail "peer calls + 1" --peer "$peer" --min-calls "$((pcalls + 1))" "$S/mixed.pcap"
rule_status fail "peer failure rate" --peer "${peer%:*}" --max-failure-rate 10% "$S/mixed.pcap"
rule_status fail "unknown peer has no calls" --peer 203.0.113.9 --min-calls 1 "$S/mixed.pcap"
rule_status skip "unknown peer has no ASR" --peer 203.0.113.9 --min-asr 1% "$S/mixed.pcap"

# ---------------------------------------------------------- exit statuses
run 0 "all rules hold" check --max-failure-rate 30% --max-count 500=0 --min-calls 1 "$S/mixed.pcap"
has "terminal line" "PASS max-failure-rate: 30% <= 30% (3 of 10 call attempts failed)"
has "terminal line" "PASS max-count 500: 0 <= 0"
has "result line" "RESULT pass: 3 rules, 3 passed, 0 failed, 0 skipped"
run 1 "a rule fails" check --max-failure-rate 2% --max-count 503=0 "$S/mixed.pcap"
has "terminal line" "FAIL max-failure-rate: 30% > 2% (3 of 10 call attempts failed)"
has "terminal line" "FAIL max-count 503: 1 > 0"
run 2 "bad rate" check --max-failure-rate 200% "$S/mixed.pcap"
has "bad rate message" "--max-failure-rate 200%" "$tmp/err"
run 2 "bad code" check --max-count 5x=0 "$S/mixed.pcap"
run 2 "bad duration" check --max-pdd-p95 3 "$S/mixed.pcap"
run 2 "unknown option" check --max-failure 2% "$S/mixed.pcap"
run 2 "no rule" check "$S/mixed.pcap"
run 2 "no capture" check --min-calls 1
run 2 "peer scope refuses pdd" check --peer 10.0.0.1 --max-pdd-p95 3s "$S/mixed.pcap"
has "peer scope message" "cannot be restricted to a peer" "$tmp/err"
run 2 "captures and summaries mixed" check --min-calls 1 "$S/mixed.pcap" "$tmp/mixed.json"
printf '[rule "a"]\nmetric = asr\nmin = 10%%\n\n[rule "b"]\nmetric = failure-rate\nmax = 2\n' >"$tmp/bad.ini"
run 2 "bad policy value" check --policy "$tmp/bad.ini" "$S/mixed.pcap"
has "policy error names file and line" "$tmp/bad.ini:7: failure-rate needs a rate" "$tmp/err"
printf '[rule "a"]\nmetric = asr\nmin = 10%%\nthreshold = 3\n' >"$tmp/bad2.ini"
run 2 "unknown policy key" check --policy "$tmp/bad2.ini" "$S/mixed.pcap"
has "policy error names file and line" "$tmp/bad2.ini:4: unknown key 'threshold'" "$tmp/err"
printf '[rule "a"]\nmetric = jitter\nmax = 3\n' >"$tmp/bad3.ini"
run 2 "unknown metric" check --policy "$tmp/bad3.ini" "$S/mixed.pcap"
has "policy error names file and line" "$tmp/bad3.ini:2: unknown metric 'jitter'" "$tmp/err"
run 2 "missing policy file" check --policy "$tmp/none.ini" "$S/mixed.pcap"
run 3 "missing capture" check --min-calls 1 "$tmp/none.pcap"
run 3 "missing baseline" check --baseline "$tmp/none.json" "$S/mixed.pcap"
echo '{"schema_version": 1' >"$tmp/broken.json"
run 3 "broken baseline" check --baseline "$tmp/broken.json" "$S/mixed.pcap"
has "broken baseline message" "not JSON" "$tmp/err"
run 3 "broken summary input" check --min-calls 1 "$tmp/broken.json"
head -c 3000 "$S/mixed.pcap" >"$tmp/truncated.pcap"
run 4 "truncated capture" check --max-failure-rate 100% "$tmp/truncated.pcap"
has "incomplete line" "INCOMPLETE analysis: $tmp/truncated.pcap ended early (truncated)"
run 0 "truncated capture allowed" check --max-failure-rate 100% --allow-incomplete "$tmp/truncated.pcap"
run 4 "incomplete wins over a failed rule" check --min-calls 100 "$tmp/truncated.pcap"
run 1 "allowed incomplete, failed rule" check --min-calls 100 --allow-incomplete "$tmp/truncated.pcap"
printf '[policy]\nallow_incomplete = true\n[rule "any"]\nmetric = failure-rate\nmax = 100%%\n' >"$tmp/allow.ini"
run 0 "allow_incomplete in the policy" check --policy "$tmp/allow.ini" "$tmp/truncated.pcap"
run 4 "limits hit: call table full" check --min-calls 1 --max-calls 1 "$S/mixed.pcap"
has "limits named" "calls evicted" "$tmp/err"
run 0 "limits hit allowed" check --min-calls 1 --max-calls 1 --allow-incomplete "$S/mixed.pcap"

# ------------------------------------------------------------ INI policy
run 1 "example policy" check --policy "$src/docs/policy.example.ini" "$S/mixed.pcap"
has "INI rule names" "PASS enough calls: 10 >= 1"
has "INI rule names" "FAIL call failure rate: 30% > 2%"
has "INI rule names" "FAIL invite-503-rate: 10% > 0.5%"
cat >"$tmp/good.ini" <<'EOF'
; every metric once, all holding on mixed.pcap
[rule "calls"]
metric = calls
min = 10
[rule.failures]
metric = failure-rate
max = 30%
[rule "503s"]
metric = count
code = 503
max = 1
[rule "5xx rate"]
metric = rate
code = 5xx
max = 10%
[rule "no final"]
metric = no-final
max = 0
[rule "asr"]
metric = asr
min = 0.3
[rule "pdd"]
metric = pdd-p95
max = 3s
[rule "response"]
metric = response-p95
max = 1s
method = INVITE
[rule "malformed"]
metric = malformed
max = 0
[rule "errors"]
metric = error-rate
max = 50%
EOF
run 0 "every metric from INI" check --policy "$tmp/good.ini" "$S/mixed.pcap"
has "INI count" "RESULT pass: 10 rules, 10 passed, 0 failed, 0 skipped"
run 1 "INI and flags together" check --policy "$tmp/good.ini" --max-failure-rate 29% "$S/mixed.pcap"
has "flag after INI" "FAIL max-failure-rate: 30% > 29%"

# -------------------------------------------------------------- baseline
run 0 "no regression against itself" check --baseline "$tmp/mixed.json" "$S/mixed.pcap"
if [ "$(grep -c '^PASS baseline ' "$tmp/out")" -eq 8 ]; then ok; else ko "8 baseline rules should pass against itself"; cat "$tmp/out" >&2; fi
run 1 "regression against a better release" check --baseline "$tmp/answered.json" "$S/mixed.pcap"
has "failure-rate regression" "FAIL baseline failure-rate: 30% > 1% (baseline 0%, change +30pp, margin 1pp"
has "ASR regression" "FAIL baseline asr: 30% < 99% (baseline 100%, change -70pp, margin 1pp"
run 0 "no regression against a worse release" check --baseline "$tmp/mixed.json" "$S/answered.pcap"
run 0 "wide margins" check --baseline "$tmp/answered.json" --baseline-rate-margin 100pp \
  --baseline-time-margin 1000% --format json "$S/mixed.pcap"
if jq -e '[.rules[] | select(.name | startswith("baseline")) | .status] | all(. != "fail")' "$tmp/out" >/dev/null; then ok; else ko "wide margins still fail"; fi
run 2 "bad margin" check --baseline "$tmp/answered.json" --baseline-rate-margin 1% "$S/mixed.pcap"
run 0 "baseline alone is a policy" check --baseline "$tmp/mixed.json" "$tmp/mixed.json"

# --------------------------------------------------------------- reports
run 1 "reports" check --policy "$src/docs/policy.example.ini" --baseline "$tmp/answered.json" \
  --junit "$tmp/report.xml" --markdown "$tmp/report.md" -o "$tmp/result.txt" "$S/mixed.pcap"
if [ ! -s "$tmp/out" ]; then ok; else ko "-o should leave standard output empty"; fi
has "-o file" "RESULT fail:" "$tmp/result.txt"
if xmllint --noout --schema "$src/tests/junit.xsd" "$tmp/report.xml" 2>"$tmp/xmllint.err"; then ok; else
  ko "JUnit report is not valid against tests/junit.xsd"; cat "$tmp/xmllint.err" >&2
fi
if "$py" - "$tmp/report.xml" "$tmp/result.txt" <<'EOF'; then ok; else ko "JUnit report does not match the results"; fi
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suites = root.findall('testsuite')
assert len(suites) == 1
cases = suites[0].findall('testcase')
lines = [l for l in open(sys.argv[2]) if l.split(' ')[0] in ('PASS', 'FAIL', 'SKIP')]
assert len(cases) == len(lines) + 1, (len(cases), len(lines))   # + analysis-complete
assert all(c.get('classname') == 'sipsleuth.check' for c in cases)
failures = [c for c in cases if c.find('failure') is not None]
skipped = [c for c in cases if c.find('skipped') is not None]
assert int(suites[0].get('tests')) == len(cases)
assert int(suites[0].get('failures')) == len(failures) == sum(l.startswith('FAIL') for l in lines)
assert int(suites[0].get('skipped')) == len(skipped)
for c, l in zip(cases, lines):
    name = l.split(' ', 1)[1].split(': ', 1)[0]
    assert c.get('name') == name, (c.get('name'), name)
    if l.startswith('FAIL'):
        f = c.find('failure')
        measured = l.split(': ', 1)[1].split(' > ')[0].split(' < ')[0]
        assert measured in f.get('message') and measured in f.text, (f.get('message'), l)
EOF
has "markdown title" "## sipsleuth check: FAIL" "$tmp/report.md"
has "markdown row" "| FAIL | call failure rate | 30% | &lt;= 2% |" "$tmp/report.md"
has "markdown baseline row" "| FAIL | baseline failure-rate | 30% | &lt;= 1% |" "$tmp/report.md"
run 1 "check JSON" check --format json --max-failure-rate 2% --min-calls 1 "$S/mixed.pcap"
if jq -e '.status == "fail" and .exit_status == 1 and (.rules | length) == 2
          and .rules[0].measured == 0.3 and .rules[0].allowed == 0.02
          and .rules[1].status == "pass" and .complete == true' "$tmp/out" >/dev/null; then ok; else
  ko "check --format json"; cat "$tmp/out" >&2
fi
run 4 "check JSON incomplete" check --format json --min-calls 1 "$tmp/truncated.pcap"
if jq -e '.status == "incomplete" and .exit_status == 4 and .complete == false' "$tmp/out" >/dev/null; then ok; else ko "incomplete JSON status"; fi
run 1 "JUnit when incomplete" check --min-calls 1 --junit "$tmp/inc.xml" --allow-incomplete "$tmp/truncated.pcap"
xmllint --noout --schema "$src/tests/junit.xsd" "$tmp/inc.xml" 2>/dev/null && ok || ko "incomplete JUnit invalid"

# -------------------------------------------------------------- schemas
validate() { # SCHEMA FILE...: every document (one per .json file, one per line of .ndjson)
  "$py" - "$@" <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    docs = [json.loads(l) for l in open(path) if l.strip()] if path.endswith('.ndjson') else [json.load(open(path))]
    for i, d in enumerate(docs):
        for e in v.iter_errors(d):
            print('%s[%d]: %s: %s' % (path, i, e.json_path, e.message), file=sys.stderr)
            bad += 1
sys.exit(1 if bad else 0)
EOF
}
jsons=()
ndjsons=()
for f in "$S"/*.pcap; do
  n=$(basename "$f" .pcap)
  "$bin" --format json "$f" >"$tmp/s-$n.json"
  "$bin" calls --format ndjson "$f" >"$tmp/c-$n.ndjson"
  jsons+=("$tmp/s-$n.json")
  ndjsons+=("$tmp/c-$n.ndjson")
done
if [ -d "$shared/files" ]; then
  for f in "$shared"/files/*.pcap*; do
    n=$(basename "$f")
    "$bin" --format json --allow-incomplete "$f" >"$tmp/s-$n.json" 2>/dev/null || continue
    # Skipped: python-jsonschema takes minutes over the 600,000 windows of a
    # capture whose clock jumps by years.
    [ "$(wc -c <"$tmp/s-$n.json")" -le 2000000 ] || continue
    "$bin" calls --format ndjson --allow-incomplete "$f" >"$tmp/c-$n.ndjson" 2>/dev/null || continue
    jsons+=("$tmp/s-$n.json")
    ndjsons+=("$tmp/c-$n.ndjson")
  done
fi
if validate "$src/docs/schema/summary.schema.json" "${jsons[@]}" "$tmp/malformed.json"; then ok; else ko "summaries do not match docs/schema/summary.schema.json"; fi
if validate "$src/docs/schema/call.schema.json" "${ndjsons[@]}"; then ok; else ko "calls do not match docs/schema/call.schema.json"; fi
ncalls=$(cat "${ndjsons[@]}" | wc -l)
if [ "$ncalls" -ge 40 ]; then ok; else ko "only $ncalls calls validated"; fi
# The schema is strict: a misspelt key or a wrong type is an error.
jq '.capture.pakets = 1' "$tmp/mixed.json" >"$tmp/typo.json"
if validate "$src/docs/schema/summary.schema.json" "$tmp/typo.json" 2>/dev/null; then ko "schema accepts a misspelt key"; else ok; fi
jq '.calls.failed = "3"' "$tmp/mixed.json" >"$tmp/type.json"
if validate "$src/docs/schema/summary.schema.json" "$tmp/type.json" 2>/dev/null; then ko "schema accepts a string count"; else ok; fi
head -1 "$tmp/c-mixed.ndjson" | jq -c '.outcome = "lost"' >"$tmp/badcall.ndjson"
if validate "$src/docs/schema/call.schema.json" "$tmp/badcall.ndjson" 2>/dev/null; then ko "call schema accepts an unknown outcome"; else ok; fi

# ----------------------------------------------------------------- merge
# Merged summaries must equal one run over all the captures: counts, codes,
# transactions, outcomes, percentiles, histograms, peers, windows. Only the
# peaks of open tables differ (a maximum of maxima is a lower bound).
norm='del(.tool, .capture.peak_open_transactions, .calls.peak_open)'
same() { # NAME A B
  if diff <(jq -S "$norm" "$2") <(jq -S "$norm" "$3") >"$tmp/diff"; then ok; else
    ko "$1: merged summary differs from one run"; head -30 "$tmp/diff" >&2
  fi
}
# (1) every sample, analysed one by one, merged. in_progress.pcap is a cut of
# answered.pcap (the same packets): together in one run they would be one
# capture holding every message twice, which is not what merging means.
names=()
for f in "$S"/*.pcap; do
  [ "$(basename "$f")" = in_progress.pcap ] || names+=("$(basename "$f")")
done
(cd "$S" && "$bin" --format json "${names[@]}") >"$tmp/all.json"
parts=()
for n in "${names[@]}"; do
  (cd "$S" && "$bin" --format json "$n") >"$tmp/p-$n.json"
  parts+=("$tmp/p-$n.json")
done
run 0 "merge samples" merge "${parts[@]}" -o "$tmp/merged.json"
same "merge of every sample" "$tmp/merged.json" "$tmp/all.json"
if jq -e '(.capture.files | length) == '"${#names[@]}"' and .calls.total > 40' "$tmp/merged.json" >/dev/null; then ok; else ko "merged files list"; fi
# (2) one capture cut in three at quiet moments (no call spans a cut), as
# a rotating capture would write it.
editcap -r "$S/mixed.pcap" "$tmp/part1.pcap" 1-25 >/dev/null
editcap -r "$S/mixed.pcap" "$tmp/part2.pcap" 26-45 >/dev/null
editcap -r "$S/mixed.pcap" "$tmp/part3.pcap" 46-1000000 >/dev/null
for i in 1 2 3; do "$bin" --format json "$tmp/part$i.pcap" >"$tmp/part$i.json"; done
"$bin" --format json "$tmp/part1.pcap" "$tmp/part2.pcap" "$tmp/part3.pcap" >"$tmp/parts.json"
run 0 "merge parts" merge "$tmp/part1.json" "$tmp/part2.json" "$tmp/part3.json"
cp "$tmp/out" "$tmp/merged-parts.json"
same "merge of a capture cut in three" "$tmp/merged-parts.json" "$tmp/parts.json"
# ... and equal to the uncut capture but for the file list
if diff <(jq -S "$norm | del(.capture.files)" "$tmp/merged-parts.json") \
        <(jq -S "$norm | del(.capture.files)" "$tmp/mixed.json") >"$tmp/diff"; then ok; else
  ko "parts merged differ from the whole capture"; head -30 "$tmp/diff" >&2
fi
if [ "$(jq '.timings.response_ms.p95' "$tmp/merged-parts.json")" = "$(m '.timings.response_ms.p95')" ]; then ok; else ko "merged p95"; fi
# a merged summary is itself mergeable and checkable
run 0 "merge of merges" merge "$tmp/merged-parts.json" "$tmp/p-answered.pcap.json"
run 1 "check a merged summary" check --max-failure-rate 2% "$tmp/merged-parts.json"
run 0 "check several summaries" check --min-calls 13 "$tmp/part1.json" "$tmp/part2.json" "$tmp/part3.json" "$tmp/answered.json"
run 0 "merge text" merge --format text "$tmp/part1.json" "$tmp/part2.json"
has "merge text" "capture summary"
run 0 "merge ndjson" merge --format ndjson "$tmp/part1.json" "$tmp/part2.json" "$tmp/part3.json"
if jq -e -s '(map(select(.table == "capture")) | length) == 1 and
             (map(select(.table == "outcome" and .outcome == "answered"))[0].calls) == 3' "$tmp/out" >/dev/null; then ok; else ko "merge ndjson rows"; fi
run 0 "merge csv" merge --format csv "$tmp/part1.json" "$tmp/part2.json" "$tmp/part3.json"
has "merge csv header" "table,key,field,value"
has "merge csv row" "capture,,calls,10"
"$bin" --format json "$S/answered.pcap" --window 5m >"$tmp/w5.json"
run 3 "merge of other window widths" merge "$tmp/answered.json" "$tmp/w5.json"
has "window message" "windows" "$tmp/err"
run 3 "merge of a missing file" merge "$tmp/none.json"
run 2 "merge without input" merge
run 2 "merge bad format" merge --format xml "$tmp/answered.json"
"$bin" --format json --allow-incomplete "$tmp/truncated.pcap" >"$tmp/trunc.json" 2>/dev/null || true
run 4 "merge of an incomplete summary" merge "$tmp/trunc.json" "$tmp/answered.json"
run 0 "merge of an incomplete summary allowed" merge --allow-incomplete "$tmp/trunc.json" "$tmp/answered.json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
