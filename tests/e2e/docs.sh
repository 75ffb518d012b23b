# Every command's --help options appear in its man page, and every man page has EXIT STATUS.
. "$TOP/tests/lib/e2e.sh"
for cmd in scan rules inventory retention dpia merge; do
    page="$TOP/man/faceaudit-$cmd.1"
    [ -f "$page" ] || fail "missing man page $page"
    grep -q '^\.SH EXIT STATUS' "$page" || fail "$page has no EXIT STATUS"
    "$FA" "$cmd" --help > help.txt || fail "$cmd --help failed"
    for opt in $(grep -o -- '--[a-z][a-z0-9-]*' help.txt | sort -u); do
        man_opt=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        grep -q -- "$man_opt" "$page" || grep -q -- "$opt" "$page" || fail "$cmd: option $opt is in --help but not in $page"
    done
done
grep -q '^\.SH EXIT STATUS' "$TOP/man/faceaudit.1" || fail "faceaudit.1 has no EXIT STATUS"
# Every limit (the --max-* options of scan) is in the README's and SECURITY.md's limits tables
# and in faceaudit.yaml(5).
"$FA" scan --help > help.txt
for opt in $(grep -o -- '--max-[a-z-]*' help.txt | sort -u); do
    key=$(printf '%s' "$opt" | sed 's/^--//; s/-/_/g')
    grep -q -- "| \`$opt\` |" "$TOP/README.md" || fail "README limits table lacks $opt"
    grep -q -- "| \`$key\` | \`$opt\` |" "$TOP/SECURITY.md" || fail "SECURITY.md limits table lacks $opt"
    grep -q -- "$key" "$TOP/man/faceaudit.yaml.5" || fail "faceaudit.yaml(5) lacks $key"
done
echo "docs: ok"
