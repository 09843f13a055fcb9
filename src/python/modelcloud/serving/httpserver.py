"""A small HTTP/1.1 server loop on raw non-blocking sockets, one per worker process.

Why not http.server: on the seed service it costs more per request than the model itself (it
parses headers with the email package and creates a handler object per request). This loop
parses only what the runtime needs, keeps connections alive, answers pipelined requests in order,
and handles one request at a time per worker (like gunicorn's sync workers: a command is CPU work,
concurrency comes from processes). Workers share one listening socket; each accepts one connection
per wake-up so keep-alive clients spread across workers.
"""

from __future__ import annotations

import email.utils
import errno
import os
import selectors
import socket
import time
from typing import Callable, Dict, List, Optional

from .app import ServiceApp, error

MAX_HEADER = 64 * 1024
MAX_BODY = int(os.environ.get("MODELCLOUD_MAX_BODY", str(32 * 1024 * 1024)))
TICK = 0.25
_REASONS = {100: "Continue", 200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required",
            413: "Content Too Large", 422: "Unprocessable Content", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
            505: "HTTP Version Not Supported"}
_STATUS_LINES = {code: ("HTTP/1.1 %d %s\r\n" % (code, reason)).encode() for code, reason in _REASONS.items()}


class _Conn:
    __slots__ = ("sock", "buf", "pending", "close_after", "peer", "continued", "last_active")

    def __init__(self, sock: socket.socket, peer: str) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.pending = b""
        self.close_after = False
        self.peer = peer
        self.continued = False
        self.last_active = time.monotonic()


class AcceptBalance:
    """Keep-alive clients stay with the worker that accepted them, so accepts must be spread: a
    worker holding more connections than the least-loaded live worker leaves a new connection to
    the others for a moment (it stops watching the socket for 2 ms, no spinning) and takes it itself
    only if nobody else did."""

    PAUSE = 0.002

    def __init__(self, counts, index: int, workers: int) -> None:
        self.counts = counts  # shared int64 slots, one per worker
        self.index = index
        self.workers = workers
        counts[index] = 0

    def update(self, open_connections: int) -> None:
        self.counts[self.index] = open_connections

    def should_defer(self, open_connections: int) -> bool:
        counts = self.counts
        return any(counts[i] < open_connections for i in range(self.workers) if i != self.index)


class HttpLoop:
    def __init__(self, listener: socket.socket, app: ServiceApp, after_request: Callable[[], None],
                 on_tick: Callable[[], None], access_log: Optional[Callable[[str], None]] = None,
                 keepalive_timeout: float = 75.0, balance: Optional[AcceptBalance] = None) -> None:
        self.listener = listener
        self.app = app
        self.after_request = after_request
        self.on_tick = on_tick
        self.access_log = access_log
        self.keepalive_timeout = keepalive_timeout
        self.stopping = False
        self._sel = selectors.DefaultSelector()
        self._conns: Dict[int, _Conn] = {}
        self._date = b""
        self._date_second = 0
        self.balance = balance
        self._paused_until = 0.0
        self._deferred_at = 0.0

    # -- public ---------------------------------------------------------------------------
    def stop(self) -> None:
        """Graceful: stop accepting; finish requests already received; close idle connections."""
        self.stopping = True

    def serve(self, drain_timeout: float = 30.0) -> None:
        self.listener.setblocking(False)
        self._sel.register(self.listener, selectors.EVENT_READ, None)
        last_tick = time.monotonic()
        drain_deadline = None
        while True:
            if self.stopping and drain_deadline is None:
                drain_deadline = time.monotonic() + drain_timeout
                self._begin_drain()
            if drain_deadline is not None and (not self._conns or time.monotonic() > drain_deadline):
                break
            timeout = TICK
            if self._paused_until:
                now = time.monotonic()
                if now >= self._paused_until and not self.stopping:
                    self._paused_until = 0.0
                    self._sel.register(self.listener, selectors.EVENT_READ, None)
                else:
                    timeout = max(0.0, self._paused_until - now)
            for key, mask in self._sel.select(timeout):
                conn = key.data
                if conn is None:
                    self._accept()
                elif mask & selectors.EVENT_WRITE:
                    self._flush(conn)
                else:
                    self._read(conn)
            now = time.monotonic()
            if now - last_tick >= TICK:
                last_tick = now
                self.on_tick()
                self._expire_idle(now)
        for conn in list(self._conns.values()):
            self._close(conn)
        self._sel.close()

    # -- connections ----------------------------------------------------------------------------
    def _accept(self) -> None:
        balance = self.balance
        if balance is not None:
            now = time.monotonic()
            if now - self._deferred_at > AcceptBalance.PAUSE * 4 and balance.should_defer(len(self._conns)):
                self._deferred_at = now  # give the others a chance; take it next time if still waiting
                self._paused_until = now + AcceptBalance.PAUSE
                self._sel.unregister(self.listener)
                return
        try:
            sock, addr = self.listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it
        except OSError as err:
            if err.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                time.sleep(0.05)
                return
            raise
        sock.setblocking(False)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        peer = addr[0] if isinstance(addr, tuple) else str(addr)
        conn = _Conn(sock, peer)
        self._conns[sock.fileno()] = conn
        self._sel.register(sock, selectors.EVENT_READ, conn)
        if balance is not None:
            balance.update(len(self._conns))

    def _close(self, conn: _Conn) -> None:
        fd = conn.sock.fileno()
        if fd >= 0:
            try:
                self._sel.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
            self._conns.pop(fd, None)
            if self.balance is not None:
                self.balance.update(len(self._conns))
        try:
            conn.sock.close()
        except OSError:
            pass

    def _begin_drain(self) -> None:
        self._paused_until = 0.0
        try:
            self._sel.unregister(self.listener)
        except (KeyError, ValueError):
            pass
        self.listener.close()
        for conn in list(self._conns.values()):
            if conn.buf or conn.pending:
                continue  # a request in progress: answered (with Connection: close) before we exit
            try:
                data = conn.sock.recv(262144)  # a request may be waiting unread in the kernel
            except (BlockingIOError, InterruptedError):
                self._close(conn)  # idle keep-alive connection: nothing in flight
                continue
            except OSError:
                self._close(conn)
                continue
            if not data:
                self._close(conn)
                continue
            conn.buf += data
            out: List[bytes] = []
            if self._process(conn, out) and out:
                self._send(conn, b"".join(out))

    def _expire_idle(self, now: float) -> None:
        for conn in list(self._conns.values()):
            if not conn.pending and now - conn.last_active > self.keepalive_timeout:
                self._close(conn)

    def _read(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        if not data:
            self._close(conn)
            return
        conn.last_active = time.monotonic()
        conn.buf += data
        out: List[bytes] = []
        handled = self._process(conn, out)
        if out:
            self._send(conn, b"".join(out))
        elif conn.close_after and not conn.pending:
            self._close(conn)
        if handled:
            self.after_request()

    def _send(self, conn: _Conn, data: bytes, watching_write: bool = False) -> bool:
        """Writes what the socket takes now; the rest waits in conn.pending until it is writable
        (watching_write: the selector already waits for that). True when all of data went out and
        the connection stays open; False when some is pending or the connection was closed."""
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(conn)
            return False
        if sent < len(data):
            conn.pending = data[sent:]
            if not watching_write:
                self._sel.modify(conn.sock, selectors.EVENT_WRITE, conn)
            return False
        if conn.close_after:
            self._close(conn)
            return False
        return True

    def _flush(self, conn: _Conn) -> None:
        data, conn.pending = conn.pending, b""
        if not self._send(conn, data, True):
            return
        self._sel.modify(conn.sock, selectors.EVENT_READ, conn)
        out: List[bytes] = []
        if conn.buf and self._process(conn, out):  # requests that arrived while we were writing
            if out:
                self._send(conn, b"".join(out))
            self.after_request()

    # -- HTTP framing ----------------------------------------------------------------------------
    def _process(self, conn: _Conn, out: List[bytes]) -> int:
        """Answers every complete request in conn.buf; returns how many were handled."""
        buf = conn.buf
        handled = 0
        while buf and not conn.close_after:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEADER:
                    out.append(self._error_response(conn, 431, "request headers are larger than %d bytes" % MAX_HEADER))
                break
            lines = bytes(buf[:end]).split(b"\r\n")
            parts = lines[0].split(b" ")
            if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
                if not lines[0]:  # stray CRLF between requests
                    del buf[:2]
                    continue
                out.append(self._error_response(conn, 400, "malformed request line %r" % lines[0][:100]))
                break
            method, target, version = parts
            headers: Dict[bytes, bytes] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(b":")
                if not sep:
                    out.append(self._error_response(conn, 400, "malformed header line %r" % line[:100]))
                    return handled
                headers[name.strip().lower()] = value.strip()
            if b"transfer-encoding" in headers:
                out.append(self._error_response(conn, 411, "chunked request bodies are not supported; send "
                                                           "Content-Length"))
                break
            length_text = headers.get(b"content-length", b"0")
            try:
                length = int(length_text)
                if length < 0:
                    raise ValueError
            except ValueError:
                out.append(self._error_response(conn, 400, "invalid Content-Length %r" % length_text[:40]))
                break
            if length > MAX_BODY:
                out.append(self._error_response(conn, 413, "the body is %d bytes; the limit is %d "
                                                           "(MODELCLOUD_MAX_BODY)" % (length, MAX_BODY)))
                break
            total = end + 4 + length
            if len(buf) < total:
                if not conn.continued and headers.get(b"expect", b"").lower() == b"100-continue":
                    conn.continued = True
                    out.append(b"HTTP/1.1 100 Continue\r\n\r\n")
                break
            body = bytes(buf[end + 4:total])
            del buf[:total]
            conn.continued = False
            connection = headers.get(b"connection", b"").lower()
            keep_alive = (connection != b"close") if version == b"HTTP/1.1" else (connection == b"keep-alive")
            started = time.perf_counter() if self.access_log else 0.0
            status, ctype, payload, extra = self.app.handle(method, target, headers, body)
            handled += 1
            if not keep_alive or self.stopping:
                conn.close_after = True
            out.append(self._response(status, ctype, b"" if method == b"HEAD" else payload, extra, conn.close_after,
                                      len(payload)))
            if self.access_log:
                self.access_log('%s "%s %s" %d %.1f ms' % (conn.peer, method.decode("latin-1"),
                                                           target.decode("latin-1"), status,
                                                           (time.perf_counter() - started) * 1000))
        return handled

    def _response(self, status: int, ctype: bytes, body: bytes, extra: bytes, close: bool, length: int) -> bytes:
        now = int(time.time())
        if now != self._date_second:
            self._date_second = now
            self._date = email.utils.formatdate(now, usegmt=True).encode()
        line = _STATUS_LINES.get(status) or ("HTTP/1.1 %d Status\r\n" % status).encode()
        return b"%sDate: %s\r\nServer: modelcloud\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s%s\r\n%s" % (
            line, self._date, ctype, length, extra, b"Connection: close\r\n" if close else b"", body)

    def _error_response(self, conn: _Conn, status: int, message: str) -> bytes:
        conn.close_after = True
        conn.buf.clear()
        _, ctype, body, _ = error(status, "bad_request" if status == 400 else "http_%d" % status, message)
        return self._response(status, ctype, body, b"", True, len(body))
