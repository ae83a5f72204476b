#!/usr/bin/env python3
"""The code a loop runs, measured in instruction-cache lines: reads a
callgrind profile written with --dump-instr=yes and counts the distinct
64-byte lines of code whose instructions ran at least --min times (give the
number of steps profiled, so that only code that runs in every step counts),
with the functions holding the most of them.

A step whose hot code is larger than the core's L1 instruction cache (32 KiB
on Zen 3 and Zen 4) fetches much of it again from L2 in every step; compare
with callgrind's simulated misses (--cache-sim=yes, event I1mr).

Usage, from the repository root:
  valgrind --tool=callgrind --dump-instr=yes --toggle-collect='*Run*step*' \\
      --callgrind-out-file="$SCRATCH/cg.nn" \\
      target/release/deps/nielsen_epoch-* --only nn --threads 1 --rounds 1 --steps 200
  python3 scripts/code_footprint.py "$SCRATCH/cg.nn" --min 200
"""
import argparse
import collections
import re
import sys

LINE = 64
NAME = re.compile(r"\((\d+)\)\s*(.*)")


def number(text):
    """A callgrind position number: decimal, or hexadecimal with 0x."""
    return int(text, 16) if text.startswith("0x") else int(text)


def read(path):
    """Instructions executed per address, and the function of each address.

    Exits with a message naming the file when it cannot be read or is not a
    callgrind profile with instruction addresses."""
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as e:
        sys.exit(f"code_footprint: cannot read {path}: {e.strerror}")
    positions = next((l.split(":", 1)[1].split() for l in lines if l.startswith("positions:")), None)
    if positions is None or positions[0] != "instr":
        found = "no `positions:` line" if positions is None else f"positions {' '.join(positions)}"
        sys.exit(f"code_footprint: {path}: expected a callgrind profile written with --dump-instr=yes, found {found}")
    npos = len(positions)
    names, counts, owner = {}, collections.Counter(), {}
    addr, fn, call_cost = 0, "?", False
    for raw in lines:
        line = raw.strip()
        if line.startswith(("fn=", "cfn=")):
            value = line.split("=", 1)[1]
            m = NAME.match(value)
            name = value
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                name = names.get(m.group(1), value)
            if line.startswith("fn="):
                fn = name
            continue
        if line.startswith("calls="):
            # the next cost line is the call's inclusive cost, not the call site's own
            call_cost = True
            continue
        if not line or line[0] not in "+-*0123456789":
            continue
        fields = line.split()
        p = fields[0]
        if p[0] == "+":
            addr += number(p[1:])
        elif p[0] == "-":
            addr -= number(p[1:])
        elif p != "*":
            addr = number(p)
        if call_cost:
            call_cost = False
            continue
        ir = int(fields[npos]) if len(fields) > npos else 0
        counts[addr] += ir
        owner.setdefault(addr, fn)
    if not counts:
        sys.exit(f"code_footprint: {path}: no instruction costs found")
    return counts, owner


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("profile", help="a callgrind output file written with --dump-instr=yes")
    ap.add_argument("--min", type=int, default=1, help="count code that ran at least this many times (default 1)")
    ap.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = ap.parse_args()
    if args.min < 1 or args.top < 0:
        sys.exit(f"code_footprint: expected --min >= 1 and --top >= 0, found --min {args.min} --top {args.top}")
    counts, owner = read(args.profile)
    hot = {}
    for addr, ir in counts.items():
        if ir >= args.min:
            hot.setdefault(addr // LINE, owner[addr])
    per = collections.Counter(hot.values())
    print(f"{len(hot)} lines of {LINE} bytes = {len(hot) * LINE / 1024:.1f} KiB of code ran at least {args.min} times")
    for name, n in per.most_common(args.top):
        print(f"{n * LINE:7d} B  {name}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # the reader (`head`, say) closed the pipe: the output it wanted is out
        sys.stderr.close()
        sys.exit(0)
