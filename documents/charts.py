"""Charts for documents and pages: the 360 radar ("паутинка", T-6) and the category distribution per unit.

matplotlib draws on its Agg canvas (no display, no pyplot global state); text is written as paths in the SVG, with
matplotlib's own DejaVu Sans (it covers the Kazakh letters), so a chart looks the same in a PDF, a browser and a
test on any machine. Output is deterministic: the SVG ids are salted with a fixed string and no date or version
is written into the SVG or PNG metadata, so the same view gives the same bytes.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from documents.formatting import format_period
from documents.labels import label, result_name
from documents.views import CategoryDistribution, Report360
from domain.vocabulary import Language, ResultCategory

Format = Literal["svg", "png"]

# One look for every chart; fonts and ids fixed for byte-identical output.
_STYLE: Any = {  # a plain dict: matplotlib types rc keys as a Literal
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "bagalau",
    "path.simplify": False,
}
# rc_context swaps matplotlib's process-wide settings: one chart at a time, so that two web requests drawing at
# once never see each other's (or the default) settings half-way.
_LOCK = threading.Lock()
OTHERS_COLOUR = "#1f5fa8"
SELF_COLOUR = "#c0392b"
CATEGORY_COLOURS: dict[ResultCategory, str] = {
    ResultCategory.EXCELLENT: "#1b7837",
    ResultCategory.EFFECTIVE: "#5aae61",
    ResultCategory.PROPER: "#a6dba0",
    ResultCategory.SATISFACTORY: "#f4a582",
    ResultCategory.UNSATISFACTORY: "#ca0020",
    ResultCategory.MEETS: "#5aae61",
    ResultCategory.DOES_NOT_MEET: "#ca0020",
}


def _save(figure: Figure, fmt: Format) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    if fmt == "svg":
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "Bagalau"})
    else:
        figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()


def _wrap(text: str, width: int = 18) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def radar(
    names: Sequence[str],
    others: Sequence[Decimal | float],
    self_scores: Sequence[Decimal | float | None] = (),
    *,
    language: Language | str,
    fmt: Format = "svg",
    axis_labels: Literal["numbers", "names"] = "names",
    scale_max: float = 5.0,
) -> bytes:
    """The "паутинка" of T-6: each competency's average (respondents) and the self-assessment apart (T-5).

    ``axis_labels="numbers"`` labels the spokes 1…N, matching the numbered rows of the report's table (the PDF);
    ``"names"`` writes the wrapped competency names (pages).
    """
    count = len(names)
    if count < 3:
        raise ValueError(f"a radar chart needs at least 3 competencies, got {count}")
    angles = [2 * math.pi * i / count for i in range(count)]
    closed = [*angles, angles[0]]
    with _LOCK, rc_context(_STYLE):
        figure = Figure(figsize=(5.2, 5.2) if axis_labels == "names" else (3.6, 3.6))
        axes: Any = figure.add_subplot(projection="polar")  # PolarAxes: matplotlib's stubs type it as Axes
        axes.set_theta_offset(math.pi / 2)  # the first competency at the top, then clockwise like the forms
        axes.set_theta_direction(-1)
        axes.set_ylim(0, scale_max)
        axes.set_yticks([float(v) for v in range(1, int(scale_max) + 1)])
        axes.set_yticklabels([str(v) for v in range(1, int(scale_max) + 1)])
        axes.tick_params(axis="y", labelsize=6, labelcolor="#777777")
        axes.set_rlabel_position(180 / count)
        axes.set_xticks(angles)
        ticks = [str(i + 1) for i in range(count)] if axis_labels == "numbers" else [_wrap(n) for n in names]
        axes.set_xticklabels(ticks, fontsize=9 if axis_labels == "numbers" else 7)
        values = [float(v) for v in others]
        others_label = label("r360.others", language)
        axes.plot(closed, [*values, values[0]], color=OTHERS_COLOUR, linewidth=1.6, label=others_label)
        axes.fill(closed, [*values, values[0]], color=OTHERS_COLOUR, alpha=0.18)
        if self_scores and all(v is not None for v in self_scores):
            own = [float(v) for v in self_scores if v is not None]
            axes.plot(
                closed,
                [*own, own[0]],
                color=SELF_COLOUR,
                linewidth=1.2,
                linestyle="--",
                label=label("r360.self", language),
            )
        axes.grid(color="#bbbbbb", linewidth=0.5)
        axes.spines["polar"].set_color("#999999")
        figure.legend(loc="lower center", ncols=2, frameon=False, fontsize=8)
        figure.tight_layout(rect=(0, 0.06, 1, 1))
        return _save(figure, fmt)


def radar_for(report: Report360, *, fmt: Format = "svg", axis_labels: Literal["numbers", "names"] = "names") -> bytes:
    """The radar of one individual 360 report (T-6)."""
    lines = report.competencies
    return radar(
        [line.name for line in lines],
        [line.average for line in lines],
        [line.self_score for line in lines],
        language=report.requisites.language,
        fmt=fmt,
        axis_labels=axis_labels,
    )


def category_distribution(view: CategoryDistribution, *, fmt: Format = "svg") -> bytes:
    """Stacked horizontal bars: how many results of each category every unit has in the period."""
    language = view.language
    units = [_wrap(unit.unit, 28) for unit in view.units]
    with _LOCK, rc_context(_STYLE):
        figure = Figure(figsize=(7.0, 2.2 + 0.5 * max(len(units), 1)), layout="constrained")
        axes = figure.add_subplot()
        left = [0] * len(units)
        for category in view.categories:
            counts = [unit.count(category) for unit in view.units]
            bars = axes.barh(
                units,
                counts,
                left=left,
                color=CATEGORY_COLOURS.get(category, "#888888"),
                edgecolor="white",
                label=_wrap(result_name(category, language), 40),
            )
            axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], label_type="center", fontsize=8)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        axes.invert_yaxis()
        axes.set_xlabel(label("chart.count", language))
        title = f"{label('chart.distribution', language)} — {format_period(view.period, language)}"
        figure.suptitle(_wrap(title, 70), fontsize=10)
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        figure.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=7)
        return _save(figure, fmt)
