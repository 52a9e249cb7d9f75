"""datasette-vega's chart panel with Chinese column names: its column menus, axis and legend titles and
tooltips name a column as its header does ("报告年度"), not by its key ("year").

Why a patched copy of the plugin's script: datasette-vega builds the Vega-Lite spec inside its webpack
bundle (no option or hook sets a title) and draws on a canvas, so nothing on the page can rename an axis
afterwards. The copy also draws as SVG (selectable text, the same renderer as our own charts). This route answers the bundle's own URL (plugin routes come before Datasette's static ones)
with the installed file and a few exact replacements, each giving a column's title through
`window.gkVegaTitle(key, binned)` (static/site.js: the page's own table headers, so the names are the
ones metadata.yml gives). The panel's fixed words ("X column", "Bar", …) are translated by static/site.js.

A replacement that no longer matches (another datasette-vega version) leaves the file as installed: the
panel works in English rather than not at all; tests/test_site_readers.py fails so it is noticed.
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

TITLE = "window.gkVegaTitle"
# (installed text, replacement): datasette-vega 0.6.2's minified bundle
PATCHES = (
    # axis, colour and size titles
    ('i={x:{field:this.state.x_column,type:t,bin:n},y:{field:this.state.y_column,type:e,bin:r},'
     'tooltip:{field:"_tooltip_summary",type:"ordinal"}};'
     'this.state.color_column&&(i.color={field:this.state.color_column,type:"nominal"}),'
     'this.state.size_column&&(i.size={field:this.state.size_column,type:"quantitative"})',
     f'i={{x:{{field:this.state.x_column,type:t,bin:n,title:{TITLE}(this.state.x_column,n)}},'
     f'y:{{field:this.state.y_column,type:e,bin:r,title:{TITLE}(this.state.y_column,r)}},'
     'tooltip:{field:"_tooltip_summary",type:"ordinal"}};'
     f'this.state.color_column&&(i.color={{field:this.state.color_column,type:"nominal",'
     f'title:{TITLE}(this.state.color_column)}}),'
     f'this.state.size_column&&(i.size={{field:this.state.size_column,type:"quantitative",'
     f'title:{TITLE}(this.state.size_column)}})'),
    # the tooltip's "name: value" pairs
    *((f'"+p(this.state.{axis}_column)+": \'', f'"+p({TITLE}(this.state.{axis}_column))+": \'')
      for axis in ("x", "y", "color", "size")),
    # drawn as SVG, not on a canvas: the titles are text a reader can select and a test can read
    ('{theme:"quartz",tooltip:!0}', '{theme:"quartz",tooltip:!0,renderer:"svg"}'),
    # the column menus: the value stays the key (the URL fragment keeps working), the text is the title
    ('c.a.createElement("option",{key:t,value:t},t)', f'c.a.createElement("option",{{key:t,value:t}},{TITLE}(t))'),
)
MARKER = "/* gongkai: column titles in Chinese (plugins/vega_panel.py) */\n"


def bundle_dir() -> Path | None:
    spec = importlib.util.find_spec("datasette_vega")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "static"


@functools.lru_cache(maxsize=4)
def patched(name: str) -> bytes:
    """The bundle with every replacement made, or as installed when one of them does not match exactly."""
    directory = bundle_dir()
    path = (directory / name) if directory else None
    if path is None or not path.is_file() or path.parent != directory:
        raise NotFound("没有这个脚本")
    text = path.read_text(encoding="utf-8")
    out = text
    for old, new in PATCHES:
        if old not in out:
            return text.encode("utf-8")
        out = out.replace(old, new)
    return (MARKER + out).encode("utf-8")


async def vega_bundle(request, datasette):
    return Response(patched(request.url_vars["name"]), content_type="application/javascript; charset=utf-8",
                    headers={"cache-control": "public, max-age=86400"})


@hookimpl
def register_routes():
    return [(r"^/-/static-plugins/datasette_vega/(?P<name>main\.[0-9a-f]+\.js)$", vega_bundle)]
