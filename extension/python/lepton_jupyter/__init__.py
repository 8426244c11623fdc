"""Lepton's Jupyter server extension: `/lepton/v1/...` on the Jupyter server, proxied to the Lepton model server.

The JupyterLab panel talks to the model server's management API through the Jupyter server it already reaches
(with Jupyter's own authentication), never through the model server's port, so it also works on Binder or a
remote JupyterLab. The management token is read from the Lepton home and added here, server-side.
"""

from .handlers import ManagementProxyHandler


def _jupyter_server_extension_points():
    return [{"module": "lepton_jupyter"}]


def _load_jupyter_server_extension(serverapp):
    base = serverapp.web_app.settings["base_url"]
    pattern = base.rstrip("/") + r"/lepton/v1(/.*)?"
    serverapp.web_app.add_handlers(".*$", [(pattern, ManagementProxyHandler)])
    serverapp.log.info("Lepton: the model server's management API is proxied at %slepton/v1", base)
