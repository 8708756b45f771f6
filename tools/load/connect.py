"""Connecting the way a loaded perchd answers: over its 128-connection limit it writes a 503
and closes at once, possibly before the client's request is sent, so the client looks at
what came back before treating a broken pipe as an error."""
import asyncio
import errno
import select
import socket

import http_wire

POLLRDHUP = 0x2000


def peer_closed(sock):
    """The server closed (or shut down) its side; seen without reading queued data."""
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | POLLRDHUP)
    for _, events in poller.poll(0):
        if events & (POLLRDHUP | select.POLLHUP | select.POLLERR):
            return True
    return False


def refused_with_503(sock):
    """Whether what the server queued for us is the over-the-limit 503."""
    try:
        data = sock.recv(4096, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:
        return False
    return data.startswith(b"HTTP/1.1 503") and b"too many connections" in data


async def raw_connect(ctx, first_bytes):
    """A non-blocking socket with `first_bytes` sent (as much as fits); None when refused
    (the reason is counted)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        # A Unix-socket connect never is "in progress": it is done at once, or EAGAIN says
        # the listen backlog is full (asyncio's sock_connect would wait and then report a
        # connection that does not exist).
        sock.connect(ctx.socket_path)
    except (BlockingIOError, ConnectionRefusedError) as e:
        sock.close()
        ctx.tally.count("connect refused (listen backlog full)", type(e).__name__)
        return None
    except OSError as e:
        sock.close()
        ctx.tally.count("connect failed", errno.errorcode.get(e.errno, str(e)))
        return None
    sent = 0
    try:
        sent = sock.send(first_bytes)
    except BlockingIOError:
        pass
    except (BrokenPipeError, ConnectionResetError):
        if refused_with_503(sock):
            ctx.tally.count("503 too many connections")
        else:
            ctx.tally.count("closed without answer", "before the request was sent")
        sock.close()
        return None
    return sock, first_bytes[sent:]


async def connect(ctx, first_bytes):
    """A (reader, writer) pair with `first_bytes` on their way; None when refused."""
    made = await raw_connect(ctx, first_bytes)
    if made is None:
        return None
    sock, rest = made
    reader, writer = await asyncio.open_unix_connection(sock=sock, limit=http_wire.HEAD_LIMIT)
    if rest:
        writer.write(rest)
    return reader, writer
