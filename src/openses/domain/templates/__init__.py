"""SES email templates: validation, and Handlebars rendering as SES does it.

**What SES does.** A template (v1 CreateTemplate, v2 CreateEmailTemplate, or v2 inline
``TemplateContent``) has a name and subject, text and HTML parts; SES needs a text or an HTML
part, takes at most 500 KB per stored template (1 MB inline) and at most 262,144 characters of
``TemplateData``, which must be a JSON object (else ``InvalidRenderingParameter``). Parts are
Handlebars: ``{{var}}``, nested paths, ``#if``/``else``/``else if``, ``#unless``, ``#each``
(``this``, ``@index``, ``@key``, ``@first``, ``@last``, ``else``), ``#with``, ``../``,
``@root``, ``lookup``, ``log``, block params, comments, ``~`` whitespace control, standalone
lines, ``\\{{`` escapes, and inline partials (``{{#*inline "x"}}`` then ``{{> x}}``, scoped to
one part). SES never HTML-escapes, so ``{{x}}`` renders like ``{{{x}}}``; values print as
Handlebars.js prints them (``true``, ``1.5``, arrays joined with ``,``, objects as
``[object Object]``, null and undefined as nothing). A referenced attribute missing from the
data makes TestRenderTemplate fail with ``MissingRenderingAttribute`` ("Attribute 'x' is not
present in the rendering data."); extra attributes are fine and names are case-sensitive. A
send whose data does not render is accepted, then dropped with a Rendering Failure event whose
``errorMessage`` is that same sentence. Inline v2 templates allow only simple substitutions
("Template contains unsupported operations." otherwise).

**Decisions where the documentation is silent.**

*Strictness.* Sends render with ``strict=True`` exactly like TestRenderTemplate, because SES
refuses to deliver a message with missing variables; only the reporting differs (an API error
versus a Rendering Failure event carrying ``str(error)``). ``strict=False`` (missing renders
as nothing, as plain Handlebars) is for previews and tooling, never for SES semantics.

*What is missing.* In strict mode an output tag (``{{x}}``, ``{{a.b}}``, ``{{@index}}``) whose
value is absent *or null* fails (a reported SES send with ``"website": null`` was dropped), as
does a section ``{{#x}}``/``{{^x}}`` on an absent key. Arguments of the built-in helpers
(``{{#if x}}``, ``{{#each x}}``, ``{{#with x}}``, ``lookup``) never fail, as in Handlebars.js
strict mode, so templates can test for optional data. The error names the reference as
written (``contact.firstName``).

*Unknown helpers* (``{{#IF x}}``, ``{{eq a b}}``) are accepted by ``compile_template`` and fail
every render with ``MissingVariable`` naming the helper, strict or not: SES stores such
templates and reports "Attribute 'IF' is not present in the rendering data." when sending.
Everything else that could never render (an unclosed or mismatched block, ``{{#if}}`` without
exactly one argument, a partial no ``{{#*inline}}`` defines, raw blocks, partial blocks,
dynamic partials, other decorators) is a ``TemplateSyntaxError`` at compile time, which an
edge reports as ``InvalidTemplate``.

*Values.* Numbers with a fraction or exponent print as JavaScript's ``Number#toString`` (``1.0``
prints ``1``, ``1e21`` prints ``1e+21``); integers print every digit, where JavaScript would
round those beyond 2**53 (an order number must not change). Adjacent numbers concatenate
(Handlebars.js without escaping adds them: ``{{a}}{{b}}`` gives ``2`` for 1 and 1; we take that
for a bug). Objects iterate in their JSON order. ``{{amazonSESUnsubscribeUrl}}``, when the
data does not define it, is left in place for SES list management to fill in rather than
being a missing attribute. Partials start a fresh ``../`` stack, as in Handlebars.js.

*Limits.* 500 KB means 512,000 bytes of UTF-8 across the subject, text and HTML parts (1 MB,
1,048,576, inline). Template names are 1 to 64 ASCII letters, digits, ``_`` and ``-``. Blocks
nest at most 100 deep and partials call each other at most 64 deep (``RenderError`` beyond).

*Bulk data.* A destination's ``ReplacementTemplateData`` is merged over the default data key by
key, recursively for objects (arrays and scalars replace), as SESv2 was observed to do; the same
is applied to v1 ``SendBulkTemplatedEmail``.
"""

from __future__ import annotations

from openses.domain.templates.errors import (
    UNSUPPORTED_OPERATIONS_MESSAGE,
    MissingVariable,
    RenderError,
    TemplateDataError,
    TemplateError,
    TemplateSyntaxError,
    UnsupportedOperation,
)
from openses.domain.templates.model import (
    INLINE_TEMPLATE_MAX_BYTES,
    TEMPLATE_DATA_MAX_LENGTH,
    TEMPLATE_MAX_BYTES,
    TEMPLATE_NAME_MAX_LENGTH,
    CompiledTemplate,
    EmailTemplate,
    RenderedTemplate,
    compile_template,
    merge_template_data,
    parse_template_data,
    render_template,
    template_name_problem,
    template_problems,
    template_size,
)
from openses.domain.templates.render import CompiledPart, compile_part

__all__ = [
    "INLINE_TEMPLATE_MAX_BYTES",
    "TEMPLATE_DATA_MAX_LENGTH",
    "TEMPLATE_MAX_BYTES",
    "TEMPLATE_NAME_MAX_LENGTH",
    "UNSUPPORTED_OPERATIONS_MESSAGE",
    "CompiledPart",
    "CompiledTemplate",
    "EmailTemplate",
    "MissingVariable",
    "RenderError",
    "RenderedTemplate",
    "TemplateDataError",
    "TemplateError",
    "TemplateSyntaxError",
    "UnsupportedOperation",
    "compile_part",
    "compile_template",
    "merge_template_data",
    "parse_template_data",
    "render_template",
    "template_name_problem",
    "template_problems",
    "template_size",
]
