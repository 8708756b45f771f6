"""HTTP/1.1 over perchd's Unix socket, as the load clients speak it: requests written by
hand, responses read and checked strictly (a response that does not parse is a fault of the
daemon, counted as malformed)."""
import asyncio
import json

HEAD_LIMIT = 64 * 1024


class Malformed(Exception):
    """The daemon sent something that is not a valid HTTP/1.1 response."""


def request_bytes(method, path, body=b"", content_type=None, extra=""):
    head = f"{method} {path} HTTP/1.1\r\nHost: perch\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    return (head + extra + "\r\n").encode() + body


async def open_connection(socket_path, timeout=5.0):
    return await asyncio.wait_for(asyncio.open_unix_connection(socket_path, limit=HEAD_LIMIT), timeout)


async def read_head(reader):
    """Status code and lower-cased headers; None when the server closed before any byte."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            return None
        raise Malformed(f"connection closed inside a response head ({len(e.partial)} bytes)")
    except asyncio.LimitOverrunError:
        raise Malformed("response head longer than 64 KiB")
    lines = raw[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or parts[0] not in (b"HTTP/1.1", b"HTTP/1.0") or not parts[1].isdigit() or len(parts[1]) != 3:
        raise Malformed(f"bad status line {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise Malformed(f"bad header line {line[:80]!r}")
        key = name.decode("ascii").lower()
        if key in headers and key == "content-length":
            raise Malformed("duplicate Content-Length")
        headers[key] = value.strip().decode("latin-1")
    return int(parts[1]), headers


async def read_chunk(reader):
    """One chunk of a chunked body; b"" for the last chunk (trailers consumed)."""
    try:
        size_line = await reader.readuntil(b"\r\n")
        size_text = size_line[:-2].split(b";")[0]
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Malformed(f"bad chunk size {size_line[:40]!r}")
        data = await reader.readexactly(size + 2)
    except asyncio.IncompleteReadError:
        raise EOFError("stream ended inside a chunk")
    if data[-2:] != b"\r\n":
        raise Malformed("chunk not followed by CRLF")
    if size == 0:
        return b""
    return data[:-2]


async def read_body(reader, status, headers, method="GET"):
    if method == "HEAD" or status in (100, 204, 304):
        return b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            try:
                chunk = await read_chunk(reader)
            except EOFError:
                raise Malformed("connection closed inside a chunked body")
            if not chunk:
                return bytes(body)
            body += chunk
    if "content-length" in headers:
        text = headers["content-length"]
        if not text.isdigit():
            raise Malformed(f"bad Content-Length {text!r}")
        try:
            return await reader.readexactly(int(text))
        except asyncio.IncompleteReadError as e:
            raise Malformed(f"body shorter than Content-Length ({len(e.partial)} of {text})")
    return await reader.read()  # close-delimited


def check_error_body(body):
    """perchd's error bodies are {"error":{"code":N,"message":"…"}} (docs/api-limits.md)."""
    try:
        value = json.loads(body)
        error = value["error"]
        if not isinstance(error["code"], int) or not isinstance(error["message"], str):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise Malformed(f"error body is not the JSON error object: {body[:80]!r}")
    return error


def check_json(body, key):
    try:
        value = json.loads(body)
    except ValueError as e:
        raise Malformed(f"body is not JSON ({e}): {body[:80]!r}")
    if not isinstance(value, dict) or key not in value:
        raise Malformed(f"JSON body without '{key}': {body[:80]!r}")
    return value


def check_metrics(body):
    """Prometheus text format 0.0.4: comments, or `name{labels} value`."""
    text = body.decode("utf-8", errors="strict")
    if not text.endswith("\n"):
        raise Malformed("metrics text does not end with a newline")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            float(value)
        except ValueError:
            raise Malformed(f"metrics line without a number: {line[:80]!r}")
        if not name.startswith("perch_"):
            raise Malformed(f"metrics line with an unexpected name: {line[:80]!r}")
