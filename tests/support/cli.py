"""Running the `tandem` command against a test server's database, as an operator would."""

from __future__ import annotations

import subprocess
import sys

from support.server import RunningServer


def tandem(
    server: RunningServer, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "tandem",
        "--data-dir",
        str(server.data_dir),
        "--database-url",
        server.database.url,
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"tandem {' '.join(args)} failed: {done.stderr}")
    return done
