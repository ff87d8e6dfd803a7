"""A local run's state inside OUT, so that a killed run can be finished (`--resume`) or started over (`--force`).

    OUT/.dedupe-run/run.json        what the run was started with: settings, the batches' sizes
    OUT/.dedupe-run/inputs.json     every input file's size and modification time
    OUT/.dedupe-run/outputs.json    every cleaned copy pass 2 may write (written before pass 2 starts)
    OUT/.dedupe-run/batch-N.pickle  pass 1's findings of batch N, for pass 2
    OUT/.dedupe-run/sign-N.pickle   pass 1's result of batch N: written last, so it marks the batch complete
    OUT/.dedupe-run/clean-N.pickle  pass 2's result of batch N, written once its copies are: it marks them done

Every file is written atomically, so after SIGKILL each one is whole or
absent; a batch with its marker is never redone, one without is redone
whole. Like datatrove's per-task completion files, but per batch of files.
The folder is deleted once the run's report and OUT's marker are written.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np

from . import __version__, _core
from .config import Config
from .errors import UsageError
from .read import MARKER, RUN_DIRNAME, walk
from .write import atomic_stream, atomic_write, is_temp

#: The layout of the batch files below: a run another layout left cannot be resumed (a development build keeps
#: its version while its batch files change). Raise it with every change to what a stage pickles.
STATE_LAYOUT = 4
#: Settings that change how a run goes but never its output: a resume may change them.
_FREE = ("jobs", "shuffle_partitions")


def run_settings(config: Config, src: Path, report: Path, against: list = ()) -> dict:
    """What a resumed run must share with the run it continues (besides its input files)."""
    out = {k: v for k, v in config.to_json().items() if k not in _FREE}
    if config.allow:  # the allow-list's content, not only its name
        try:
            out["allow"] = [config.allow, hashlib.sha256(Path(config.allow).read_bytes()).hexdigest()]
        except OSError:
            pass
    out["against"] = [str(a) for a in against]
    return {"version": __version__, "state": STATE_LAYOUT, "input": str(src.resolve()), "report": str(report.resolve()), "config": out}


def fingerprint(src: Path, files: list[str]) -> list[list]:
    """Each input file's [relative path, size, modification time in ns] (-1s if it cannot be read)."""
    if os.name == "posix" and files:
        # In the core, the paths handed over as one buffer: Python's loop cost as much as the system calls
        # (10,000 files on tmpfs: 31 ms in the loop below, 15 so).
        names = "\0".join(files).encode("utf-8", "surrogateescape") + b"\0"
        stats = np.frombuffer(_core.stat_files(src, names), "<i8").tolist()
        return [[rel, size, time] for rel, size, time in zip(files, stats[0::2], stats[1::2])]
    out = []
    for rel in files:
        try:
            st = os.stat(os.path.join(src, rel))
            out.append([rel, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([rel, -1, -1])
    return out


class RunState:
    """A run's folder in OUT: its settings, its batches' results as they complete."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def start(cls, dst: Path, settings: dict, inputs: list[list], sizes: list[int]) -> "RunState":
        """A new run's folder (any earlier one is gone already: --force, or OUT was empty)."""
        state = cls(dst / RUN_DIRNAME)
        # inputs.json first: a run.json without it is never left behind (resume reads run.json first).
        atomic_write(state.folder / "inputs.json", _dump(inputs))
        atomic_write(state.folder / "run.json", _dump({**settings, "batches": sizes}))
        return state

    @classmethod
    def reopen(cls, dst: Path, settings: dict, inputs: list[list]) -> tuple["RunState", list[int]]:
        """The interrupted run's folder and its batches' sizes, once its settings and inputs are this run's.

        UsageError naming what differs otherwise, or if there is nothing to resume.
        """
        state = cls(dst / RUN_DIRNAME)
        try:
            before = json.loads((state.folder / "run.json").read_bytes())
            old_inputs = json.loads((state.folder / "inputs.json").read_bytes())
        except (OSError, ValueError):
            raise UsageError(f"--resume: the state of the run in {dst} cannot be read; use --force to start over") \
                from None
        sizes = before.pop("batches")
        if before.get("state") != settings["state"] and before.get("version") == settings["version"]:
            raise UsageError(_refusal(f"its batch files have another layout ({before.get('state')}, this build "
                                      f"writes {settings['state']}): finish it with the build that started it"))
        for key in ("version", "input", "report"):
            if before.get(key) != settings[key]:
                raise UsageError(_refusal(f"its {key} was {before.get(key)}, this run's is {settings[key]}"))
        old, new = before.get("config", {}), settings["config"]
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        if changed:
            said = ", ".join(f"{k} {_show(old.get(k))} -> {_show(new.get(k))}" for k in changed[:5])
            raise UsageError(_refusal(f"other settings ({said}); use the same ones"))
        if old_inputs != inputs:
            raise UsageError(_refusal(f"the input files changed since ({_changes(old_inputs, inputs)})"))
        return state, sizes

    def outputs(self, rels: list[str]) -> None:
        """Name every cleaned copy pass 2 may write, before it writes any: --force deletes them after a kill."""
        atomic_write(self.folder / "outputs.json", _dump(sorted(rels)))

    def path(self, stage: str, number: int) -> Path:
        """The file of batch `number` in a stage: 'batch' (pass 1's findings), 'sign' or 'clean' (its result); or
        of pass `number`'s state as the run's pool receives it ('workers': `pipeline._Pool`)."""
        return self.folder / f"{stage}-{number:07d}.pickle"

    def streams(self, number: int) -> Path:
        """The file of pass-2 batch `number`'s report lines (`report.ReportPart.spill`), written before its result."""
        return self.folder / f"report-{number:07d}.bytes"

    def done(self, stage: str, number: int) -> bool:
        return self.path(stage, number).is_file()

    def load(self, stage: str, number: int):
        with open(self.path(stage, number), "rb") as f:
            return pickle.load(f)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def save(folder: Path, stage: str, number: int, result) -> None:
    """A batch's result into its run's folder (in the worker that made it); never into a folder that is gone."""
    # Pickled straight into the file: a batch whose report lines hold a large document's removed text would
    # otherwise be held twice more, as one bytes object.
    with atomic_stream(RunState(folder).path(stage, number), make_folder=False) as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)


def leftovers(dst: Path) -> list[str]:
    """What an interrupted local run left in OUT that --force must delete: the cleaned copies it may have
    written (outputs.json), as relative paths. Empty if it never got to pass 2."""
    try:
        return json.loads((dst / RUN_DIRNAME / "outputs.json").read_bytes())
    except (OSError, ValueError):
        return []


def remove_temporaries(folder: Path) -> None:
    """Delete dedupe's temporary files under a folder (what a killed process was writing), nothing else."""
    for here, _folders, files, _errors in walk(folder):
        for name in files:
            if is_temp(name):
                try:
                    os.unlink(os.path.join(here, name))
                except OSError:
                    pass


def has_state(dst: Path) -> bool:
    """Whether OUT holds an interrupted run to resume (True), or one killed before it wrote its state (False).

    UsageError if it holds neither: no dedupe run, or a finished one.
    """
    if (dst / RUN_DIRNAME / "run.json").is_file():
        return True
    marker = _marker(dst)
    if marker.get("complete", True) is False:
        return False
    what = "a finished run: nothing to resume" if marker else "no interrupted dedupe run"
    raise UsageError(f"--resume: {dst} holds {what}; run without --resume (with --force to start over)")


def interrupted(dst) -> str:
    """What a run that stopped left in OUT, said for the user: how to finish it or start over."""
    if isinstance(dst, Path) and (dst / RUN_DIRNAME / "run.json").is_file():
        return f"{dst} is incomplete: run again with --resume to finish it, or with --force to start over"
    if isinstance(dst, Path) and _marker(dst).get("complete") is False:
        return f"{dst} is incomplete: run again with --force to start over"
    return f"nothing was written to {dst}"


def _marker(dst: Path) -> dict:
    try:
        data = json.loads((dst / MARKER).read_bytes())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _refusal(why: str) -> str:
    return f"--resume refused: the interrupted run differs: {why}; or use --force to start over"


def _show(value) -> str:
    return "(unset)" if value is None else json.dumps(value, ensure_ascii=False)


def _changes(old: list[list], new: list[list]) -> str:
    """The first few files added, removed or changed, by name."""
    before, after = {r[0]: r[1:] for r in old}, {r[0]: r[1:] for r in new}
    said = [f"{rel} added" for rel in sorted(set(after) - set(before))]
    said += [f"{rel} removed" for rel in sorted(set(before) - set(after))]
    said += [f"{rel} modified" for rel in sorted(set(before) & set(after)) if before[rel] != after[rel]]
    more = f", and {len(said) - 3} more" if len(said) > 3 else ""
    return ", ".join(said[:3]) + more


def _dump(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8")
