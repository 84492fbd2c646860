"""Email templates as SES stores them, their limits, and the JSON data they are rendered with."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from openses.domain.templates.errors import TemplateDataError, UnsupportedOperation
from openses.domain.templates.render import CompiledPart
from openses.domain.templates.values import js_type

TEMPLATE_NAME_MAX_LENGTH = 64
TEMPLATE_MAX_BYTES = 500 * 1024  # a stored template: subject, text and HTML parts together
INLINE_TEMPLATE_MAX_BYTES = 1024 * 1024  # SESv2 TemplateContent given in the send request
TEMPLATE_DATA_MAX_LENGTH = 262_144  # characters of TemplateData / ReplacementTemplateData
PART_NAMES = ("subject", "text", "html")
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    """A template: v1 ``TemplateName``/``SubjectPart``/``TextPart``/``HtmlPart``, or v2
    ``TemplateName`` with ``TemplateContent`` ``Subject``/``Text``/``Html``. Absent parts are
    ``None``; inline v2 templates have no name (use ``""``)."""

    name: str
    subject: str | None = None
    text: str | None = None
    html: str | None = None

    def parts(self) -> dict[str, str | None]:
        return {"subject": self.subject, "text": self.text, "html": self.html}


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    subject: str | None
    text: str | None
    html: str | None


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    """A template with every present part compiled once; render it once per destination."""

    name: str
    subject: CompiledPart | None
    text: CompiledPart | None
    html: CompiledPart | None

    def render(self, data: Mapping[str, object], *, strict: bool) -> RenderedTemplate:
        """Parts render in the order subject, text, HTML; the first failure is raised."""
        rendered = [
            None if part is None else part.render(data, strict=strict)
            for part in (self.subject, self.text, self.html)
        ]
        return RenderedTemplate(*rendered)


def compile_template(template: EmailTemplate, *, inline: bool = False) -> CompiledTemplate:
    """Parse every part (``TemplateSyntaxError`` names the part). ``inline`` templates (SESv2
    ``TemplateContent`` in SendEmail/SendBulkEmail) allow only simple substitutions and raise
    ``UnsupportedOperation`` for anything more."""
    compiled: dict[str, CompiledPart | None] = {}
    for part_name, source in template.parts().items():
        compiled[part_name] = None if source is None else CompiledPart(source, part=part_name)
    if inline:
        for part_name, part in compiled.items():
            construct = None if part is None else part.unsupported_construct()
            if construct is not None:
                raise UnsupportedOperation(construct, part=part_name)
    return CompiledTemplate(template.name, compiled["subject"], compiled["text"], compiled["html"])


def render_template(
    template: EmailTemplate, data: Mapping[str, object], *, strict: bool
) -> RenderedTemplate:
    """Compile and render in one go (compile once with ``compile_template`` for bulk sends)."""
    return compile_template(template).render(data, strict=strict)


def template_name_problem(name: str) -> str | None:
    if not name:
        return "Template name must not be empty."
    if len(name) > TEMPLATE_NAME_MAX_LENGTH or not _TEMPLATE_NAME.fullmatch(name):
        return (
            f"Template name '{name}' is not valid: it must be 1 to {TEMPLATE_NAME_MAX_LENGTH} "
            "letters, digits, underscores (_) or hyphens (-)."
        )
    return None


def template_size(template: EmailTemplate) -> int:
    """Bytes (UTF-8) of the subject, text and HTML parts together."""
    return sum(len(part.encode("utf-8")) for part in template.parts().values() if part)


def template_problems(template: EmailTemplate, *, inline: bool = False) -> list[str]:
    """Why SES would refuse this template (empty when it is acceptable). Syntax is checked
    separately, by ``compile_template``."""
    problems: list[str] = []
    if not inline:
        name_problem = template_name_problem(template.name)
        if name_problem:
            problems.append(name_problem)
    if not template.text and not template.html:
        problems.append("Template must have a text part, an HTML part, or both.")
    limit = INLINE_TEMPLATE_MAX_BYTES if inline else TEMPLATE_MAX_BYTES
    size = template_size(template)
    if size > limit:
        problems.append(
            f"Template is {size} bytes; the subject, text and HTML parts together may be at "
            f"most {limit} bytes ({limit // 1024} KB)."
        )
    return problems


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def parse_template_data(text: str) -> dict[str, object]:
    """``TemplateData`` (or ``ReplacementTemplateData``) as a dict; ``TemplateDataError`` when it
    is too long, not JSON (``NaN`` and ``Infinity`` are not JSON) or not a JSON object."""
    if len(text) > TEMPLATE_DATA_MAX_LENGTH:
        raise TemplateDataError(
            f"Template data is {len(text)} characters long; the limit is "
            f"{TEMPLATE_DATA_MAX_LENGTH}."
        )
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise TemplateDataError(
            f"Template data is not valid JSON: {error.msg} (line {error.lineno}, column "
            f"{error.colno})."
        ) from None
    except ValueError as error:
        raise TemplateDataError(f"Template data is not valid JSON: {error}.") from None
    except RecursionError:
        raise TemplateDataError("Template data is nested too deeply.") from None
    if not isinstance(value, dict):
        raise TemplateDataError(f"Template data must be a JSON object, not {js_type(value)}.")
    return value


def merge_template_data(
    defaults: Mapping[str, object], replacement: Mapping[str, object]
) -> dict[str, object]:
    """A bulk destination's data: its replacement data over the default data, key by key.

    Objects present on both sides merge recursively; anything else in the replacement (a
    string, number, null, array) replaces the default outright. ``{}`` keeps the defaults.
    Neither argument is modified.
    """
    merged = dict(defaults)
    pending: list[tuple[dict[str, object], Mapping[str, object]]] = [(merged, replacement)]
    while pending:
        target, overlay = pending.pop()
        for key, value in overlay.items():
            base = target.get(key)
            if isinstance(base, Mapping) and isinstance(value, Mapping):
                nested = dict(base)
                target[key] = nested
                pending.append((nested, value))
            else:
                target[key] = value
    return merged
