#!/usr/bin/env python3
"""The live view, tested for real: perchd --demo with [web] on 127.0.0.1, Debian's headless
chromium driven over the DevTools protocol, and plain HTTP clients over TCP.

    tools/view/run.py [--perchd PATH] [--out DIR] [--viewer-seconds 15]

Prints each check and, last, "view: N passed, N failed". Figures (inference rate, perchd CPU
and RSS with 0 and with 5+1 MJPEG viewers) are printed, never checked: speed is measured,
not asserted. Screenshots: OUT/view-1280.png and OUT/view-375.png."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAMERA = (160, 120)  # config/demo.conf [camera]
results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)), flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, perchd, workdir, port, token):
        self.perchd, self.workdir, self.port, self.token = perchd, workdir, port, token
        self.config = os.path.join(workdir, "view.conf")
        with open(os.path.join(REPO, "config/demo.conf")) as f:
            text = f.read()
        with open(os.path.join(workdir, "token"), "w") as f:
            f.write(token + "\n")
        # A camera that cannot open: the page must show it as a fault.
        text += (f"\n[camera door]\ndevice = /dev/perch-view-test-no-such-camera\n\n"
                 f"[web]\nlisten = 127.0.0.1:{port}\ntoken-file = {workdir}/token\nstream-fps = 5\n")
        with open(self.config, "w") as f:
            f.write(text)
        self.process = None
        self.runs = 0

    def start(self):
        self.runs += 1
        log = open(os.path.join(self.workdir, f"perchd-{self.runs}.log"), "w")
        self.process = subprocess.Popen([self.perchd, "--demo", "--config", self.config, "--socket",
                                         os.path.join(self.workdir, "perchd.sock")], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status = self.get("/v1/status")
                if status["counters"]["inferences"] > 0:
                    return status
            except Exception:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("perchd exited with " + str(self.process.returncode))
            time.sleep(0.2)
        raise RuntimeError("perchd did not start inferring within 30 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def request(self, method, path, token=None, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method, data=body)
        if token is not False:
            req.add_header("Authorization", "Bearer " + (token or self.token))
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get(self, path):
        code, _, body = self.request("GET", path)
        if code != 200:
            raise RuntimeError(path + ": HTTP " + str(code))
        return json.loads(body)

    def proc_sample(self):
        """(utime+stime seconds, VmRSS KiB) of perchd."""
        pid = self.process.pid
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        rss = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return cpu, rss


def djpeg_size(jpeg, workdir):
    """Decodes with djpeg (libjpeg-turbo-progs), an independent decoder: (width, height) or None."""
    p = subprocess.run(["djpeg", "-pnm"], input=jpeg, capture_output=True)
    if p.returncode != 0 or not p.stdout.startswith((b"P6", b"P5")):
        return None
    header = p.stdout[:40].split()
    return int(header[1]), int(header[2])


class MJPEGViewer(threading.Thread):
    """Reads /v1/stream over TCP and splits the parts; a slow viewer reads 2 KiB per second."""

    def __init__(self, port, token, slow=False, keep=3):
        super().__init__(daemon=True)
        self.port, self.token, self.slow, self.keep = port, token, slow, keep
        self.parts = 0
        self.samples = []
        self.error = None
        self.stop_flag = False
        self.connected_at_end = False

    def run(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=20)
            if self.slow:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(f"GET /v1/stream?camera=camera HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n\r\n".encode())
            data = b""
            while not self.stop_flag:
                chunk = s.recv(2048 if self.slow else 65536)
                if not chunk:
                    self.error = "closed by perchd"
                    return
                data += chunk
                # Parts inside chunked framing: find JPEG start/end markers in order.
                while True:
                    start = data.find(b"\xff\xd8")
                    end = data.find(b"\xff\xd9", start + 2) if start >= 0 else -1
                    if start < 0 or end < 0:
                        break
                    self.parts += 1
                    if len(self.samples) < self.keep:
                        self.samples.append(data[start:end + 2])
                    data = data[end + 2:]
                if self.slow:
                    time.sleep(1)
            self.connected_at_end = True
            s.close()
        except Exception as e:  # noqa: BLE001
            self.error = str(e)


def window(daemon, seconds):
    """Inference rate, perchd CPU % and RSS over `seconds`."""
    s0 = daemon.get("/v1/status")["counters"]["inferences"]
    c0, r0 = daemon.proc_sample()
    t0 = time.time()
    peak = r0
    while time.time() - t0 < seconds:
        time.sleep(0.5)
        peak = max(peak, daemon.proc_sample()[1])
    s1 = daemon.get("/v1/status")["counters"]["inferences"]
    c1, r1 = daemon.proc_sample()
    dt = time.time() - t0
    return {"rate": (s1 - s0) / dt, "cpu": 100 * (c1 - c0) / dt, "rss": r1, "rss_peak": peak, "inferences": s1 - s0}


def tcp_checks(daemon, workdir, viewer_seconds):
    code, _, body = daemon.request("POST", "/v1/reload")
    check("POST /v1/reload over TCP answers 403", code == 403, code)
    code, _, _ = daemon.request("GET", "/v1/status", token="wrong-token-wrong-token")
    check("a wrong token answers 401", code == 401, code)
    code, headers, _ = daemon.request("GET", "/v1/status", token=False)
    check("no token answers 401 with WWW-Authenticate", code == 401 and "Bearer" in (headers.get("WWW-Authenticate") or ""), code)
    code, headers, jpeg = daemon.request("GET", "/v1/snapshot?camera=camera")
    check("snapshot is image/jpeg", code == 200 and headers.get("Content-Type") == "image/jpeg", (code, headers.get("Content-Type")))
    check("snapshot decodes (djpeg) to the camera size", djpeg_size(jpeg, workdir) == CAMERA, djpeg_size(jpeg, workdir))
    code, _, jpeg = daemon.request("GET", "/v1/snapshot?camera=camera&overlay=1")
    check("snapshot with overlay decodes to the camera size", code == 200 and djpeg_size(jpeg, workdir) == CAMERA)
    code, _, body = daemon.request("GET", "/v1/snapshot?camera=door")
    check("snapshot of a camera without frames: 503 naming it", code == 503 and b"door" in body, (code, body[:120]))
    code, _, body = daemon.request("GET", "/v1/stream?camera=nope")
    check("stream of an unknown camera: 404 listing the cameras", code == 404 and b"camera, door" in body, (code, body[:120]))

    idle = window(daemon, viewer_seconds)
    viewers = [MJPEGViewer(daemon.port, daemon.token) for _ in range(5)]
    slow = MJPEGViewer(daemon.port, daemon.token, slow=True, keep=1)
    for v in viewers + [slow]:
        v.start()
    time.sleep(1)
    busy = window(daemon, viewer_seconds)
    for v in viewers + [slow]:
        v.stop_flag = True
    for v in viewers + [slow]:
        v.join(timeout=10)
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), "?")
    load = open("/proc/loadavg").read().split()[:3]
    print(f"figures: CPU {model}; load average {' '.join(load)} (other builds share the 2 cores)")
    print(f"figures: 0 viewers: {idle['rate']:.2f} inferences/s, perchd CPU {idle['cpu']:.1f} %, "
          f"VmRSS {idle['rss']} KiB (peak {idle['rss_peak']})")
    print(f"figures: 5 viewers + 1 slow: {busy['rate']:.2f} inferences/s, perchd CPU {busy['cpu']:.1f} %, "
          f"VmRSS {busy['rss']} KiB (peak {busy['rss_peak']}); parts per viewer "
          f"{[v.parts for v in viewers]}, slow viewer {slow.parts}")
    check("inference kept running with 6 viewers", busy["inferences"] > 0, busy)
    fast_ok = all(v.error is None and v.parts >= 2 for v in viewers)
    check("five viewers each received MJPEG parts", fast_ok, [(v.parts, v.error) for v in viewers])
    sizes = [djpeg_size(p, workdir) for v in viewers + [slow] for p in v.samples]
    check("every sampled MJPEG part decodes (djpeg) to the camera size", sizes and all(s == CAMERA for s in sizes), sizes)
    check("the slow viewer was skipped ahead, not cut off", slow.error is None and slow.connected_at_end
          and slow.parts < max(v.parts for v in viewers), (slow.parts, slow.error))
    # Bounded: at most one queued part per viewer (LiveView), so RSS cannot grow by more than
    # a few MiB here; 16 MiB leaves room for allocator noise.
    check("RSS bounded with six viewers (< idle + 16 MiB)", busy["rss_peak"] < idle["rss_peak"] + 16 * 1024,
          (idle["rss_peak"], busy["rss_peak"]))
    return idle, busy


class ResultsSampler(threading.Thread):
    """Polls /v1/results/latest every 40 ms: inferences -> scores per model."""

    def __init__(self, daemon):
        super().__init__(daemon=True)
        self.daemon_ = daemon
        self.history = {}
        self.latest = {}
        self.stop_flag = False

    def run(self):
        while not self.stop_flag:
            try:
                for r in self.daemon_.get("/v1/results/latest")["results"]:
                    self.history.setdefault(r["model"], {})[r["inferences"]] = r["scores"]
                    self.latest[r["model"]] = r["inferences"]
            except Exception:
                pass
            time.sleep(0.04)


class EventTap(threading.Thread):
    """Reads /v1/events over TCP: seq -> time it was published to this client."""

    def __init__(self, daemon, since):
        super().__init__(daemon=True)
        self.daemon_, self.since = daemon, since
        self.arrivals = {}

    def run(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.daemon_.port), timeout=60)
            s.sendall(f"GET /v1/events?since={self.since} HTTP/1.0\r\nAuthorization: Bearer {self.daemon_.token}\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return
                data += chunk
                while b"\n" in data:
                    line, data = data.split(b"\n", 1)
                    if line.startswith(b"{"):
                        try:
                            e = json.loads(line)
                        except ValueError:
                            continue
                        if "seq" in e:
                            self.arrivals.setdefault(e["seq"], time.time())
        except Exception:
            pass


def browser_checks(daemon, browser, out):
    browser.call("Runtime.enable")
    browser.call("Log.enable")
    browser.call("Page.enable")
    browser.viewport(1280, 900, False)
    browser.call("Page.navigate", url=f"http://127.0.0.1:{daemon.port}/?token={daemon.token}")
    title, _ = browser.wait_for("document.readyState === 'complete' && document.title", 20)
    check("the page loads through /?token= (cookie set, redirected to /)", title == "Perch live view"
          and browser.evaluate("location.pathname + location.search") == "/", title)

    size, waited = browser.wait_for("(() => { const i = document.getElementById('camera');"
                                    " return i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null })()", 20)
    check(f"the camera image loaded at the camera's size {CAMERA[0]}x{CAMERA[1]}", size == list(CAMERA), size)

    sampler = ResultsSampler(daemon)
    sampler.start()
    browser.wait_for("document.querySelector('.model[data-inferences]')", 20)
    time.sleep(1.5)
    matched = 0
    detail = []
    for _ in range(5):
        # What the API had when the page was read: the page may be at most one inference behind it.
        before = dict(sampler.latest)
        dom = browser.evaluate("""[...document.querySelectorAll('.model')].map(m => ({model: m.dataset.model,
            inferences: Number(m.dataset.inferences), scores: Object.fromEntries([...m.querySelectorAll('.row')]
            .map(r => [r.dataset.label, r.dataset.score === undefined ? null : Number(r.dataset.score)]))}))""")
        time.sleep(0.3)  # let the sampler see anything newer than what the page showed
        for m in dom:
            latest = sampler.latest.get(m["model"])
            shown = sampler.history.get(m["model"], {}).get(m["inferences"])
            asked = before.get(m["model"])
            ok = latest is not None and asked is not None and m["inferences"] <= latest \
                and asked - m["inferences"] <= 1 and shown is not None and \
                all(abs(m["scores"][k] - v) < 1e-9 for k, v in shown.items())
            matched += ok
            if not ok:
                detail.append((m["model"], m["inferences"], asked, latest))
        time.sleep(0.7)
    sampler.stop_flag = True
    check("every label bar matches /v1/results/latest within one inference (5 samples)", matched == 5 and not detail, detail)

    thresholds = browser.evaluate("""(() => { const r = document.querySelector('.model[data-model="av"] .row[data-label="person"] .on');
        return r ? r.style.left : null })()""")
    check("the rule's on threshold is drawn on its bar (person: 70%)", thresholds == "70%", thresholds)
    attribution = browser.evaluate("document.querySelectorAll('.attr [data-name]').length")
    check("the image/audio attribution is shown", attribution == 2, attribution)
    painted, _ = browser.wait_for("""(() => { const c = document.getElementById('spectrogram').getContext('2d');
        const d = c.getImageData(c.canvas.width - 8, 0, 8, c.canvas.height).data; let lit = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] + d[i+1] + d[i+2] > 60) lit++; return lit > 20 })()""", 10)
    check("the spectrogram scrolls with the microphone's features", bool(painted))
    level, _ = browser.wait_for("(() => { const t = document.getElementById('level').textContent; return /dBFS|silence/.test(t) && t })()", 10)
    check("the level meter shows a level", bool(level), level)

    fault, _ = browser.wait_for("""(() => { const f = [...document.querySelectorAll('#faults li[data-component]')]
        .find(li => li.textContent.includes('door')); const row = document.querySelector('tr[data-source="door"]');
        return f && row && row.dataset.state !== 'running' ? f.textContent : null })()""", 20)
    check("the failed camera is shown as a fault in plain words", bool(fault), fault)

    # An event appears within 5 s of /v1/events publishing it.
    last = daemon.get("/v1/status")["last_event_seq"]
    tap = EventTap(daemon, last)
    tap.start()
    deadline = time.time() + 60
    while not tap.arrivals and time.time() < deadline:
        time.sleep(0.1)
    if check("the demo published an event within 60 s", bool(tap.arrivals)):
        seq = min(tap.arrivals)
        found, _ = browser.wait_for(f"document.querySelector('#events li[data-seq=\"{seq}\"]') !== null", 10)
        delay = time.time() - tap.arrivals[seq]
        shown_at = browser.evaluate("performance.now()")  # keep the page busy-check honest
        check(f"event #{seq} appeared in the list {delay:.1f} s after /v1/events published it (limit 5 s)",
              bool(found) and delay <= 5.0, delay)
        del shown_at

    errors_before_restart = list(browser.console_errors)
    check("no console errors", not errors_before_restart and not browser.exceptions,
          (errors_before_restart + browser.exceptions)[:5])

    os.makedirs(out, exist_ok=True)
    browser.viewport(1280, 900, False)
    time.sleep(1)
    browser.screenshot(os.path.join(out, "view-1280.png"), 1280)
    browser.viewport(375, 812, True)
    time.sleep(1.5)
    overflow = browser.evaluate("document.documentElement.scrollWidth")
    check("at 375 px nothing is wider than the screen", overflow <= 375, overflow)
    browser.screenshot(os.path.join(out, "view-375.png"), 375)
    browser.viewport(1280, 900, False)
    print("screenshots: " + os.path.join(out, "view-1280.png") + ", " + os.path.join(out, "view-375.png"))

    # Restart: the list continues without duplicates and says so.
    daemon.stop()
    time.sleep(2)
    old_rows = browser.evaluate("document.querySelectorAll('#events li[data-seq]').length")
    offline, _ = browser.wait_for("document.getElementById('linktext').textContent.startsWith('reconnecting')", 10)
    check("the page says it lost perchd", bool(offline))
    daemon.start()
    marker, _ = browser.wait_for("document.querySelector('#events li[data-marker=\"restart\"]')?.textContent", 30)
    check("after the restart the list shows the gap (a restart marker)", bool(marker), marker)
    deadline = time.time() + 45
    verdict = None
    while time.time() < deadline:
        newest = daemon.get("/v1/status")["last_event_seq"]
        rows = browser.evaluate("""(() => { const out = {newRun: [], oldRun: []}; let after = true;
            for (const li of document.querySelectorAll('#events li')) {
              if (li.dataset.marker === 'restart') { after = false; continue; }
              if (li.dataset.seq) (after ? out.newRun : out.oldRun).push(Number(li.dataset.seq)); }
            return out })()""")
        new = rows["newRun"]
        if newest >= 1 and set(range(1, newest + 1)) <= set(new):
            verdict = (new, rows["oldRun"], newest)
            break
        time.sleep(0.5)
    if check("the new run's events are all listed after the restart", verdict is not None, (newest, rows)):
        new, old, newest = verdict
        check("no event is listed twice (new run and old run each unique)",
              len(new) == len(set(new)) and len(old) == len(set(old)) and len(old) == old_rows, (len(new), len(old), old_rows))
    check("no JavaScript exceptions during the whole run (restart included)", not browser.exceptions, browser.exceptions[:3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--perchd", default=os.path.join(REPO, ".build-x86_64/release/perchd"))
    parser.add_argument("--out", default=os.path.join(REPO, ".build-logs/view"))
    parser.add_argument("--viewer-seconds", type=float, default=15)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="perch-view-")
    token = os.urandom(16).hex()
    daemon = Daemon(os.path.abspath(args.perchd), workdir, free_port(), token)
    browser = None
    try:
        daemon.start()
        check("perchd --demo listens on 127.0.0.1 ([web])", True)
        tcp_checks(daemon, workdir, args.viewer_seconds)
        browser = Browser(workdir, args.chromium)
        browser_checks(daemon, browser, args.out)
    except Exception as e:  # noqa: BLE001
        check("the test ran to its end", False, repr(e))
    finally:
        if browser:
            browser.close()
        daemon.stop()
        print("logs: " + workdir)
    print(f"view: {results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
