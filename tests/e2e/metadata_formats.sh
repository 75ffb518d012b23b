#!/bin/sh
# Face tags in compressed PNG text chunks and TIFF: MWG regions in a zlib iTXt, an XMP zTXt,
# ImageMagick "Raw profile type xmp" (zTXt and tEXt), TIFF tag 700 in II, MM and BigTIFF;
# an XMP decompression bomb (limits entry, nothing found), corrupt and truncated zlib (errors
# entry, the scan goes on) and TIFF tags pointing outside the file (errors entry, no crash).
. "$TOP/tests/lib/e2e.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v python3 >/dev/null || skip "python3 not installed"

# The shipped metadata rules only: no pixel decoding, so errors come from metadata alone.
R="--rules $TOP/rules/faces.yaml --enable face.metadata.mwg_regions --enable face.metadata.mp_person"

mkdir -p c bad bomb
cat > gen.py <<'PY'
import os, struct, sys, zlib
def xmp_packet(body):
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" %s'
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>' % body).encode()
def region(t, name):
    return ('<rdf:li><rdf:Description mwg-rs:Type="%s" mwg-rs:Name="%s"><mwg-rs:Area stArea:x="0.5" '
            'stArea:y="0.5" stArea:w="0.1" stArea:h="0.1"/></rdf:Description></rdf:li>' % (t, name))
# Two Face regions (one named) and a Pet region, which does not count.
MWG = xmp_packet('xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" '
                 'xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"><mwg-rs:Regions rdf:parseType="Resource">'
                 '<mwg-rs:RegionList><rdf:Bag>' + region("Face", "Zed Secretname") + region("Face", "")
                 + region("Pet", "Rex") + '</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>')
MP = xmp_packet('xmlns:MP="http://ns.microsoft.com/photo/1.2/" xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#" '
                'xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#"><MP:RegionInfo rdf:parseType="Resource">'
                '<MPRI:Regions><rdf:Bag><rdf:li MPReg:Rectangle="0.1, 0.1, 0.2, 0.2" MPReg:PersonDisplayName="Zed Secretname"/>'
                '</rdf:Bag></MPRI:Regions></MP:RegionInfo>')
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
def png(*chunks):
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + b"".join(chunks)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
KEY = b"XML:com.adobe.xmp"
def itxt(data, compressed=True):
    return chunk(b"iTXt", KEY + b"\x00" + (b"\x01\x00" if compressed else b"\x00\x00") + b"\x00\x00" + data)
def raw_profile(x, pad=b""):
    h = x.hex()
    return b"\nxmp\n%8d\n" % len(x) + b"".join(h[i:i+72].encode() + b"\n" for i in range(0, len(h), 72)) + pad
def tiff(be, xmp, typ=7, off=None, count=None, big=False):
    e = ">" if be else "<"
    hdr = b"MM" if be else b"II"
    n = len(xmp) if count is None else count
    if big:
        x = 16 + 8 + 20 * 2 + 8 if off is None else off
        return (hdr + struct.pack(e + "HHHQ", 43, 8, 0, 16) + struct.pack(e + "Q", 2)
                + struct.pack(e + "HHQQ", 256, 3, 1, 1) + struct.pack(e + "HHQQ", 700, typ, n, x)
                + struct.pack(e + "Q", 0) + xmp)
    x = 8 + 2 + 12 * 2 + 4 if off is None else off
    return (hdr + struct.pack(e + "HI", 42, 8) + struct.pack(e + "H", 2) + struct.pack(e + "HHIHH", 256, 3, 1, 1, 0)
            + struct.pack(e + "HHII", 700, typ, n, x) + struct.pack(e + "I", 0) + xmp)
def put(name, data):
    with open(name, "wb") as f:
        f.write(data)
z = zlib.compress(MWG)
put("c/itxt-z.png", png(itxt(z)))
put("c/ztxt-xmp.png", png(chunk(b"zTXt", KEY + b"\x00\x00" + zlib.compress(MP))))
put("c/ztxt-raw.png", png(chunk(b"zTXt", b"Raw profile type xmp\x00\x00" + zlib.compress(raw_profile(MWG)))))
put("c/text-raw.png", png(chunk(b"tEXt", b"Raw profile type xmp\x00" + raw_profile(MWG))))
put("c/ii.tif", tiff(False, MWG))
put("c/mm.tif", tiff(True, MWG, typ=1))
put("c/big-mm.dng", tiff(True, MWG, big=True))
put("c/big-ii.tif", tiff(False, MWG, big=True))
put("c/plain.png", png(chunk(b"tEXt", b"Comment\x00no faces here"), itxt(zlib.compress(b"<x:xmpmeta/>"))))
put("bad/corrupt-z.png", png(itxt(z[:2] + bytes(b ^ 0x5A for b in z[2:]))))
put("bad/truncated-z.png", png(itxt(z[: len(z) // 2])))
put("bad/corrupt-then-good.png", png(itxt(b"\x78\x9c\xff\xff\xff\xff"), chunk(b"zTXt", KEY + b"\x00\x00" + zlib.compress(MP))))
put("bad/off.tif", tiff(False, MWG, off=0xFFFFFF00))
put("bad/count.tif", tiff(True, MWG, count=0x7FFFFFFF))
put("bad/big-off.tif", tiff(True, MWG, off=1 << 62, big=True))
put("bad/ifd-self.tif", b"II*\x00\x08\x00\x00\x00\x01\x00" + struct.pack("<HHII", 700, 7, 400, 8) + struct.pack("<I", 8))
put("bad/ifd-out.tif", b"MM\x00*\xff\xff\xff\xf0")
put("bad/good.tif", tiff(False, MWG))
# Bombs: the regions, then 40 MiB of padding (over the default --max-decoded of 32 MiB).
put("bomb/itxt.png", png(itxt(zlib.compress(MWG + b" " * (40 << 20), 9))))
put("bomb/raw.png", png(chunk(b"zTXt", b"Raw profile type xmp\x00\x00" + zlib.compress(raw_profile(MWG, b"0" * (40 << 20)), 9))))
put("small.png", png(itxt(zlib.compress(MWG + b" " * (200 << 10), 9))))
# --max-metadata: the regions after 200 KiB of other XMP, and a Picasa file whose faces line
# comes after 200 KiB of other entries.
put("late.png", png(itxt(zlib.compress(xmp_packet(" " * (200 << 10)) + MWG, 9))))
os.makedirs("pic", exist_ok=True)
put("pic/.picasa.ini", b"".join(b"[IMG_%04d.jpg]\nstar=yes\n" % i for i in range(12000))
    + b"[IMG_9999.jpg]\nfaces=rect64(3f845bcb59418507),8e62398ebda8c1a5;rect64(9eb15e89b6b584c1),d10a8325c1e8d4c5\n")
PY
python3 gen.py || fail "fixture generator"

findings() { jq -c "[.findings[] | select(.location.path==\"$1\") | [.rule_id, .evidence.regions, .evidence.has_names]]" out; }
expect_finding() {
    got=$(findings "$1")
    [ "$got" = "$2" ] || fail "$1: expected $2, got $got"
}

# --- every format gives the same two Face regions (the Pet does not count) ---
run "$FA" scan $R --format json c
expect_rc 1
expect_finding c/itxt-z.png '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/ztxt-xmp.png '[["face.metadata.mp_person",1,true]]'
expect_finding c/ztxt-raw.png '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/text-raw.png '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/ii.tif '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/mm.tif '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/big-mm.dng '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/big-ii.tif '[["face.metadata.mwg_regions",2,true]]'
expect_finding c/plain.png '[]'
jq -e '(.errors | length) == 0 and (.limits | length) == 0' out >/dev/null || fail "clean corpus has errors or limits"
jq -e '[.objects[] | select(.location.path=="c/ii.tif" and .type=="image/tiff")] | length == 1' out >/dev/null || fail "TIFF not typed image/tiff"
jq -e '[.findings[] | select(.location.path=="c/itxt-z.png") | .evidence.sha256 | length == 64] == [true]' out >/dev/null || fail "sha256 evidence"
! grep -q "Secretname" out || fail "a person name leaked into the output"

# --- corrupt zlib and bad TIFF offsets: errors entries, the scan goes on ---
run "$FA" scan $R --format json --fail-on none --fail-on-scan-errors bad
expect_rc 3
for f in corrupt-z.png truncated-z.png corrupt-then-good.png off.tif count.tif big-off.tif; do
    jq -e "[.errors[] | select(.location.path==\"bad/$f\" and .code==\"corrupt_metadata\")] | length == 1" out >/dev/null \
        || fail "bad/$f: no corrupt_metadata error"
done
jq -e '[.errors[] | select(.location.path=="bad/truncated-z.png") | .message | test("truncated")] == [true]' out >/dev/null || fail "truncated message"
expect_finding bad/corrupt-z.png '[]'
expect_finding bad/off.tif '[]'
expect_finding bad/corrupt-then-good.png '[["face.metadata.mp_person",1,true]]'
expect_finding bad/good.tif '[["face.metadata.mwg_regions",2,true]]'
# a self-referencing IFD0 is read once (its XMP tag is garbage, never a loop); an IFD0
# outside the file is the image kind's to report
expect_finding bad/ifd-self.tif '[]'
jq -e '[.errors[] | select(.location.path=="bad/ifd-out.tif")] | length == 0' out >/dev/null || fail "ifd-out.tif"
jq -e '.stats.objects == 9 and (.limits | length) == 0' out >/dev/null || fail "bad corpus stats"
! grep -q "Secretname" out || fail "a person name leaked into an error"

# --- decompression bombs: a limits entry each, nothing found, bounded memory ---
TIME=""
[ -x /usr/bin/time ] && TIME="/usr/bin/time -f %M -o $WORK/rss"
run $TIME "$FA" scan $R --format json bomb
expect_rc 0
for f in itxt.png raw.png; do
    jq -e "[.limits[] | select(.location.path==\"bomb/$f\" and .limit==\"max_decoded\" and .value==33554432)] | length == 1" out >/dev/null \
        || fail "bomb/$f: no max_decoded limit"
done
jq -e '(.findings | length) == 0 and (.errors | length) == 0' out >/dev/null || fail "bomb: findings or errors"
if [ -n "$TIME" ] && ! ldd "$FA" 2>/dev/null | grep -q -E 'lib(asan|ubsan)'; then
    rss=$(tail -1 "$WORK/rss")
    [ "$rss" -lt $((150 * 1024)) ] || fail "bomb: peak RSS $rss KiB"
fi
run "$FA" scan $R --format json --fail-on none --fail-on-scan-errors bomb/itxt.png
expect_rc 3

# the limit is --max-decoded: 200 KiB of padding passes by default and not under 64K
run "$FA" scan $R --format json small.png
expect_rc 1
expect_finding small.png '[["face.metadata.mwg_regions",2,true]]'
run "$FA" scan $R --format json --max-decoded 64K small.png
expect_rc 0
jq -e '([.limits[] | select(.limit=="max_decoded" and .value==65536)] | length == 1) and (.findings | length) == 0' out >/dev/null || fail "--max-decoded 64K"
# --max-metadata: XMP or Picasa text past the limit is not examined, and says so in limits
run "$FA" scan $R --format json late.png
expect_rc 1
expect_finding late.png '[["face.metadata.mwg_regions",2,true]]'
jq -e '.limits | length == 0' out >/dev/null || fail "late.png: a limit at the default: $(jq -c .limits out)"
run "$FA" scan $R --format json --max-metadata 100K late.png
expect_rc 0
jq -e '([.limits[] | select(.limit=="max_metadata" and .value==102400 and .location.path=="late.png")] | length == 1) and (.findings | length) == 0' out >/dev/null ||
    fail "--max-metadata 100K on late.png: $(jq -c '[.limits, .findings]' out)"
P="--rules $TOP/rules/faces.yaml --enable face.metadata.picasa_faces"
run "$FA" scan $P --format json pic
expect_rc 1
expect_finding pic/.picasa.ini '[["face.metadata.picasa_faces",2,false]]'
run "$FA" scan $P --format json --max-metadata 100K pic
expect_rc 0
jq -e '([.limits[] | select(.limit=="max_metadata")] | length == 1) and (.findings | length) == 0' out >/dev/null ||
    fail "--max-metadata 100K on a Picasa file: $(jq -c '[.limits, .findings]' out)"
exit 0
