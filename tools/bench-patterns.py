#!/usr/bin/env python3
"""bench-patterns PACK OUTDIR: writes the regex patterns of a rule pack for rg -f.

OUTDIR/patterns-pcre2.txt: each `pattern:`, (?i)-prefixed where case_insensitive, group
names dropped (rg joins all patterns into one regex, where equal names would clash).
OUTDIR/patterns.txt: the same without lookaround groups and \\K, which rg's default engine
lacks: each line is then a superset of its rule's pattern (rg's task gets easier, not harder).
OUTDIR/keywords.txt: the regex rules' keywords, for a literal-only reference (rg -i -F).
"""
import re
import sys

import yaml


def skip_class(p, j):
    """p[j] == '[': index of the closing ']'."""
    j += 1
    if p[j:j + 1] == "^":
        j += 1
    if p[j:j + 1] == "]":
        j += 1
    while j < len(p) and p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    return j


def drop_lookaround(p):
    out, i, n = [], 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if p[i + 1:i + 2] != "K":
                out.append(p[i:i + 2])
            i += 2
        elif c == "[":
            j = skip_class(p, i)
            out.append(p[i:j + 1])
            i = j + 1
        elif p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j = 0, i
            while j < n:
                if p[j] == "\\":
                    j += 2
                    continue
                if p[j] == "[":
                    j = skip_class(p, j)
                elif p[j] == "(":
                    depth += 1
                elif p[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main():
    pack = yaml.safe_load(open(sys.argv[1]))
    keywords = set()
    with open(sys.argv[2] + "/patterns.txt", "w") as fd, \
         open(sys.argv[2] + "/patterns-pcre2.txt", "w") as fp:
        for r in pack.get("rules") or []:
            if r.get("kind") != "regex" or "pattern" not in r:
                continue
            keywords.update(r.get("keywords") or [])
            p = re.sub(r"\(\?P?<([A-Za-z_]\w*)>", "(?:", r["pattern"])
            ci = "(?i)" if r.get("case_insensitive") else ""
            fp.write(ci + p + "\n")
            fd.write(ci + drop_lookaround(p) + "\n")
    with open(sys.argv[2] + "/keywords.txt", "w") as fk:
        fk.writelines(k + "\n" for k in sorted(keywords))


if __name__ == "__main__":
    main()
