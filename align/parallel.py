"""Executors: map a task over document pairs and hand the outcomes back in input order, in this
process, in a pool of worker processes, or on an existing Dask cluster.

A task is a top-level function `task(job, context)`. The context (settings, lexicon) is large
and the same for every job, so each executor ships it once per worker, not once per job (a
pool of processes keeps it for the next map with an equal context); jobs are small (two paths,
or two pages' bytes, and in self-training's second pass what the first found in the pair, its
sentences, evidence and beads, and the table it learnt). At most `window` jobs are in flight, so the parent
holds a bounded number of results whatever the number of pairs; the price is that a pair far
slower than the rest leaves the other workers idle once the window behind it is done.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Protocol

from align.model import AlignError, ConfigError

Task = Callable[[Any, Any], Any]
JOBS_PER_WORKER = 4  # in flight per worker: enough to keep it busy while the parent writes
# Jobs sent to a Dask cluster together, as one task: a task costs the scheduler, the client and the
# worker a few milliseconds each, as much as aligning a short article, so one task a pair halved
# the cluster's speed (bench_scale, 10,000 pairs: 180 s against 98 s for --jobs 2)
DASK_BATCH = 8
SMALL_RUN = 8  # fewer pairs than this, and no --jobs: starting workers would cost more than it saves


class WorkerLost(AlignError):
    """A worker process died under a job (killed, out of memory): the run stops, finished pairs
    stay in the manifest for --resume."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Executor(Protocol):
    ships_text: bool  # jobs carry the pages' bytes: the workers may not see this machine's files

    def map(self, task: Task, jobs: Iterable[Any], context: Any) -> Iterator[Any]:
        """task(job, context) for each job, yielded in the order of `jobs`."""

    def close(self) -> None:
        """Release workers and connections."""


def _bounded_in_order(submit: Callable[[Any], Any], result: Callable[[Any], Any], jobs: Iterable[Any],
                      window: int, cancel: Callable[[list], None]) -> Iterator[Any]:
    """Submit jobs ahead, at most `window` unfinished, and yield their results in job order;
    whatever is still pending when this stops early (an error, Ctrl-C, enough results) is cancelled."""
    pending: deque = deque()
    jobs = iter(jobs)
    try:
        for job in jobs:
            pending.append(submit(job))
            if len(pending) >= window:
                break
        while pending:
            outcome = result(pending[0])
            pending.popleft()
            for job in jobs:  # one in, one out
                pending.append(submit(job))
                break
            yield outcome
    finally:
        if pending:
            cancel(list(pending))


class _Closable:
    """Executors are context managers: leaving the block releases their workers."""

    ships_text = False

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialExecutor(_Closable):
    """Everything in this process, one job after the other (--jobs 1, or a single pair)."""

    def map(self, task: Task, jobs: Iterable[Any], context: Any) -> Iterator[Any]:
        for job in jobs:
            yield task(job, context)


# --- worker processes on this machine -----------------------------------------------------

_worker_context: Any = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user: the pid was reused
        return False
    return True


def _start_worker(pickled_context: bytes, parent: int) -> None:
    """Pool initializer: keep the context, leave Ctrl-C to the parent, and exit if the parent dies."""
    global _worker_context
    _worker_context = pickle.loads(pickled_context)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool; no traceback per worker

    def watch() -> None:
        # A parent killed with SIGKILL cannot stop its workers, and a forkserver's workers keep
        # the server (their own parent) alive: so each worker watches the run's process itself.
        while _alive(parent):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="align-parent-watch", daemon=True).start()


# Workers run numerical libraries on one thread each: the pool keeps every core busy already, and
# OpenBLAS threads spinning against the other workers' made the small matrix products of hit
# counting slow (four IWSLT sets with FVDP: 8.6 s against 4.9 s). A value the user set is kept.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_forkserver() -> None:
    """Start the forkserver (if it is not running), which imports align once for its workers,
    with numerical libraries held to one thread: its workers inherit its environment, this
    process keeps its own. A variable set to "" counts as unset, as the libraries read it."""
    import multiprocessing
    from multiprocessing import forkserver
    multiprocessing.get_context("forkserver").set_forkserver_preload(["align.pipeline"])
    unset = [name for name in ONE_THREAD if not os.environ.get(name)]
    saved = {name: os.environ.get(name) for name in unset}
    os.environ.update({name: ONE_THREAD[name] for name in unset})
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def warm_up(pair_count: int, jobs: int | None = None, scheduler: str | None = None) -> None:
    """Start the worker processes' server now if a run of about `pair_count` pairs will use a
    pool of them (as `executor_for` decides), so that it imports align while the caller loads
    its word lists."""
    import multiprocessing
    if not scheduler and _local_workers(pair_count, jobs) > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        _start_forkserver()


def _run_in_worker(task: Task, job: Any) -> Any:
    return task(job, _worker_context)


def _pool_result(future) -> Any:
    from concurrent.futures.process import BrokenProcessPool
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerLost("a worker process died while aligning (killed, or out of memory?); "
                         "run the same command with --resume to go on") from None


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now, running jobs included (Ctrl-C, an error, early end)."""
    pool.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


class ProcessExecutor(_Closable):
    """A pool of `workers` processes on this machine; the context is passed to each once, at
    start. The pool outlives a map that ran to its end: the next map with an equal context (self-
    training's second pass) goes on with the same workers, without starting and loading new ones."""

    def __init__(self, workers: int, window: int | None = None):
        import multiprocessing
        self.workers = workers
        self.window = window or JOBS_PER_WORKER * workers
        # forkserver: workers are forked from a clean server that has imported align once, so they
        # start fast and never inherit the parent's threads (fork) nor re-import everything (spawn)
        methods = multiprocessing.get_all_start_methods()
        self._mp = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            _start_forkserver()
        self._pool: ProcessPoolExecutor | None = None
        self._context: Any = None  # what the pool's workers hold

    def _pool_for(self, context: Any) -> ProcessPoolExecutor:
        if self._pool is not None and self._context == context:
            return self._pool
        self.close()
        # Pickled here, once: a worker's arguments are pickled for each worker, and the parent
        # waits while the new process unpickles them, worker after worker. As bytes, each worker
        # receives a copy at once and unpickles it itself, all of them at the same time (two
        # workers with FVDP's lexicon, until their first results: 0.24-0.31 s -> 0.12-0.16 s).
        pickled_context = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=self._mp, initializer=_start_worker,
                                         initargs=(pickled_context, os.getpid()))
        self._context = context
        return self._pool

    def map(self, task: Task, jobs: Iterable[Any], context: Any) -> Iterator[Any]:
        pool = self._pool_for(context)
        finished = False
        try:
            yield from _bounded_in_order(lambda job: pool.submit(_run_in_worker, task, job),
                                         _pool_result, jobs, self.window,
                                         lambda futures: [f.cancel() for f in futures])
            finished = True
        finally:
            if not finished:  # stopped early: jobs still running are not wanted, nor the pool
                _terminate(pool)
                self._pool = self._context = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = self._context = None


# --- a Dask distributed cluster -----------------------------------------------------------

class DaskExecutor(_Closable):
    """Jobs sent to an existing Dask cluster (`dask scheduler` + `dask worker`, or a LocalCluster).
    The context is scattered to every worker once per map; jobs run the same task function as
    locally, so results are the same bytes whichever machine computed them."""

    def __init__(self, address: str, ship_text: bool = False, window: int | None = None,
                 connect_seconds: float = 10.0):
        self.ships_text = ship_text
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs Dask distributed: pip install 'align-vi-en[dask]'") from None
        try:
            self.client = Client(address, timeout=connect_seconds)
        except (OSError, TimeoutError) as err:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        self.address = address
        self._window = window

    def window(self) -> int:
        """Batches in flight: enough for every worker thread to have the next one waiting."""
        threads = sum(self.client.nthreads().values())
        if not threads:
            raise ConfigError(f"the Dask scheduler at {self.address} has no workers; start some with "
                              f"`dask worker {self.address}`")
        return self._window or 2 * threads

    def map(self, task: Task, jobs: Iterable[Any], context: Any) -> Iterator[Any]:
        from distributed import KilledWorker
        window = self.window()
        shared = self.client.scatter(context, broadcast=True, hash=False)

        def result(future):
            try:
                return future.result()
            except KilledWorker as err:
                raise WorkerLost(f"Dask workers died while aligning ({err}); run the same command with "
                                 "--resume to go on") from None

        try:
            for outcomes in _bounded_in_order(lambda batch: self.client.submit(_run_batch, task, batch, shared,
                                                                               pure=False),
                                              result, _batches(jobs, DASK_BATCH), window, self.client.cancel):
                yield from outcomes
        finally:
            self.client.cancel([shared])

    def close(self) -> None:
        self.client.close()


def _batches(jobs: Iterable[Any], size: int) -> Iterator[list]:
    batch: list = []
    for job in jobs:
        batch.append(job)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_batch(task: Task, batch: list, context: Any) -> list:
    return [task(job, context) for job in batch]


def executor_for(pair_count: int, jobs: int | None = None, scheduler: str | None = None,
                 ship_text: bool = False) -> Executor:
    """The executor a run asks for: a Dask cluster, a process pool (all cores unless `jobs` says
    otherwise), or this process alone for one job, one pair, or a small run with no `jobs` given."""
    if scheduler:
        if jobs is not None:
            raise ConfigError("--jobs sets the processes of this machine; with --scheduler the cluster's "
                              "workers do the work, so leave out one of them")
        return DaskExecutor(scheduler, ship_text)
    if ship_text:
        raise ConfigError("--ship-text sends pages to a Dask cluster; give --scheduler too")
    workers = _local_workers(pair_count, jobs)
    return ProcessExecutor(workers) if workers > 1 else SerialExecutor()


def _local_workers(pair_count: int, jobs: int | None) -> int:
    """Processes of this machine for a run: one for a small run with no `jobs` given."""
    if jobs is None and pair_count < SMALL_RUN:
        return 1
    return min(jobs or available_cores(), pair_count)
