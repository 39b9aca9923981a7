"""A training run in its own process (`python -m inspiration train ...`), so a crash cannot take the app down.

Threads: everything here lives on the GUI thread; QProcess delivers the child's output through the event loop.
Stopping asks the trainer to finish its step and checkpoint: SIGINT on POSIX; on Windows, where console signals
cannot be aimed at one child, the run starts in its own process group and gets CTRL_BREAK (the CLI handles SIGBREAK
like Ctrl+C). A child that does not stop in time is killed; resuming then continues from its last checkpoint.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

TAIL_LINES = 8  # output lines kept to explain a failed run


@dataclass(frozen=True)
class TrainRequest:
    """What to train. `steps` or `hours` sets the length (neither: the preset's); `start`, a model folder whose
    weights a new model begins from (its size and preset too); `extra` adds CLI flags."""

    name: str
    models_dir: Path
    sources: tuple[Path, ...] = ()
    preset: str | None = None
    steps: int | None = None
    hours: float | None = None
    device: str = "auto"
    resume: bool = False
    start: Path | None = None
    extra: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return self.models_dir / self.name

    def arguments(self) -> list[str]:
        """The arguments after the program (see `train_program`): `[-m inspiration] train DATA... --name N ...`."""
        module = [] if getattr(sys, "frozen", False) else ["-m", "inspiration"]  # a bundle's program is the command
        args = [*module, "train", *(str(p) for p in self.sources)]
        args += ["--name", self.name, "--models-dir", str(self.models_dir), "--device", self.device]
        if self.resume:
            args.append("--resume")
        if self.start is not None and not self.resume:
            args += ["--from", str(self.start)]
        elif self.preset and not self.resume:
            args += ["--preset", self.preset]
        if self.steps is not None:
            args += ["--steps", str(self.steps)]
        elif self.hours is not None:
            args += ["--hours", f"{self.hours:g}"]
        return [*args, *self.extra]


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended. `interrupted`: the user paused or stopped it; `crashed`: killed or failed to start."""

    request: TrainRequest
    exit_code: int
    crashed: bool
    interrupted: bool
    tail: tuple[str, ...]  # its last output lines

    @property
    def ok(self) -> bool:
        return not self.crashed and self.exit_code == 0


class TrainProcess(QObject):
    """One training process at a time. Signals: `outputLine(str)` per line it prints; `ended(RunOutcome)`."""

    outputLine = Signal(str)
    ended = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process: QProcess | None = None
        self._request: TrainRequest | None = None
        self._interrupted = False
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._partial = {QProcess.ProcessChannel.StandardOutput: b"", QProcess.ProcessChannel.StandardError: b""}

    @property
    def request(self) -> TrainRequest | None:
        return self._request

    def is_running(self) -> bool:
        return self._process is not None

    def start(self, request: TrainRequest) -> None:
        """Start `request`; refuses (RuntimeError) while a run is going; OSError when its models folder cannot be
        made."""
        if self._process is not None:
            raise RuntimeError("a training run is already going")
        request.models_dir.mkdir(parents=True, exist_ok=True)
        self._request, self._interrupted = request, False
        self._tail.clear()
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        process.setProcessEnvironment(env)
        process.setWorkingDirectory(str(request.models_dir))
        if sys.platform == "win32":  # its own process group, so CTRL_BREAK reaches it alone
            flags = 0x00000200  # CREATE_NEW_PROCESS_GROUP

            def modifier(args: object) -> None:
                args.flags |= flags  # type: ignore[attr-defined]

            process.setCreateProcessArgumentsModifier(modifier)  # type: ignore[attr-defined]
        process.readyReadStandardOutput.connect(lambda: self._read(QProcess.ProcessChannel.StandardOutput))
        process.readyReadStandardError.connect(lambda: self._read(QProcess.ProcessChannel.StandardError))
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self._process = process
        process.start(sys.executable, request.arguments())

    def interrupt(self) -> None:
        """Ask the run to checkpoint and exit after its current step (pause and stop both do this)."""
        process = self._process
        if process is None or self._interrupted or process.state() != QProcess.ProcessState.Running:
            return  # a second signal would abort the run without its checkpoint
        self._interrupted = True
        pid = int(process.processId())
        try:
            if sys.platform == "win32":
                os.kill(pid, signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
            else:
                os.kill(pid, signal.SIGINT)
        except OSError:
            process.kill()

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        """Interrupt the run and wait for it (bounded, blocking); kill it if it overruns. True when it stopped
        by itself in time (or none was running)."""
        process = self._process
        if process is None:
            return True
        self.interrupt()
        stopped = process.waitForFinished(timeout_ms)
        if not stopped and self._process is process:
            process.kill()
            process.waitForFinished(3000)
        return stopped

    def _read(self, channel: QProcess.ProcessChannel) -> None:
        process = self._process
        if process is None:
            return
        process.setReadChannel(channel)
        data = self._partial[channel] + bytes(process.readAll().data())
        *lines, self._partial[channel] = data.replace(b"\r", b"\n").split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                self._tail.append(line)
                self.outputLine.emit(line)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            reason = self._process.errorString()
            self._tail.append(f"could not start {sys.executable}: {reason}")
            self._end(exit_code=-1, crashed=True)

    def _finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        for channel in self._partial:
            self._read(channel)
            rest = self._partial[channel].decode("utf-8", errors="replace").strip()
            self._partial[channel] = b""
            if rest:
                self._tail.append(rest)
                self.outputLine.emit(rest)
        self._end(exit_code, crashed=status == QProcess.ExitStatus.CrashExit)

    def _end(self, exit_code: int, crashed: bool) -> None:
        process, request = self._process, self._request
        if process is None or request is None:
            return
        self._process = None
        process.deleteLater()
        self.ended.emit(RunOutcome(request, int(exit_code), crashed, self._interrupted, tuple(self._tail)))
