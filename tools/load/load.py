"""perchd under load: see tools/load/run.sh for the command and what it prints."""
import argparse
import asyncio
import os
import sys
import tempfile
import time

import clients
import http_wire
from daemon import Daemon, Monitor, wait_ready
from tally import EXPECTED, FAULTS, Tally

# perchd's server limits (docs/api-limits.md); the RSS bound is derived from them.
MAX_CONNECTIONS = 128
PER_CONNECTION_CAP_KIB = 256 + 256   # stream buffer cap + output high-water mark
WRITE_TIMEOUT_S = 10


class Context:
    def __init__(self, socket_path, upload, label_count):
        self.socket_path = socket_path
        self.upload = upload
        self.label_count = label_count
        self.tally = Tally()
        self.stopping = False


def mix(total):
    """How many clients of each kind; every kind gets at least one."""
    kinds = {"poller": 0.50, "streamer": 0.15, "slow reader (64 B / 2 s)": 0.05, "slow reader (never reads)": 0.05,
             "pipeliner": 0.05, "disconnector": 0.17, "inferrer": 0.03}
    counts = {kind: max(1, int(total * share)) for kind, share in kinds.items()}
    counts["poller"] += total - sum(counts.values())
    return counts


def spawn(ctx, counts):
    makers = {
        "poller": clients.poller,
        "streamer": clients.streamer,
        "slow reader (64 B / 2 s)": lambda c, i: clients.slow_reader(c, i, reads=True),
        "slow reader (never reads)": lambda c, i: clients.slow_reader(c, i, reads=False),
        "pipeliner": clients.pipeliner,
        "disconnector": clients.disconnector,
        "inferrer": clients.inferrer,
    }
    async def restarting(kind, index):
        # A client that raises is a bug of this tool, not of perchd: reported, and restarted.
        while not ctx.stopping:
            try:
                await makers[kind](ctx, index)
            except Exception as e:
                ctx.tally.count("load client error (this tool)", f"{kind}: {type(e).__name__}: {e}")
                await asyncio.sleep(0.1)

    tasks = {}
    for kind, count in counts.items():
        tasks[kind] = [asyncio.create_task(restarting(kind, i)) for i in range(count)]
    return tasks


class ProcSampler:
    """VmRSS, VmHWM and the open fd count of perchd, twice a second while the load runs."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.samples = []   # (time, rss KiB, hwm KiB, fds)

    async def run(self):
        while True:
            try:
                status = self.daemon.proc_status()
                self.samples.append((time.monotonic(), status["VmRSS"], status["VmHWM"], self.daemon.fd_count()))
            except (OSError, KeyError):
                return  # the process is gone; the alive check reports it
            await asyncio.sleep(0.5)


def rate(a, b, key):
    return (b[key] - a[key]) / (b["time"] - a["time"])


async def settle_fds(daemon, baseline, timeout=20):
    """Waits for perchd's fd count to come back to `baseline` (its clients are all closed)."""
    deadline = time.monotonic() + timeout
    count = daemon.fd_count()
    while count != baseline and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        count = daemon.fd_count()
    return count


async def fresh_status(socket_path):
    """GET /v1/status on a new connection: the daemon still admits and answers clients."""
    reader, writer = await http_wire.open_connection(socket_path)
    try:
        writer.write(http_wire.request_bytes("GET", "/v1/status"))
        status, headers = await asyncio.wait_for(http_wire.read_head(reader), 30)
        body = await http_wire.read_body(reader, status, headers)
        return status, http_wire.check_json(body, "counters") if status == 200 else None
    finally:
        writer.close()


async def run(args):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(repo, "models/perch-av/demo/room.ppm"), "rb") as f:
        upload = f.read()
    with open(os.path.join(repo, "models/perch-av/labels.txt")) as f:
        label_count = sum(1 for line in f if line.strip() and not line.startswith("#"))
    work = tempfile.mkdtemp(prefix="perch-load-")
    socket_path = os.path.join(work, "perchd.sock")
    daemon = Daemon(args.perchd, socket_path, work)
    daemon.start()
    print(f"perchd: {args.perchd} --demo (pid {daemon.pid}), log {daemon.log_path}")
    await wait_ready(daemon)
    await asyncio.sleep(2)
    monitor = Monitor(socket_path)
    await monitor.connect()

    # Unloaded window.
    quiet_start = await monitor.sample()
    await asyncio.sleep(args.baseline_seconds)
    quiet_end = await monitor.sample()
    before = daemon.proc_status()
    fds_before = daemon.fd_count()

    # Loaded window.
    ctx = Context(socket_path, upload, label_count)
    counts = mix(args.clients)
    sampler = ProcSampler(daemon)
    sampler_task = asyncio.create_task(sampler.run())
    load_start = await monitor.sample()
    cpu_start = daemon.cpu_seconds()
    tasks = spawn(ctx, counts)
    await asyncio.sleep(args.seconds)
    try:
        load_end = await monitor.sample()
        cpu_seconds = daemon.cpu_seconds() - cpu_start
    except (ConnectionError, OSError, http_wire.Malformed) as e:
        print(f"FAIL: perchd alive and answering at the end of the load ({e}; exit status {daemon.exit_status()}, "
              f"log {daemon.log_path})")
        print("load: 0 passed, 1 failed")
        daemon.stop()
        return 1
    load_seconds = load_end["time"] - load_start["time"]
    responses_in_window = ctx.tally.responses

    # Stop: streams get a moment to catch up with the last event, then every client closes.
    ctx.stopping = True
    target = load_end["last_event_seq"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(s in ctx.tally.seen_seqs for s in range(1, target + 1)):
        await asyncio.sleep(0.2)
    for group in tasks.values():
        for task in group:
            task.cancel()
    await asyncio.gather(*(t for group in tasks.values() for t in group), return_exceptions=True)
    sampler_task.cancel()
    await asyncio.gather(sampler_task, return_exceptions=True)

    alive_after_load = daemon.alive()
    fds_after = await settle_fds(daemon, fds_before) if alive_after_load else None
    after = daemon.proc_status() if alive_after_load else None
    status_after = None
    if alive_after_load:
        try:
            status_after = (await fresh_status(socket_path))[0]
        except (OSError, asyncio.TimeoutError, http_wire.Malformed, TypeError) as e:
            status_after = f"no answer ({e})"
    monitor.close()
    exit_status = daemon.stop()

    report(args, counts, ctx.tally, locals())
    return 0 if checks_failed(args, ctx.tally, locals()) == 0 else 1


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def report(args, counts, tally, v):
    quiet = rate(v["quiet_start"], v["quiet_end"], "scheduled")
    loaded = rate(v["load_start"], v["load_end"], "scheduled")
    print(f"clients: {args.clients} for {v['load_seconds']:.1f} s: "
          + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    print(f"inference rate (scheduled, /v1/results/latest): unloaded {quiet:.3f}/s over {args.baseline_seconds} s, "
          f"loaded {loaded:.3f}/s; loaded/unloaded = {loaded / quiet:.3f}")
    print(f"perchd CPU in the loaded window: {v['cpu_seconds']:.1f} s = {100 * v['cpu_seconds'] / v['load_seconds']:.0f}% of one core")
    print(f"inferences in the loaded window (with uploads, /v1/status): "
          f"{v['load_end']['inferences'] - v['load_start']['inferences']}; uploads answered with scores: {tally.infers}")
    samples = v["sampler"].samples
    peak_rss = max((s[1] for s in samples), default=0)
    peak_fds = max((s[3] for s in samples), default=0)
    print(f"VmRSS: before {mib(v['before']['VmRSS'])}, during peak {mib(peak_rss)}, "
          f"after {mib(v['after']['VmRSS']) if v['after'] else 'n/a'}")
    print(f"VmHWM: before {mib(v['before']['VmHWM'])}, after {mib(v['after']['VmHWM']) if v['after'] else 'n/a'}")
    print(f"open fds: before {v['fds_before']}, during peak {peak_fds}, after {v['fds_after']}")
    print(f"responses read: {v['responses_in_window']} = {v['responses_in_window'] / v['load_seconds']:.0f}/s "
          + "(" + ", ".join(f"{p} {n}" for p, n in sorted(tally.responses_by_path.items())) + ")")
    print(f"abandoned requests: {sum(tally.disconnects.values())} ("
          + ", ".join(f"{k} {n}" for k, n in sorted(tally.disconnects.items())) + ")")
    print("outcomes by kind:")
    for kind, n in sorted(tally.outcomes.items(), key=lambda kv: -kv[1]):
        label = "expected" if kind in EXPECTED else "FAULT" if kind in FAULTS else "noted"
        example = f"  e.g. {tally.examples[kind]}" if kind in tally.examples else ""
        print(f"  {n:7d}  {kind} [{label}]{example}")
    if tally.cutoff_seconds:
        cut = sorted(tally.cutoff_seconds)
        print(f"pipelined non-readers cut off {len(cut)} times, {cut[0]:.1f}-{cut[-1]:.1f} s after connecting "
              f"(write timeout {WRITE_TIMEOUT_S} s)")
    live = v["load_end"]["last_event_seq"] - v["load_start"]["last_event_seq"]
    line = tally.event_bytes / tally.event_lines if tally.event_lines else 0
    print(f"slow readers: {tally.slow_reader_bytes} bytes read at 64 B / 2 s; the stream carried {live} new events "
          f"in the window, {live * line / v['load_seconds']:.0f} B/s per subscriber (lines of {line:.0f} B)")
    produced = v["load_end"]["last_event_seq"]
    print(f"events: produced {produced} (last_event_seq at the end of the load), "
          f"{tally.event_lines} event lines read by {len(tally.stream_ranges)} stream connections, "
          f"{len(tally.seen_seqs)} distinct, {tally.gap_lines} gap lines")
    print(f"daemon: alive after load {v['alive_after_load']}, fresh GET /v1/status {v['status_after']}, "
          f"SIGTERM exit status {v['exit_status']}")


def checks_failed(args, tally, v):
    results = []

    def check(name, ok):
        results.append(ok)
        print(("ok: " if ok else "FAIL: ") + name)

    check("perchd alive after the load", v["alive_after_load"])
    check(f"perchd answers a new client after the load (GET /v1/status: {v['status_after']})", v["status_after"] == 200)
    check(f"open fds back to the baseline after every client closed ({v['fds_before']} -> {v['fds_after']})",
          v["fds_after"] == v["fds_before"])
    samples = v["sampler"].samples
    bound = v["before"]["VmRSS"] + MAX_CONNECTIONS * PER_CONNECTION_CAP_KIB + 32 * 1024
    peak = max((s[1] for s in samples), default=0)
    check(f"VmRSS peak {mib(peak)} within the limits' bound {mib(bound)} "
          f"(baseline + {MAX_CONNECTIONS} connections x {PER_CONNECTION_CAP_KIB} KiB + 32 MiB)", 0 < peak <= bound)
    half = len(samples) // 2
    first = max((s[1] for s in samples[:half]), default=0)
    second = max((s[1] for s in samples[half:]), default=0)
    check(f"VmRSS not still growing: second-half peak {mib(second)} <= first-half peak {mib(first)} + max(8 MiB, 50%)",
          second <= first + max(8 * 1024, first // 2))
    check(f"no malformed responses ({tally.outcomes['malformed response']})", tally.outcomes["malformed response"] == 0)
    check(f"no unexpected statuses ({tally.outcomes['unexpected status']})", tally.outcomes["unexpected status"] == 0)
    check(f"event streams: no sequence break without a gap line ({tally.outcomes['event sequence broken']})",
          tally.outcomes["event sequence broken"] == 0)
    produced = v["load_end"]["last_event_seq"]
    missing = [s for s in range(1, produced + 1) if s not in tally.seen_seqs]
    check(f"every event produced (1-{produced}) seen by the streams (missing {len(missing)})", not missing)
    check(f"uploads answered with scores ({tally.infers})", tally.infers > 0)
    if v["load_seconds"] >= WRITE_TIMEOUT_S + 5:
        cut = tally.outcomes["pipelined non-reader cut off by server"]
        check(f"pipelined non-readers cut off by perchd ({cut})", cut > 0)
    check(f"perchd exits 0 on SIGTERM after the load ({v['exit_status']})", v["exit_status"] == 0)
    passed = sum(results)
    print(f"load: {passed} passed, {len(results) - passed} failed")
    return len(results) - passed


def main():
    parser = argparse.ArgumentParser(description="perchd --demo under concurrent clients")
    parser.add_argument("--perchd", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="unloaded window (default: min(20, --seconds))")
    args = parser.parse_args()
    if args.clients < 10:
        parser.error("--clients must be at least 10 (one of every kind, most of them pollers)")
    if args.baseline_seconds is None:
        args.baseline_seconds = min(20.0, args.seconds)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
