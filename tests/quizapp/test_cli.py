"""The command line through a subprocess: the documented JSON contract, exit codes, batch files.

The commands run as the installed ``quizapp`` script does (``quizapp.cli.main``); the last test
runs ``python -m quizapp.cli`` itself.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
MAIN = "import sys; from quizapp.cli import main; sys.exit(main(sys.argv[1:]))"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def run_json(*args: str) -> tuple[int, object]:
    proc = run(*args, "--json")
    return proc.returncode, json.loads(proc.stdout)


MOMENTUM = ["--set", "w=[0.5, -1]", "--set", "g=[0.4, 0.2]", "--set", "v=[0.3, -0.6]", "--set", "lr=1/2",
            "--set", "rho=0.9"]
# v = ρv + g = [0.67, -0.34]; w = w - αv = [0.165, -0.83]; CS231n v = ρv - αg = [0.07, -0.64]


def test_list_json_names_parameters_and_parts():
    code, data = run_json("list")
    assert code == 0
    by_id = {t["id"]: t for t in data}
    assert {"id", "title", "topic", "parameters", "parts"} <= set(by_id["adam-step"])
    assert by_id["momentum-step"]["parts"] == ["v", "w"]
    assert {"w", "g", "v", "lr", "rho"} <= set(by_id["momentum-step"]["parameters"])
    code, only = run_json("list", "--topic", "optimizers")
    assert code == 0 and only and all(t["topic"] == "optimizers" for t in only)
    bad = run("list", "--topic", "astrology")
    assert bad.returncode == 2 and "no topic 'astrology'" in bad.stderr


def test_show_lists_parameters_conventions_and_an_example():
    proc = run("show", "adam-step")
    assert proc.returncode == 0
    for text in ("Parameters", "m_prev", "no-bias-correction", "Example (seed 0)", "Answer: m = "):
        assert text in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour when not on a terminal
    assert run("show", "adam-stp").returncode == 2


def test_solve_json_contract_and_seed():
    code, d = run_json("solve", "momentum-step", "--seed", "11", *MOMENTUM)
    assert code == 0
    assert set(d) == {"template", "seed", "params", "answer", "steps"}
    assert d["seed"] == 11 and d["params"]["lr"] == 0.5
    assert d["answer"]["v"] == pytest.approx([0.67, -0.34])
    assert d["answer"]["w"] == pytest.approx([0.165, -0.83])
    assert [s["name"] for s in d["steps"]] == ["v", "step", "w"]  # the step α·v is written down too
    assert {"name", "label", "formula", "substituted", "value", "given"} <= set(d["steps"][0])


def test_solve_without_seed_prints_the_seed_it_drew_and_it_reproduces():
    proc = run("solve", "sgd-step")
    assert proc.returncode == 0
    seed = int(proc.stdout.split("seed ", 1)[1].split()[0])
    code, d = run_json("solve", "sgd-step", "--seed", str(seed))
    again = run("solve", "sgd-step", "--seed", str(seed))
    assert code == 0 and d["seed"] == seed and again.stdout == proc.stdout


def test_check_right_wrong_and_carried_forward():
    code, d = run_json("check", "momentum-step", *MOMENTUM, "--answer", "v=[0.67, -0.34]",
                       "--answer", "w=[0.165, -0.83]")
    assert code == 0 and d["correct"] is True and d["score"] == 1.0
    # A slip in v, then w worked from it: w = w - α·v_student
    code, d = run_json("check", "momentum-step", *MOMENTUM, "--answer", "v=[1, 1]", "--answer", "w=[0, -1.5]")
    assert code == 1 and d["score"] == 0.5 and d["first_wrong_step"] == "v"
    assert d["parts"]["w"]["correct"] is True and d["parts"]["w"]["carried_forward"] is True
    code, d = run_json("check", "momentum-step", *MOMENTUM, "--answer", "v=[0.07, -0.64]")
    diag = d["parts"]["v"]["diagnosis"]
    assert code == 1 and d["parts"]["v"]["correct"] is False
    assert diag["id"] == "cs231n-form" and diag["kind"] == "convention"


def test_check_human_output_names_the_first_wrong_step():
    proc = run("check", "momentum-step", *MOMENTUM, "--answer", "v=[0.07, -0.64]", "--answer", "w=[0.165, -0.83]")
    assert proc.returncode == 1
    assert "first left the right path at v" in proc.stdout
    # the convention is named in words, never by its id
    assert "v (another convention): " in proc.stdout and "cs231n-form" not in proc.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["check", "momentum-step", *MOMENTUM, "--answer", "q=1"], "no part or step named 'q'"),
    (["check", "momentum-step", "--answer", "v=1"], "give the question's numbers"),
    (["check", "momentum-step", *MOMENTUM], "give at least one --answer"),
    (["check", "momentum-step", "--set", "w", "--answer", "v=1"], "--set expects NAME=VALUE"),
    (["solve", "momentum-step", "--set", "lr=1/*2"], "parameter lr"),
    (["solve", "nope"], "no template 'nope'"),
    (["solve"], "give a template id"),
    (["solve", "--batch", "/nonexistent/file.jsonl"], "cannot read"),
    (["grad", "(x + y", "--at", "x=1", "--at", "y=2"], "^"),
    (["grad", "x*y", "--at", "x=1"], "no value for y"),
    (["grad", "x", "--at", "x=1", "--at", "z=2"], "z not in the expression"),
])
def test_bad_input_exits_2_with_the_message_on_stderr(args, message):
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stdout == ""


def test_check_reports_an_unreadable_answer_with_a_caret():
    proc = run("check", "momentum-step", *MOMENTUM, "--answer", "v=[0.67, *]", "--json")
    d = json.loads(proc.stdout)
    # handed back, not graded: nothing else was given, so nothing was checked (a usage error, exit 2)
    assert proc.returncode == 2 and "^" in d["parts"]["v"]["message"] and d["parts"]["v"]["given"] is None
    assert d["parts"]["v"]["status"] == "unreadable" and d["not_checked"] == ["v", "w"]


BATCH = [
    {"template": "momentum-step", "student": "ana", "answer": {"v": "[0.67, -0.34]", "w": [0.165, -0.83]},
     "params": {"w": [0.5, -1], "g": [0.4, 0.2], "v": [0.3, -0.6], "lr": 0.5, "rho": 0.9}},
    "{broken",
    {"template": "momentum-step", "student": "ben", "answer": {"v": "[0.07, -0.64]"},
     "params": {"w": "[0.5, -1]", "g": "[0.4, 0.2]", "v": "[0.3, -0.6]", "lr": "0.5", "rho": "0.9"}},
    {"template": "no-such-template", "answer": {"x": "1"}},
    {"template": "sgd-step", "params": {"w": [1.0], "g": [2.0], "lr": 0.1}, "answer": {"w": "0.8"}},
]


def _batch_file(tmp_path: Path) -> Path:
    path = tmp_path / "class.jsonl"
    path.write_text("\n".join(b if isinstance(b, str) else json.dumps(b) for b in BATCH) + "\n", encoding="utf-8")
    return path


def test_check_batch_json_one_result_per_line_and_bad_lines_do_not_stop_it(tmp_path):
    proc = run("check", "--batch", str(_batch_file(tmp_path)), "--json")
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5]
    assert results[0]["correct"] is True and results[0]["student"] == "ana"
    assert "not valid JSON" in results[1]["error"]
    assert results[2]["parts"]["v"]["diagnosis"]["id"] == "cs231n-form"
    assert "no template" in results[3]["error"]
    assert results[4]["correct"] is True  # "0.8" read as the 1-entry vector [0.8]
    assert proc.returncode == 2 and "2 of 5 lines had errors" in proc.stderr


def test_check_batch_without_json_ends_with_the_class_report(tmp_path):
    proc = run("check", "--batch", str(_batch_file(tmp_path)))
    out = proc.stdout
    assert "line 2: error: not valid JSON" in out and "line 3 ben:" in out
    report = out[out.index("Class report"):]
    row = next(line for line in report.splitlines() if line.startswith("momentum-step"))
    assert "50%" in row and "cs231n-form (convention) ×1" in row
    assert "2 lines could not be graded" in report


def test_solve_batch_from_stdin():
    lines = [json.dumps({"template": "sgd-step", "params": {"w": [1.0], "g": [2.0], "lr": 0.1}}), "[]"]
    proc = run("solve", "--batch", "-", "--json", "--seed", "5", stdin="\n".join(lines))
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    assert first["answer"]["w"] == pytest.approx([0.8]) and first["seed"] == 5
    assert "error" in second and proc.returncode == 2


def test_grad_seed_example_json():
    code, d = run_json("grad", "(x + y) * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4")
    assert code == 0
    assert d["value"] == -12 and d["grads"] == {"x": -4, "y": -4, "z": 3}
    nodes = {n["name"]: n for n in d["nodes"]}
    assert nodes["n1"]["op"] == "+" and nodes["n1"]["inputs"] == ["x", "y"] and nodes["n1"]["value"] == 3
    assert nodes["n1"]["local"] == [1, 1] and nodes["n1"]["upstream"] == -4 and nodes["n1"]["downstream"] == [-4, -4]
    assert nodes["f"]["op"] == "*" and nodes["f"]["upstream"] == 1 and nodes["f"]["downstream"] == [-4, 3]


def test_grad_sigmoid_neuron_against_torch():
    torch = pytest.importorskip("torch")
    vals = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in vals.items()}
    f = torch.sigmoid(t["w0"] * t["x0"] + t["w1"] * t["x1"] + t["w2"])
    f.backward()
    at = [a for k, v in vals.items() for a in ("--at", f"{k}={v}")]
    code, d = run_json("grad", "sigmoid(w0*x0 + w1*x1 + w2)", *at)
    assert code == 0 and math.isclose(d["value"], f.item(), rel_tol=1e-12)
    for k in vals:
        assert math.isclose(d["grads"][k], t[k].grad.item(), rel_tol=1e-12), k


def test_grad_human_table_has_every_node():
    proc = run("grad", "max(a, b) * exp(a)", "--at", "a=1", "--at", "b=-1")
    assert proc.returncode == 0
    assert "∂f/∂a = 5.43656" in proc.stdout and "∂f/∂b = 0" in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if line.startswith("node"))
    for column in ("op", "value", "local", "upstream", "gradient"):
        assert column in header
    assert sum(line.split()[0] in {"a", "b", "n1", "n2", "f"} for line in proc.stdout.splitlines()) >= 5


def test_lint_fine_and_broken_templates(tmp_path):
    proc = run("lint", str(DATA), "--seeds", "5")
    assert proc.returncode == 0, proc.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text((DATA / "test-sigfigs.yaml").read_text().replace("solver: logistic_regression",
                                                                       "solver: no_such_solver"))
    code, d = run_json("lint", str(broken), "--seeds", "5")
    assert code == 1 and d["ok"] is False
    assert d["issues"][0]["file"].endswith("broken.yaml") and d["issues"][0]["line"] > 0
    assert run("lint", str(tmp_path / "missing")).returncode == 2


def test_python_m_entry_point_reports_usage_errors():
    proc = subprocess.run([sys.executable, "-m", "quizapp.cli", "solve", "no-such-template"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2, proc.stderr[-300:]
    assert proc.stderr.startswith("quizapp: error: no template")


class _Terminal:
    """A stream that says it is a terminal."""

    def __init__(self) -> None:
        import io

        self.buffer = io.StringIO()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def flush(self) -> None:
        pass


def test_tables_are_rich_on_a_terminal_and_plain_otherwise():
    import io

    from quizapp import output

    rows = [("v", output.mark(False, _Terminal()), "[0.07, -0.64]")]
    tty = _Terminal()
    output.table(("answer", "result", "given"), rows, stream=tty)
    assert "┃" in tty.buffer.getvalue() and "[0.07, -0.64]" in tty.buffer.getvalue()
    pipe = io.StringIO()
    output.table(("answer", "result", "given"), [("v", output.mark(False, pipe), "[0.07, -0.64]")], stream=pipe)
    assert pipe.getvalue().splitlines() == ["answer  result  given", "v       wrong   [0.07, -0.64]"]


def test_solve_params_fed_back_in_a_batch_give_the_same_answers(tmp_path, capsys):
    """What `solve --json` prints is enough to reproduce the question (derived text included)."""
    from question_bank.bank import load_bank
    from quizapp.cli import main

    lines, expected = [], {}
    for template_id in load_bank().ids():
        assert main(["solve", template_id, "--seed", "2", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        line = {"template": template_id, "params": out["params"]}
        if not out["params"]:  # a concept question drawn from its pool has no numbers: its seed draws it
            line["seed"] = out["seed"]
        lines.append(json.dumps(line))
        expected[template_id] = out["answer"]
    batch = tmp_path / "again.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    assert main(["solve", "--batch", str(batch), "--json"]) == 0
    results = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r.get("error") for r in results] == [None] * len(lines)
    assert {r["template"]: r["answer"] for r in results} == expected


def test_output_piped_into_a_reader_that_stops_early_is_not_a_traceback():
    script = f"{sys.executable} -c {MAIN!r} solve adam-step --seed 3 | head -n 1"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.stdout.strip() == "adam-step  seed 3"
    assert proc.stderr == ""
