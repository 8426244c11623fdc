"""Lepton models on Ray Serve.

The Serve application (``lepton_ray.app``) serves any ONNX graph Lepton deploys with onnxruntime, over the same Open
Inference Protocol v2 routes and 4xx answers as Lepton's own server. ``lepton_ray.control`` is the command the
notebook side (``lepton.deploy(model, { target: { ray } })``) and the ``lepton ray`` CLI run: it starts and stops a
local cluster and deploys, scales, inspects and removes applications. The protocol code (``errors``, ``binary``,
``tensors``, ``model``) imports neither Ray nor a web framework, so its tests run without a cluster.
"""
