"""`quizapp playground`: train a Playground network without the UI and print how it ended.

For TAs' scripted demos: the same seed gives the same numbers, and ``--json`` prints a stable dict
(sorted keys: ``settings``, ``final``; NaN as null).
"""

from __future__ import annotations

import argparse
from typing import Any

from quizapp.errors import UsageError

DEFAULT_STEPS = 500


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "playground",
        help="train a small network on a 2-D data set (no UI) and print losses and accuracy",
        description="Train a Playground network without the UI and print the final losses and accuracy.",
    )
    p.add_argument("--dataset", default="xor", help="xor, circle, gauss, moons or spiral (default xor)")
    p.add_argument("--hidden", default="4,2",
                   help='neurons per hidden layer, e.g. "4,4"; "" or 0 for no hidden layer (default 4,2)')
    p.add_argument("--activation", default="tanh", help="relu, tanh, sigmoid or linear (default tanh)")
    p.add_argument("--features", default="x1,x2",
                   help="inputs among x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2 (x1^2, sin(x1) also work; default x1,x2)")
    p.add_argument("--optimizer", default="adam", help="sgd, momentum, adam or rmsprop (default adam)")
    p.add_argument("--lr", type=float, default=0.03, help="learning rate (default 0.03)")
    p.add_argument("--l1", type=float, default=0.0, help="L1 strength α in α·Σ|w| (default 0)")
    p.add_argument("--l2", type=float, default=0.0, help="L2 strength α in α·Σw² (default 0)")
    p.add_argument("--batch-size", type=int, default=10, help="examples per step, 0 = full batch (default 10)")
    p.add_argument("--dropout", type=float, default=0.0, help="probability of dropping a hidden unit (default 0)")
    p.add_argument("--noise", type=float, default=0.0, help="label/point noise, 0 to 1 (the Playground's %% / 100)")
    p.add_argument("--points", type=int, default=200, help="number of points (default 200)")
    p.add_argument("--train-ratio", type=float, default=0.5, help="share of points used for training (default 0.5)")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS, help=f"optimizer steps (default {DEFAULT_STEPS})")
    p.add_argument("--seed", type=int, default=1, help="seed for data, weights, batches and dropout (default 1)")
    p.add_argument("--plot", action="store_true", help="also draw the decision boundary (coloured half blocks)")
    p.add_argument("--json", action="store_true", help="print a JSON dict instead of text")
    p.set_defaults(func=run)


def _hidden(text: str) -> tuple[int, ...]:
    text = text.strip()
    if text in ("", "0"):
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"--hidden: expected sizes such as 4,4 (or 0 for none), got {text!r}") from None


def _settings(args: argparse.Namespace) -> Any:
    from quizapp.playground.session import Settings

    if args.steps < 0:
        raise UsageError(f"--steps must be non-negative, got {args.steps}")
    try:
        return Settings(
            dataset=args.dataset, points=args.points, noise=args.noise, train_ratio=args.train_ratio,
            features=args.features, hidden=_hidden(args.hidden), activation=args.activation,
            optimizer=args.optimizer, lr=args.lr, l1=args.l1, l2=args.l2, batch_size=args.batch_size,
            dropout=args.dropout, seed=args.seed,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    import json

    from quizapp.playground.session import PlaygroundSession

    settings = _settings(args)
    session = PlaygroundSession(settings)
    state = session.step(args.steps)
    if args.json:
        print(json.dumps({"settings": settings.to_dict(), "final": state.to_dict()}, sort_keys=True, indent=2))
        return 0
    print(settings.describe())
    print(f"step {state.step} (epoch {state.epoch:.1f}){'  DIVERGED' if state.diverged else ''}")
    print(f"train loss {state.train_loss:.4f}   test loss {state.test_loss:.4f}")
    print(f"train accuracy {state.train_accuracy:.1%}   test accuracy {state.test_accuracy:.1%}")
    if args.plot:
        _plot(session)
    return 0


def _plot(session: Any) -> None:
    from rich.console import Console

    from quizapp.playground import render

    print(f"training loss {render.sparkline(session.state.train_losses, 48)}")
    Console(highlight=False).print(render.to_text(render.session_lines(session, 48, 24)))
