"""The load clients, one coroutine each, looping until the run stops:

- poller: GET /v1/status, /v1/results/latest, /v1/metrics, 1-20 per keep-alive connection,
  every answer checked;
- streamer: GET /v1/events?since=LAST, reads promptly, checks every sequence number;
- slow reader: an event stream read 64 bytes every 2 s, or never read;
- pipeliner: hundreds of pipelined GET /v1/metrics, answers never read;
- disconnector: half-sent heads and bodies, requests abandoned before the answer;
- inferrer: POST /v1/infer with a demo image, about once a second.
"""
import asyncio
import json
import random
import socket
import time

import http_wire
from connect import connect, peer_closed, raw_connect

POLLS = [("/v1/status", "counters"), ("/v1/results/latest", "results"), ("/v1/metrics", None)]


async def backoff():
    await asyncio.sleep(random.uniform(0.05, 0.3))


def expect_503(ctx, status, body):
    """A 503 on a fresh connection is the connection limit; anything else is unexpected."""
    if status == 503 and http_wire.check_error_body(body)["message"] == "too many connections":
        ctx.tally.count("503 too many connections")
        return True
    return False


async def read_answer(ctx, reader, method="GET"):
    head = await http_wire.read_head(reader)
    if head is None:
        return None
    status, headers = head
    body = await http_wire.read_body(reader, status, headers, method)
    return status, headers, body


async def guarded(ctx, coroutine, reader):
    """Runs one connection's exchange; counts the ways it can break."""
    try:
        return await coroutine
    except http_wire.Malformed as e:
        ctx.tally.count("malformed response", str(e))
    except (ConnectionResetError, BrokenPipeError) as e:
        # Over the limit perchd answers 503 and closes with our request unread, which the
        # kernel reports as ECONNRESET; asyncio then raises before handing over the 503
        # already received, so look at what it holds.
        if bytes(reader._buffer).startswith(b"HTTP/1.1 503"):
            ctx.tally.count("503 too many connections")
        else:
            ctx.tally.count("connection reset", f"{type(e).__name__}, {len(reader._buffer)} bytes received: {bytes(reader._buffer[:40])!r}")
    except OSError as e:
        ctx.tally.count("socket error", str(e))
    return None


async def poller(ctx, index):
    turn = index
    while not ctx.stopping:
        # The first request goes out with the connect, where a refusal is told apart.
        conn = await connect(ctx, http_wire.request_bytes("GET", POLLS[turn % len(POLLS)][0]))
        if conn is None:
            await backoff()
            continue
        reader, writer = conn

        async def exchange():
            nonlocal turn
            first = True
            # Like curl in a loop, a poller hangs up after a few requests: slots churn, and the
            # other kinds of client get their turn under the connection limit.
            for _ in range(random.randint(1, 20)):
                if ctx.stopping:
                    return
                path, key = POLLS[turn % len(POLLS)]
                turn += 1
                if not first:
                    writer.write(http_wire.request_bytes("GET", path))
                answer = await read_answer(ctx, reader)
                if answer is None:
                    ctx.tally.count("closed without answer", path)
                    return
                status, _, body = answer
                if first and expect_503(ctx, status, body):
                    return
                first = False
                if status != 200:
                    ctx.tally.count("unexpected status", f"GET {path}: {status}")
                    return
                if key is None:
                    http_wire.check_metrics(body)
                else:
                    http_wire.check_json(body, key)
                ctx.tally.response(path)

        try:
            await guarded(ctx, exchange(), reader)
        finally:
            writer.close()
        await backoff()


async def streamer(ctx, index):
    """Follows the event stream; a reconnect resumes after the last sequence number seen, so
    across reconnects the client must see every event, or a gap line saying which it missed."""
    last = 0
    while not ctx.stopping:
        conn = await connect(ctx, http_wire.request_bytes("GET", f"/v1/events?since={last}"))
        if conn is None:
            await backoff()
            continue
        reader, writer = conn
        since = last

        async def follow():
            nonlocal last
            answer_head = await http_wire.read_head(reader)
            if answer_head is None:
                ctx.tally.count("closed without answer", "/v1/events")
                return
            status, headers = answer_head
            if status != 200:
                body = await http_wire.read_body(reader, status, headers)
                if not expect_503(ctx, status, body):
                    ctx.tally.count("unexpected status", f"GET /v1/events: {status}")
                return
            if headers.get("transfer-encoding") != "chunked":
                raise http_wire.Malformed("event stream without chunked framing")
            pending = b""
            while True:
                try:
                    chunk = await http_wire.read_chunk(reader)
                except EOFError:
                    ctx.tally.count("event stream cut off by server", f"after seq {last}")
                    return
                if not chunk:
                    ctx.tally.count("event stream ended by server", f"after seq {last}")
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    last = take_event_line(ctx, line, last)

        try:
            await guarded(ctx, follow(), reader)
        finally:
            writer.close()
            ctx.tally.stream_ranges.append((since, last))
        await backoff()


def take_event_line(ctx, line, last):
    try:
        value = json.loads(line)
    except ValueError:
        raise http_wire.Malformed(f"event line is not JSON: {line[:80]!r}")
    if "gap" in value:
        gap = value["gap"]
        ctx.tally.gap_lines += 1
        if gap.get("from") != last + 1 or gap.get("to", 0) < gap["from"]:
            ctx.tally.count("event sequence broken", f"gap {gap} after seq {last}")
        return gap.get("to", last)
    seq = value.get("seq")
    if not isinstance(seq, int) or not {"model", "label", "state"} <= value.keys():
        raise http_wire.Malformed(f"event line without seq/model/label/state: {line[:80]!r}")
    if seq != last + 1:
        ctx.tally.count("event sequence broken", f"seq {seq} after {last} without a gap line")
    ctx.tally.event_lines += 1
    ctx.tally.event_bytes += len(line) + 1
    ctx.tally.seen_seqs.add(seq)
    return seq


async def wait_admitted(ctx, sock):
    """Whether a raw connection was admitted: its answer head (200 for a stream) rather than
    the over-the-limit 503. Peeks, so nothing is consumed."""
    for _ in range(50):
        try:
            data = sock.recv(16, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            data = None
        if data is not None and len(data) >= 12:
            if data.startswith(b"HTTP/1.1 503"):
                ctx.tally.count("503 too many connections")
                return False
            return True
        if data == b"":
            ctx.tally.count("closed without answer", "event stream")
            return False
        await asyncio.sleep(0.1)
    return True  # no head yet (a pipeline not yet answered): treat as admitted


async def slow_reader(ctx, index, reads):
    """An event subscriber that reads 64 bytes every 2 s (reads=True) or nothing at all."""
    while not ctx.stopping:
        made = await raw_connect(ctx, http_wire.request_bytes("GET", "/v1/events?since=0"))
        if made is None:
            await backoff()
            continue
        sock, _ = made
        try:
            if not await wait_admitted(ctx, sock):
                continue
            while not ctx.stopping:
                await asyncio.sleep(2)
                if reads:
                    try:
                        data = sock.recv(64)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        ctx.tally.count("slow event reader cut off by server")
                        break
                    ctx.tally.slow_reader_bytes += len(data)
                elif peer_closed(sock):
                    ctx.tally.count("slow event reader cut off by server")
                    break
        finally:
            sock.close()
        await backoff()


async def pipeliner(ctx, index, requests=2000):
    """Pipelines `requests` GET /v1/metrics and never reads: perchd must stop reading at its
    output high-water mark and close the connection at its write timeout."""
    payload = http_wire.request_bytes("GET", "/v1/metrics") * requests
    while not ctx.stopping:
        made = await raw_connect(ctx, payload)
        if made is None:
            await backoff()
            continue
        sock, rest = made
        opened = time.monotonic()
        try:
            if not await wait_admitted(ctx, sock):
                continue
            while not ctx.stopping:
                if rest:
                    try:
                        rest = rest[sock.send(rest):]
                    except BlockingIOError:
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                if peer_closed(sock):
                    ctx.tally.count("pipelined non-reader cut off by server")
                    ctx.tally.cutoff_seconds.append(time.monotonic() - opened)
                    break
                await asyncio.sleep(0.25)
        finally:
            sock.close()
        await backoff()


DISCONNECTS = [
    ("half request line", lambda ctx: b"GET /v1/sta"),
    ("head without its blank line", lambda ctx: b"GET /v1/status HTTP/1.1\r\nHost: perch\r\n"),
    ("half an upload body", lambda ctx: http_wire.request_bytes(
        "POST", "/v1/infer?model=av", ctx.upload, "image/x-portable-pixmap")[:len(ctx.upload) // 2]),
    ("request sent, answer never read", lambda ctx: http_wire.request_bytes("GET", "/v1/metrics")),
    ("event stream opened and dropped", lambda ctx: http_wire.request_bytes("GET", "/v1/events?since=0")),
    ("upload with Expect: 100-continue, no body", lambda ctx: http_wire.request_bytes(
        "POST", "/v1/infer?model=av", b"", "image/x-portable-pixmap",
        f"Expect: 100-continue\r\n").replace(b"Content-Length: 0", f"Content-Length: {len(ctx.upload)}".encode())),
]


async def disconnector(ctx, index):
    """Sends part of a request and hangs up; one round in ten instead waits for the 408 a
    stalled head must get (docs/api-limits.md: read timeout)."""
    turn = index
    while not ctx.stopping:
        turn += 1
        waits_for_408 = turn % 10 == 0
        name, make = DISCONNECTS[turn % len(DISCONNECTS)]
        if waits_for_408:
            name, make = DISCONNECTS[1]
        made = await raw_connect(ctx, make(ctx))
        if made is None:
            await backoff()
            continue
        sock, _ = made
        try:
            if waits_for_408:
                await wait_for_408(ctx, sock)
            else:
                ctx.tally.disconnects[name] += 1
        finally:
            sock.close()
        await asyncio.sleep(0.05)


async def wait_for_408(ctx, sock):
    loop = asyncio.get_running_loop()
    data = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not ctx.stopping:
        try:
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 4096), 1)
        except asyncio.TimeoutError:
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    if ctx.stopping and not data:
        return
    if data.startswith(b"HTTP/1.1 408"):
        ctx.tally.count("408 request timeout (deliberate stalled head)")
    elif data.startswith(b"HTTP/1.1 503"):
        ctx.tally.count("503 too many connections")
    elif not data:
        ctx.tally.count("closed without answer", "stalled head")
    else:
        ctx.tally.count("unexpected status", f"stalled head answered {data[:40]!r}")


async def inferrer(ctx, index):
    request = http_wire.request_bytes("POST", "/v1/infer?model=av", ctx.upload, "image/x-portable-pixmap")
    while not ctx.stopping:
        conn = await connect(ctx, request)
        if conn is None:
            await backoff()
            continue
        reader, writer = conn

        async def exchange():
            first = True
            while not ctx.stopping:
                if not first:
                    writer.write(request)
                answer = await read_answer(ctx, reader, "POST")
                if answer is None:
                    ctx.tally.count("closed without answer", "POST /v1/infer")
                    return
                status, _, body = answer
                if first and expect_503(ctx, status, body):
                    return
                first = False
                if status != 200:
                    ctx.tally.count("unexpected status", f"POST /v1/infer: {status}")
                    return
                try:
                    value = json.loads(body)
                except ValueError:
                    raise http_wire.Malformed(f"infer answer is not JSON: {body[:80]!r}")
                if isinstance(value, dict) and len(value.get("scores", {})) == ctx.label_count:
                    ctx.tally.infers += 1
                elif isinstance(value, dict) and "error" in value:
                    ctx.tally.count("infer answered 503 (could not run)", http_wire.check_error_body(body)["message"])
                else:
                    ctx.tally.count("infer answer without scores", body[:80])
                ctx.tally.response("/v1/infer")
                await asyncio.sleep(1)

        try:
            await guarded(ctx, exchange(), reader)
        finally:
            writer.close()
        await backoff()
