"""English for an English browser, cheaply: Datasette's own page chrome, untranslated.

A request whose Accept-Language puts English first and names no Chinese (ingest/site/language.py) is
rendered with Datasette's own templates in front of ours (its index, database, table, row, query and
error pages and its base.html), our column-menu and datasette-vega translations switched off
(`window.gkEnglish`, static/site.js). Our own pages (report page, report list, search, overview,
downloads, comparison) keep their Chinese text under Datasette's English frame: they present Chinese
documents and have no second wording. Everyone else gets the Chinese site.

Cost: one more Jinja environment (an overlay sharing filters and globals, its own template cache); the
page cache keys on the language (plugins/response_cache.py), and every HTML response says
`Vary: Accept-Language` so a shared cache keeps the two versions apart.
"""
from __future__ import annotations

from datasette import hookimpl
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, Template

from ingest.site.asgi import editing_headers
from ingest.site.language import request_language

import os

import datasette as _datasette

DEFAULT_TEMPLATES = os.path.join(os.path.dirname(_datasette.__file__), "templates")   # Datasette's own


def english(request) -> bool:
    return request is not None and request_language(request.headers) == "en"


def install(datasette) -> None:
    """Wrap datasette.render_template: English requests render from Datasette's templates first."""
    if getattr(datasette, "_gk_english_env", None) is not None:
        return
    ours = datasette.jinja_env.loader
    env = datasette.jinja_env.overlay(loader=ChoiceLoader([
        FileSystemLoader(DEFAULT_TEMPLATES), ours,
        PrefixLoader({"default": FileSystemLoader(DEFAULT_TEMPLATES)}, delimiter=":")]))
    datasette._gk_english_env = env
    original = datasette.render_template

    async def render_template(templates, context=None, request=None, view_name=None):
        if english(request):
            if isinstance(templates, Template):
                templates = [templates.name]
            elif isinstance(templates, str):
                templates = [templates]
            templates = env.select_template(templates)
        return await original(templates, context, request=request, view_name=view_name)

    datasette.render_template = render_template


@hookimpl
def startup(datasette):
    install(datasette)


@hookimpl
def extra_body_script(request):
    # static/site.js reads it when the page has loaded: no Chinese words put into Datasette's English chrome
    return "window.gkEnglish = true;" if english(request) else None


def _vary(headers):
    if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
        return headers + [(b"vary", b"Accept-Language")]
    return headers


@hookimpl
def asgi_wrapper(datasette):
    return editing_headers(_vary)
