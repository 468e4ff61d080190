"""An output flood stops at the caps as it arrives (issue 21, section 4): nbclient keeps no
widget state (every comm message's "state", and its buffers base64-encoded, kept for the whole
run), and the cell client's sockets drop a frame over MAX_OUTPUT_FRAME before this process
reads it and queue few frames."""

from __future__ import annotations

import zmq

from grader.execute.kernel import MAX_OUTPUT_FRAME, OUTPUT_QUEUE, PromptKernelClient
from grader.execute.run import CappedClient


def test_the_cell_client_keeps_no_widget_state_and_its_sockets_are_bounded():
    import nbformat

    client = CappedClient(nbformat.v4.new_notebook())
    assert client.store_widget_state is False
    context = PromptKernelClient().context
    assert context.getsockopt(zmq.MAXMSGSIZE) == MAX_OUTPUT_FRAME
    assert context.getsockopt(zmq.RCVHWM) == OUTPUT_QUEUE


def test_widget_state_and_large_display_updates_are_not_kept():
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    client = CappedClient(notebook)
    for i in range(3):  # the control of the cap: nbclient's default kept each of these
        client.handle_comm_msg([], {"msg_type": "comm_msg", "content": {
            "comm_id": "c", "data": {"state": {f"v{i}": "x" * 1000}}}, "buffers": []}, 0)
    assert client.widget_state == {}
    notebook.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "a"})]
    client._display_id_map = {"d": {0: [0]}}
    update = {"header": {"msg_type": "update_display_data"}, "msg_type": "update_display_data",
              "content": {"data": {"text/plain": "y" * 10**6}, "metadata": {}}}
    client._update_display_id("d", update)
    assert notebook.cells[0].outputs[0]["data"] == {"text/plain": "a"}
    update["content"]["data"] = {"text/plain": "b"}  # a small update still lands
    client._update_display_id("d", update)
    assert notebook.cells[0].outputs[0]["data"] == {"text/plain": "b"}
