"""The proxy handler: forwards an authorized Jupyter request to the Lepton model server's management API.

Two guards stand before the management token leaves this process:

* Jupyter's own permission check (`@authorized` on the `lepton` resource: GET is `read`, POST and DELETE are
  `write`), so an Authorizer that refuses a user refuses the proxy as it refuses `/api/contents`.
* The model server's identity: `server.json` may be stale (the server was killed and another program took its
  port), so the recorded pid must be alive and the server must answer a fresh nonce with the HMAC that only the
  holder of the token can compute (`GET /lepton/identity`) before the token is sent.
"""

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

#: The resource name Authorizers see for every Lepton request.
AUTH_RESOURCE = "lepton"

NOT_RUNNING = (
    "The Lepton model server is not running. Start it with `npx lepton serve` in the project "
    "(or deploy a model from a notebook with `await lepton.deploy(model, { name })`)."
)

NOT_PROVEN = (
    "The program at the Lepton model server's recorded address is not the Lepton server of this home "
    "(its server.json is stale: the server was stopped or killed and the port is now used by another program), "
    "so the management token was not sent. Start the server again with `npx lepton serve`."
)


def lepton_home() -> Path:
    """The Lepton home, as the model server resolves it: LEPTON_HOME, else ~/.lepton."""
    return Path(os.environ.get("LEPTON_HOME") or Path.home() / ".lepton").resolve()


def running_server(home: Path):
    """The recorded server's base URL, pid and management token, or None when there is none."""
    try:
        info = json.loads((home / "server.json").read_text())
        token = (home / "server-token").read_text().strip()
    except (OSError, ValueError):
        return None
    url = info.get("url")
    pid = info.get("pid")
    if not url or not token or not isinstance(pid, int):
        return None
    return url.rstrip("/"), pid, token


def pid_alive(pid: int) -> bool:
    """Whether a process with `pid` exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, ValueError):
        return False
    return True


def expected_proof(token: str, nonce: str) -> str:
    """The proof the model server gives for `nonce` (see server/src/guard.ts `identityProof`)."""
    return hmac.new(token.encode(), f"lepton-identity:{nonce}".encode(), hashlib.sha256).hexdigest()


class ManagementProxyHandler(APIHandler):
    """`/lepton/v1/<path>` → `<model server>/lepton/v1/<path>`, with the bearer token added."""

    auth_resource = AUTH_RESOURCE

    async def _proven(self, url: str, pid: int, token: str) -> bool:
        """Whether the server at `url` is the recorded process and holds `token` (asked without sending it)."""
        nonce = secrets.token_hex(16)
        request = HTTPRequest(f"{url}/lepton/identity?nonce={nonce}", method="GET", connect_timeout=3, request_timeout=5,
                              follow_redirects=False)
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
            body = json.loads(response.body or b"{}") if response.code == 200 else {}
        except (ConnectionError, OSError, HTTPClientError, ValueError):
            return False
        proof = body.get("proof") if isinstance(body, dict) else None
        return (isinstance(proof, str) and body.get("pid") == pid
                and hmac.compare_digest(proof, expected_proof(token, nonce)))

    async def _forward(self, path):
        server = running_server(lepton_home())
        if server is None:
            return self._refuse("LEPTON_SERVER_NOT_RUNNING", NOT_RUNNING)
        url, pid, token = server
        if not pid_alive(pid):
            return self._refuse("LEPTON_SERVER_NOT_RUNNING", NOT_RUNNING)
        if not await self._proven(url, pid, token):
            return self._refuse("LEPTON_SERVER_UNPROVEN", NOT_PROVEN)
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
                              connect_timeout=3, request_timeout=60, follow_redirects=False)
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (ConnectionError, OSError, HTTPClientError):
            return self._refuse("LEPTON_SERVER_NOT_RUNNING", NOT_RUNNING)
        if response.code == 599:  # tornado's code for "no HTTP answer" (refused, timed out)
            return self._refuse("LEPTON_SERVER_NOT_RUNNING", NOT_RUNNING)
        self.set_status(response.code)
        self.set_header("Content-Type", response.headers.get("Content-Type", "application/json"))
        self.finish(response.body)

    def _refuse(self, code, message):
        self.set_status(503)
        self.finish(json.dumps({"code": code, "error": message, "home": str(lepton_home())}))

    @web.authenticated
    @authorized
    async def get(self, path=None):
        await self._forward(path)

    @web.authenticated
    @authorized
    async def post(self, path=None):
        await self._forward(path)

    @web.authenticated
    @authorized
    async def delete(self, path=None):
        await self._forward(path)
