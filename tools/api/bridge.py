#!/usr/bin/env python3
"""A TCP listener on 127.0.0.1 that forwards to perchd's Unix socket, for HTTP tools that
speak only TCP (schemathesis).

    tools/api/bridge.py SOCKET PORT [--stream-seconds 1]

Each TCP connection gets its own Unix connection; the bytes go through unchanged in both
directions. One exception: an event stream (a chunked application/x-ndjson response) or an MJPEG stream
(multipart/x-mixed-replace) never
ends by itself, so after --stream-seconds the bridge ends it with HTTP's last chunk and closes
the connection: the client reads a complete response holding the lines sent so far. To know
where responses start, the bridge follows the requests' framing (Content-Length); a request
it cannot follow (chunked, malformed) switches that connection to plain copying, which is
exactly what perchd sees anyway. Stops on SIGTERM or after --max-seconds.
"""
import argparse
import os
import select
import signal
import socket
import sys
import threading
import time


class Raw(Exception):
    """Framing the bridge does not follow: copy the rest as it comes."""


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.closed = False

    def fill(self, timeout=None):
        if timeout is not None:
            ready, _, _ = select.select([self.sock], [], [], max(timeout, 0))
            if not ready:
                return False
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            raise EOFError
        self.buffer += data
        return True

    def until(self, marker, limit=1 << 20):
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise Raw()
            self.fill()
        i = self.buffer.index(marker) + len(marker)
        part, self.buffer = self.buffer[:i], self.buffer[i:]
        return part

    def exactly(self, n):
        while len(self.buffer) < n:
            self.fill()
        part, self.buffer = self.buffer[:n], self.buffer[n:]
        return part


def headers_of(head):
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
    return lines[0], fields


def copy_raw(reader, out):
    if reader.buffer:
        out.sendall(reader.buffer)
        reader.buffer = b""
    while True:
        data = reader.sock.recv(65536)
        if not data:
            return
        out.sendall(data)


class Connection:
    def __init__(self, client, path, stream_seconds):
        self.client = client
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.connect(path)
        self.stream_seconds = stream_seconds
        self.methods = []  # of requests sent and not yet answered
        self.cond = threading.Condition()
        self.raw = False

    def close(self):
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def requests(self):
        reader = Reader(self.client)
        try:
            while True:
                head = reader.until(b"\r\n\r\n")
                line, fields = headers_of(head)
                if "transfer-encoding" in fields:
                    raise Raw()
                try:
                    length = int(fields.get("content-length", "0"))
                except ValueError:
                    raise Raw()
                if length < 0:
                    raise Raw()
                with self.cond:
                    self.methods.append(line.split(" ", 1)[0])
                    self.cond.notify()
                self.server.sendall(head)
                self.server.sendall(reader.exactly(length))
        except Raw:
            with self.cond:
                self.raw = True
                self.cond.notify()
            self.server.sendall(reader.buffer)
            reader.buffer = b""
            copy_raw(reader, self.server)
        except (EOFError, OSError):
            pass
        try:
            self.server.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def next_method(self):
        with self.cond:
            while not self.methods and not self.raw:
                self.cond.wait(0.1)
            return self.methods.pop(0) if self.methods else None

    def responses(self):
        reader = Reader(self.server)
        try:
            while True:
                if not reader.buffer:
                    reader.fill()
                method = self.next_method()
                if method is None:
                    raise Raw()
                head = reader.until(b"\r\n\r\n")
                status_line, fields = headers_of(head)
                self.client.sendall(head)
                code = int(status_line.split(" ")[1])
                if method == "HEAD" or code in (204, 304) or 100 <= code < 200:
                    continue
                if fields.get("transfer-encoding", "").lower() == "chunked":
                    deadline = None
                    if fields.get("content-type", "").startswith(("application/x-ndjson", "multipart/x-mixed-replace")):
                        deadline = time.monotonic() + self.stream_seconds
                    if not self.chunks(reader, deadline):
                        return
                elif "content-length" in fields:
                    self.client.sendall(reader.exactly(int(fields["content-length"])))
                else:
                    raise Raw()
        except Raw:
            copy_raw(reader, self.client)
        except (EOFError, OSError, ValueError, IndexError):
            pass
        finally:
            self.close()

    def chunks(self, reader, deadline):
        """Forwards one chunked body; False when the bridge ended an event stream."""
        while True:
            while deadline is not None and b"\r\n" not in reader.buffer:
                if not reader.fill(deadline - time.monotonic()):
                    self.client.sendall(b"0\r\n\r\n")
                    return False
            size_line = reader.until(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            self.client.sendall(size_line)
            if size == 0:
                self.client.sendall(reader.until(b"\r\n"))  # no trailers from perchd
                return True
            self.client.sendall(reader.exactly(size + 2))


def serve(args):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    print(f"bridge: 127.0.0.1:{args.port} -> {args.socket}", flush=True)
    end = time.monotonic() + args.max_seconds
    connections = 0
    while time.monotonic() < end:
        ready, _, _ = select.select([listener], [], [], 1)
        if not ready:
            continue
        client, _ = listener.accept()
        try:
            connection = Connection(client, args.socket, args.stream_seconds)
        except OSError as error:
            print(f"bridge: {args.socket}: {error}", file=sys.stderr, flush=True)
            client.close()
            continue
        connections += 1
        threading.Thread(target=connection.requests, daemon=True).start()
        threading.Thread(target=connection.responses, daemon=True).start()
    print(f"bridge: stopped after {connections} connections", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("socket")
    parser.add_argument("port", type=int)
    parser.add_argument("--stream-seconds", type=float, default=1.0)
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    serve(args)


if __name__ == "__main__":
    main()
