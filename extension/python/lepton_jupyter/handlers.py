"""The proxy handler: forwards an authenticated Jupyter request to the Lepton model server's management API."""

import json
import os
from pathlib import Path

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

NOT_RUNNING = (
    "The Lepton model server is not running. Start it with `npx lepton serve` in the project "
    "(or deploy a model from a notebook with `await lepton.deploy(model, { name })`)."
)


def lepton_home() -> Path:
    """The Lepton home, as the model server resolves it: LEPTON_HOME, else ~/.lepton."""
    return Path(os.environ.get("LEPTON_HOME") or Path.home() / ".lepton").resolve()


def running_server(home: Path):
    """The running server's base URL and management token, or None when there is none."""
    try:
        info = json.loads((home / "server.json").read_text())
        token = (home / "server-token").read_text().strip()
    except (OSError, ValueError):
        return None
    url = info.get("url")
    if not url or not token:
        return None
    return url.rstrip("/"), token


class ManagementProxyHandler(APIHandler):
    """`/lepton/v1/<path>` → `<model server>/lepton/v1/<path>`, with the bearer token added."""

    async def _forward(self, path):
        server = running_server(lepton_home())
        if server is None:
            return self._not_running()
        url, token = server
        target = f"{url}/lepton/v1{path or ''}"
        if self.request.query:
            target += "?" + self.request.query
        body = self.request.body if self.request.method == "POST" else None
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body is not None:
            # The model server validates bodies as JSON; an empty POST is sent as an empty object.
            body = body or b"{}"
            headers["Content-Type"] = "application/json"
        request = HTTPRequest(target, method=self.request.method, headers=headers, body=body,
                              connect_timeout=3, request_timeout=60)
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (ConnectionError, OSError, HTTPClientError):
            return self._not_running()
        if response.code == 599:  # tornado's code for "no HTTP answer" (refused, timed out)
            return self._not_running()
        self.set_status(response.code)
        self.set_header("Content-Type", response.headers.get("Content-Type", "application/json"))
        self.finish(response.body)

    def _not_running(self):
        self.set_status(503)
        self.finish(json.dumps({"code": "LEPTON_SERVER_NOT_RUNNING", "error": NOT_RUNNING,
                                "home": str(lepton_home())}))

    @web.authenticated
    async def get(self, path=None):
        await self._forward(path)

    @web.authenticated
    async def post(self, path=None):
        await self._forward(path)
