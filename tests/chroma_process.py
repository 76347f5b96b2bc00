"""A `chroma run` server on a fixed folder and port, so a test can kill it and start it again."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from conftest import wait_for_port


class ChromaProcess:
    def __init__(self, path: Path, port: int):
        self.path, self.port, self.proc, self.log = path, port, None, None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ChromaProcess":
        exe = Path(sys.executable).parent / "chroma"
        self.log = open(self.path.parent / f"chroma-{self.port}.log", "a")
        self.proc = subprocess.Popen([str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, 60, self.proc)
        return self

    def stop(self, sig=signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)
        if self.log:
            self.log.close()

    kill = stop
