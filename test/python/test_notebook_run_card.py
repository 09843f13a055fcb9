"""The live run card: while a %%mc_run cell runs, the kernel updates its card in place
(update_display_data on the same display_id) about once a second; the last update says how it
ended. Driven through jupyter_client over a real ipykernel so every iopub message is seen."""

from __future__ import annotations

import queue

import notebook_testlib as nt

CELL = """%%mc_run --name live
import time, modelcloud
modelcloud.log_params({'lr': 0.1, 'layers': 3})
for i in range(100):
    modelcloud.log_metric('loss', 1.0 / (i + 1))
    if i % 40 == 0:
        time.sleep(1.1)
"""


def _execute_collecting(client, code, timeout=60):
    msg_id = client.execute(code)
    messages = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no iopub message for %ss; got so far: %r" % (timeout, messages[-3:]))
        messages.append(msg)
        if (msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
                and msg["parent_header"].get("msg_id") == msg_id):
            return messages


def test_run_card_updates_live_and_ends_with_the_run(tmp_path, monkeypatch):
    from jupyter_client.manager import start_new_kernel

    store = tmp_path / "store"
    nt.kernel_env(monkeypatch, tmp_path, store)
    manager, client = start_new_kernel(kernel_name=nt.KERNEL_NAME, cwd=str(tmp_path), startup_timeout=60)
    try:
        _execute_collecting(client, "%load_ext modelcloud")
        messages = _execute_collecting(client, CELL)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)

    cards = [(m["msg_type"], m["content"]) for m in messages
             if m["msg_type"] in ("display_data", "update_display_data") and nt.RUN_CARD_MIME in m["content"]["data"]]
    assert cards[0][0] == "display_data", "the card is shown once, then updated in place"
    display_ids = {content["transient"]["display_id"] for _kind, content in cards}
    assert len(display_ids) == 1
    updates = [content["data"][nt.RUN_CARD_MIME] for kind, content in cards if kind == "update_display_data"]
    live = [card for card in updates if card["status"] == "RUNNING"]
    assert live and "loss" in live[0]["metrics"], "at least one update while the cell was still running"
    final = updates[-1]
    assert final["status"] == "FINISHED" and final["endMs"] is not None
    loss = final["metrics"]["loss"]
    assert loss["step"] == 99 and abs(loss["last"] - 0.01) < 1e-12
    assert len(loss["spark"]) == 60 and loss["spark"][0] == 1.0 and loss["spark"][-1] == loss["last"]
    assert final["params"] == {"layers": "3", "lr": "0.1"} and final["paramsTruncated"] == 0
    html = [content["data"]["text/html"] for _kind, content in cards][-1]
    assert "<svg" in html and "<polyline" in html and "<script" not in html.lower()
