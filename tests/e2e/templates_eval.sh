#!/bin/sh
# Face templates (issue 4): the labelled-corpus evaluation at a small scale (same thresholds
# as `make eval`), the contract's locations (npz members, JSON-lines line numbers), and
# malformed inputs becoming `errors` entries without a crash.
. "$TOP/tests/lib/e2e.sh"
need_python_module numpy
RULES="$TOP/rules/templates.yaml"

# 1. precision and recall on a small generated corpus
EVAL_SCALE=2 FA="$FA" TOP="$TOP" sh "$TOP/tools/eval-templates.sh" >"$WORK/eval.out" 2>&1 || {
    cat "$WORK/eval.out"; fail "templates evaluation below thresholds"; }
grep -q '^precision' "$WORK/eval.out" || fail "no precision line"

# 2. locations: an .npz member and a JSON-lines line
mkdir -p t
"$PY" - <<'PYEOF'
import io, json, numpy as np
r = np.random.default_rng(7)
x = r.standard_normal((3, 512)); x /= np.linalg.norm(x, axis=1, keepdims=True)
np.savez("t/gallery.npz", faces=x.astype(np.float32), ids=np.arange(3))
with open("t/api.jsonl", "w") as f:
    f.write(json.dumps({"msg": "start"}) + "\n")
    f.write(json.dumps({"msg": "noise", "probs": [0.25, 0.25, 0.5]}) + "\n")
    f.write(json.dumps({"msg": "enrolled", "face": {"embedding": [round(float(v), 6) for v in x[0]]}}) + "\n")
PYEOF
run "$FA" scan --format jsonl --rules "$RULES" t
expect_rc 1
jq -e -s 'map(select(.location.path | endswith("gallery.npz"))) | .[0].location.members == ["faces.npy"]' out >/dev/null \
    || fail "npz finding lacks members [faces.npy]: $(cat out)"
jq -e -s 'map(select(.location.path | endswith("api.jsonl"))) | .[0] | .location.line == 3 and .evidence.key_path == "$.face.embedding" and .evidence.dimension == 512 and .evidence.container == "json"' out >/dev/null \
    || fail "jsonl finding lacks line 3 / key path: $(cat out)"
# never a value: no number with 4+ decimals anywhere in the output except confidence
if jq -r '.evidence | to_entries[] | .value | numbers' out | grep -Eq '^-?0\.[0-9]{5,}'; then
    fail "evidence holds a fine-grained number (a vector value?)"
fi

# 3. malformed inputs: errors, no crash, no unbounded allocation
mkdir -p bad
printf '\223NUMPY\001\000\377\377{"descr": "<f4"' >bad/trunc.npy
printf "\223NUMPY\001\000\106\000{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 512), }          \n" >bad/huge.npy
# pickle: BINBYTES claiming 4 GiB, then a truncated one
printf '\200\003]q\000B\377\377\377\377xx' >bad/huge.pkl
printf '\200\002]q\000(G?\360\000\000' >bad/trunc.pkl
run "$FA" scan --format json --rules "$RULES" bad
[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || fail "scan of malformed files exited $RC: $(cat err)"
for f in trunc.npy huge.npy huge.pkl trunc.pkl; do
    jq -e --arg f "$f" '[.errors[] | select(.location.path | endswith($f))] | length == 1' out >/dev/null \
        || fail "no errors entry for $f: $(jq -c .errors out)"
done
jq -e '[.findings[]] | length == 0' out >/dev/null || fail "findings in malformed files"
echo "ok"
