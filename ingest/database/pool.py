"""Worker processes with a time budget per task, that can always be stopped at once.

Why not multiprocessing.Pool: it cannot stop one task that runs too long (one pathological report
must not stall a national build), and its terminate() can hang when interrupted (Ctrl-C during the
checks hung the build in 2 of 5 tries). Here each worker is a forked process with its own pipe; the
parent hands out one task at a time, waits on the pipes and the processes' sentinels until the
nearest deadline, and kills (SIGKILL) a worker whose task is past its deadline or when the pool is
left for any reason, then starts another. Killing never waits on a lock, so leaving cannot hang.

A worker dies with its parent (PR_SET_PDEATHSIG on Linux; elsewhere it notices within a second).
Results come back in task order (a build is reproducible); a task that could not finish comes back
as a `Failure` saying why.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator


@dataclass(frozen=True)
class Failure:
    """A task that produced no result: kind = timeout (killed after the budget), crashed (the worker
    died: a segfault, the kernel's OOM killer) or error (the function raised)."""
    kind: str
    detail: str


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:   # not Linux: the poll loop in _serve notices a new parent instead
        pass


_STOP = {signal.SIGINT, signal.SIGTERM}


def _serve(conn, fn, initializer, initargs, parent: int, inherited: list) -> None:
    """A worker's life: run tasks from `conn` until told to stop or the parent is gone."""
    # The parent forked with SIGINT and SIGTERM blocked, so none reached the parent's handlers copied here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP)
    _die_with_parent()
    for other in inherited:     # the parent's ends of the other workers' pipes, copied by fork
        try:
            other.close()
        except OSError:
            pass
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException as exc:     # one line, not multiprocessing's traceback; the parent sees a crash
            print(f"gongkai: warning: 工作进程无法启动：{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            os._exit(1)
    while True:
        while not conn.poll(1.0):
            if os.getppid() != parent:
                os._exit(0)
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        index, task = message
        try:
            out = ("ok", fn(task))
        except BaseException as exc:
            out = ("error", "".join(traceback.format_exception_only(type(exc), exc)).strip())
        try:
            conn.send((index, out))
        except (BrokenPipeError, EOFError):
            os._exit(0)
        except Exception as exc:    # the result cannot be pickled
            conn.send((index, ("error", f"无法传回结果：{type(exc).__name__}: {exc}")))


class _Worker:
    def __init__(self, ctx, fn, initializer, initargs, inherited: list):
        parent_end, self.child_end = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, daemon=True,
                                   args=(self.child_end, fn, initializer, initargs, os.getpid(),
                                         inherited + [parent_end]))
        self.conn = parent_end
        self.task: tuple[int, Any] | None = None
        self.deadline: float | None = None

    def start(self) -> None:
        self.process.start()
        self.child_end.close()

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, AttributeError, ValueError):
            pass
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not within a second."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


class Pool:
    """`with Pool(fn, n, timeout=60) as pool: for task, result in pool.imap(tasks): ...`

    `timeout` is each task's budget in seconds (None: unlimited). At most `window` tasks are handed out
    beyond the oldest unfinished one, which bounds the results held back to keep the order.
    """

    def __init__(self, fn: Callable[[Any], Any], workers: int, *, initializer: Callable | None = None,
                 initargs: tuple = (), timeout: float | None = None, window: int | None = None):
        self.fn, self.n, self.initializer, self.initargs = fn, max(1, workers), initializer, initargs
        self.timeout = timeout if timeout and timeout > 0 else None
        self.window = window or max(64, self.n * 32)
        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.workers: list[_Worker] = []
        self.replaced = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(kill=exc_type is not None)
        return False

    def _start(self) -> _Worker:
        """Fork a worker with SIGINT and SIGTERM held back: a Ctrl-C during the fork reaches the parent once
        the worker is on the list that `close` kills, and never runs the parent's handler in the child."""
        worker = _Worker(self.ctx, self.fn, self.initializer, self.initargs, [w.conn for w in self.workers])
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
        try:
            worker.start()
            self.workers.append(worker)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.workers.remove(worker)
        self.replaced += 1

    def close(self, kill: bool = False) -> None:
        """Stop every worker: politely when all went well, at once (SIGKILL) otherwise."""
        workers, self.workers = self.workers, []
        for w in workers:
            if kill or w.task is not None:
                try:
                    w.process.kill()
                except (OSError, AttributeError, ValueError):
                    pass
        for w in workers:
            if kill or w.task is not None:
                w.process.join(5)
                w.conn.close()
            else:
                w.stop()

    def imap(self, tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """(task, result or Failure) for every task, in the order of `tasks`."""
        queue = deque(enumerate(tasks))
        total = len(queue)
        done: dict[int, tuple[Any, Any]] = {}
        next_out = 0
        while next_out < total:
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if next_out >= total:
                break
            while len(self.workers) < min(self.n, total - next_out):
                self._start()
            for w in list(self.workers):
                if w.task is None and queue and queue[0][0] < next_out + self.window:
                    index, task = queue.popleft()
                    try:
                        w.conn.send((index, task))
                    except OSError:     # the worker is gone: the task goes to its replacement
                        queue.appendleft((index, task))
                        self._replace(w)
                        continue
                    w.task = (index, task)
                    w.deadline = time.monotonic() + self.timeout if self.timeout else None
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                continue
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], wait_for))
            now = time.monotonic()
            for w in busy:
                index, task = w.task
                if w.conn in ready:
                    try:
                        got, (status, value) = w.conn.recv()
                    except (EOFError, OSError):
                        done[index] = (task, Failure("crashed", self._exit_detail(w)))
                        w.task = None
                        self._replace(w)
                        continue
                    done[got] = (task, value if status == "ok" else Failure("error", value))
                    w.task = w.deadline = None
                elif w.process.sentinel in ready:
                    done[index] = (task, Failure("crashed", self._exit_detail(w)))
                    w.task = None
                    self._replace(w)
                elif w.deadline is not None and now >= w.deadline:
                    done[index] = (task, Failure("timeout", f"超过 {self.timeout:g} 秒"))
                    w.task = None
                    self._replace(w)

    @staticmethod
    def _exit_detail(w: _Worker) -> str:
        w.process.join(1)
        code = w.process.exitcode
        if code is not None and code < 0:
            try:
                return f"工作进程被信号 {signal.Signals(-code).name} 终止"
            except ValueError:
                return f"工作进程被信号 {-code} 终止"
        return f"工作进程意外退出（退出码 {code}）"
