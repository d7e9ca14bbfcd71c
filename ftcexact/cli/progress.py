"""Progress display for long commands: tqdm bars on a terminal, nothing when stderr is piped.

Nothing here decides anything; the bars only show that work is going on.  The
trusted kernel never imports this module (nor tqdm): where a kernel routine
takes a ``progress`` callback (e.g. :func:`ftcexact.kernel.records.check_records`),
the command passes :meth:`Bar.update`.
"""

from __future__ import annotations

import sys
import threading

__all__ = ["bar", "Stages", "enabled"]


def enabled(no_progress=False):
    """Whether to show progress: stderr is a terminal and ``--no-progress`` was not given."""
    try:
        return not no_progress and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


class _Quiet:
    """The bar used when nothing is shown: every method does nothing."""

    def update(self, n=1):
        pass

    def set_description(self, desc=None, refresh=True):
        pass

    def set_description_str(self, desc=None, refresh=True):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def bar(total=None, desc=None, unit="it", show=True, **options):
    """A tqdm bar on stderr when :func:`enabled` and ``show``, else a do-nothing object.

    Parameters
    ----------
    total : int, optional
        Expected number of updates (None: a counter without a fraction).
    desc : str, optional
    unit : str
    show : bool
        False forces the quiet object (e.g. with ``--json`` or ``--no-progress``).
    **options
        Passed to :class:`tqdm.tqdm` (e.g. ``unit_scale=True``).

    Examples
    --------
    >>> with bar(total=3, show=False) as b:      # piped or switched off: nothing is printed
    ...     b.update(3)
    """
    if not (show and enabled()):
        return _Quiet()
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False, **options)


class Stages:
    """A one-line display of the current stage of a long single call, with a ticking clock.

    Used where the work is one call without a progress hook (a construction, the
    trusted verifier): ``stage(text)`` names what runs now; a background thread
    refreshes the elapsed time every half second.  Quiet unless :func:`enabled`.

    Examples
    --------
    >>> with Stages("certify", show=False) as s:
    ...     s.stage("building")
    """

    def __init__(self, command, show=True):
        self.bar = bar(desc=command, show=show, bar_format="{desc} [{elapsed}]")
        self.command = command
        self._stop = threading.Event()
        self._thread = None
        if not isinstance(self.bar, _Quiet):
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self):
        while not self._stop.wait(0.5):
            try:
                self.bar.refresh()
            except Exception:  # noqa: BLE001 - display only
                return

    def stage(self, text):
        """Show ``command: text``."""
        self.bar.set_description_str(f"{self.command}: {text[:70]}")

    def close(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class StageStream:
    """A text stream that forwards to ``stream`` and names the last ``c`` line as the stage.

    The verifier prints comment lines (``c dataset: ...``, ``c evaluation: ...``)
    as it goes; on a terminal they become the stages of a :class:`Stages` line,
    which is cleared before each write so the lines and the display do not mix.
    """

    def __init__(self, stream, stages):
        self.stream, self.stages = stream, stages

    def write(self, text):
        bar = self.stages.bar
        if not isinstance(bar, _Quiet):
            bar.clear()
        self.stream.write(text)
        self.stream.flush()
        line = text.strip()
        if line.startswith("c "):
            self.stages.stage(line[2:])
        return len(text)

    def flush(self):
        self.stream.flush()
