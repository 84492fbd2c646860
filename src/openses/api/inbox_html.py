"""A small vocabulary for building the inbox's HTML, escaping by construction.

Everything the inbox shows comes from mail that anyone able to send could have written, so no
text reaches a page unescaped: :class:`Html` marks markup this module built, and every other
string given to :func:`tag` — as content or as an attribute value — is escaped with
``html.escape`` (quotes included). Building a page is calling :func:`tag` and friends; there is
no other way to put text into a page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

VOID = frozenset({"br", "hr", "input", "meta", "link", "img"})
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header { background: #233044; color: #fff; padding: .6rem 1.2rem; }
header a { color: #fff; }
main { padding: 1rem 1.2rem; max-width: 80rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; background: #fff; }
th, td { border: 1px solid #d4d4d4; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
td, dd { overflow-wrap: anywhere; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
pre { background: #fff; border: 1px solid #d4d4d4; padding: .6rem; white-space: pre-wrap;
      overflow-wrap: anywhere; max-height: 40rem; overflow: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; }
iframe { width: 100%; height: 36rem; border: 1px solid #d4d4d4; background: #fff; }
.muted { color: #5a5a5a; font-size: .85rem; }
.problem { color: #8a1c1c; }
nav.paging { display: flex; gap: 1rem; }
"""


class Html(str):
    """Markup built by this module: passed through as is, never escaped again."""

    __slots__ = ()


Child = Html | str | None


def text(value: object) -> Html:
    """``value`` as escaped text."""
    return Html(html.escape(str(value), quote=True))


def join(children: Iterable[Child], separator: Child = None) -> Html:
    """``children`` one after another (text escaped, ``None`` skipped)."""
    between = _content(separator)
    return Html(between.join(_content(child) for child in children if child is not None))


def _content(child: Child) -> str:
    if child is None:
        return ""
    if isinstance(child, Html):
        return str(child)
    return html.escape(child, quote=True)


def _attribute(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


def tag(name: str, /, *children: Child, **attributes: str | None) -> Html:
    """``<name attributes>children</name>``; an attribute whose value is ``None`` is left out,
    ``""`` gives an empty value (``sandbox=""``). Keyword names lose a trailing ``_``
    (``class_``, ``for_``) and have ``_`` read as ``-`` (``aria_label``)."""
    rendered = "".join(
        f' {_attribute(key)}="{html.escape(value, quote=True)}"'
        for key, value in attributes.items()
        if value is not None
    )
    if name in VOID:
        return Html(f"<{name}{rendered}>")
    return Html(f"<{name}{rendered}>{join(children)}</{name}>")


def link(href: str, label: Child, /, **attributes: str | None) -> Html:
    return tag("a", label, href=href, **attributes)


def facts(rows: Iterable[tuple[str, Child]]) -> Html:
    """A definition list of ``(term, description)``; a missing description shows as "—"."""
    items = [
        join([tag("dt", term), tag("dd", "—" if value in (None, "") else value)])
        for term, value in rows
    ]
    return tag("dl", join(items))


def table(caption: str, headings: Sequence[str], rows: Iterable[Sequence[Child]]) -> Html:
    """A table with a caption and column headings; an empty one says so in one row."""
    body = [tag("tr", join(tag("td", cell) for cell in row)) for row in rows]
    if not body:
        body = [tag("tr", tag("td", "none", colspan=str(len(headings)), class_="muted"))]
    head = tag("thead", tag("tr", join(tag("th", h, scope="col") for h in headings)))
    return tag("table", tag("caption", caption), head, tag("tbody", join(body)))


def bullets(items: Iterable[Child]) -> Html | None:
    listed = [tag("li", item) for item in items]
    return tag("ul", join(listed)) if listed else None


def page(title: str, *body: Child) -> str:
    """A whole document: the inbox's header bar, then ``body`` in ``<main>``."""
    bar = tag("header", link("/_openses/inbox", "OpenSES inbox"))
    return "<!doctype html>\n" + tag(
        "html",
        tag(
            "head",
            tag("meta", charset="utf-8"),
            tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("meta", name="referrer", content="same-origin"),
            tag("title", title),
            tag("style", Html(STYLE)),
        ),
        tag("body", bar, tag("main", join(body))),
        lang="en",
    )
