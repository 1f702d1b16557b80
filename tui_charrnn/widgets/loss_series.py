"""A downsampled series of (iteration, value) points for the loss chart.

One point every `stride` iterations, at most `size` points: when the series is full,
every other point goes and the stride doubles, so the whole run always fits in `size`
points, its first point (the start, at ln V) kept. With `max_stride` the doubling stops
there and the oldest points scroll off: a window of the last size * max_stride
iterations (halving it keeps the odd points, so the newest stays). Plain Python.
"""

from __future__ import annotations

from collections import deque


class Series:
    def __init__(self, size: int, max_stride: int | None = None) -> None:
        self.size = size
        self.max_stride = max_stride
        self.points: deque[tuple[int, float]] = deque(maxlen=size)
        self.stride = 1
        self._next = 0  # the next iteration kept

    def clear(self, next_point: int) -> None:
        self.points.clear()
        self.stride = 1
        self._next = next_point

    def add(self, iteration: int, value: float) -> None:
        if iteration < self._next:
            return
        points = self.points
        if len(points) == self.size and (self.max_stride is None or self.stride < self.max_stride):
            start = 0 if self.max_stride is None else 1
            self.points = deque(list(points)[start::2], maxlen=self.size)
            self.stride *= 2
        self.points.append((iteration, value))
        self._next = iteration - iteration % self.stride + self.stride

    def rolled_back(self, iteration: int) -> None:
        """Forget the points after `iteration`; the next kept is the stride's next."""
        self.points = deque((p for p in self.points if p[0] <= iteration), maxlen=self.size)
        last = self.points[-1][0] if self.points else iteration
        self._next = last - last % self.stride + self.stride

    @property
    def first(self) -> int | None:
        return self.points[0][0] if self.points else None
