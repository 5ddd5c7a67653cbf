"""The shared SVG charts: well-formed inline SVG, escaped labels, gaps, styles, sizes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gridcare.core.charts import Line, bar_chart, line_chart, scatter_map

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def test_line_chart_pairs_get_palette_colours_and_a_legend():
    svg = line_chart(["1日", "2日", "3日"], [("受理<量>", [3, 5, 4]), ("b", [1, 2, 8])])
    root = parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [p.get("stroke") for p in lines] == ["#0b5cab", "#d62728"]
    assert "受理&lt;量&gt;" in svg
    assert root.get("width") == "640"
    # y axis tops at a round number above the largest value
    assert [t.text for t in root.findall(f"{SVG}text")][:5] == ["0", "2.5", "5", "7.5", "10"]


def test_line_chart_styled_lines_gaps_and_fluid_width():
    svg = line_chart(
        ["a", "b", "c", "d"],
        [Line("forecast", [1, 2, 3, 4], "#1f77b4"), Line("actual", [1, None, 3, None], "#d62728")]
        + [Line("hi80", [2, 3, 4, 5], "#aaaaaa", dashed=True)],
        width=900,
        legend=False,
        fluid=True,
    )
    root = parse(svg)
    assert root.get("width") == "100%" and root.get("viewBox") == "0 0 900 220"
    lines = root.findall(f"{SVG}polyline")
    assert [p.get("stroke") for p in lines] == ["#1f77b4", "#d62728", "#d62728", "#aaaaaa"]
    assert [len(p.get("points").split()) for p in lines] == [4, 1, 1, 4]
    assert lines[-1].get("stroke-dasharray") == "4 3" and lines[0].get("stroke-dasharray") is None
    assert not root.findall(f"{SVG}rect")  # no legend


def test_empty_input_draws_nothing():
    assert line_chart([], [("a", [])]) == ""
    assert line_chart(["a"], []) == ""
    assert bar_chart([]) == ""
    assert scatter_map([{"lon": None, "lat": None}]) == ""
    parse(line_chart(["a", "b"], [Line("none yet", [None, None])]))


def test_bar_chart_and_scatter_map_are_well_formed():
    root = parse(bar_chart([("投诉 & 举报", 12), ("咨询", 0)], title="类型"))
    assert len(root.findall(f"{SVG}rect")) == 2
    root = parse(
        scatter_map(
            [
                {"lon": 119.4, "lat": 32.4, "label": "台区<1>"},
                {"lon": 119.5, "lat": 32.5, "label": "热点", "hot": True, "size": 3, "href": "/a?x=1&y=2"},
            ]
        )
    )
    assert root.find(f"{SVG}a").get("href") == "/a?x=1&y=2"
