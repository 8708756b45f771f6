#!/usr/bin/env python3
"""Instructions per function for one operator or model under QEMU aarch64, from two runs of
tools/bench/insnprof.c: with 1 repetition and with 1 + R, so loading and start-up cancel out.

    tools/bench/insnprof.py PERCH MODEL [--operator I] [--runs R] [--cpu CPU] [--top N]

PERCH must be the unstripped embedded aarch64 build (PERCH_STRIP=0 cross/build.sh aarch64):
its symbols name the blocks. QEMU user mode maps a PIE at 0x5500000000.
"""
import argparse, bisect, collections, os, subprocess, tempfile

parser = argparse.ArgumentParser()
parser.add_argument("perch"); parser.add_argument("model")
parser.add_argument("--operator", type=int); parser.add_argument("--runs", type=int, default=20)
parser.add_argument("--cpu", default="cortex-a76"); parser.add_argument("--top", type=int, default=15)
args = parser.parse_args()
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
cache = os.environ.get("PERCH_CACHE", os.path.join(repo, ".cache"))
sysroot = os.path.join(cache, "sysroot-arm64")
plugin = os.path.join(cache, "insncount", "insnprof.so")
source = os.path.join(repo, "tools", "bench", "insnprof.c")
if not os.path.exists(plugin) or os.path.getmtime(source) > os.path.getmtime(plugin):
    os.makedirs(os.path.dirname(plugin), exist_ok=True)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", plugin, source], check=True)
toolchain = os.path.dirname(os.path.realpath(subprocess.run(["sh", "-c", "command -v swift"], capture_output=True, text=True).stdout.strip()))
BASE = 0x5500000000

def profile(runs):
    out = tempfile.NamedTemporaryFile(delete=False).name
    cmd = ["qemu-aarch64", "-L", sysroot, "-cpu", args.cpu, "-plugin", plugin, args.perch, "bench", args.model,
           "--runs", str(runs), "--warmup", "0", "--batch", "1"]
    cmd += ["--operator", str(args.operator)] if args.operator is not None else ["--no-operators"]
    subprocess.run(cmd, env=dict(os.environ, INSNPROF_OUT=out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    counts = collections.Counter()
    for line in open(out):
        address, count = line.split()
        counts[int(address, 16)] += int(count)
    os.unlink(out)
    return counts

symbols = []
nm = subprocess.run([os.path.join(toolchain, "llvm-nm"), "--defined-only", "-n", args.perch], capture_output=True, text=True).stdout
for line in nm.splitlines():
    fields = line.split()
    if len(fields) == 3 and fields[1] in "tTwW":
        symbols.append((int(fields[0], 16), fields[2]))
starts = [s[0] for s in symbols]
one, many = profile(1), profile(1 + args.runs)
per_function = collections.Counter()
for address in set(one) | set(many):
    offset = address - BASE
    i = bisect.bisect_right(starts, offset) - 1
    name = symbols[i][1] if 0 <= offset and i >= 0 and offset - starts[i] < 1 << 20 else "(shared libraries)"
    per_function[name] += many[address] - one[address]
top = per_function.most_common(args.top)
names = subprocess.run([os.path.join(toolchain, "swift-demangle"), "--simplified"], input="\n".join(n for n, _ in top),
                       capture_output=True, text=True).stdout.splitlines()
print("instructions per run: %.0f (%s, %d runs)" % (sum(per_function.values()) / args.runs, args.cpu, args.runs))
for (_, count), name in zip(top, names):
    print("%12.0f  %s" % (count / args.runs, name[:140]))
