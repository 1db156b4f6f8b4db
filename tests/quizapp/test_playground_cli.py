"""`quizapp playground`: scripted runs without the UI, reproducible across processes."""

import json
import subprocess
import sys

import pytest

from quizapp.cli import main
from quizapp.playground.session import PlaygroundSession

DEMO = ["playground", "--dataset", "xor", "--hidden", "4,4", "--activation", "tanh", "--steps", "500", "--seed", "1"]
RUN_CLI = "import sys; from quizapp.cli import main; sys.exit(main(sys.argv[1:]))"


def _cli(*args):
    return subprocess.run([sys.executable, "-c", RUN_CLI, *args], capture_output=True, text=True, timeout=120)


def test_json_in_a_fresh_process_is_the_same_run_as_in_this_one():
    result = _cli(*DEMO, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    st = PlaygroundSession(dataset="xor", hidden=(4, 4), activation="tanh", seed=1).step(500)
    assert out["final"] == {
        "step": 500, "epoch": 50.0, "train_loss": st.train_loss, "test_loss": st.test_loss,
        "train_accuracy": st.train_accuracy, "test_accuracy": st.test_accuracy, "diverged": False,
    }
    assert out["final"]["train_accuracy"] == 1.0
    assert out["settings"]["hidden"] == [4, 4] and out["settings"]["optimizer"] == "adam"


def test_text_output(capsys):
    assert main(["playground", "--dataset", "circle", "--hidden", "0", "--features", "x1^2,x2^2",
                 "--steps", "300"]) == 0
    out = capsys.readouterr().out
    assert "no hidden layer" in out and "features x₁², x₂²" in out
    assert "train accuracy 100.0%" in out and "step 300 (epoch 30.0)" in out


def test_options_reach_the_settings(capsys):
    args = ["playground", "--hidden", "", "--optimizer", "momentum", "--lr", "0.1", "--l1", "0.01", "--l2", "0.02",
            "--batch-size", "0", "--dropout", "0.1", "--noise", "0.2", "--points", "60", "--train-ratio", "0.7",
            "--steps", "3", "--seed", "4", "--json"]
    assert main(args) == 0
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert settings == {
        "dataset": "xor", "points": 60, "noise": 0.2, "train_ratio": 0.7, "features": ["x1", "x2"], "hidden": [],
        "activation": "tanh", "optimizer": "momentum", "lr": 0.1, "l1": 0.01, "l2": 0.02, "batch_size": 0,
        "dropout": 0.1, "seed": 4,
    }


def test_plot_draws_half_blocks(capsys):
    assert main(["playground", "--steps", "2", "--plot"]) == 0
    assert capsys.readouterr().out.count("▀") == 48 * 24


def test_diverged_run_prints_null_losses(capsys):
    assert main(["playground", "--dataset", "moons", "--activation", "linear", "--hidden", "4", "--optimizer", "sgd",
                 "--lr", "10", "--steps", "300", "--json"]) == 0
    final = json.loads(capsys.readouterr().out)["final"]
    assert final["diverged"] is True and final["train_loss"] is None


@pytest.mark.parametrize("args, message", [
    (["--hidden", "4,x"], "--hidden"),
    (["--dataset", "ring"], "unknown dataset 'ring'"),
    (["--features", "x3"], "unknown feature 'x3'"),
    (["--steps", "-1"], "--steps"),
    (["--lr", "0"], "lr must be positive"),
])
def test_bad_usage_exits_2_with_a_message(capsys, args, message):
    assert main(["playground", *args]) == 2
    assert message in capsys.readouterr().err


def test_bad_usage_in_a_subprocess():
    result = _cli("playground", "--optimizer", "lbfgs")
    assert result.returncode == 2 and "unknown optimizer 'lbfgs'" in result.stderr and not result.stdout
