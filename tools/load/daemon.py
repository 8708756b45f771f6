"""The perchd under load: started as `perchd --demo`, watched through /proc and through one
keep-alive connection opened before the load (so the monitor is never refused a slot)."""
import asyncio
import os
import subprocess
import time

import http_wire


class Daemon:
    def __init__(self, binary, socket_path, log_dir):
        self.binary = binary
        self.socket_path = socket_path
        self.log_path = os.path.join(log_dir, "perchd.log")
        self.process = None

    def start(self):
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen([self.binary, "--demo", "--socket", self.socket_path],
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def exit_status(self):
        return self.process.poll()

    def proc_status(self):
        """VmRSS and VmHWM in KiB from /proc/PID/status."""
        values = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
        return values

    def cpu_seconds(self):
        """User + system CPU time from /proc/PID/stat."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def stop(self, timeout=10):
        """SIGTERM; the exit status, or None when it had to be killed."""
        if not self.alive():
            return self.exit_status()
        self.process.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


class Monitor:
    """Reads counters over its own keep-alive connection."""

    def __init__(self, socket_path):
        self.socket_path = socket_path
        self.reader = None
        self.writer = None

    async def connect(self):
        self.reader, self.writer = await http_wire.open_connection(self.socket_path)

    async def get_json(self, path, key):
        for _ in range(3):
            try:
                if self.writer is None:
                    await self.connect()
                self.writer.write(http_wire.request_bytes("GET", path))
                head = await asyncio.wait_for(http_wire.read_head(self.reader), 30)
                if head is None:
                    raise ConnectionError("monitor connection closed")
                status, headers = head
                body = await http_wire.read_body(self.reader, status, headers)
                if status != 200:
                    raise ConnectionError(f"monitor GET {path}: {status}")
                return http_wire.check_json(body, key)
            except (ConnectionError, OSError, asyncio.TimeoutError):
                self.close()
                await asyncio.sleep(0.5)
        raise ConnectionError(f"monitor: GET {path} failed three times")

    async def sample(self):
        """Scheduled inferences (results/latest counts only the model's own schedule),
        all inferences (with uploads), the last event sequence number, and the time."""
        status = await self.get_json("/v1/status", "counters")
        results = await self.get_json("/v1/results/latest", "results")
        scheduled = sum(r.get("inferences", 0) for r in results["results"])
        return {"time": time.monotonic(), "scheduled": scheduled,
                "inferences": status["counters"]["inferences"], "last_event_seq": status["last_event_seq"]}

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def wait_ready(daemon, timeout=60):
    """The socket answers and at least one scheduled inference has run."""
    deadline = time.monotonic() + timeout
    monitor = Monitor(daemon.socket_path)
    while time.monotonic() < deadline:
        if not daemon.alive():
            raise RuntimeError(f"perchd exited with status {daemon.exit_status()} (log: {daemon.log_path})")
        if os.path.exists(daemon.socket_path):
            try:
                sample = await monitor.sample()
                if sample["scheduled"] > 0:
                    monitor.close()
                    return
            except (ConnectionError, OSError, http_wire.Malformed):
                pass
        await asyncio.sleep(0.2)
    monitor.close()
    raise RuntimeError(f"perchd not ready after {timeout} s (log: {daemon.log_path})")
