"""Offline rendering of Altair charts.

Altair's default output in a notebook is a Vega-Lite spec that the browser draws with
JavaScript loaded from a CDN. A report opened from disk without network would then show
empty boxes. These helpers render every chart to static SVG instead, with the Vega engine
bundled in ``vl-convert`` (no browser, no network), so the SVG travels inside the HTML.

Examples
--------
>>> from pmkit.charts.render import use_offline_renderer, chart_svg
>>> use_offline_renderer()                    # doctest: +SKIP
>>> import altair as alt, pandas as pd
>>> svg = chart_svg(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q"))
>>> svg.startswith("<svg")
True
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import altair as alt

#: Name under which the offline renderer is registered with Altair.
OFFLINE_RENDERER = "pmkit_svg"


def chart_svg(chart: alt.TopLevelMixin | dict) -> str:
    """The chart drawn as a standalone SVG document (text).

    Parameters
    ----------
    chart : altair chart or dict
        An Altair chart, or a Vega-Lite spec as a dict.

    Returns
    -------
    str
        ``<svg ...>...</svg>``; text from the data (names, labels) is escaped by Vega.
        Data must be inline (Altair's default): loading data from URLs is refused, so
        a report never depends on the network.
    """
    import vl_convert as vlc

    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    return vlc.vegalite_to_svg(spec, vl_version=_vl_version(), allowed_base_urls=[])


_ID_RE = re.compile(r'\bid="([^"]+)"')


def unique_svg_ids(svg: str, prefix: str | None = None) -> str:
    """The SVG with its element ids (gradients, clip paths) made unique to this drawing.

    Vega numbers them from zero in every drawing (``gradient_0``, ``clip1``); two charts
    inlined in one HTML page would otherwise share the first one's gradient or clipping.
    """
    ids = set(_ID_RE.findall(svg))
    if not ids:
        return svg
    prefix = prefix or f"c{uuid.uuid4().hex[:8]}-"
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    pattern = re.compile(rf'(\bid="|url\(#|href="#)({alternatives})(?=[")])')
    return pattern.sub(lambda m: m.group(1) + prefix + m.group(2), svg)


def _vl_version() -> str:
    # "5.20.1" -> "5.20"; vl-convert names the Vega-Lite versions it bundles by major.minor
    major, minor, *_ = alt.SCHEMA_VERSION.lstrip("v").split(".")
    return f"{major}.{minor}"


def _svg_renderer(spec: dict, **metadata: Any) -> dict:
    """Altair renderer: a mimebundle holding only SVG, so front-ends cannot fall back to JS."""
    return {"image/svg+xml": unique_svg_ids(chart_svg(spec)), "text/plain": "<pmkit chart (static SVG)>"}


def use_offline_renderer() -> None:
    """Render every Altair chart from now on as inline static SVG (for offline HTML reports).

    Call it at the top of a notebook (the pmkit notebooks do when their ``offline``
    parameter is true, as ``pmkit report`` sets it).
    """
    if OFFLINE_RENDERER not in alt.renderers.names():
        alt.renderers.register(OFFLINE_RENDERER, _svg_renderer)
    alt.renderers.enable(OFFLINE_RENDERER)


def use_interactive_renderer() -> None:
    """Back to Altair's default renderer (interactive charts in JupyterLab)."""
    alt.renderers.enable("default")


def setup_notebook(offline: bool = False) -> None:
    """Chart set-up of a pmkit notebook: static SVG when ``offline``, else interactive."""
    if offline:
        use_offline_renderer()
    else:
        use_interactive_renderer()


__all__ = ["OFFLINE_RENDERER", "chart_svg", "setup_notebook", "unique_svg_ids", "use_interactive_renderer",
           "use_offline_renderer"]
