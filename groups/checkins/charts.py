"""Geometry for the server-rendered SVG trend charts (no JavaScript, no inline
styles: the template draws these numbers with CSS classes from trends.css).

Each chart is drawn twice: WIDE for a desktop, NARROW for a phone, where the page
shows it at about its own size so that its 12 px labels stay 12 px (a wide chart
shrunk to a phone's width would make them 6 px), with fewer labels and ticks.
trends.css shows one of the two."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 36


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    left: int
    right: int
    max_labels: int  # labels along the time axis, at most


WIDE = Size(width=WIDTH, height=HEIGHT, left=LEFT, right=RIGHT, max_labels=8)
NARROW = Size(width=340, height=240, left=34, right=10, max_labels=4)


@dataclass
class Point:
    x: float
    y: float
    value: float
    label: str
    moved: bool = False


@dataclass
class Line:
    css: str
    name: str
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points))


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    band: str  # SVG points of the confidence band polygon, or ""
    grid: list[tuple[float, str]]  # (y, label)
    references: list[tuple[float, str, str]]  # (y, label, css)
    x_labels: list[tuple[float, str]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT


def _scale(lo: float, hi: float, size: Size):
    def y(value: float) -> float:
        return TOP + (hi - value) / (hi - lo) * (size.height - TOP - BOTTOM)

    return y


def _xs(count: int, size: Size) -> list[float]:
    inner = size.width - size.left - size.right
    if count == 1:
        return [size.left + inner / 2]
    return [size.left + 12 + i * (inner - 24) / (count - 1) for i in range(count)]


def line_chart(
    *,
    labels: list[str],
    series: list[tuple[str, str, list[float | None]]],
    lo: float,
    hi: float,
    ticks: list[float],
    band: list[tuple[float, float] | None] | None = None,
    references: list[tuple[float, str, str]] = (),
    moved: list[bool] | None = None,
    size: Size = WIDE,
) -> Chart:
    """``series`` is (css class, name, values by label); None leaves a gap point out."""
    y = _scale(lo, hi, size)
    xs = _xs(len(labels), size) if labels else []
    lines = []
    for css, name, values in series:
        line = Line(css=css, name=name)
        for i, value in enumerate(values):
            if value is not None:
                line.points.append(
                    Point(x=xs[i], y=y(value), value=value, label=labels[i], moved=bool(moved and moved[i]))
                )
        lines.append(line)
    band_points = ""
    if band:
        upper = [(xs[i], y(b[1])) for i, b in enumerate(band) if b is not None]
        lower = [(xs[i], y(b[0])) for i, b in enumerate(band) if b is not None]
        if len(upper) >= 2:
            band_points = " ".join(f"{px:.1f},{py:.1f}" for px, py in upper + lower[::-1])
    step = max(1, -(-len(labels) // size.max_labels))  # at most max_labels of them
    x_labels = [(xs[i], labels[i]) for i in range(0, len(labels), step)]
    return Chart(
        width=size.width,
        height=size.height,
        lines=lines,
        band=band_points,
        grid=[(y(t), f"{t:g}") for t in ticks],
        references=[(y(v), label, css) for v, label, css in references],
        x_labels=x_labels,
        plot_left=size.left,
        plot_right=size.width - size.right,
    )
