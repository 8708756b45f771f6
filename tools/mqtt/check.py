#!/usr/bin/env python3
"""Perch over MQTT against a real mosquitto (Debian's), on free ports of 127.0.0.1 only.

    tools/mqtt/check.py PERCHD [--log-dir DIR]

Starts mosquitto, a recording subscriber (mosquitto_sub, QoS 1, persistent session) and
`PERCHD --demo` with `--set mqtt.broker=…`, then checks: discovery payloads, states and
events against the daemon's own event numbering, commands, Home Assistant's birth message,
a 10 s broker outage, kill -9 (the will), TLS with a CA made here plus a password file, and a
wrong password. Prints one line per check and "mqtt: N passed, N failed". Stdlib only.
"""
import http.client, json, os, pwd, signal, socket, subprocess, sys, tempfile, time

PERCHD = os.path.abspath(sys.argv[1])
LOG_DIR = sys.argv[sys.argv.index("--log-dir") + 1] if "--log-dir" in sys.argv else None
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEVICE = "perchtest"
BASE = "perch/" + DEVICE
passed = failed = 0
procs = []


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok: " + name + (" (" + detail + ")" if detail else ""), flush=True)
    else:
        failed += 1
        print("FAIL: " + name + (" (" + detail + ")" if detail else ""), flush=True)


def info(text):
    print("info: " + text, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args, **kw):
    p = subprocess.Popen(args, **kw)
    procs.append(p)
    return p


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("perch", timeout=5)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(5)
        self.sock.connect(self.path)


def api(sock, path):
    c = UnixHTTP(sock)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return json.loads(body) if path != "/v1/metrics" else body.decode()


def wait_for(pred, timeout, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Broker:
    def __init__(self, tmp, name, extra=""):
        self.port = free_port()
        self.conf = os.path.join(tmp, name + ".conf")
        self.log = os.path.join(tmp, name + ".log")
        os.makedirs(os.path.join(tmp, name + "-db"), exist_ok=True)
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\n" % self.port)
            # Started as root, mosquitto would drop to user mosquitto, which cannot read this folder.
            f.write("user %s\n" % pwd.getpwuid(os.getuid()).pw_name)
            f.write(extra or "allow_anonymous true\n")
            # Sessions and retained messages survive a restart (the outage test restarts it).
            f.write("persistence true\npersistence_location %s/\n" % os.path.join(tmp, name + "-db"))
            f.write("log_dest file %s\nlog_type error\nlog_type warning\nlog_type notice\n" % self.log)
        self.proc = None

    def start(self):
        self.proc = start(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = wait_for(lambda: self.accepts(), 10)
        return ok

    def accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Subscriber:
    """mosquitto_sub on '#' with a persistent QoS 1 session; lines 'time retained topic hexpayload'."""

    def __init__(self, tmp, port, name, extra=()):
        self.path = os.path.join(tmp, name + ".sub")
        self.out = open(self.path, "w")
        self.proc = start(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "#", "-q", "1", "-c",
                           "-i", name, "-F", "%U %r %t %x", "-W", "3600"] + list(extra),
                          stdout=self.out, stderr=subprocess.STDOUT)

    def messages(self):
        out = []
        with open(self.path) as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 3)
                if len(parts) < 3 or not parts[0].replace(".", "").isdigit():
                    continue
                payload = bytes.fromhex(parts[3]) if len(parts) == 4 else b""
                out.append({"time": float(parts[0]), "retained": parts[1] == "1", "topic": parts[2], "payload": payload})
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


def publish(port, topic, payload, extra=()):
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", topic, "-m", payload] + list(extra),
                   check=True, timeout=10)


def perchd(tmp, name, sets):
    sock = os.path.join(tmp, name + ".sock")
    log = open(os.path.join(tmp, name + ".log"), "w")
    args = [PERCHD, "--demo", "--socket", sock]
    if sets:
        args += ["--set", "mqtt.device-id=" + DEVICE]
    for s in sets:
        args += ["--set", s]
    p = start(args, stdout=subprocess.DEVNULL, stderr=log, cwd=REPO)
    wait_for(lambda: os.path.exists(sock), 20)
    return p, sock, os.path.join(tmp, name + ".log")


def mqtt_status(sock):
    try:
        return api(sock, "/v1/status").get("mqtt") or {}
    except Exception:
        return {}


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None


def events_seen(sub, with_time=False):
    out = []
    for m in sub.messages():
        if m["topic"].endswith("/event"):
            e = json.loads(m["payload"])
            e["_received"] = m["time"]
            out.append(e)
    return out


def main_run(tmp):
    broker = Broker(tmp, "broker")
    check("mosquitto starts on 127.0.0.1:%d" % broker.port, broker.start())
    sub = Subscriber(tmp, broker.port, "recorder")
    time.sleep(0.5)
    started = time.time()
    p, sock, log = perchd(tmp, "perchd", ["mqtt.broker=127.0.0.1:%d" % broker.port, "mqtt.score-interval=1s",
                                          "mqtt.snapshot=on"])
    online = wait_for(lambda: any(m["topic"] == BASE + "/status" and m["payload"] == b"online" for m in sub.messages()), 30)
    check("perchd publishes status online (retained, with a will)", online)
    st = wait_for(lambda: mqtt_status(sock).get("connected") and mqtt_status(sock), 10) or {}
    check("/v1/status mqtt.connected", st.get("connected") is True, json.dumps(st))
    perch = os.path.join(os.path.dirname(PERCHD), "perch")
    if os.path.exists(perch):
        out = subprocess.run([perch, "status", "--socket", sock], capture_output=True, text=True, timeout=20).stdout
        check("perch status shows the broker", ("mqtt: 127.0.0.1:%d connected" % broker.port) in out,
              str([l for l in out.splitlines() if "mqtt" in l][:1]))
    metrics = api(sock, "/v1/metrics")
    check("/v1/metrics perch_mqtt_connected 1", "perch_mqtt_connected 1" in metrics)
    # Let the demo produce events.
    wait_for(lambda: len(events_seen(sub)) >= 6, 40)
    time.sleep(2)

    # Discovery.
    msgs = sub.messages()
    configs = {m["topic"]: m for m in msgs if m["topic"].startswith("homeassistant/") and m["topic"].endswith("/config")}
    published = {m["topic"] for m in msgs if m["payload"]}
    problems = []
    kinds = {}
    for topic, m in configs.items():
        try:
            c = json.loads(m["payload"])
        except ValueError as e:
            problems.append(topic + ": " + str(e))
            continue
        kinds[topic.split("/")[1]] = kinds.get(topic.split("/")[1], 0) + 1
        if not c.get("unique_id"):
            problems.append(topic + ": no unique_id")
        if DEVICE not in json.dumps(c.get("device", {}).get("identifiers")):
            problems.append(topic + ": device.identifiers")
        if c.get("availability_topic") != BASE + "/status":
            problems.append(topic + ": availability_topic")
        if "origin" not in c:
            problems.append(topic + ": no origin")
        for key in ("state_topic", "json_attributes_topic", "image_topic"):
            t = c.get(key)
            # Event entities' topics carry events, which come when something happens (checked below).
            if t and not t.endswith("/event") and t not in published:
                problems.append(topic + ": " + key + " " + t + " never published")
    # Retained: a subscriber arriving now gets them from the broker.
    fresh = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "homeassistant/#",
                            "--retained-only", "-W", "2", "-F", "%t"], capture_output=True, text=True).stdout.split()
    not_retained = sorted(set(configs) - set(fresh))
    check("discovery: %d configs are retained on the broker" % len(fresh), configs and not not_retained, str(not_retained[:3]))
    check("discovery: %d configs %s parse, carry unique_id, device.identifiers, availability, origin; "
          "each state topic they name was published" % (len(configs), json.dumps(kinds, sort_keys=True)),
          configs and not problems, "; ".join(problems[:5]))
    uids = [json.loads(m["payload"])["unique_id"] for m in configs.values()]
    check("discovery: unique_ids are unique", len(uids) == len(set(uids)))
    sensors = [json.loads(m["payload"]) for t, m in configs.items() if t.split("/")[1] == "sensor"]
    check("discovery: score sensors are diagnostic and disabled by default",
          sensors and all(s.get("entity_category") == "diagnostic" and s.get("enabled_by_default") is False for s in sensors))
    person = configs.get("homeassistant/binary_sensor/%s/av_person/config" % DEVICE)
    check("discovery: person is an occupancy binary_sensor",
          person is not None and json.loads(person["payload"]).get("device_class") == "occupancy")

    # Events: once each, in order, matching the daemon's numbering; ON/OFF follows them.
    evs = events_seen(sub)
    seqs = [e["seq"] for e in evs]
    check("events arrive once each, in seq order (%d events)" % len(seqs),
          len(seqs) >= 2 and seqs == sorted(set(seqs)), str(seqs[:20]))
    last = {}
    for e in evs:
        last[(e["model"], e["label"])] = e["event_type"]
    states = {}
    for m in sub.messages():
        if m["topic"].endswith("/state") and m["topic"].startswith(BASE + "/"):
            states[m["topic"]] = m["payload"].decode()
    mismatch = [k for k, v in last.items()
                if states.get("%s/%s/%s/state" % (BASE, k[0], k[1])) != ("ON" if v == "start" else "OFF")]
    check("ON/OFF state of each label follows its last start/end event", not mismatch, str(mismatch))
    ring = api(sock, "/v1/status")["last_event_seq"]
    check("event seqs match the daemon's (1..%d seen by then)" % seqs[-1] if seqs else "no events",
          seqs and seqs[0] == 1 and seqs == list(range(1, seqs[-1] + 1)) and ring >= seqs[-1])

    # Snapshot: a JPEG of the frame that started an event, decoded by an independent decoder.
    snaps = [m for m in sub.messages() if m["topic"] == BASE + "/snapshot"]
    attrs = [json.loads(m["payload"]) for m in sub.messages() if m["topic"] == BASE + "/snapshot/attributes"]
    if snaps:
        jpeg = os.path.join(tmp, "snapshot.jpg")
        with open(jpeg, "wb") as f:
            f.write(snaps[-1]["payload"])
        ppm = subprocess.run(["djpeg", "-pnm", jpeg], capture_output=True).stdout
        header = ppm.split(b"\n", 3)[:3]
        check("snapshot: a JPEG that djpeg decodes to the camera's 160x120 (%d bytes)" % len(snaps[-1]["payload"]),
              header[:2] == [b"P6", b"160 120"], str(header))
    else:
        check("snapshot: published with the first start event", False, "no snapshot seen")
    starts = {e["seq"] for e in evs if e["event_type"] == "start"}
    check("snapshot: its attributes name a start event's seq (%s)" % (attrs[-1] if attrs else None),
          bool(attrs) and attrs[-1]["seq"] in starts and attrs[-1]["width"] == 160)

    # Commands.
    publish(broker.port, BASE + "/av/person/enabled/set", "OFF")
    ack = wait_for(lambda: [m for m in sub.messages() if m["topic"] == BASE + "/av/person/enabled" and m["payload"] == b"OFF"], 10)
    check("command: rule av.person switched off, acknowledged on .../enabled (retained)", ack and ack[-1]["retained"] is False
          or bool(ack))
    off_at = time.time()
    time.sleep(6)
    late = [e for e in events_seen(sub) if e["label"] == "person" and e["event_type"] == "start"
            and e["_received"] > off_at + 0.5]
    check("command: a switched-off rule raises no start events", not late, str(late))
    publish(broker.port, BASE + "/av/person/enabled/set", "ON")
    ack = wait_for(lambda: [m for m in sub.messages() if m["topic"] == BASE + "/av/person/enabled" and m["payload"] == b"ON"], 10)
    check("command: rule switched on again, acknowledged", bool(ack))
    before = api(sock, "/v1/status")["counters"]["inferences"]
    publish(broker.port, BASE + "/av/infer/set", "PRESS")
    ack = wait_for(lambda: [m for m in sub.messages() if m["topic"] == BASE + "/av/infer"], 10)
    body = json.loads(ack[-1]["payload"]) if ack else {}
    check("command: infer now, acknowledged on .../infer", body.get("accepted") is True and body.get("requests") == 1,
          json.dumps(body))
    check("inference keeps counting", wait_for(lambda: api(sock, "/v1/status")["counters"]["inferences"] > before, 5))
    publish(broker.port, BASE + "/av/person/enabled/set", "MAYBE")
    time.sleep(1)
    check("command: a bad payload is logged with its topic, perchd keeps running",
          "expected ON or OFF" in open(log).read() and p.poll() is None)

    # Home Assistant restarts: discovery again.
    n = len([m for m in sub.messages() if m["topic"].endswith("/config")])
    publish(broker.port, "homeassistant/status", "online")
    again = wait_for(lambda: len([m for m in sub.messages() if m["topic"].endswith("/config")]) >= n + len(configs), 10)
    check("homeassistant/status online: discovery republished", again)

    # Broker outage of 10 s while the demo runs.
    before = mqtt_status(sock)
    infer_before = api(sock, "/v1/status")["counters"]["inferences"]
    outage_start = time.time()
    broker.stop()
    time.sleep(10)
    during = api(sock, "/v1/status")
    check("broker down: perchd keeps inferring (%d inferences in 10 s)" % (during["counters"]["inferences"] - infer_before),
          during["counters"]["inferences"] > infer_before + 2)
    check("broker down: status shows it (state %s, last error %s)" % (during["mqtt"]["state"], during["mqtt"]["last_error"]),
          not during["mqtt"]["connected"] and during["mqtt"]["last_error"])
    check("broker down: a fault is listed", any(f["component"] == "mqtt" for f in during["faults"]))
    produced_in_outage = during["mqtt"]["events_produced"] - before["events_produced"]
    n_configs = len([m for m in sub.messages() if m["topic"].endswith("/config")])
    check("broker restarts", broker.start())
    back = wait_for(lambda: mqtt_status(sock).get("connects", 0) >= 2, 40)
    check("perchd reconnects after the outage", bool(back), json.dumps(mqtt_status(sock)))
    redisc = wait_for(lambda: len([m for m in sub.messages() if m["topic"].endswith("/config")]) >= n_configs + len(configs), 30)
    check("after the outage: discovery and states republished", redisc)
    # The demo never stops producing events, so the counters are read at one point and the
    # subscriber's record a few seconds later: everything produced by then must have arrived
    # (in this config every event is published, so produced = the seqs 1..produced) or be
    # counted as dropped.
    time.sleep(3)
    at = mqtt_status(sock)
    time.sleep(4)
    evs = events_seen(sub)
    seqs = [e["seq"] for e in evs]
    produced, delivered, dropped = at["events_produced"], at["events_delivered"], at["events_dropped"]
    outage = [e for e in evs if outage_start <= e["time_ms"] / 1000 <= outage_start + 10.5]
    missing = sorted(set(range(1, produced + 1)) - set(seqs))
    info("outage: %d events produced during the 10 s, %d of them reached the subscriber; counters then: produced %d, "
         "delivered %d, dropped %d, queued %d, in flight %d; the subscriber had seqs 1..%d, %d missing"
         % (produced_in_outage, len(outage), produced, delivered, dropped, at["queued"], at["inflight"],
            max(seqs) if seqs else 0, len(missing)))
    check("outage: every event produced arrived or was counted as dropped (produced %d, missing %d, dropped %d)"
          % (produced, len(missing), dropped), len(missing) == dropped and delivered + dropped <= produced, str(missing[:10]))
    dupes = len(seqs) - len(set(seqs))
    check("outage: the subscriber saw each event once, in order (%d events, %d duplicates)" % (len(seqs), dupes),
          seqs == sorted(set(seqs)))
    rss = rss_kib(p.pid)
    info("perchd --demo with MQTT: VmRSS %s KiB" % rss)

    # kill -9: the broker publishes the will.
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    will = wait_for(lambda: [m for m in sub.messages() if m["topic"] == BASE + "/status"][-1]["payload"] == b"offline", 10)
    check("kill -9 perchd: status offline from the will", will)
    sub.stop()
    if LOG_DIR:
        os.makedirs(LOG_DIR, exist_ok=True)
        import shutil
        shutil.copy(sub.path, os.path.join(LOG_DIR, "mqtt-subscriber.log"))
        shutil.copy(log, os.path.join(LOG_DIR, "mqtt-perchd.log"))
    broker.stop()


def tls_run(tmp):
    d = os.path.join(tmp, "tls")
    os.makedirs(d)
    def ssl(*args):
        subprocess.run(["openssl"] + list(args), check=True, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Perch test CA", "-keyout", "ca.key",
        "-out", "ca.crt")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "ext", "-out", "server.crt")
    subprocess.run(["mosquitto_passwd", "-b", "-c", os.path.join(d, "passwd"), "perch", "s3cret word"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.chmod(os.path.join(d, "passwd"), 0o600)
    with open(os.path.join(d, "password"), "w") as f:
        f.write("s3cret word\n")
    with open(os.path.join(d, "wrong"), "w") as f:
        f.write("not it\n")
    broker = Broker(tmp, "tls-broker", "allow_anonymous false\npassword_file %s/passwd\ncafile %s/ca.crt\n"
                    "certfile %s/server.crt\nkeyfile %s/server.key\n" % (d, d, d, d))
    check("mosquitto with TLS and a password file starts", broker.start())
    sub = Subscriber(tmp, broker.port, "tls-recorder", ["--cafile", d + "/ca.crt", "-u", "perch", "-P", "s3cret word"])
    sets = ["mqtt.broker=127.0.0.1:%d" % broker.port, 'mqtt.ca-file="%s/ca.crt"' % d, "mqtt.username=perch"]
    p, sock, log = perchd(tmp, "perchd-tls", sets + ['mqtt.password-file="%s/password"' % d])
    online = wait_for(lambda: any(m["topic"] == BASE + "/status" and m["payload"] == b"online" for m in sub.messages()), 30)
    check("TLS (CA made here) + password file: connected, online seen by a TLS subscriber", online,
          json.dumps(mqtt_status(sock)))
    p.terminate()
    p.wait(15)
    check("SIGTERM: perchd exits 0", p.returncode == 0)
    off = [m for m in sub.messages() if m["topic"] == BASE + "/status"]
    check("SIGTERM: status offline published by perchd itself", off and off[-1]["payload"] == b"offline")
    p, sock, log = perchd(tmp, "perchd-wrong", sets + ['mqtt.password-file="%s/wrong"' % d])
    st = wait_for(lambda: (mqtt_status(sock).get("last_error") or "") and mqtt_status(sock), 20) or {}
    err = st.get("last_error") or ""
    check("wrong password: a clear error in /v1/status (%s)" % err, "not authorised" in err and not st.get("connected"))
    logtext = open(log).read()
    check("wrong password: the same error in the log", "not authorised" in logtext)
    check("wrong password: perchd keeps inferring",
          wait_for(lambda: api(sock, "/v1/status")["counters"]["inferences"] > 0, 10) and p.poll() is None)
    p.terminate()
    p.wait(15)
    sub.stop()
    broker.stop()


def rss_without_mqtt(tmp):
    p, sock, log = perchd(tmp, "perchd-plain", [])
    time.sleep(8)
    info("perchd --demo without MQTT: VmRSS %s KiB" % rss_kib(p.pid))
    p.terminate()
    p.wait(15)


def main():
    tmp = tempfile.mkdtemp(prefix="perch-mqtt-")
    try:
        main_run(tmp)
        tls_run(tmp)
        if "--rss" in sys.argv:
            rss_without_mqtt(tmp)
    except Exception as e:  # a broken step is a failure, not a crash without a summary
        import traceback
        traceback.print_exc()
        check("test tool ran to the end", False, repr(e))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    print("mqtt: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
