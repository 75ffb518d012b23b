#!/bin/sh
# Face templates: cut files become `errors` entries with code "truncated" and never give
# a count larger than the file holds; identifier columns do not hide CSV/TSV vectors; a
# JSON-lines log whose last line is being written is not an error.
. "$TOP/tests/lib/e2e.sh"
need_python_module numpy
RULES="$TOP/rules/templates.yaml"

mkdir -p t
"$PY" - <<'PYEOF'
import json, pickle, struct, numpy as np
r = np.random.default_rng(11)
def unit(d, n):
    x = r.standard_normal((n, d)); return x / np.linalg.norm(x, axis=1, keepdims=True)
dl = np.clip(r.standard_normal((6, 128)) * 0.115, -0.45, 0.45)
u = unit(512, 4)
# 1. exports with a numeric id column (CSV, TSV, no header)
open("t/dlib_ids.csv", "w").write("person_id," + ",".join(f"e{k}" for k in range(128)) + "\n" +
    "".join(f"{i}," + ",".join("%.6g" % x for x in v) + "\n" for i, v in enumerate(dl)))
open("t/arc_ids.tsv", "w").write("id\t" + "\t".join(f"emb_{k}" for k in range(512)) + "\n" +
    "".join(f"{900 + i}\t" + "\t".join("%.6g" % x for x in v) + "\n" for i, v in enumerate(u)))
open("t/arc_noheader.csv", "w").write("".join(f"{i + 1}," + ",".join("%.6g" % x for x in v) + "\n" for i, v in enumerate(u)))
# hard negatives: integer ids and counts; 128 integer histogram bins with an id
open("t/counts.csv", "w").write("user_id,a,b,c,d,e,f,g,h\n" +
    "".join(",".join(str(x) for x in [i] + list(r.poisson(30, 8))) + "\n" for i in range(50)))
open("t/hist_ids.csv", "w").write("id," + ",".join(f"bin{k}" for k in range(128)) + "\n" +
    "".join(f"{i}," + ",".join(str(x) for x in r.poisson(9, 128)) + "\n" for i in range(6)))
# 2. FAISS flat index whose header claims 2^40 vectors, cut at 4 KiB
a = unit(512, 3).astype("<f4")
h = b"IxFI" + struct.pack("<iqqqBi", 512, 1 << 40, 1 << 20, 1 << 20, 1, 1) + struct.pack("<Q", (1 << 40) * 512)
open("t/cut.index", "wb").write((h + a.tobytes())[:4096])
# safetensors whose second tensor runs past the end (1 whole row of 4 present)
data = a.tobytes() + unit(512, 4).astype("<f4").tobytes()
hdr = json.dumps({"faces": {"dtype": "F32", "shape": [3, 512], "data_offsets": [0, 6144]},
                  "more": {"dtype": "F32", "shape": [4, 512], "data_offsets": [6144, 14336]}}).encode()
open("t/cut.safetensors", "wb").write(struct.pack("<Q", len(hdr)) + hdr + data[:6144 + 3000])
# npy cut inside its third row
b = open("t/full.npy", "wb"); np.save(b, u.astype("<f4")); b.close()
raw = open("t/full.npy", "rb").read()
open("t/cut.npy", "wb").write(raw[:len(raw) - 2 * 2048 - 100])
import os; os.remove("t/full.npy")
# 3. the first half of a face_recognition encodings pickle (protocol 4: FRAME)
p = pickle.dumps({"encodings": [v for v in dl], "names": [f"p{i}" for i in range(6)]}, protocol=4)
open("t/half_encodings.pickle", "wb").write(p[:len(p) // 2])
open("t/half_encodings.bak", "wb").write(p[:len(p) // 2])   # typed by content, not by name
# a JSON document cut inside its 512-float array
s = json.dumps({"face_id": "f-1", "embedding": [round(float(x), 6) for x in u[0]]})
open("t/cut_doc.json", "w").write(s[:len(s) // 2])
# a JSON-lines log whose last line is being written
lines = [json.dumps({"ts": "2025-01-01T10:00:0%dZ" % i, "embedding": [round(float(x), 6) for x in v]}) for i, v in enumerate(u)]
open("t/live.jsonl", "w").write("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2])
PYEOF

run "$FA" scan --format json --rules "$RULES" t
expect_rc 1
finding() { jq -e --arg f "$1" "[.findings[] | select(.location.path | endswith(\$f))] | $2" out >/dev/null; }
error() { jq -e --arg f "$1" "[.errors[] | select(.location.path | endswith(\$f))] | $2" out >/dev/null; }

# 1. id columns
finding dlib_ids.csv 'length == 1 and .[0].evidence.dimension == 128 and .[0].evidence.vectors == 6' \
    || fail "CSV with a person_id column: $(jq -c .findings out)"
finding arc_ids.tsv 'length == 1 and .[0].evidence.dimension == 512 and .[0].evidence.vectors == 4' \
    || fail "TSV with an id column: $(jq -c .findings out)"
finding arc_noheader.csv 'length == 1 and .[0].evidence.dimension == 512' \
    || fail "CSV with an id column and no header: $(jq -c .findings out)"
finding counts.csv 'length == 0' || fail "ids and counts reported as templates"
finding hist_ids.csv 'length == 0' || fail "integer histogram with ids reported as templates"

# 2. header counts never exceed the bytes present
finding cut.index 'length == 1 and .[0].evidence.vectors == 1' || fail "cut FAISS: $(jq -c .findings out)"
error cut.index 'length == 1 and .[0].code == "truncated"' || fail "cut FAISS: $(jq -c .errors out)"
jq -e '[.findings[].message | test("1099511627776")] | any | not' out >/dev/null || fail "header count reported"
finding cut.safetensors 'length == 2 and (map(.evidence.vectors) | add) == 4' || fail "cut safetensors: $(jq -c .findings out)"
error cut.safetensors 'length == 1 and .[0].code == "truncated"' || fail "cut safetensors: $(jq -c .errors out)"
finding cut.npy 'length == 1 and .[0].evidence.vectors == 1' || fail "cut npy: $(jq -c .findings out)"
error cut.npy 'length == 1 and .[0].code == "truncated"' || fail "cut npy: $(jq -c .errors out)"

# 3. cut pickles and JSON documents are errors; a live log's last line is not
error half_encodings.pickle 'length == 1 and .[0].code == "truncated"' || fail "cut pickle: $(jq -c .errors out)"
error half_encodings.bak 'length == 1 and .[0].code == "truncated"' || fail "cut pickle named .bak: $(jq -c .errors out)"
error cut_doc.json 'length == 1 and .[0].code == "truncated"' || fail "cut JSON: $(jq -c .errors out)"
finding cut_doc.json 'length == 0' || fail "a partial JSON vector was reported"
error live.jsonl 'length == 0' || fail "live JSON-lines log reported as an error: $(jq -c .errors out)"
finding live.jsonl 'length == 1 and .[0].evidence.vectors == 3' || fail "live log: $(jq -c .findings out)"

# errors make an incomplete scan with --fail-on-scan-errors; messages hold no values
run "$FA" scan --format json --fail-on-scan-errors --rules "$RULES" t/cut_doc.json
expect_rc 3
if jq -r '.errors[].message' out | grep -Eq '[0-9]\.[0-9]{4,}'; then
    fail "an error message holds a value"
fi
echo "ok"
