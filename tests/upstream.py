"""A real HTTP server on 127.0.0.1 for tests of upstream interfaces (上游接口): a JSON handler
base and a context manager that serves one in a thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """Quiet request handler whose ``send`` answers JSON (or text)."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: object, content_type: str = "application/json") -> None:
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        payload = text.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port; yields the base URL. Ready at once: the socket
    listens from the server's construction, so a request made before the thread runs waits in
    the kernel's queue rather than failing (nothing to poll)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
