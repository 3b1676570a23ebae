"""A minimal HTTP/1.1 client over asyncio streams, for ``bench/load.py`` and ``bench/live.py``.

Lean on purpose: the load client shares the machine's cores with the servers it measures, so each
request costs it one connection, one write, one read to the end and a little parsing, and nothing
else (no connection pool: gunicorn's sync workers close every connection after one response anyway;
no redirects followed; no TLS: the benchmark talks to gunicorn as the TLS-terminating proxy would).
Cookies are kept per ``Session`` (one simulated browser). ``Session.events`` opens a Server-Sent
Events stream and keeps it open (a phone of a live session).
"""

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

MAX_BODY = 16 * 1024 * 1024


class ConnectionFailed(Exception):
    """No complete answer: refused, reset, closed early or timed out."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined by "\n"
    body: bytes
    seconds: float  # from connecting to the last byte

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Session:
    """One browser: a cookie jar and the headers a browser behind our TLS proxy would bring."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    # What the TLS-terminating proxy adds (settings: BEHIND_PROXY=1) and what a browser sends.
    origin: str = ""

    def __post_init__(self):
        self.origin = self.origin or f"https://{self.host}:{self.port}"

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, form: list[tuple[str, str]] | dict[str, str],
                   headers: dict[str, str] | None = None) -> Response:
        body = urlencode(form).encode()
        extra = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                 "Referer": self.origin + path, **(headers or {})}
        return await self.request("POST", path, body=body, headers=extra)

    def head(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"",
             connection: str = "close") -> bytes:
        """The request's head (and ``body``) as sent: this browser's cookies, what the proxy adds."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Connection: {connection}",
                 "X-Forwarded-Proto: https", "Accept: text/html,*/*"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> Response:
        raw = self.head(method, path, headers, body)
        start = time.perf_counter()
        try:
            response = await asyncio.wait_for(self._exchange(raw), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:  # timeouts too
            raise ConnectionFailed(f"{type(error).__name__}: {error}") from None
        response.seconds = time.perf_counter() - start
        self._keep_cookies(response.headers.get("set-cookie", ""))
        return response

    async def _exchange(self, raw: bytes) -> Response:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(raw)
            status, headers = await read_head(reader)
            if "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = await read_chunked(reader)
            else:
                body = await reader.read(MAX_BODY)
            return Response(status, headers, body, 0.0)
        finally:
            writer.close()

    def _keep_cookies(self, set_cookie: str) -> None:
        for line in filter(None, set_cookie.split("\n")):
            pair, *attributes = line.split(";")
            name, _, value = pair.strip().partition("=")
            expired = any(a.strip().lower() in {"max-age=0", "max-age=-1"} for a in attributes) or value == '""'
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    async def events(self, path: str, port: int | None = None) -> "EventStream":
        """Open a Server-Sent Events stream (a GET kept open, HTTP/1.1 keep-alive, as EventSource does),
        on ``port`` (default this session's: the server of the streams may be another one). Its
        status and headers are read; the caller reads the events with ``EventStream.events`` and
        closes it. Raises ``ConnectionFailed`` when no head comes within the timeout."""
        target = Session(self.host, port or self.port, self.cookies, self.timeout, self.origin)
        raw = target.head("GET", path, {"Accept": "text/event-stream", "Cache-Control": "no-cache"},
                          connection="keep-alive")
        writer = None
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, target.port), self.timeout)
            writer.write(raw)
            status, headers = await asyncio.wait_for(read_head(reader), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            if writer is not None:
                writer.close()
            raise ConnectionFailed(f"{type(error).__name__}: {error}") from None
        return EventStream(status, headers, reader, writer)


@dataclass
class EventStream:
    """An open ``text/event-stream`` response."""

    status: int
    headers: dict[str, str]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def events(self):
        """Yield ``(event name, data)`` for each event as it arrives ("message" when it names none;
        multi-line data joined with newlines), until the server ends the response. Comments (such
        as keep-alives) and fields other than ``event`` and ``data`` are skipped; lines end with
        ``\\n`` (as Django's ``live/streams.py`` writes them). Raises ``ConnectionFailed`` when the
        connection breaks."""
        chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        buffer = b""
        try:
            while True:
                piece = await read_chunk(self.reader) if chunked else await self.reader.read(65536)
                if not piece:
                    return
                buffer += piece
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    name, data = "message", []
                    for line in block.decode("utf-8", "replace").split("\n"):
                        field_name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if field_name == "event":
                            name = value
                        elif field_name == "data":
                            data.append(value)
                    if data:
                        yield name, "\n".join(data)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            raise ConnectionFailed(f"{type(error).__name__}: {error}") from None

    def close(self) -> None:
        self.writer.close()


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    """A response's status and headers (lower-case names; repeated headers joined by "\\n")."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            name, value = name.strip().lower(), value.strip()
            headers[name] = headers[name] + "\n" + value if name in headers else value
    return status, headers


async def read_chunk(reader: asyncio.StreamReader) -> bytes:
    """The next chunk of a chunked body, as it arrives; b"" at the last (empty) chunk."""
    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
    if size == 0:
        await reader.readuntil(b"\r\n")
        return b""
    piece = await reader.readexactly(size)
    await reader.readexactly(2)
    return piece


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while piece := await read_chunk(reader):
        parts.append(piece)
    return b"".join(parts)
