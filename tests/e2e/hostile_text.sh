#!/bin/sh
# Hostile text: a 2 GiB line without a newline (streamed, nothing on disk), invalid UTF-8,
# NUL bytes, and a regex that backtracks catastrophically (PCRE2 match limits hold).
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/hostile.sh"
RULES="$WORK/mini.yaml"

# 1. 2 GiB of 'a' without a newline on standard input: a max_line limit, bounded RSS.
measured line sh -c "head -c 2147483648 /dev/zero | tr '\\000' a | '$FA' scan --rules '$RULES' -q --format json -"
bounded line 120
[ "$RC" -eq 0 ] || fail "2 GiB line: exit $RC: $(cat line.err)"
has_limit line.out max_line
jq -e '.stats.bytes == 2147483648' line.out >/dev/null || fail "2 GiB line: not read to the end: $(jq -c .stats line.out)"
# a match after the long line is still found (the scanner resynchronises at the newline)
measured line2 sh -c "{ head -c 100000000 /dev/zero | tr '\\000' a; printf '\\nPOST https://api.faceprobe.example/v1/detect\\n'; } | '$FA' scan --rules '$RULES' -q --max-line 1M --format json -"
bounded line2 60
has_limit line2.out max_line
jq -e '[.findings[] | select(.rule_id == "hostile.vendor") | .location.line] == [2]' line2.out >/dev/null ||
    fail "no finding on line 2 after an over-long line 1: $(jq -c '[.findings[].location.line]' line2.out)"

# a --max-line below the 1 MiB read chunk holds too: the 80-byte line 2 is skipped, lines 1
# and 3 (40 bytes with the newline) are scanned
printf 'short POST https://api.faceprobe.example/v1/detect\nPOST https://api.faceprobe.example/v1/detect and a longer tail\nPOST https://api.faceprobe.example/v1/detect\n' >ml.log
run "$FA" scan --rules "$RULES" -q --max-line 51 --format json ml.log
jq -e '[.findings[].location.line] == [1, 3] and ([.limits[] | [.limit, .location.line]] == [["max_line", 2]])' out >/dev/null ||
    fail "--max-line 51: $(jq -c '{f: [.findings[].location.line], l: .limits}' out)"

# 2. Invalid UTF-8 and NUL bytes around a match: found, reported with valid JSON and text.
# (Many NULs in the sniffed head type the object binary, so the NUL line comes after 48 KB.)
printf '2024-05-01T10:00:00Z INFO request from the mobile client, user agent and more ascii text around it\n' >bad-utf8.log
printf 'caf\351 \377\376 bad\300\257 POST https://api.faceprobe.example/v1/detect \355\240\200 tail\n' >>bad-utf8.log
python3 -c "print('normal log line\\n' * 3001, end='')" >nul.log
printf 'x \000\000 POST https://api.faceprobe.example/v1/detect \000\n' >>nul.log
for f in bad-utf8.log nul.log; do
    run "$FA" scan --rules "$RULES" -q --format json "$f"
    [ "$RC" -le 1 ] || fail "$f: exit $RC: $(cat err)"
    jq -e '.findings | length == 1' out >/dev/null || fail "$f: no finding (or invalid JSON): $(head -c 500 out)"
    run "$FA" scan --rules "$RULES" -q --format jsonl "$f"
    [ "$RC" -le 1 ] || fail "$f: jsonl exit $RC"
    jq -e . out >/dev/null || fail "$f: jsonl output is not JSON"
    run "$FA" scan --rules "$RULES" -q --format sarif "$f"
    jq -e '.runs[0].results | length >= 1' out >/dev/null || fail "$f: sarif lacks the result"
    run "$FA" scan --rules "$RULES" -q --format csv "$f"
    [ "$RC" -le 1 ] || fail "$f: csv exit $RC"
done
run "$FA" scan --rules "$RULES" -q --format json nul.log
jq -e '[.findings[].location.line] == [3002]' out >/dev/null || fail "nul.log: finding not on line 3002: $(jq -c '[.findings[].location.line]' out)"
# A log truncated in place by logrotate's copytruncate while its writer kept its offset: a
# run of NULs, then the log. It is still searched, with its line numbers.
python3 -c "
import sys
sys.stdout.buffer.write(b'\\0' * 8192 + b'2024-05-01T10:00:00Z POST https://api.faceprobe.example/v1/detect\\n' * 2)" >truncated.log
run "$FA" scan --rules "$RULES" -q --format json truncated.log
jq -e '[.findings[].location.line] == [1, 2] and .objects[0].type == "text/plain"' out >/dev/null ||
    fail "copytruncate log: $(jq -c '[.objects[0].type, [.findings[].location.line]]' out)"
# NUL bytes at the very start: typed, listed, valid output, no crash
printf '\000\000\001 POST https://api.faceprobe.example/v1/detect\n' >nul-head.bin
run "$FA" scan --rules "$RULES" -q --format json nul-head.bin
[ "$RC" -le 1 ] || fail "nul-head.bin: exit $RC"
jq -e '.objects | length == 1' out >/dev/null || fail "nul-head.bin: not listed"

# 3. Catastrophic backtracking: (a+)+$ on 'a' x 50000 + 'b'. The match limit stops it, the
# scan records it and goes on (the next line still matches), in well under a second.
cat >bt.yaml <<'PACK'
id: backtrack
version: "1"
description: a pattern that backtracks catastrophically
rules:
  - id: bt.nested
    kind: regex
    category: vendor_endpoint
    severity: low
    description: nested quantifier
    pattern: '(a+)+$'
    examples:
      match: ["aaaa"]
      no_match: ["b"]
PACK
python3 -c "print('a' * 50000 + 'b'); print('x' * 10 + 'aaaa')" >bt.txt
measured bt "$FA" scan --rules bt.yaml -q --format json bt.txt
bounded bt 10
jq -e '[.findings[].location.line] == [2]' bt.out >/dev/null || fail "backtracking: line 2 not matched: $(head -c 800 bt.out)"
jq -e '[.errors[], .limits[]] | map(select(.location.line == 1)) | length == 1' bt.out >/dev/null ||
    fail "backtracking: the match limit on line 1 is not recorded: $(jq -c '[.errors,.limits]' bt.out)"
echo "ok: hostile text"
