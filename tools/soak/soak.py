#!/usr/bin/env python3
"""Soak: a long run of `perchd --demo` under a moderate client load, reloaded every minute.

Run by tools/soak/run.sh (which says the options). Samples VmRSS, open fds, the inference
counter, the newest event seq and the reload counters every --sample-seconds; polls the
inference counter every 2 s to find the longest time it stood still; one subscriber follows
/v1/events from seq 0 for the whole run and checks every seq (reconnecting with
since+instance when cut off, as `perch watch --follow` does). At the end: the least-squares
RSS slope in KiB/min, the fd range, the longest inference stall, the seq check; writes the
samples (CSV) and a plot (PNG); prints its checks and "soak: N passed, N failed".
"""
import argparse
import csv
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("perch", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def request(path, method, target, body=None, headers=None, timeout=30):
    connection = UnixConnection(path, timeout)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}

    def count(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1


class Subscriber(threading.Thread):
    """Follows the event stream for the whole run; every seq once, in order."""

    def __init__(self, path, stop):
        super().__init__(daemon=True)
        self.path, self.stop = path, stop
        self.last = 0
        self.instance = None
        self.seen = 0
        self.gaps = []  # (from, to) lines and seqs out of order
        self.resets = 0
        self.reconnects = 0

    def run(self):
        # A plain socket and its own chunk decoding: a read timeout in http.client's chunked
        # reader could lose bytes, and this reader must not. Blocking reads; close() at the
        # end of the run wakes it.
        while not self.stop.is_set():
            query = f"?since={self.last}" + (f"&instance={self.instance}" if self.instance else "")
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(self.path)
                self.sock.sendall(f"GET /v1/events{query} HTTP/1.1\r\nHost: perch\r\n\r\n".encode())
                self.follow()
            except (OSError, ValueError):
                pass
            finally:
                self.sock.close()
            if not self.stop.is_set():
                self.reconnects += 1
                time.sleep(0.2)

    def follow(self):
        buffer = b""
        def more():
            nonlocal buffer
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            buffer += data
        try:
            while b"\r\n\r\n" not in buffer:
                more()
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            if not head.startswith(b"HTTP/1.1 200"):
                raise ValueError(head[:100])
            body = b""
            while True:
                while b"\r\n" not in buffer:
                    more()
                size_line, buffer = buffer.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    return
                while len(buffer) < size + 2:
                    more()
                body += buffer[:size]
                buffer = buffer[size + 2:]
                *lines, body = body.split(b"\n")
                for line in lines:
                    if line:
                        self.take(json.loads(line))
        except EOFError:
            return

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def take(self, value):
        if "reset" in value:
            self.resets += 1
            self.instance = value["reset"]["instance"]
            self.last = value["reset"]["first_seq"] - 1
        elif "gap" in value:
            self.gaps.append((value["gap"]["from"], value["gap"]["to"]))
            self.last = value["gap"]["to"]
        else:
            if value["seq"] != self.last + 1:
                self.gaps.append((self.last + 1, value["seq"] - 1))
            self.last = value["seq"]
            self.instance = value["instance"]
            self.seen += 1


def poller(path, stop, paused, stats, interval):
    targets = ["/v1/status", "/v1/models", "/v1/results/latest", "/v1/metrics"]
    while not stop.is_set():
        wait_while(paused, stop)
        target = random.choice(targets)
        try:
            status, _ = request(path, "GET", target)
            stats.count(f"GET {target} {status}")
        except OSError as error:
            stats.count(f"GET {target} {type(error).__name__}")
        stop.wait(interval)


def uploader(path, stop, paused, stats, uploads, interval):
    while not stop.is_set():
        wait_while(paused, stop)
        kind, body = random.choice(uploads)
        try:
            status, _ = request(path, "POST", "/v1/infer?model=av", body, {"Content-Type": kind}, timeout=60)
            stats.count(f"POST /v1/infer {kind} {status}")
        except OSError as error:
            stats.count(f"POST /v1/infer {type(error).__name__}")
        stop.wait(interval)


def short_subscriber(path, stop, paused, stats, interval):
    """Opens an event stream, reads it for 3 s, drops it: the set of streams churns."""
    while not stop.is_set():
        wait_while(paused, stop)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(0.5)
        try:
            sock.connect(path)
            sock.sendall(b"GET /v1/events?since=0 HTTP/1.1\r\nHost: perch\r\n\r\n")
            received = b""
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                received += data
            ok = received.startswith(b"HTTP/1.1 200")
            stats.count("short event stream" + ("" if ok else " without a 200"))
        except OSError as error:
            stats.count(f"short event stream {type(error).__name__}")
        finally:
            sock.close()
        stop.wait(interval)


def wait_while(paused, stop):
    while paused.is_set() and not stop.is_set():
        time.sleep(0.1)


def proc(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    values["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return values


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--perchd", required=True)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sample-seconds", type=float, default=60)
    parser.add_argument("--reload-seconds", type=float, default=60)
    parser.add_argument("--pollers", type=int, default=6)
    parser.add_argument("--out", required=True, help="directory for samples.csv and the log")
    parser.add_argument("--plot", required=True, help="PNG to write")
    parser.add_argument("--uploads", nargs="+", required=True, help="TYPE=FILE")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    uploads = []
    for spec in args.uploads:
        kind, _, name = spec.partition("=")
        with open(name, "rb") as f:
            uploads.append((kind, f.read()))

    sock = os.path.join(os.path.abspath(args.out), "perchd.sock")
    log = open(os.path.join(args.out, "perchd.log"), "wb")
    daemon = subprocess.Popen([args.perchd, "--demo", "--socket", sock], stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    def status():
        return json.loads(request(sock, "GET", "/v1/status")[1])
    first = status()
    print(f"perchd: {args.perchd} ({first['version']}), pid {daemon.pid}, instance {first['instance']}", flush=True)

    stop = threading.Event()
    # Set around each sample: the load pauses so that the fd count is the daemon's own
    # (plus the subscriber's one connection), not the clients' connections of the moment.
    paused = threading.Event()
    stats = Stats()
    subscriber = Subscriber(sock, stop)
    subscriber.start()
    threads = [threading.Thread(target=poller, args=(sock, stop, paused, stats, 1.0), daemon=True) for _ in range(args.pollers)]
    threads.append(threading.Thread(target=uploader, args=(sock, stop, paused, stats, uploads, 2.0), daemon=True))
    threads += [threading.Thread(target=short_subscriber, args=(sock, stop, paused, stats, 5.0), daemon=True) for _ in range(2)]
    for t in threads:
        t.start()

    start = time.monotonic()
    end = start + args.minutes * 60
    next_sample = start
    next_reload = start + args.reload_seconds
    reloads_requested = 0
    samples = []
    last_inferences, last_change, longest_stall = None, start, 0.0
    total_inferences, last_counted = 0, 0
    while True:
        now = time.monotonic()
        if daemon.poll() is not None:
            print(f"FAIL: perchd exited with {daemon.returncode}", flush=True)
            break
        try:
            s = status()
        except OSError as error:
            stats.count(f"status for the monitor: {type(error).__name__}")
            time.sleep(2)
            continue
        inferences = s["counters"]["inferences"]
        if inferences != last_inferences:
            last_inferences, last_change = inferences, now
        longest_stall = max(longest_stall, now - last_change)
        if inferences < last_counted:  # a reload starts the new pipeline's counters at 0
            last_counted = 0
        total_inferences += inferences - last_counted
        last_counted = inferences
        if now >= next_sample:
            paused.set()
            time.sleep(4)  # in-flight requests and the short streams (3 s) end
            p = proc(daemon.pid)
            paused.clear()
            sample = {"minute": round((now - start) / 60, 3), "rss_kib": p["VmRSS"], "hwm_kib": p["VmHWM"],
                      "fds": p["fds"], "inferences": total_inferences, "last_event_seq": s["last_event_seq"],
                      "subscriber_seq": subscriber.last, "reloads": s["reloads"],
                      "reload_failures": s["reload_failures"], "faults": len(s["faults"])}
            samples.append(sample)
            print("sample: " + ", ".join(f"{k} {v}" for k, v in sample.items()), flush=True)
            next_sample += args.sample_seconds
        if now >= end:
            break
        if now >= next_reload:
            code, _ = request(sock, "POST", "/v1/reload")
            stats.count(f"POST /v1/reload {code}")
            reloads_requested += 1
            next_reload += args.reload_seconds
        time.sleep(2)

    stop.set()
    time.sleep(3)  # the subscriber reads the last events
    final = status() if daemon.poll() is None else None
    time.sleep(1)
    subscriber.close()
    subscriber.join(10)
    exit_status = None
    if daemon.poll() is None:
        daemon.terminate()
        try:
            exit_status = daemon.wait(20)
        except subprocess.TimeoutExpired:
            daemon.kill()
    else:
        exit_status = daemon.returncode

    with open(os.path.join(args.out, "samples.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(samples[0].keys()))
        writer.writeheader()
        writer.writerows(samples)

    # Warm-up: the first two minutes (arenas, caches, the first reloads) are not the trend.
    steady = [x for x in samples if x["minute"] >= 2] or samples
    rss_slope = slope([x["minute"] for x in steady], [x["rss_kib"] for x in steady])
    fds = [x["fds"] for x in steady]
    minutes = (samples[-1]["minute"] if samples else 0)
    print(f"duration: {minutes:.1f} min, {len(samples)} samples, load average at the end "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"RSS: {samples[0]['rss_kib']} KiB at start, {samples[-1]['rss_kib']} KiB at the end, "
          f"VmHWM {samples[-1]['hwm_kib']} KiB; fitted slope from minute 2: {rss_slope:.2f} KiB/min")
    print(f"open fds: {min(fds)}..{max(fds)} from minute 2 (first sample {samples[0]['fds']})")
    print(f"inferences: {total_inferences} in all (counted across reloads); "
          f"longest time without a new inference: {longest_stall:.1f} s (polled every 2 s)")
    print(f"reloads: {reloads_requested} requested, {final['reloads'] if final else '?'} done, "
          f"{final['reload_failures'] if final else '?'} failed")
    print(f"subscriber: {subscriber.seen} events, last seq {subscriber.last} of {final['last_event_seq'] if final else '?'}, "
          f"gaps {subscriber.gaps[:5]}, resets {subscriber.resets}, reconnects {subscriber.reconnects}")
    for what, n in sorted(stats.counts.items()):
        print(f"requests: {n} x {what}")

    plot(samples, rss_slope, args.plot)

    checks = [
        ("perchd ran the whole time and exited 0 on SIGTERM", final is not None and exit_status == 0),
        (f"RSS slope {rss_slope:.2f} KiB/min is below 1 KiB/min", rss_slope < 1.0),
        (f"open fds flat from minute 2 ({min(fds)}..{max(fds)})", max(fds) == min(fds)),
        (f"inference never stalled (longest {longest_stall:.1f} s without a new one, < 10 s)", longest_stall < 10),
        (f"every reload succeeded ({reloads_requested} requested)",
         final is not None and final["reloads"] == reloads_requested and final["reload_failures"] == 0),
        ("the subscriber saw every seq once, in order, without a gap or a reset",
         not subscriber.gaps and subscriber.resets == 0 and final is not None
         and subscriber.last >= final["last_event_seq"] - 5 and subscriber.seen == subscriber.last),
        ("no failed request", not any(("Error" in w or " 5" in w[-4:]) for w in stats.counts)),
    ]
    passed = sum(1 for _, ok in checks if ok)
    for what, ok in checks:
        print(("ok: " if ok else "FAIL: ") + what)
    print(f"soak: {passed} passed, {len(checks) - passed} failed", flush=True)
    sys.exit(0 if passed == len(checks) else 1)


def plot(samples, rss_slope, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    minutes = [x["minute"] for x in samples]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    top.plot(minutes, [x["rss_kib"] for x in samples], marker="o", label="VmRSS")
    top.set_ylabel("KiB")
    top.set_title(f"perchd --demo soak: RSS (fitted slope from minute 2: {rss_slope:.2f} KiB/min)")
    top.legend(loc="lower right")
    bottom.plot(minutes, [x["fds"] for x in samples], marker="o", color="tab:green", label="open fds")
    bottom.set_ylabel("fds")
    bottom.set_xlabel("minutes")
    bottom.set_ylim(0, max(x["fds"] for x in samples) * 1.5)
    twin = bottom.twinx()
    twin.plot(minutes, [x["inferences"] for x in samples], color="tab:orange", label="inferences")
    twin.set_ylabel("inferences")
    bottom.legend(loc="upper left")
    twin.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=80)


if __name__ == "__main__":
    main()
