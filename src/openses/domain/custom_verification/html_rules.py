"""The HTML a custom verification email template may contain.

SES documents an allow-list (developer guide, "Custom verification email frequently asked
questions", Q5): these tags only, each with the attributes listed for it, and no comments.
Every tag may carry ``class``, ``id``, ``style`` and ``title``; a few take more (``img`` its
``src``, table cells their spans). Anything else makes the template
``CustomVerificationEmailInvalidContent``.
Decisions where SES is silent: a ``<!DOCTYPE …>`` declaration is allowed (it is not a tag),
processing instructions and ``<![CDATA[…]]>`` sections are refused like comments, and a closing
tag of an element that is not allowed is refused as its opening tag would be. Tag and attribute
names compare case-insensitively, as HTML's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Final

_COMMON: Final = frozenset({"class", "id", "style", "title"})

_EXTRA: Final[Mapping[str, frozenset[str]]] = {
    "blockquote": frozenset({"cite"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "img": frozenset({"align", "alt", "height", "src", "width"}),
    "ol": frozenset({"start", "type"}),
    "q": frozenset({"cite"}),
    "table": frozenset({"summary", "width"}),
    "td": frozenset({"abbr", "axis", "colspan", "rowspan", "width"}),
    "th": frozenset({"abbr", "axis", "colspan", "rowspan", "scope", "width"}),
    "ul": frozenset({"type"}),
}

_PLAIN_TAGS: Final = (
    "abbr acronym address area b bdo big body br button caption center cite code dd del dfn "
    "dir div dl dt em fieldset font form h1 h2 h3 h4 h5 h6 head hr html i input ins kbd label "
    "legend li map menu optgroup option p pre s samp select small span strike strong sub sup "
    "tbody textarea tfoot thead tr tt u var"
)

#: Allowed tag -> its allowed attributes (SES's table).
ALLOWED_TAGS: Final[Mapping[str, frozenset[str]]] = {
    **dict.fromkeys(_PLAIN_TAGS.split(), _COMMON),
    **{tag: _COMMON | extra for tag, extra in _EXTRA.items()},
}


class _Checker(HTMLParser):
    """Records the first construct the allow-list refuses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None

    def _refuse(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = ALLOWED_TAGS.get(tag)
        if allowed is None:
            self._refuse(f"The HTML tag <{tag}> is not allowed in custom verification emails.")
            return
        for name, _ in attrs:
            if name not in allowed:
                self._refuse(
                    f"The attribute {name} is not allowed on the HTML tag <{tag}> in custom "
                    "verification emails."
                )

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self._refuse(f"The HTML tag </{tag}> is not allowed in custom verification emails.")

    def handle_comment(self, data: str) -> None:
        # html.parser reads other <!…> markup (<!ELEMENT …>) as a comment too.
        self._refuse(
            "HTML comments and other <!…> markup are not allowed in custom verification emails."
        )

    def handle_decl(self, decl: str) -> None:
        if not decl.lower().startswith("doctype"):
            self._refuse(f"The declaration <!{decl}> is not allowed in custom verification emails.")

    def handle_pi(self, data: str) -> None:
        self._refuse("Processing instructions are not allowed in custom verification emails.")

    def unknown_decl(self, data: str) -> None:
        self._refuse("CDATA sections are not allowed in custom verification emails.")


def html_problem(content: str) -> str | None:
    """Why SES would refuse ``content`` for the HTML it uses, or None (the first problem)."""
    checker = _Checker()
    checker.feed(content)
    checker.close()
    return checker.problem
