#!/bin/sh
# Builds every libFuzzer target in tests/fuzz/fuzz_*.c with clang
# (-fsanitize=fuzzer,address,undefined) against all library sources, then runs each for
# FUZZ_SECONDS. Crashes, leaks and timeouts are saved in tests/fuzz/artifacts/<target>/.
#
#   tools/fuzz.sh [TARGET...]        e.g. tools/fuzz.sh npy pickle
#   FUZZ_SECONDS=60 tools/fuzz.sh    seconds per target (default 10; 0 = build only)
#   FUZZ_BUILD=dir                   objects, binaries and working corpora (default build/fuzz)
#   FUZZ_FLAGS="-jobs=2 ..."         extra libFuzzer flags
#   tools/fuzz.sh --repro FILE TARGET  runs one input (a saved crash) through a target
#
# The seed corpora in tests/fuzz/corpus/<target>/ stay as committed: new inputs go to
# $FUZZ_BUILD/corpus/<target>/. The C++ OpenCV plugin is not built: src/detect/facedet_plugin.c
# finds no plugin (FA_LIBDIR=/nonexistent), so face detection fails cleanly (the image kind's
# error path) and everything else is the same code as the real binary.
# Exit status: 0 if every target ran clean, 1 if any crashed, 2 on a build failure.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-10}
B=${FUZZ_BUILD:-build/fuzz}
ART=tests/fuzz/artifacts

command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

repro=""
if [ "${1:-}" = "--repro" ]; then
    [ $# -eq 3 ] || { echo "usage: tools/fuzz.sh --repro FILE TARGET" >&2; exit 2; }
    repro=$2; set -- "$3"
fi

# Packages: the Makefile's PKGS_C plus what mk/*.mk add (C side only).
pkgs=$(sed -n 's/^PKGS_C[[:space:]]*:=[[:space:]]*//p' Makefile | head -1)
for f in mk/*.mk; do
    [ -f "$f" ] || continue
    pkgs="$pkgs $(sed -n 's/^[[:space:]]*PKGS_C[[:space:]]*+=[[:space:]]*//p' "$f" | tr '\n' ' ')"
done
PKG_CFLAGS=$(pkg-config --cflags $pkgs) || exit 2
PKG_LIBS=$(pkg-config --libs $pkgs) || exit 2

VERSION=$(cat VERSION 2>/dev/null || echo 0.0.0)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g $SAN -fsanitize=fuzzer-no-link -Iinclude \
 -DFA_VERSION=\"$VERSION\" -DFA_DATADIR=\"/nonexistent\" -DFA_LIBDIR=\"/nonexistent\" -DFA_INFO_URI=\"file:///nonexistent\" \
 $PKG_CFLAGS"

mkdir -p "$B/obj" "$B/bin" "$B/corpus" || exit 2

# Library: rebuilt when any source or header is newer than the archive.
LIB="$B/libfaceaudit-fuzz.a"
srcs=$(ls src/core/*.c src/source/*.c src/archive/*.c src/sniff/*.c src/rules/*.c \
          src/parse/*.c src/detect/*.c src/sink/*.c src/scan/*.c src/compliance/*.c 2>/dev/null)
stale=0
[ -f "$LIB" ] || stale=1
if [ $stale -eq 0 ]; then
    newer=$(find src include -newer "$LIB" \( -name '*.c' -o -name '*.h' \) | head -1)
    [ -n "$newer" ] && stale=1
fi
if [ $stale -eq 1 ]; then
    echo "fuzz: building the library with $CC ($SAN)" >&2
    rm -f "$B"/obj/*.o
    # One object per source, named after its path; $jobs at a time.
    jobs=$(nproc 2>/dev/null || echo 2); i=0; : >"$B/build.fail"
    for f in $srcs; do
        o="$B/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
        { $CC $CFLAGS -c "$f" -o "$o" || echo "$f" >>"$B/build.fail"; } &
        i=$((i + 1)); [ $((i % jobs)) -eq 0 ] && wait
    done
    wait
    [ -s "$B/build.fail" ] && { echo "fuzz: library build failed: $(cat "$B/build.fail")" >&2; rm -f "$B"/obj/*.o; exit 2; }
    rm -f "$LIB" && ar rcs "$LIB" "$B"/obj/*.o || exit 2
fi

if [ $# -eq 0 ]; then
    set -- $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi

for t in "$@"; do
    src=tests/fuzz/fuzz_$t.c
    [ -f "$src" ] || { echo "fuzz: no target $t ($src)" >&2; exit 2; }
    bin="$B/bin/fuzz_$t"
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$LIB" -nt "$bin" ] || [ tests/fuzz/fuzz_common.h -nt "$bin" ]; then
        $CC $CFLAGS -DFA_FUZZ_RULES="\"$TOP/rules\"" -fsanitize=fuzzer "$src" -o "$bin" \
            "$LIB" $PKG_LIBS -lm -lpthread || { echo "fuzz: building $t failed" >&2; exit 2; }
    fi
done

if [ -n "$repro" ]; then
    exec "$B/bin/fuzz_$1" -rss_limit_mb=2048 -timeout=10 "$repro"
fi
[ "$SECONDS_EACH" -gt 0 ] 2>/dev/null || { echo "fuzz: built $# targets in $B/bin"; exit 0; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export FA_FUZZ_RULES="$TOP/rules"
crashed=""
for t in "$@"; do
    mkdir -p "$B/corpus/$t" "$ART/$t"
    seeds=tests/fuzz/corpus/$t
    [ -d "$seeds" ] || seeds=""
    log="$B/fuzz_$t.log"
    "$B/bin/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$ART/$t/" -print_final_stats=1 ${FUZZ_FLAGS:-} \
        "$B/corpus/$t" $seeds >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        printf 'ok    %-10s %ss %s runs, %s\n' "$t" "$SECONDS_EACH" "${runs:-?}" "${cov:-cov: ?}"
    else
        crashed="$crashed $t"
        printf 'CRASH %-10s exit %s; artifacts in %s/%s/, log %s\n' "$t" "$rc" "$ART" "$t" "$log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|    #[0-9] )' "$log" | head -12 | sed 's/^/      /'
    fi
done
n=$#
nc=$(echo $crashed | wc -w)
echo "fuzz: $n targets, $((n - nc)) clean, $nc crashed${crashed:+ (}${crashed# }${crashed:+)}"
[ -z "$crashed" ]
