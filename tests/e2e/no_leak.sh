#!/bin/sh
# The scanner must not become a leak: scan a corpus rich in face-API calls, embeddings
# (JSON float arrays, base64 float32, .npy) and base64 images with every output format,
# then inventory, retention and dpia, and assert that no output file, standard output or
# standard error holds any input's base64 run over 40 characters or an embedded vector's
# first values (as printed in the input).
. "$TOP/tests/lib/e2e.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 needed"
export FACEAUDIT_TEMPLATES="$TOP/templates" SOURCE_DATE_EPOCH=1767225600

# Rule packs: every shipped pack that loads (a pack whose kind is not merged yet is left out).
set --
for p in "$TOP"/rules/*.yaml; do
    "$FA" rules list --rules "$p" >/dev/null 2>&1 && set -- "$@" --rules "$p"
done
[ $# -gt 0 ] || fail "no shipped rule pack loads"

mkdir -p corpus/logs corpus/emb corpus/img out
python3 - "$WORK/corpus" <<'PY'
import base64, json, os, random, struct, sys
root = sys.argv[1]
rnd = random.Random(20240501)
def unit(n):
    v = [rnd.gauss(0, 1) for _ in range(n)]
    s = sum(x * x for x in v) ** 0.5
    return [x / s for x in v]
secrets = []
# face-API calls
with open(os.path.join(root, "logs", "api.log"), "w") as f:
    f.write('10.0.0.7 - - [10/Oct/2023:13:55:36 +0000] "POST https://api-us.faceplusplus.com/facepp/v3/detect HTTP/1.1" 200 512\n')
    f.write("client = boto3.client('rekognition'); resp = client.index_faces(CollectionId='staff', Image={'Bytes': img})\n")
    f.write("POST https://westeurope.api.cognitive.microsoft.com/face/v1.0/detect?returnFaceId=true\n")
# JSON float arrays (JSON lines and a document)
with open(os.path.join(root, "emb", "faces.jsonl"), "w") as f:
    for i in range(4):
        v = [round(x, 6) for x in unit(512)]
        line = json.dumps({"user_id": i, "face_embedding": v})
        secrets.append(line[line.index("[") + 1:].split(",")[0].strip())   # as printed
        secrets.append(", ".join(line[line.index("[") + 1:].split(", ")[:3]))
        f.write(line + "\n")
with open(os.path.join(root, "emb", "gallery.json"), "w") as f:
    doc = {"faces": [{"name": "p%d" % i, "embedding": [round(x, 7) for x in unit(128)]} for i in range(3)]}
    txt = json.dumps(doc, indent=2)
    f.write(txt)
    first = txt[txt.index('"embedding": [') + len('"embedding": ['):].split(",")[0].strip()
    secrets.append(first)
# base64 float32 vectors in a log
with open(os.path.join(root, "logs", "b64.log"), "w") as f:
    for i in range(3):
        b = base64.b64encode(struct.pack("<512f", *unit(512))).decode()
        f.write("2024-05-01T10:00:0%dZ INFO face_embedding_b64=%s model=arcface\n" % (i, b))
# .npy of float32 templates
v = [x for _ in range(8) for x in unit(128)]
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (8, 128), }"
hdr += " " * ((64 - (10 + len(hdr) + 1) % 64) % 64) + "\n"
with open(os.path.join(root, "emb", "templates.npy"), "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + struct.pack("<%df" % len(v), *v))
secrets.append("%.6f" % v[0])
secrets.append(repr(struct.unpack("<f", struct.pack("<f", v[0]))[0])[:10])
with open(os.path.join(root, "..", "secrets.txt"), "w") as f:
    f.write("\n".join(s for s in secrets if len(s) >= 6) + "\n")
PY
[ $? -eq 0 ] || fail "corpus generation"
# base64 images: a real photo with a face from Debian package data, else a generated PNG
img=""
for f in /usr/share/doc/opencv-doc/examples/data/messi5.jpg /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg \
         /usr/share/doc/opencv-doc/examples/data/lena.jpg; do
    [ -f "$f" ] && { img=$f; break; }
done
if [ -n "$img" ]; then
    cp "$img" corpus/img/photo.jpg
    printf '<img src="data:image/jpeg;base64,%s">\n' "$(base64 -w0 "$img")" >corpus/img/page.html
    printf '{"avatar": "data:image/jpeg;base64,%s"}\n' "$(base64 -w0 "$img")" >corpus/logs/profile.jsonl
else
    python3 "$TOP/tests/lib/hostile.py" png corpus/img/photo.png 48 48
    printf '<img src="data:image/png;base64,%s">\n' "$(base64 -w0 corpus/img/photo.png)" >corpus/img/page.html
fi
# an archive holding some of the same
(cd corpus && python3 -c "
import zipfile; z = zipfile.ZipFile('bundle.zip', 'w', zipfile.ZIP_DEFLATED)
for p in ('emb/faces.jsonl', 'logs/b64.log', 'img/page.html'): z.write(p)")

# Every base64 run over 40 characters in the inputs (cut to 41-character probes at a few
# offsets: a leak of any long run contains one of them).
python3 - "$WORK/corpus" "$WORK/secrets.txt" <<'PY'
import os, re, sys
runs = set()
for d, _, files in os.walk(sys.argv[1]):
    for n in files:
        data = open(os.path.join(d, n), "rb").read()
        for m in re.finditer(rb"[A-Za-z0-9+/]{41,}={0,2}", data):
            r = m.group(0).decode()
            for off in (0, len(r) // 2, max(0, len(r) - 41)):
                runs.add(r[off:off + 41])
with open(sys.argv[2], "a") as f:
    f.write("\n".join(sorted(runs)) + "\n")
PY
nsecrets=$(grep -c . secrets.txt)
[ "$nsecrets" -ge 10 ] || fail "too few probes ($nsecrets)"

# --- every output
i=0
for fmt in text json jsonl sarif csv; do
    "$FA" scan "$@" --format "$fmt" -o "out/scan.$fmt" corpus >"out/stdout.$fmt" 2>"out/stderr.$fmt"
    rc=$?; [ $rc -le 1 ] || { cat "out/stderr.$fmt"; fail "scan --format $fmt: exit $rc"; }
    "$FA" scan "$@" --format "$fmt" corpus >"out/stdout2.$fmt" 2>"out/stderr2.$fmt"
done
"$FA" scan "$@" -j 1 --format json corpus/logs/b64.log - <corpus/emb/faces.jsonl >out/stdin.json 2>out/stdin.err
# --debug, if the binary has it
if "$FA" scan --help 2>&1 | grep -q -- '--debug'; then
    "$FA" scan "$@" --debug --format json -o out/debug.json corpus >out/debug.out 2>out/debug.err
fi
jq -e '.findings | length >= 3' out/scan.json >/dev/null || fail "the corpus gave too few findings: $(jq -c '[.findings[].rule_id]' out/scan.json)"
cats=$(jq -r '[.findings[].category] | unique | join(",")' out/scan.json)
case $cats in *vendor_endpoint*) ;; *) fail "no vendor_endpoint finding ($cats)" ;; esac
if "$FA" rules list "$@" 2>/dev/null | grep -q ' vector '; then
    case $cats in *face_template*) ;; *) fail "no face_template finding ($cats)" ;; esac
fi
"$FA" inventory --format json -o out/inventory.json out/scan.json 2>out/inventory.err || fail "inventory"
"$FA" inventory --format md -o out/inventory.md out/scan.json 2>>out/inventory.err || fail "inventory md"
"$FA" inventory --format csv -o out/inventory.csv out/scan.json 2>>out/inventory.err || fail "inventory csv"
"$FA" inventory --format dot -o out/inventory.dot out/scan.json 2>>out/inventory.err || fail "inventory dot"
"$FA" retention --preset bipa --format json -o out/retention.json --fail-on never out/scan.json 2>out/retention.err || fail "retention"
"$FA" retention --preset gdpr --set max_age=1y --format md -o out/retention.md --fail-on never out/scan.json 2>>out/retention.err || fail "retention md"
"$FA" dpia -i out/inventory.json -r out/retention.json --allow-missing -o out/dpia.md 2>out/dpia.err || fail "dpia: $(cat out/dpia.err)"
"$FA" dpia -i out/inventory.json --allow-missing -t cnil-pia -o out/pia.json 2>>out/dpia.err || fail "dpia cnil-pia: $(cat out/dpia.err)"
"$FA" merge out/merged.json out/scan.json out/stdin.json 2>out/merge.err || fail "merge: $(cat out/merge.err)"
[ -s out/merged.json ] || fail "merge wrote nothing"

# --- the assertion: no probe anywhere in what faceaudit wrote
python3 - "$WORK/secrets.txt" "$WORK/out" <<'PY'
import os, sys
probes = [l.rstrip("\n") for l in open(sys.argv[1]) if len(l.strip()) >= 6]
bad = []
files = 0
for n in sorted(os.listdir(sys.argv[2])):
    data = open(os.path.join(sys.argv[2], n), "rb").read().decode("utf-8", "replace")
    files += 1
    for p in probes:
        if p in data:
            bad.append((n, p[:12] + "..."))   # never print a whole probe
if bad:
    for n, p in bad[:20]:
        print("LEAK: %s contains input content starting %s" % (n, p))
    sys.exit(1)
print("checked %d outputs against %d probes" % (files, len(probes)))
PY
[ $? -eq 0 ] || fail "an output holds biometric content from the inputs"
# output files are private
for f in out/scan.json out/inventory.json out/retention.json out/dpia.md out/merged.json out/pia.json; do
    m=$(stat -c %a "$f"); [ "$m" = 600 ] || fail "$f has mode $m, not 600"
done
# -o does not follow a symlink planted at the output path
ln -s "$WORK/victim" out/planted.json
"$FA" scan "$@" --format json -o out/planted.json corpus/logs >/dev/null 2>&1
[ ! -e "$WORK/victim" ] || fail "-o followed a symlink"
echo "ok: no leaks"
