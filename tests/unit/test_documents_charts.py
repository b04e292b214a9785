"""The 360 radar ("паутинка", T-6) and the category distribution: valid, deterministic SVG and PNG."""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from PIL import Image

from documents import samples
from documents.charts import category_distribution, radar, radar_for
from domain.vocabulary import Language

SVG = "{http://www.w3.org/2000/svg}svg"


def _colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 24) or []}


def _svg_root(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == SVG
    return root


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("form", ["others", "heads"])
def test_the_360_radar_is_a_valid_svg_with_one_spoke_per_competency(language: Language, form: str) -> None:
    """T-6: one spoke per competency (8 for others, 12 for heads), scale 1…5, two series in the legend."""
    report = samples.report_360(language, form=form)
    root = _svg_root(radar_for(report))
    ids = {element.get("id", "") for element in root.iter()}
    spokes = {i for i in ids if re.fullmatch(r"xtick_\d+", i)}
    rings = {i for i in ids if re.fullmatch(r"ytick_\d+", i)}
    assert len(spokes) == len(report.competencies) == (12 if form == "heads" else 8)
    assert len(rings) == 5
    assert "legend_1" in ids


def test_charts_are_deterministic_byte_for_byte() -> None:
    report = samples.report_360(Language.KK)
    assert radar_for(report) == radar_for(report)
    assert radar_for(report, fmt="png") == radar_for(report, fmt="png")
    view = samples.distribution(Language.RU)
    assert category_distribution(view) == category_distribution(view)


def test_the_svg_carries_no_date_and_no_library_version() -> None:
    data = radar_for(samples.report_360(Language.RU)).decode()
    assert "<dc:date>" not in data
    assert "Matplotlib v" not in data


def test_the_radar_png_is_a_real_image_of_the_expected_size() -> None:
    image = Image.open(io.BytesIO(radar_for(samples.report_360(Language.KK), fmt="png")))
    assert image.format == "PNG"
    assert image.size == (780, 780)  # 5.2 in at 150 dpi
    # the respondents' polygon is drawn in its colour somewhere in the picture
    assert (0x1F, 0x5F, 0xA8) in _colours(image)


def test_the_self_assessment_line_is_drawn_only_when_every_competency_has_one() -> None:
    names = ["a", "b", "c", "d"]
    with_self = radar(names, [4, 4, 4, 4], [5, 5, 5, 5], language=Language.EN, fmt="png")
    without = radar(names, [4, 4, 4, 4], [None, None, None, None], language=Language.EN, fmt="png")
    red = (0xC0, 0x39, 0x2B)
    assert red in _colours(Image.open(io.BytesIO(with_self)))
    assert red not in _colours(Image.open(io.BytesIO(without)))


def test_a_radar_needs_at_least_three_competencies() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        radar(["a", "b"], [Decimal(4), Decimal(3)], language=Language.EN)


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_category_distribution_chart_renders_in_both_formats(fmt: str) -> None:
    data = category_distribution(samples.distribution(Language.KK), fmt=fmt)  # type: ignore[arg-type]
    if fmt == "svg":
        _svg_root(data)
    else:
        assert Image.open(io.BytesIO(data)).format == "PNG"


def test_the_distribution_draws_the_listed_categories_and_only_them() -> None:
    """Each listed category has its colour (bars and legend); a category not listed is not drawn at all."""
    view = samples.distribution(Language.EN)
    red = (0xCA, 0x00, 0x20)
    with_one = Image.open(io.BytesIO(category_distribution(view, fmt="png")))
    without = dataclasses.replace(view, units=view.units[:2])  # the legal department had the only one
    assert red in _colours(with_one)
    assert red in _colours(Image.open(io.BytesIO(category_distribution(without, fmt="png"))))  # the legend keeps it
    bars_only = dataclasses.replace(without, categories=view.categories[:3])
    assert red not in _colours(Image.open(io.BytesIO(category_distribution(bars_only, fmt="png"))))


def test_charts_drawn_at_once_from_several_threads_are_the_same_as_drawn_alone() -> None:
    """A web server draws charts in parallel requests: each must come out as if it were alone."""
    from concurrent.futures import ThreadPoolExecutor

    reports = [samples.report_360(language) for language in Language] * 2
    alone = [radar_for(report) for report in reports]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(radar_for, reports))
    assert together == alone
