"""Building the LaTeX documents into PDFs (``generate --pdf``), when a TeX engine is installed.

latexmk runs as many passes as the references need; without it pdflatex runs until its log no
longer asks to "Rerun" (at most four passes), so no ``??`` is left. Each run has a time limit and
reads no terminal input: a broken document fails with its first error line, never hangs. A document
with CJK text (``latex.needs_xelatex``) is built with XeLaTeX instead (``latexmk -xelatex``, or
xelatex passes): pdflatex has no glyphs for it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from quizapp.export.latex import DEBIAN_PACKAGES, needs_xelatex

MAX_PASSES = 4
TIMEOUT = 300  # seconds per pass


class PdfError(RuntimeError):
    """A document that did not build: says which and why."""


def engine(xelatex: bool = False) -> str | None:
    """The TeX driver to use ("latexmk", or the engine: "pdflatex", "xelatex" when ``xelatex``), or
    None when it is not installed."""
    if not xelatex:
        return next((name for name in ("latexmk", "pdflatex") if shutil.which(name)), None)
    if shutil.which("xelatex") is None:  # latexmk needs it too
        return None
    return "latexmk" if shutil.which("latexmk") else "xelatex"


def build(folder: str | Path, names: list[str]) -> list[Path]:
    """Build each ``.tex`` file of ``names`` in ``folder``; the PDFs written."""
    folder = Path(folder)
    jobs = []
    for name in names:  # every engine checked before the first run
        xelatex = needs_xelatex((folder / name).read_text(encoding="utf-8"))
        driver = engine(xelatex)
        if driver is None and xelatex:
            raise PdfError(f"{name} has text in a CJK script (Chinese, Japanese or Korean names), which only "
                           f"XeLaTeX prints: install it and a CJK font (Debian: apt-get install "
                           f"{' '.join(DEBIAN_PACKAGES)}), or build the .tex files yourself")
        if driver is None:
            raise PdfError("--pdf needs a TeX engine (latexmk or pdflatex): install TeX Live, or build the .tex "
                           "files yourself")
        jobs.append((name, driver, "xelatex" if xelatex else "pdflatex"))
    return [_build_one(folder, name, driver, tex) for name, driver, tex in jobs]


def _build_one(folder: Path, name: str, driver: str, tex: str) -> Path:
    base = ["-interaction=nonstopmode", "-halt-on-error"]
    if driver == "latexmk":
        _run(["latexmk", "-pdf" if tex == "pdflatex" else "-xelatex", "-silent", *base, name], folder, name)
    else:
        for _ in range(MAX_PASSES):
            log = _run([tex, *base, name], folder, name)
            if "Rerun to get" not in log and "Label(s) may have changed" not in log:
                break
    pdf = folder / (Path(name).stem + ".pdf")
    if not pdf.exists():
        raise PdfError(f"{name}: no PDF was written")
    return pdf


def _run(command: list[str], folder: Path, name: str) -> str:
    try:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace",
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise PdfError(f"{name}: the TeX run took longer than {TIMEOUT} s and was stopped") from None
    if done.returncode != 0:
        first = next((line for line in done.stdout.splitlines() if line.startswith("!")), "see the .log file")
        raise PdfError(f"{name}: LaTeX failed: {first}")
    return done.stdout
