"""What can go wrong with a template, and whose fault it is.

::

    TemplateError
    ├── TemplateSyntaxError     the template text is not valid Handlebars   (InvalidTemplate)
    ├── UnsupportedOperation    an inline template uses more than substitutions  (BadRequest)
    ├── RenderError             the data cannot be rendered into the template   (Rendering Failure)
    │   └── MissingVariable     a referenced attribute is absent  (MissingRenderingAttribute)
    └── TemplateDataError       TemplateData is not a JSON object  (InvalidRenderingParameter)

All of them are the caller's fault (HTTP 400 or, for sends, a Rendering Failure event).
"""

from __future__ import annotations

UNSUPPORTED_OPERATIONS_MESSAGE = "Template contains unsupported operations."


class TemplateError(Exception):
    """Base of the template errors; ``message`` is the text an edge can show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _line_and_column(source: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column


class TemplateSyntaxError(TemplateError):
    """The text of a template part is not a template SES would accept.

    ``reason`` says what is wrong; ``offset`` (0-based), ``line`` and ``column`` (1-based) say
    where; ``part`` names the template part (``subject``, ``text``, ``html``) when known.
    """

    def __init__(self, reason: str, *, source: str, offset: int, part: str | None = None) -> None:
        self.reason = reason
        self.source = source
        self.offset = offset
        self.part = part
        self.line, self.column = _line_and_column(source, offset)
        where = f"{part} part, " if part else ""
        super().__init__(f"{reason} ({where}line {self.line}, column {self.column})")

    def in_part(self, part: str) -> TemplateSyntaxError:
        return TemplateSyntaxError(self.reason, source=self.source, offset=self.offset, part=part)


class UnsupportedOperation(TemplateError):
    """An inline template (SESv2 ``TemplateContent`` in a send) goes beyond simple substitution.

    The message is the one SES answers with; ``construct`` says which tag was refused.
    """

    def __init__(self, construct: str, *, part: str | None = None) -> None:
        super().__init__(UNSUPPORTED_OPERATIONS_MESSAGE)
        self.construct = construct
        self.part = part


class RenderError(TemplateError):
    """The template is valid but cannot be rendered with this data."""

    def __init__(self, message: str, *, part: str | None = None) -> None:
        super().__init__(message)
        self.part = part


class MissingVariable(RenderError):
    """A tag refers to an attribute the rendering data does not have (or an unknown helper).

    ``name`` is the reference as written in the template (``contact.firstName``, ``@index``).
    """

    def __init__(self, name: str, *, part: str | None = None) -> None:
        super().__init__(f"Attribute '{name}' is not present in the rendering data.", part=part)
        self.name = name


class TemplateDataError(TemplateError):
    """``TemplateData`` (or replacement data) is not a JSON object of acceptable size."""
