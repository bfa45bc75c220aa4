"""Deliveries in a process of their own (`delivery_process = true`).

Signing and sending ActivityPub deliveries costs a few milliseconds of CPU each; in the
server's own event loop a fan-out to hundreds of servers delays the requests answered beside
it. With this setting `tandem serve` starts `tandem deliveries` beside its workers: a process
whose job worker claims only deliveries (on another core), while the server's workers run the
rest of the queue. It stops with the server (and dies with it, as the workers do)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys

from tandem.config import Settings
from tandem.federation import fetch
from tandem.jobs.registry import HANDLERS
from tandem.jobs.worker import Worker
from tandem.services import Services

log = logging.getLogger("tandem.jobs")
NICENESS = 10  # added to the process's nice value


def start() -> subprocess.Popen[bytes]:
    """Start the process (the settings travel in the environment, as to the workers)."""
    return subprocess.Popen([sys.executable, "-m", "tandem", "deliveries"])


def stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run(settings: Settings) -> None:
    """The process's life: deliveries until SIGTERM or SIGINT, at a lower CPU priority than
    the server's workers (on a busy machine the requests get the cores first)."""
    os.nice(NICENESS)
    asyncio.run(_deliver(settings))


async def _deliver(settings: Settings) -> None:
    services = Services.build(settings)
    worker = Worker(services, HANDLERS, serial=False)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    worker.start()
    log.info("deliveries run in this process (delivery_process)")
    try:
        await stopping.wait()
    finally:
        await worker.stop()
        await fetch.close_client()
        await services.close()
