"""`align run` over many document pairs: pair lists, worker processes, failures, resume, Dask."""

import io
import os
import pickle
import signal
import subprocess
import sys
import time
from dataclasses import fields

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from align import parallel, pipeline
from align.config import Settings
from align.glossary import seed_glossary_path
from align.manifest import folder_for
from align.model import ConfigError, Evidence, FormatError, InputError
from align.pairlist import read_pair_list
from align.tmx import read_tmx

from conftest import REPO, Terminal
from scale_corpus import write_archive

EPOCH = "1764547200"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return write_archive(tmp_path_factory.mktemp("archive"), 12)


@pytest.fixture(scope="module")
def reference(archive, tmp_path_factory):
    """The memory of a run in this process alone (--jobs 1)."""
    from click.testing import CliRunner
    from align.cli import main
    output = tmp_path_factory.mktemp("reference") / "memory.tmx"
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    result = CliRunner(env=env).invoke(main, ["run", "--pairs", str(archive), "-o", str(output), "--presegmented",
                                              "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return output.read_bytes()


# --- pair lists -----------------------------------------------------------------------------

def test_pair_list_pairs_files_named_differently(archive):
    pairing = read_pair_list(archive)
    assert len(pairing.pairs) == 12
    first = pairing.pairs[0]
    assert first.name == "doc-000" and first.src_path.endswith("vi/bai-000.txt")
    assert first.trg_path.endswith("en/story-000.txt")


def test_pair_list_defaults_the_id_to_the_stem_and_skips_comments(tmp_path):
    (tmp_path / "a.vi").write_text("Một câu.\n")
    (tmp_path / "b.en").write_text("One sentence.\n")
    (tmp_path / "list.tsv").write_text("# crawl of 2026-11-30\n\na.vi\tb.en\n")
    pairing = read_pair_list(tmp_path / "list.tsv")
    assert [(p.name, p.src_path) for p in pairing.pairs] == [("a", str(tmp_path / "a.vi"))]


@pytest.mark.parametrize("lines, error, problem", [
    ("vi/bai-000.txt\ten/story-000.txt\nvi/missing.txt\ten/story-001.txt\n", InputError,
     "line 2: no such file: "),
    ("vi/bai-000.txt\ten/story-000.txt\tx\nvi/bai-001.txt\ten/story-001.txt\tx\n", FormatError,
     "line 2: document id 'x' is already used on line 1"),
    ("vi/bai-000.txt en/story-000.txt\n", FormatError, "line 1: expected vi_path<TAB>en_path"),
    ("# nothing\n", InputError, "pair list has no pairs"),
])
def test_pair_list_errors_name_the_line(archive, lines, error, problem):
    broken = archive.parent / "broken.tsv"
    broken.write_text(lines)
    with pytest.raises(error) as caught:
        read_pair_list(broken)
    assert problem in str(caught.value) and str(broken) in str(caught.value)


def test_missing_file_in_a_pair_list_is_one_line_from_the_command(cli, archive, tmp_path):
    broken = archive.parent / "missing.tsv"
    broken.write_text("vi/bai-000.txt\ten/story-000.txt\nvi/bai-001.txt\ten/nowhere.txt\n")
    result = cli("run", "--pairs", broken, "-o", tmp_path / "m.tmx")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"align: error: {broken}: line 2: no such file: {archive.parent / 'en/nowhere.txt'}"


def test_pairs_and_folders_cannot_be_mixed(cli, archive, tmp_path):
    result = cli("run", archive.parent / "vi", "--pairs", archive, "-o", tmp_path / "m.tmx")
    assert result.exit_code == 1 and "not both" in result.stderr


# --- the same bytes whatever the number of processes -----------------------------------------

@pytest.mark.parametrize("jobs", ["2", "3"])
def test_memory_is_byte_identical_for_any_number_of_jobs(cli, archive, reference, tmp_path, jobs):
    output = tmp_path / "memory.tmx"
    result = cli("run", "--pairs", archive, "-o", output, "--presegmented", "--jobs", jobs)
    assert result.exit_code == 0, result.stderr
    assert output.read_bytes() == reference
    assert not folder_for(output).exists()  # the manifest goes once the memory is complete


def test_memory_keeps_input_order(reference):
    documents = [u.prop("x-document") for u in read_tmx(io.BytesIO(reference)).units]
    assert documents == sorted(documents) and len(set(documents)) == 12


def as_the_command_loads_it():
    """The lexicon and settings `align run --presegmented` uses (the seed glossary, self-training)."""
    return pipeline.load_lexicon(Settings(presegmented=True).checked(), str(seed_glossary_path()))


def test_self_training_learns_the_same_table_in_a_pool(archive):
    lexicon, settings = as_the_command_loads_it()
    pairs = read_pair_list(archive).pairs
    serial = pipeline.self_trained(pairs, settings.with_(self_train_pairs=30), lexicon)
    with parallel.ProcessExecutor(2, window=3) as pool:
        pooled = pipeline.self_trained(pairs, settings.with_(self_train_pairs=30), lexicon, pool)
    assert serial.table == pooled.table and serial.table
    assert serial.lexicon.translations == lexicon.with_translations(serial.table).translations
    assert len(serial.earlier) == len(pooled.earlier) < len(pairs)  # stopped once 30 pairs were learnt
    for one, other in zip(serial.earlier, pooled.earlier):  # the bytes differ: sets pickle in hash order
        assert one.beads == other.beads and pickle.loads(one.found) == pickle.loads(other.found)


def with_a_dictionary():
    """As the command loads it with a small --dictionary: the first pass's beads are handed on too."""
    lexicon, settings = as_the_command_loads_it()
    return lexicon.with_translations({"sinh viên": frozenset({"student"}), "dự án": frozenset({"project"})}), settings


def test_the_second_pass_takes_over_exactly_the_sentences_and_evidence_it_would_work_out(archive):
    assert set(pipeline._BARE_FIELDS) | {"words", "reach"} == {f.name for f in fields(Evidence)}
    lexicon, settings = with_a_dictionary()
    pairs = read_pair_list(archive).pairs
    trained = pipeline.self_trained(pairs, settings, lexicon)
    learnt = trained.lexicon
    assert learnt.translations != lexicon.translations and all(e.beads for e in trained.earlier)
    for pair, handed_on in zip(pairs, trained.earlier):
        src, trg = pipeline._load_pair(pair, settings, None)
        assert pipeline._take_over(handed_on.found, learnt) == \
            (src, trg, (pipeline._evidence(src, "vi", learnt), pipeline._evidence(trg, "en", learnt)))


def test_nothing_is_taken_over_from_pages_that_changed_between_the_passes(archive):
    lexicon, settings = with_a_dictionary()
    pairs = read_pair_list(archive).pairs
    trained = pipeline.self_trained(pairs, settings, lexicon)
    earlier = trained.earlier
    context = pipeline.Context(settings, lexicon)
    second = pipeline.Stage(learnt=pickle.dumps(trained.table))
    fresh = pipeline.attempt(pipeline.Job(pairs[1], stage=second), context).result
    assert pipeline.attempt(pipeline.Job(pairs[1], earlier=earlier[1], stage=second), context).result == fresh
    # the same number of sentences, but other pages: pair 0's evidence and beads must not be used
    assert len(pipeline._load_pair(pairs[0], settings, None)[0]) == len(pipeline._load_pair(pairs[1], settings, None)[0])
    assert pipeline.attempt(pipeline.Job(pairs[1], earlier=earlier[0], stage=second), context).result == fresh


def test_self_training_learns_from_a_bounded_number_of_word_pair_occurrences(archive, monkeypatch):
    lexicon, settings = as_the_command_loads_it()
    pairs = read_pair_list(archive).pairs
    learnt_from = []
    train = pipeline.train_translations
    monkeypatch.setattr(pipeline, "train_translations", lambda units, *rest: train(learnt_from.extend(units) or learnt_from, *rest))
    pipeline.self_trained(pairs, settings, lexicon)
    everything = list(learnt_from)
    sizes = [len(vi) * len(en) for vi, en in everything]
    budget = sum(sizes) // 3
    learnt_from.clear()
    earlier = pipeline.self_trained(pairs, settings.with_(self_train_occurrences=budget), lexicon).earlier
    kept = len(learnt_from)
    assert learnt_from == everything[:kept] and sum(sizes[:kept]) <= budget < sum(sizes[:kept + 1])
    assert len(earlier) < len(pairs)  # the first pass stopped there


def test_memory_with_a_dictionary_is_byte_identical_for_any_number_of_jobs(cli, archive, tmp_path):
    dictionary = tmp_path / "d.tsv"
    dictionary.write_text("sinh viên\tstudent\ndự án\tproject\nnghiên cứu\tresearch\n", encoding="utf-8")
    memories = []
    for jobs in ("1", "2"):
        output = tmp_path / f"memory-{jobs}.tmx"
        result = cli("run", "--pairs", archive, "-o", output, "--presegmented", "--jobs", jobs, "--dictionary", dictionary)
        assert result.exit_code == 0, result.stderr
        memories.append(output.read_bytes())
    assert memories[0] == memories[1] and b"self-trained" in memories[0]


@hsettings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(1, 8), st.integers(0, 40))
def test_bounded_window_keeps_order_and_never_holds_more_than_the_window(count, window, stop_after):
    in_flight, most, cancelled = set(), [0], []

    def submit(job):
        in_flight.add(job)
        most[0] = max(most[0], len(in_flight))
        return job

    def result(job):
        in_flight.discard(job)
        return job * 10

    outcomes = parallel._bounded_in_order(submit, result, range(count), window, cancelled.extend)
    taken = []
    for outcome in outcomes:
        taken.append(outcome)
        if len(taken) == stop_after:
            break
    outcomes.close()
    assert taken == [10 * k for k in range(min(count, stop_after or count))]
    assert most[0] <= window
    assert sorted(cancelled) == sorted(in_flight)  # everything still pending is cancelled


# --- failures ---------------------------------------------------------------------------------

def _with_bad_pair(archive, tmp_path, data: bytes):
    bad = tmp_path / "bad.vi.txt"
    bad.write_bytes(data)
    listed = tmp_path / "pairs.tsv"
    lines = archive.read_text().splitlines()
    base = archive.parent
    rows = [f"{base / line.split(chr(9))[0]}\t{base / line.split(chr(9))[1]}\t{line.split(chr(9))[2]}" for line in lines]
    rows.insert(5, f"{bad}\t{base / 'en/story-005.txt'}\tbroken")
    listed.write_text("\n".join(rows) + "\n")
    return listed, bad


@pytest.mark.parametrize("data, problem, jobs", [
    (b"", "empty", "1"),
    (b"", "empty", "2"),
    (b"\x00\x01\x02\x03binary\x00\x00", "binary data", "2"),
    (bytes(range(128, 256)) * 4, "not UTF-8", "2"),
    ("Một câu rất dài. ".encode() * 400 + b"\n", "characters long", "2"),
])
def test_keep_going_reports_the_bad_pair_and_aligns_the_rest(cli, archive, tmp_path, data, problem, jobs):
    listed, bad = _with_bad_pair(archive, tmp_path, data)
    output = tmp_path / "memory.tmx"
    result = cli("run", "--pairs", listed, "-o", output, "--presegmented", "--keep-going", "--jobs", jobs)
    assert result.exit_code == 2, result.stderr
    failure = [line for line in result.stderr.splitlines() if line.endswith("; skipped")]
    assert len(failure) == 1 and f"document broken ({bad}, " in failure[0] and problem in failure[0]
    assert "1 of 13 documents failed" in result.stderr
    documents = {u.prop("x-document") for u in read_tmx(str(output)).units}
    assert documents == {f"doc-{k:03d}" for k in range(12)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_without_keep_going_the_first_error_stops_the_run_and_writes_nothing(cli, archive, tmp_path, jobs):
    listed, bad = _with_bad_pair(archive, tmp_path, b"")
    output = tmp_path / "memory.tmx"
    result = cli("run", "--pairs", listed, "-o", output, "--presegmented", "--jobs", jobs)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f"align: error: {bad}:")
    assert not output.exists() and not folder_for(output).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.vi.txt", "pairs.tsv"]


def _blas_threads(job, context):
    return os.environ.get("OPENBLAS_NUM_THREADS")


def test_workers_run_numerical_libraries_on_one_thread_and_the_parent_keeps_its_own():
    # two workers of two OpenBLAS threads each on two cores made hit counting nearly twice as slow
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    parallel.warm_up(parallel.SMALL_RUN)
    assert list(parallel.ProcessExecutor(2).map(_blas_threads, range(3), None)) == [before or "1"] * 3
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before


def _worker(job, context):
    return os.getpid(), context


def test_a_pool_goes_on_to_the_next_pass_only_with_the_same_context():
    with parallel.ProcessExecutor(2, window=2) as pool:
        first = set(pool.map(_worker, range(6), ("lexicon", 1)))
        again = set(pool.map(_worker, range(6), ("lexicon", 1)))  # self-training's second pass
        other = set(pool.map(_worker, range(6), ("lexicon", 2)))
        stopped = pool.map(_worker, range(6), ("lexicon", 2))
        next(stopped)
        stopped.close()  # the first pass stops once it has enough pairs: its running jobs are ended
        after = set(pool.map(_worker, range(6), ("lexicon", 2)))
    assert {context for _, context in first | again} == {("lexicon", 1)}
    assert {pid for pid, _ in again} <= {pid for pid, _ in first}
    assert {context for _, context in other | after} == {("lexicon", 2)}
    assert not {pid for pid, _ in other} & {pid for pid, _ in first}
    assert not {pid for pid, _ in after} & {pid for pid, _ in other}


def _dies(job, context):
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def test_a_worker_that_dies_stops_the_run_with_a_clear_error():
    with pytest.raises(parallel.WorkerLost, match="--resume"):
        list(parallel.ProcessExecutor(2).map(_dies, range(4), None))


def test_options_that_cannot_work_together(cli, archive, tmp_path):
    ship = cli("run", "--pairs", archive, "-o", tmp_path / "m.tmx", "--ship-text")
    assert ship.exit_code == 1 and "--ship-text" in ship.stderr
    resume = cli("run", "--pairs", archive, "-o", "-", "--resume")
    assert resume.exit_code == 1 and "--resume" in resume.stderr
    with pytest.raises(ConfigError):
        parallel.executor_for(3, jobs=2, scheduler="tcp://127.0.0.1:1")


# --- resume -------------------------------------------------------------------------------------

class StopAfter(pipeline.Progress):
    """A progress counter that interrupts the run like Ctrl-C after `limit` documents."""

    def __init__(self, total, limit):
        super().__init__(total, quiet=True)
        self.limit = limit

    def advance(self, items=1, pairs=0):
        super().advance(items, pairs)
        if not self.label and self.done >= self.limit:  # documents aligned, not self-training's first pass
            raise KeyboardInterrupt


def test_progress_shows_self_trainings_first_pass_then_counts_the_run_afresh(archive, tmp_path):
    lexicon, settings = as_the_command_loads_it()
    pairing = read_pair_list(archive)
    stream = Terminal()
    with pipeline.Progress(len(pairing.pairs), stream=stream) as progress:
        pipeline.run_to_files(pairing, settings, lexicon, str(tmp_path / "memory.tmx"), progress=progress)
    lines = stream.getvalue().replace("\n", "\r").split("\r")
    first_pass = [line for line in lines if line.startswith("self-training, first pass: ")]
    assert first_pass and first_pass[-1].startswith("self-training, first pass: 12 documents")
    assert "left" not in first_pass[-1]  # no total, so no time left: the pass stops when it has enough
    after = lines[lines.index(first_pass[-1]) + 1:]
    assert after[0].startswith("0/12 documents (0%)")  # the run's own count starts at nothing
    assert any(line.startswith("12/12 documents (100%)") for line in after)


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupted_run_resumes_to_the_same_memory(archive, reference, tmp_path, jobs):
    lexicon, settings = as_the_command_loads_it()
    pairing = read_pair_list(archive)
    output = tmp_path / "memory.tmx"
    executor = parallel.executor_for(len(pairing.pairs), jobs)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_to_files(pairing, settings, lexicon, str(output), progress=StopAfter(12, 5), executor=executor)
    assert not output.exists() and folder_for(output).is_dir()
    summary = pipeline.run_to_files(pairing, settings, lexicon, str(output), executor=executor, resume=True)
    assert summary.resumed == 5
    assert output.read_bytes() == reference


def _processes_in_group(group: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{entry}/stat").read() if entry.isdigit() else ""
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 3 and int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the run's processes in /proc")
def test_a_run_killed_with_sigkill_resumes_to_the_same_memory(cli, tmp_path):
    archive = write_archive(tmp_path / "archive", 40, length=4)
    clean, killed = tmp_path / "clean.tmx", tmp_path / "killed.tmx"
    assert cli("run", "--pairs", archive, "-o", clean, "--presegmented", "--jobs", "1").exit_code == 0
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "align", "run", "--pairs", str(archive), "-o", str(killed),
                                "--presegmented", "--jobs", "2", "--quiet"], env=env, stderr=subprocess.PIPE,
                               start_new_session=True)
    manifest = folder_for(killed)
    deadline = time.monotonic() + 60
    while len(list(manifest.glob("*/*.json"))) < 3:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the run wrote no manifest entry in time"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 20
    while _processes_in_group(process.pid):  # its workers notice and stop too
        assert time.monotonic() < deadline, f"processes left behind: {_processes_in_group(process.pid)}"
        time.sleep(0.1)
    finished = len(list(manifest.glob("*/*.json")))
    assert not killed.exists() and 3 <= finished < 40
    resumed = cli("run", "--pairs", archive, "-o", killed, "--presegmented", "--jobs", "2", "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert f"{finished} documents taken from the interrupted run" in resumed.stderr
    assert killed.read_bytes() == clean.read_bytes()


def test_without_resume_an_old_manifest_is_not_used(cli, archive, tmp_path):
    output = tmp_path / "memory.tmx"
    folder_for(output).mkdir()
    (folder_for(output) / "stale").write_text("from another run")
    result = cli("run", "--pairs", archive, "-o", output, "--presegmented", "--jobs", "1")
    assert result.exit_code == 0 and "interrupted run" not in result.stderr
    assert not folder_for(output).exists()


# --- a Dask cluster -------------------------------------------------------------------------------

def test_a_local_dask_cluster_writes_the_same_memory(cli, archive, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        for extra in ([], ["--ship-text"]):
            output = tmp_path / f"cluster{len(extra)}.tmx"
            result = cli("run", "--pairs", archive, "-o", output, "--presegmented", "--scheduler",
                         cluster.scheduler_address, *extra)
            assert result.exit_code == 0, result.stderr
            assert output.read_bytes() == reference


@given(st.lists(st.integers(), max_size=50), st.integers(1, 9))
def test_dask_batches_keep_every_job_once_in_order(jobs, size):
    batches = list(parallel._batches(jobs, size))
    assert [job for batch in batches for job in batch] == jobs
    assert all(1 <= len(batch) <= size for batch in batches)
    assert all(len(batch) == size for batch in batches[:-1])
