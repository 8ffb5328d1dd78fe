"""Progress output: a status line on a terminal only, never with --quiet, never in a pipe."""

import io

from hypothesis import given, strategies as st

from align.progress import Progress, progress_line

from conftest import Terminal


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_line_shows_count_share_rate_and_time_left():
    assert progress_line(250, 1000, 10.0) == "250/1,000 documents (25%), 25.0/s, 30s left"
    assert progress_line(10, 10, 2.0, pairs=1234) == "10/10 documents (100%), 5.0/s, 1,234 pairs"
    assert progress_line(3, None, 0.0, unit="units") == "3 units"
    assert progress_line(1, None, 2.0, label="first pass") == "first pass: 1 document, 0.5/s"
    assert progress_line(1, 7200, 1.0).endswith("1h59m left")


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.floats(0, 1e5))
def test_line_never_fails_and_names_the_total(done, total, seconds):
    done = min(done, total)
    assert f"/{total:,} documents" in progress_line(done, total, seconds)


def test_terminal_gets_one_line_redrawn_in_place_then_a_newline():
    stream, clock = Terminal(), Clock()
    with Progress(3, stream=stream, clock=clock) as progress:
        for _ in range(3):
            clock.now += 1.0
            progress.advance(pairs=2)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "\r3/3 documents (100%), 1.0/s, 6 pairs" in text


def test_pipe_and_quiet_get_nothing():
    pipe = io.StringIO()
    quiet_terminal = Terminal()
    for progress in (Progress(5, stream=pipe), Progress(5, stream=quiet_terminal, quiet=True)):
        progress.advance()
        progress.close()
    assert pipe.getvalue() == "" and quiet_terminal.getvalue() == ""


def test_redraws_are_throttled():
    stream, clock = Terminal(), Clock()
    progress = Progress(1000, stream=stream, clock=clock)
    for _ in range(999):
        clock.now += 0.001
        progress.advance()
    assert stream.getvalue().count("\r") < 10


def test_a_restarted_phase_counts_from_nothing_with_its_own_rate_and_label():
    stream, clock = Terminal(), Clock()
    with Progress(4, stream=stream, clock=clock) as progress:
        progress.restart(None, "first pass")
        for _ in range(3):
            clock.now += 10.0
            progress.advance(pairs=5)
        progress.restart(4)
        clock.now += 1.0
        progress.advance()
    lines = stream.getvalue().strip().split("\r")
    assert "first pass: 3 documents, 0.1/s, 15 pairs" in lines
    assert lines[-1].rstrip() == "1/4 documents (25%), 1.0/s, 3s left"  # not slowed by the first pass's 30 s
