"""Small real HTTP servers for tests: an S3 endpoint that throttles until told to recover
(a proxy in front of the moto server) and a webhook that records what it is sent."""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
             b"<Message>Please reduce your request rate.</Message><RequestId>flaky</RequestId></Error>")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class _Server:
    handler: type[BaseHTTPRequestHandler]

    def __enter__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _handle(self) -> None:
        proxy: ThrottlingS3Proxy = self.server.owner  # type: ignore[attr-defined]
        body = _body(self)
        if proxy.take_failure():
            self.send_response(503, "Slow Down")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOW_DOWN) if self.command != "HEAD" else 0))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(SLOW_DOWN)
            return
        target = urlsplit(proxy.upstream)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        headers["Content-Length"] = str(len(body))
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                self.send_header(key, value)
        # A HEAD answer has no body but states the object's size.
        length = response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(payload))
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        connection.close()
        proxy.forwarded += 1

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class ThrottlingS3Proxy(_Server):
    """Answers every request with S3's `503 SlowDown` until `heal()`, then forwards to `upstream`."""

    handler = _ProxyHandler

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.throttling = True
        self.failed = 0
        self.forwarded = 0
        self._lock = threading.Lock()

    def heal(self) -> None:
        with self._lock:
            self.throttling = False

    def take_failure(self) -> bool:
        with self._lock:
            if self.throttling:
                self.failed += 1
            return self.throttling


class _WebhookHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        hook: RecordingWebhook = self.server.owner  # type: ignore[attr-defined]
        hook.received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                              "json": json.loads(_body(self))})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class RecordingWebhook(_Server):
    """A Slack-like incoming webhook that keeps every JSON body posted to it."""

    handler = _WebhookHandler

    def __init__(self) -> None:
        self.received: list[dict] = []
