"""A Hugging Face hub on 127.0.0.1 serving model folders, for tests of encoders given by hub name.

It answers the requests ``huggingface_hub`` makes for ``from_pretrained``: ``HEAD``/``GET`` on
``/<repo>/resolve/<revision>/<file>`` (with the commit and ETag headers the client insists on), ``/api/models/<repo>``
and its ``tree`` listings. Unknown repos and files get the hub's own error codes, so the client raises the same
errors it raises against huggingface.co. Every request path is recorded.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, repos: dict[str, Path]) -> None:
        self.repos = repos
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet: pytest output stays readable
                pass

            def do_HEAD(self) -> None:
                hub._answer(self, body=False)

            def do_GET(self) -> None:
                hub._answer(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeHub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = handler.path.split("?")[0]
        self.requests.append(f"{handler.command} {path}")
        parts = path.strip("/").split("/")
        api = parts[:2] == ["api", "models"]
        repo_parts = parts[2:4] if api else parts[:2]
        folder = self.repos.get("/".join(repo_parts))
        if folder is None:
            return _send(handler, 404, {"X-Error-Code": "RepoNotFound"}, b'{"error": "Repository not found"}', body)
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        if api and len(parts) == 4:  # model info
            info = {"id": "/".join(repo_parts), "sha": COMMIT, "siblings": [{"rfilename": f} for f in files]}
            return _send(handler, 200, {"Content-Type": "application/json"}, json.dumps(info).encode(), body)
        if api and len(parts) >= 6 and parts[4] == "tree":  # folder listing: this hub has no sub-folders
            if len(parts) > 6:
                return _send(handler, 404, {"X-Error-Code": "EntryNotFound"}, b"{}", body)
            listing = [{"type": "file", "path": f, "size": (folder / f).stat().st_size} for f in files]
            return _send(handler, 200, {"Content-Type": "application/json"}, json.dumps(listing).encode(), body)
        if not api and len(parts) >= 5 and parts[2] == "resolve":
            file = folder / "/".join(parts[4:])
            if file.is_file():
                data = file.read_bytes()
                headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{hashlib.sha256(data).hexdigest()}"'}
                return _send(handler, 200, headers, data, body)
            return _send(handler, 404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT}, b"{}", body)
        return _send(handler, 404, {}, b"{}", body)


def _send(handler: BaseHTTPRequestHandler, code: int, headers: dict[str, str], data: bytes, body: bool) -> None:
    handler.send_response(code)
    for key, value in {**headers, "Content-Length": str(len(data))}.items():
        handler.send_header(key, value)
    handler.end_headers()
    if body:
        handler.wfile.write(data)
