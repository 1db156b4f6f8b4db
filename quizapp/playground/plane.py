"""The square of the plane that is drawn, and how pixels of a drawn field map onto it."""

from __future__ import annotations

import numpy as np

EXTENT = 6.0  # the plane shown is [-EXTENT, EXTENT]², as in the Playground


def resolution_of(resolution: int | tuple[int, int]) -> tuple[int, int]:
    """(columns, rows) of pixels from ``n`` (a square n×n field) or ``(nx, ny)``."""
    nx, ny = (resolution, resolution) if isinstance(resolution, (int, np.integer)) else resolution
    if not (int(nx) >= 1 and int(ny) >= 1):
        raise ValueError(f"resolution must be positive, got {resolution!r}")
    return int(nx), int(ny)


def grid(nx: int, ny: int) -> np.ndarray:
    """Pixel centres as (ny·nx, 2) points, row by row from the top (largest x₂) down."""
    step_x, step_y = 2 * EXTENT / nx, 2 * EXTENT / ny
    xs = -EXTENT + (np.arange(nx) + 0.5) * step_x
    ys = EXTENT - (np.arange(ny) + 0.5) * step_y
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def pixels(points: np.ndarray, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the pixel each point falls in; points off the plane are clamped to its edge."""
    col = np.floor((points[:, 0] + EXTENT) / (2 * EXTENT) * nx).astype(np.intp)
    row = np.floor((EXTENT - points[:, 1]) / (2 * EXTENT) * ny).astype(np.intp)
    return np.clip(row, 0, ny - 1), np.clip(col, 0, nx - 1)
