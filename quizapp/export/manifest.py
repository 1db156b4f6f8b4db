"""The manifest: what a problem set was made from, so it can be made again and checked.

It records the app version, the set's seed, each variant's seed (and student id), each question's
template, template version and seed, the multiple-choice decisions (with the reason when a part
stayed numeric) and the SHA-256 of every file written. It holds no timestamp: the same command
gives the same manifest, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from quizapp.export.data import dumps
from quizapp.export.model import ProblemSet

FILE = "manifest.json"


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quizapp")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def manifest(ps: ProblemSet, files: Mapping[str, bytes], command: Mapping[str, Any] | None = None) -> dict[str, Any]:
    templates: dict[str, int] = {}
    for v in ps.variants:
        for q in v.questions:
            templates[q.template] = q.version
    return {
        "app": {"name": "quizapp", "version": ps.app_version},
        "format_version": 1,
        "title": ps.title,
        "seed": ps.seed,
        "points": ps.points,
        "options": dict(command or {}),
        "templates": [{"id": tid, "version": templates[tid]} for tid in sorted(templates)],
        "variants": [{"id": v.id, "student": v.student, "seed": v.seed,
                      "questions": [{"number": q.number, "template": q.template, "version": q.version,
                                     "seed": q.seed} for q in v.questions]} for v in ps.variants],
        "multiple_choice": list(ps.decisions),
        "files": [{"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in sorted(files.items())],
    }


def render(ps: ProblemSet, files: Mapping[str, bytes], command: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    return {FILE: dumps(manifest(ps, files, command)).encode()}
