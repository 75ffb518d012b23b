# End-to-end: make install (PREFIX, DESTDIR) stages the binary, rule packs with their example
# files, templates and man pages; the staged packs pass `rules test`.
. "$TOP/tests/lib/e2e.sh"
build=$(dirname "$FA")
make -s -C "$TOP" install BUILD="$build" DESTDIR="$WORK/root" > make.out 2>&1 || { cat make.out; fail "make install failed"; }
root="$WORK/root/usr/local"
[ -x "$root/bin/faceaudit" ] || fail "binary not installed"
[ -f "$root/lib/faceaudit/faceaudit-opencv.so" ] || fail "OpenCV plugin not installed"
for p in vendors paths faces templates; do
    [ -f "$root/share/faceaudit/rules/$p.yaml" ] || fail "rule pack $p.yaml not installed"
done
for t in gdpr-dpia.md cnil-pia.json bipa-retention-policy.md; do
    [ -f "$root/share/faceaudit/templates/$t.mustache" ] || fail "template $t not installed"
done
for m in man1/faceaudit.1 man1/faceaudit-scan.1 man1/faceaudit-rules.1 man1/faceaudit-merge.1 man1/faceaudit-inventory.1 \
         man1/faceaudit-retention.1 man1/faceaudit-dpia.1 man5/faceaudit-rules.5 man5/faceaudit.yaml.5 man5/faceaudit-policy.5 \
         man7/faceaudit-kinds.7; do
    [ -f "$root/share/man/$m" ] || fail "man page $m not installed"
done
[ -f "$root/share/doc/faceaudit/README.md" ] || fail "README not installed"
run env FACEAUDIT_RULES="$root/share/faceaudit/rules" "$root/bin/faceaudit" rules test
expect_rc 0
expect_out '0 failed'
run env FACEAUDIT_TEMPLATES="$root/share/faceaudit/templates" "$root/bin/faceaudit" dpia --list
expect_rc 0
expect_out 'gdpr-dpia'
echo "install: ok"
