"""Lepton's Jupyter server extension: `/lepton/v1/...` on the Jupyter server, proxied to the Lepton model server.

The JupyterLab panel talks to the model server's management API through the Jupyter server it already reaches
(with Jupyter's own authentication), never through the model server's port, so it also works on Binder or a
remote JupyterLab. The management token is read from the Lepton home and added here, server-side.
"""

from .handlers import ManagementProxyHandler
from .ray import RayDeploymentsHandler


def _jupyter_server_extension_points():
    return [{"module": "lepton_jupyter"}]


def _load_jupyter_server_extension(serverapp):
    base = serverapp.web_app.settings["base_url"]
    pattern = base.rstrip("/") + r"/lepton/v1(/.*)?"
    # The local Ray cluster's deployments are listed here, not by the model server, which does not know Ray.
    ray = base.rstrip("/") + r"/lepton/ray/deployments"
    serverapp.web_app.add_handlers(".*$", [(ray, RayDeploymentsHandler), (pattern, ManagementProxyHandler)])
    serverapp.log.info("Lepton: the model server's management API is proxied at %slepton/v1", base)
