"""Workers sharing a data folder hold distinct id slots, so their ids cannot collide."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from tandem import asgi
from tandem.core import ids


def _make_ids(data_dir: str, ready: Any, out: Any) -> None:
    asgi.claim_id_slot(Path(data_dir))
    ready.wait()  # both processes hold their slot before either makes ids
    out.put([ids.new_id() for _ in range(20_000)])


def test_two_workers_never_make_the_same_id(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(2)
    out = context.Queue()
    workers = [
        context.Process(target=_make_ids, args=(str(tmp_path), ready, out)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    first, second = out.get(timeout=60), out.get(timeout=60)
    for worker in workers:
        worker.join(timeout=30)
    slots = {(value >> 12) & 0xF for value in first}, {(value >> 12) & 0xF for value in second}
    assert len(slots[0]) == len(slots[1]) == 1, "a worker's ids all carry its one slot"
    assert slots[0] != slots[1], "two live workers got the same slot"
    assert not set(first) & set(second), "two workers made the same id"
    assert len(set(first)) == len(first), "one worker made the same id twice"
