"""Email templates of an account in a region: stored, validated, rendered.

Templates are the caller's own (a delegate sends with its own templates as the owner's
identity). Create and update compile every part first, so a template that could never render
is refused as ``InvalidTemplate`` (v1) / ``BadRequestException`` (v2). Rendering is strict, as
SES's is (see :mod:`openses.domain.templates`): a missing attribute is
``MissingRenderingAttribute`` from TestRenderTemplate, and makes a templated send a rendering
failure (accepted, recorded, never delivered), as SES documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openses.domain.mail import Content, RawMessage, compose_simple
from openses.domain.mail.addresses import Mailbox
from openses.domain.tags import ResourceType, Tag, TaggedResource
from openses.domain.templates import (
    CompiledTemplate,
    EmailTemplate,
    MissingVariable,
    RenderedTemplate,
    RenderError,
    TemplateDataError,
    TemplateError,
    compile_template,
    parse_template_data,
    template_problems,
)
from openses.services.errors import (
    AlreadyExists,
    InvalidTemplate,
    LimitExceeded,
    MissingRenderingAttribute,
    RenderingFailed,
    TemplateNotFound,
)
from openses.services.ports import Conflict, Store, StoredTemplate
from openses.services.principals import Call
from openses.services.tags import checked_tags

#: Templates per account and region (SES quota).
MAX_TEMPLATES = 10_000
_PREVIEW_ID = "<preview@openses.invalid>"


@dataclass(frozen=True, slots=True)
class Rendering:
    """A template rendered for one destination, or why it could not be (``error``)."""

    rendered: RenderedTemplate | None
    error: str | None = None


class TemplatesService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._compiled: dict[EmailTemplate, CompiledTemplate] = {}

    # ------------------------------------------------------------------ management

    async def create(self, call: Call, template: EmailTemplate, tags: Sequence[Tag] = ()) -> None:
        """Create the template with its resource ``tags`` (v2), in one transaction."""
        self._validated(template)
        checked_tags(tags)
        async with self.store.transaction() as tx:
            if await tx.count_templates(call.account_id, call.region) >= MAX_TEMPLATES:
                raise LimitExceeded(f"Maximum number of templates ({MAX_TEMPLATES}) exceeded.")
            try:
                await tx.insert_template(
                    call.account_id, call.region, StoredTemplate(template, call.now)
                )
            except Conflict:
                raise AlreadyExists(f"Template {template.name} already exists.") from None
            await tx.put_resource_tags(call.account_id, call.region, _tagged(template.name), tags)

    async def update(self, call: Call, template: EmailTemplate) -> None:
        self._validated(template)
        async with self.store.transaction() as tx:
            if not await tx.update_template(call.account_id, call.region, template):
                raise _missing(template.name)

    async def get(self, call: Call, name: str) -> StoredTemplate:
        async with self.store.transaction(read_only=True) as tx:
            stored = await tx.get_template(call.account_id, call.region, name)
        if stored is None:
            raise _missing(name)
        return stored

    async def list(self, call: Call) -> list[StoredTemplate]:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.list_templates(call.account_id, call.region)

    async def delete(self, call: Call, name: str, *, must_exist: bool) -> None:
        async with self.store.transaction() as tx:
            deleted = await tx.delete_template(call.account_id, call.region, name)
            await tx.delete_resource_tags(call.account_id, call.region, _tagged(name))
        if must_exist and not deleted:
            raise _missing(name)

    # ------------------------------------------------------------------- rendering

    async def test_render(self, call: Call, name: str, data_text: str) -> str:
        """The complete MIME message the template renders to with ``data_text``."""
        compiled = self.compiled((await self.get(call, name)).template)
        data = parse_data(data_text)
        try:
            rendered = compiled.render(data, strict=True)
        except MissingVariable as error:
            raise MissingRenderingAttribute(error.message) from None
        except RenderError as error:
            raise RenderingFailed(error.message) from None
        return preview(rendered, call)

    def compiled(self, template: EmailTemplate, *, inline: bool = False) -> CompiledTemplate:
        """``template`` compiled once (``InvalidTemplate`` for an inline one that breaks rules)."""
        found = self._compiled.get(template)
        if found is None:
            try:
                if inline:
                    problems = template_problems(template, inline=True)
                    if problems:
                        raise InvalidTemplate(" ".join(problems))
                found = compile_template(template, inline=inline)
            except TemplateError as error:
                raise InvalidTemplate(error.message) from None
            if len(self._compiled) >= 1024:
                self._compiled.clear()
            self._compiled[template] = found
        return found

    def _validated(self, template: EmailTemplate) -> None:
        problems = template_problems(template)
        if problems:
            raise InvalidTemplate(" ".join(problems))
        self.compiled(template)


def parse_data(text: str) -> dict[str, object]:
    try:
        return parse_template_data(text)
    except TemplateDataError as error:
        raise RenderingFailed(error.message) from None


def render(compiled: CompiledTemplate, data: Mapping[str, object]) -> Rendering:
    """Strict rendering for a send: the rendered parts, or the failure SES would report."""
    try:
        return Rendering(compiled.render(data, strict=True))
    except RenderError as error:
        return Rendering(None, error.message)


def preview(rendered: RenderedTemplate, call: Call) -> str:
    """TestRenderTemplate's answer: the MIME message of the rendered parts (no From/To)."""
    composed = compose_simple(
        source=Mailbox("preview@openses.invalid"),
        subject=Content(rendered.subject or ""),
        date=call.now,
        message_id=_PREVIEW_ID,
        text=Content(rendered.text) if rendered.text is not None else None,
        html=Content(rendered.html) if rendered.html is not None else None,
    )
    return RawMessage.parse(composed).without(["From", "Message-ID"]).decode("utf-8", "replace")


def _tagged(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.TEMPLATE, name)


def _missing(name: str) -> TemplateNotFound:
    return TemplateNotFound(f"Template {name} does not exist.")
