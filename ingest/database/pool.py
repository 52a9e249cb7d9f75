"""Worker processes with a time budget per task, that can always be stopped at once.

Why not multiprocessing.Pool: it cannot stop one task that runs too long (one pathological report
must not stall a national build), and its terminate() can hang when interrupted (Ctrl-C during the
checks hung the build in 2 of 5 tries). Here each worker is a forked process with a pipe for its
tasks and one for its results; the parent keeps a few tasks queued at each worker, waits on the
result pipes and the processes' sentinels until the nearest deadline, and kills (SIGKILL) a worker
whose current task is past its deadline, or every worker when the pool is left for any reason.
Killing never waits on a lock, so leaving cannot hang.

A worker sends its results from a thread of its own, so it keeps working while the parent is busy
(writing a batch to the database) instead of blocking on a full pipe; which task it is running and
since when it writes to a small shared array, so the parent knows the deadline and which task a dead
or stuck worker was on (its other queued tasks go to the next worker). A worker dies with its parent (PR_SET_PDEATHSIG on Linux;
elsewhere it notices within a second). Results come back in task order (a build is reproducible);
a task that could not finish comes back as a `Failure` saying why.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
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


_STOP = {signal.SIGINT, signal.SIGTERM}
DEPTH = 4   # tasks queued at a worker: enough to keep it busy while the parent writes a batch


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:   # not Linux: the poll loop in _serve notices a new parent instead
        pass


def _serve(tasks, results, state, fn, initializer, initargs, parent: int, inherited: list) -> None:
    """A worker's life: run tasks until told to stop or the parent is gone."""
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
    outbox: queue.SimpleQueue = queue.SimpleQueue()

    def send() -> None:
        while True:
            item = outbox.get()
            if item is None:
                return
            try:
                results.send(item)
            except (BrokenPipeError, EOFError, OSError):
                os._exit(0)
            except Exception as exc:    # the result cannot be pickled
                results.send(("done", item[1], ("error", f"无法传回结果：{type(exc).__name__}: {exc}")))

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    while True:
        while not tasks.poll(1.0):
            if os.getppid() != parent:
                os._exit(0)
        try:
            message = tasks.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            break
        index, task = message
        state[1] = time.monotonic()     # the clock is the machine's: the parent reads the same one
        state[0] = index                # written second: an index the parent sees has its start time
        try:
            out = ("ok", fn(task))
        except BaseException as exc:
            out = ("error", "".join(traceback.format_exception_only(type(exc), exc)).strip())
        state[0] = -1
        outbox.put(("done", index, out))
    outbox.put(None)
    sender.join()
    os._exit(0)


class _Worker:
    def __init__(self, ctx, fn, initializer, initargs, inherited: list):
        tasks_r, self.tasks = ctx.Pipe(duplex=False)
        self.results, results_w = ctx.Pipe(duplex=False)
        self.child_ends = (tasks_r, results_w)
        # [index of the task running or -1, when it started]: no lock, a worker killed holding it would
        # leave the parent waiting forever
        self.state = ctx.RawArray("d", [-1.0, 0.0])
        self.process = ctx.Process(target=_serve, daemon=True,
                                   args=(tasks_r, results_w, self.state, fn, initializer, initargs, os.getpid(),
                                         inherited + [self.tasks, self.results]))
        self.assigned: deque[tuple[int, Any]] = deque()     # sent, no result yet, in order

    def running(self) -> tuple[int | None, float]:
        index, started = self.state[0], self.state[1]
        return (int(index) if index >= 0 else None), started

    @property
    def ends(self) -> list:
        return [self.tasks, self.results]

    def start(self) -> None:
        self.process.start()
        for end in self.child_ends:
            end.close()

    def close_ends(self) -> None:
        for end in self.ends:
            end.close()


class Pool:
    """`with Pool(fn, n, timeout=60) as pool: for task, result in pool.imap(tasks): ...`

    `timeout` is each task's budget in seconds (None: unlimited). At most `window` tasks are handed out
    beyond the oldest unfinished one, which bounds the results held back to keep the order.
    """

    def __init__(self, fn: Callable[[Any], Any], workers: int, *, initializer: Callable | None = None,
                 initargs: tuple = (), timeout: float | None = None, window: int | None = None,
                 depth: int = DEPTH):
        self.fn, self.n, self.initializer, self.initargs = fn, max(1, workers), initializer, initargs
        self.timeout = timeout if timeout and timeout > 0 else None
        self.window = window or max(64, self.n * 32)
        self.depth = max(1, depth)
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
        worker = _Worker(self.ctx, self.fn, self.initializer, self.initargs,
                         [end for w in self.workers for end in w.ends])
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
        try:
            worker.start()
            self.workers.append(worker)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return worker

    def close(self, kill: bool = False) -> None:
        """Stop every worker: politely when all went well, at once (SIGKILL) otherwise."""
        workers, self.workers = self.workers, []
        if not kill:
            for w in workers:
                try:
                    w.tasks.send(None)
                except OSError:
                    pass
            deadline = time.monotonic() + 2
            for w in workers:
                w.process.join(max(0.0, deadline - time.monotonic()))
        for w in workers:
            if w.process.is_alive():
                try:
                    w.process.kill()
                except (OSError, AttributeError, ValueError):
                    pass
        for w in workers:
            w.process.join(5)
            w.close_ends()

    def _retire(self, w: _Worker, index: int | None, failure: Failure, queue_: deque, done: dict) -> None:
        """Kill `w`; `index` (the task it was running) fails with `failure`; its other tasks go back to the queue."""
        try:
            w.process.kill()
        except (OSError, AttributeError, ValueError):
            pass
        w.process.join(5)
        w.close_ends()
        self.workers.remove(w)
        self.replaced += 1
        rest = [(i, t) for i, t in w.assigned if i != index]
        if index is not None:
            done[index] = (dict(w.assigned)[index], failure)
        queue_.extendleft(reversed(rest))

    def _exit_detail(self, w: _Worker) -> str:
        w.process.join(1)
        code = w.process.exitcode
        if code is not None and code < 0:
            try:
                return f"工作进程被信号 {signal.Signals(-code).name} 终止"
            except ValueError:
                return f"工作进程被信号 {-code} 终止"
        return f"工作进程意外退出（退出码 {code}）"

    def _receive(self, w: _Worker, done: dict) -> bool:
        """Take every message `w` has sent; False if its pipe is closed (the worker is gone)."""
        try:
            while w.results.poll():
                _, index, (status, value) = w.results.recv()
                for k, (i, task) in enumerate(w.assigned):     # the first one: results come in order
                    if i == index:
                        del w.assigned[k]
                        done[index] = (task, value if status == "ok" else Failure("error", value))
                        break
        except (EOFError, OSError):
            return False
        return True

    def imap(self, tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """(task, result or Failure) for every task, in the order of `tasks`."""
        pending = deque(enumerate(tasks))
        total = len(pending)
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
                while len(w.assigned) < self.depth and pending and pending[0][0] < next_out + self.window:
                    index, task = pending.popleft()
                    try:
                        w.tasks.send((index, task))
                    except OSError:     # the worker is gone: its tasks go to its replacement
                        pending.appendleft((index, task))
                        self._receive(w, done)
                        self._retire(w, self._culprit(w), Failure("crashed", self._exit_detail(w)), pending, done)
                        break
                    w.assigned.append((index, task))
            busy = [w for w in self.workers if w.assigned]
            if not busy:
                continue
            wait_for = None
            if self.timeout:    # until the nearest deadline, and look again each second (a task may start meanwhile)
                starts = [started for index, started in map(_Worker.running, busy) if index is not None]
                wait_for = min([1.0] + [max(0.0, t + self.timeout - time.monotonic()) for t in starts])
            ready = set(wait([w.results for w in busy] + [w.process.sentinel for w in busy], wait_for))
            for w in busy:
                alive = self._receive(w, done) if w.results in ready else True
                if not alive or w.process.sentinel in ready:
                    if alive:
                        self._receive(w, done)      # what it sent before it died
                    self._retire(w, self._culprit(w), Failure("crashed", self._exit_detail(w)), pending, done)
                    continue
                index, started = w.running()
                if self.timeout and index is not None and time.monotonic() >= started + self.timeout:
                    self._retire(w, index, Failure("timeout", f"超过 {self.timeout:g} 秒"), pending, done)

    @staticmethod
    def _culprit(w: _Worker) -> int | None:
        """The task a dead worker was running (else its oldest unfinished one, so a worker dying between
        tasks cannot make the pool loop)."""
        index, _ = w.running()
        if index is not None and any(i == index for i, _ in w.assigned):
            return index
        return w.assigned[0][0] if w.assigned else None
