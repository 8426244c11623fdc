"""Drives a real Jupyter kernel with jupyter_client for Lepton's integration tests.

Reads one JSON request per line on stdin and writes one JSON answer per line on stdout, so tests written in
TypeScript talk to the kernel through the same client library JupyterLab's server uses.
"""
import json
import os
import sys
import time
import traceback

from jupyter_client.manager import KernelManager

km = None
kc = None


def clean(msg):
    """The parts of a message tests look at (dates and buffers dropped)."""
    return {
        "msg_type": msg["msg_type"],
        "content": msg["content"],
        "parent_msg_id": msg["parent_header"].get("msg_id"),
        "msg_id": msg["header"]["msg_id"],
    }


def channel(name):
    return {"shell": kc.shell_channel, "control": kc.control_channel, "stdin": kc.stdin_channel, "iopub": kc.iopub_channel}[name]


def op_start(req):
    global km, kc
    started = time.time()
    km = KernelManager(kernel_name=req.get("kernel_name", "lepton"))
    # The kernel's own stdout/stderr go to a log file: on the driver's stdout they would corrupt its answers.
    log = open(req.get("log") or os.devnull, "ab")
    km.start_kernel(cwd=req.get("cwd") or os.getcwd(), env={**os.environ, **req.get("env", {})}, stdout=log, stderr=log)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=req.get("timeout", 60))
    return {"startup_s": time.time() - started}


def op_send(req):
    """Sends a message on shell, control or stdin; returns its msg_id."""
    msg = kc.session.msg(req["msg_type"], req.get("content", {}))
    channel(req.get("channel", "shell")).send(msg)
    return {"msg_id": msg["header"]["msg_id"]}


def op_reply(req):
    """Waits for the reply to msg_id on a channel."""
    deadline = time.time() + req.get("timeout", 30)
    ch = channel(req.get("channel", "shell"))
    while time.time() < deadline:
        try:
            msg = ch.get_msg(timeout=max(0.01, deadline - time.time()))
        except Exception:
            break
        if msg["parent_header"].get("msg_id") == req["msg_id"]:
            return clean(msg)
    raise TimeoutError(f"no reply to {req['msg_id']} within {req.get('timeout', 30)} s")


def op_iopub(req):
    """Collects iopub messages of a request until its idle status (or, with `count`, that many messages)."""
    deadline = time.time() + req.get("timeout", 30)
    out = []
    while time.time() < deadline:
        try:
            msg = kc.iopub_channel.get_msg(timeout=max(0.01, deadline - time.time()))
        except Exception:
            break
        if req.get("msg_id") and msg["parent_header"].get("msg_id") != req["msg_id"]:
            continue
        out.append(clean(msg))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" and req.get("msg_id"):
            return {"messages": out}
        if req.get("count") and len(out) >= req["count"]:
            return {"messages": out}
    if req.get("allow_timeout"):
        return {"messages": out}
    raise TimeoutError(f"iopub did not go idle within {req.get('timeout', 30)} s; got {[m['msg_type'] for m in out]}")


def op_stdin(req):
    """Waits for the next stdin message (an input_request)."""
    msg = kc.stdin_channel.get_msg(timeout=req.get("timeout", 30))
    return clean(msg)


def op_interrupt(req):
    started = time.time()
    km.interrupt_kernel()
    return {"took_s": time.time() - started}


def op_restart(req):
    km.restart_kernel(now=req.get("now", False))
    kc.wait_for_ready(timeout=req.get("timeout", 60))
    return {}


def op_alive(req):
    return {"alive": km.is_alive()}


def op_shutdown(req):
    kc.stop_channels()
    km.shutdown_kernel(now=req.get("now", False))
    return {}


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}

for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = {"ok": True, "result": OPS[request["op"]](request)}
    except Exception as error:  # the test sees the failure; the driver keeps serving
        answer = {"ok": False, "error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
    sys.stdout.write(json.dumps(answer, default=str) + "\n")
    sys.stdout.flush()
