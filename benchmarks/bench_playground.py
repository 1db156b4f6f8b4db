"""Speed of the training playground: a 2-8-8-1 network on 200 points (issue 7).

Prints training steps per second alone, boundary redraws per second alone, and both while a
worker thread trains and the main thread redraws, as the UI does: on a 30 frames/s timer, and
flat out. Target: at least 10 redraws a
second while training. A redraw is the output field over the plane (a forward pass over every
pixel), the points over it, and the half-block lines made into a Rich Text, at the size a
terminal shows it (64 × 24 cells = 64 × 48 pixels). Run: python benchmarks/bench_playground.py
"""

from __future__ import annotations

import threading
import time

from quizapp.playground import render
from quizapp.playground.session import PlaygroundSession

SETTINGS = {"dataset": "spiral", "points": 200, "hidden": (8, 8), "activation": "tanh", "seed": 1}
WIDTH, HEIGHT = 64, 24
SECONDS = 2.0


def redraw(session: PlaygroundSession) -> None:
    render.to_text(render.session_lines(session, WIDTH, HEIGHT))


def steps_alone(session: PlaygroundSession) -> float:
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < SECONDS:
        session.step(10)
        n += 10
    return n / (time.perf_counter() - start)


def frames_alone(session: PlaygroundSession) -> float:
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < SECONDS:
        redraw(session)
        n += 1
    return n / (time.perf_counter() - start)


def together(session: PlaygroundSession, target_fps: float | None) -> tuple[float, float, float]:
    """(redraws/s, steps/s, slowest redraw in s) with training in a worker thread and the main
    thread redrawing at ``target_fps`` (as a UI's timer does) or as fast as it can (None)."""
    done = threading.Event()
    start_step = session.state.step
    worker = threading.Thread(target=session.step, args=(10**9,), kwargs={"stop": done.is_set})
    start = time.perf_counter()
    worker.start()
    frames, slowest = 0, 0.0
    while time.perf_counter() - start < SECONDS:
        t0 = time.perf_counter()
        redraw(session)
        slowest = max(slowest, time.perf_counter() - t0)
        frames += 1
        if target_fps:
            time.sleep(max(0.0, start + frames / target_fps - time.perf_counter()))
    done.set()
    worker.join()
    elapsed = time.perf_counter() - start
    return frames / elapsed, (session.state.step - start_step) / elapsed, slowest


def main() -> None:
    session = PlaygroundSession(**SETTINGS)
    print(f"playground benchmark: {session.settings.describe()}; redraw {WIDTH}x{HEIGHT} cells")
    alone = steps_alone(session)
    print(f"training alone:            {alone:8.0f} steps/s")
    print(f"redraw alone:              {frames_alone(session):8.1f} frames/s")
    for target in (30.0, None):
        fps, sps, slowest = together(session, target)
        label = f"at most {target:.0f}/s" if target else "flat out"
        print(f"redraw while training ({label}): {fps:6.1f} frames/s, slowest {slowest * 1e3:.0f} ms "
              f"(target >= 10); training meanwhile: {sps:.0f} steps/s")
        if target:
            # The speed targets the screen's tests used to assert (>= 4 frames/s, >= 50 steps/s on a
            # 2-core machine) as ratios to references of this run: a redraw timer asking for 30
            # frames a second gets at least a third of them, and training keeps at least a quarter
            # of its speed alone.
            print(f"  frames drawn / asked for: {fps / target:.2f} (target >= 0.33); "
                  f"training speed kept: {sps / alone:.2f} (target >= 0.25)")

if __name__ == "__main__":
    main()
