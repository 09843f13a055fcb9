"""A stand-in for the Jupyter extension's kernel, over a REAL ipykernel.

The Jupyter extension (ms-toolsai.jupyter) cannot be installed in the test code-server, so the
integration tests drive the kernel bridge with an object implementing its `Kernel` interface
(test/integration/support/standInKernel.ts). That object talks to this process, which starts a real
ipykernel with jupyter_client and executes code in it.

Protocol: JSON lines. Requests on stdin: {"id": n, "op": "execute", "code": "..."} | {"id": n,
"op": "restart"} | {"id": n, "op": "shutdown"}. Replies on stdout: {"id": n, "output": {"items":
[{"mime": "...", "text": "..."}]}} for each output, then {"id": n, "done": true}; or {"id": n,
"error": "..."}. Kernel status changes arrive as {"event": "status", "status": "..."}.
Output MIME types follow the jupyter-extension API: stdout/stderr streams, each MIME type of a
display/execute result, and errors as application/vnd.code.notebook.error JSON.
"""
import json
import queue
import sys

from jupyter_client.manager import KernelManager

STDOUT = "application/vnd.code.notebook.stdout"
STDERR = "application/vnd.code.notebook.stderr"
ERROR = "application/vnd.code.notebook.error"


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def text_of(value):
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(value)
    return json.dumps(value)


def start(cwd):
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=cwd)
    client = manager.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client


def execute(client, request_id, code):
    msg_id = client.execute(code, store_history=False, allow_stdin=False)
    while True:
        try:
            msg = client.get_iopub_msg(timeout=120)
        except queue.Empty:
            send({"id": request_id, "error": "the kernel sent nothing for 120 s"})
            return
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "status":
            send({"event": "status", "status": content["execution_state"]})
            if content["execution_state"] == "idle":
                break
        elif kind == "stream":
            mime = STDOUT if content.get("name") == "stdout" else STDERR
            send({"id": request_id, "output": {"items": [{"mime": mime, "text": content.get("text", "")}]}})
        elif kind in ("display_data", "execute_result", "update_display_data"):
            items = [{"mime": mime, "text": text_of(value)} for mime, value in content.get("data", {}).items()]
            send({"id": request_id, "output": {"items": items}})
        elif kind == "error":
            error = {"name": content.get("ename", "Error"), "message": content.get("evalue", ""),
                     "stack": "\n".join(content.get("traceback", []))}
            send({"id": request_id, "output": {"items": [{"mime": ERROR, "text": json.dumps(error)}]}})
    # The shell reply follows the idle status; drain it so replies do not pile up.
    try:
        client.get_shell_msg(timeout=10)
    except queue.Empty:
        pass
    send({"id": request_id, "done": True})


def main():
    cwd = sys.argv[1] if len(sys.argv) > 1 else None
    send({"event": "status", "status": "starting"})
    manager, client = start(cwd)
    send({"event": "status", "status": "idle"})
    send({"event": "ready"})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        request_id = request.get("id")
        op = request.get("op")
        try:
            if op == "execute":
                execute(client, request_id, request["code"])
            elif op == "restart":
                send({"event": "status", "status": "restarting"})
                client.stop_channels()
                manager.restart_kernel(now=True)
                client = manager.blocking_client()
                client.start_channels()
                client.wait_for_ready(timeout=60)
                send({"event": "status", "status": "idle"})
                send({"id": request_id, "done": True})
            elif op == "shutdown":
                break
            else:
                send({"id": request_id, "error": "unknown op %r" % op})
        except Exception as error:  # reported to the test, which fails with it
            send({"id": request_id, "error": "%s: %s" % (type(error).__name__, error)})
    send({"event": "status", "status": "terminating"})
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    send({"event": "status", "status": "dead"})


if __name__ == "__main__":
    main()
