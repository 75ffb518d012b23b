#!/bin/sh
# Image bombs: headers claiming 10^5 x 10^5 pixels (PNG, WebP; JPEG's 16-bit maximum
# 65535 x 65535), truncated images and a JPEG carrying 8 MiB of metadata segments.
# Nothing the size of the claimed pixels may be allocated: peak RSS stays under 300 MiB.
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/hostile.sh"
"$FA" rules list --rules "$TOP/rules" 2>/dev/null | grep -q ' image ' || skip "no image rules (kind image not built)"

mkdir img
hostile png-bomb img/bomb.png 100000 100000
hostile jpeg-bomb img/bomb.jpg 100000 100000
hostile webp-bomb img/bomb.webp 100000 100000
hostile png img/trunc.png 64 48 truncate
hostile png img/ok.png 64 48
# a real JPEG (Debian opencv-doc or matplotlib data) with 8 MiB of APP2 segments
base=""
for f in /usr/share/doc/opencv-doc/examples/data/messi5.jpg /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg; do
    [ -f "$f" ] && { base=$f; break; }
done
hostile jpeg-meta img/meta.jpg 8 $base
head -c 300 img/meta.jpg >img/trunc-meta.jpg

measured img "$FA" scan --rules "$TOP/rules" -q --format json img
bounded img 60
[ "$RC" -le 1 ] || fail "image scan: exit $RC: $(cat img.err)"
for f in bomb.png bomb.jpg bomb.webp; do
    jq -e --arg p "img/$f" '[.limits[] | select(.location.path == $p and .limit == "max_pixels")] | length == 1' img.out >/dev/null ||
        fail "$f: no max_pixels limit: $(jq -c '[.limits,.errors]' img.out)"
done
for f in trunc.png trunc-meta.jpg; do
    jq -e --arg p "img/$f" '[.errors[], .limits[] | select(.location.path == $p)] | length >= 1' img.out >/dev/null ||
        fail "$f: truncated image not reported: $(jq -c '.errors' img.out)"
done
# the big-metadata JPEG is decoded or reported, never a crash; ok.png scans clean
jq -e '[.objects[].location.path] | index("img/meta.jpg") != null and index("img/ok.png") != null' img.out >/dev/null ||
    fail "objects missing: $(jq -c '[.objects[].location.path]' img.out)"
if [ -n "$base" ]; then
    jq -e '[.findings[], .errors[] | select(.location.path == "img/meta.jpg")] | length >= 1' img.out >/dev/null ||
        fail "meta.jpg: neither a finding nor an error"
fi
# the same bombs inside an archive and through standard input
(cd img && zip -q -r ../img.zip bomb.png bomb.jpg bomb.webp) 2>/dev/null || python3 -c "
import zipfile,sys; z=zipfile.ZipFile('img.zip','w'); [z.write('img/'+n, n) for n in ('bomb.png','bomb.jpg','bomb.webp')]"
measured zip "$FA" scan --rules "$TOP/rules" -q --format json img.zip
bounded zip 30
jq -e '[.limits[] | select(.limit == "max_pixels")] | length == 3' zip.out >/dev/null || fail "zip: $(jq -c .limits zip.out)"
measured stdin sh -c "'$FA' scan --rules '$TOP/rules' -q --format json - <img/bomb.png"
bounded stdin 30
has_limit stdin.out max_pixels
echo "ok: image bombs"
