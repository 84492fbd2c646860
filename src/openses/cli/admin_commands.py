"""``openses admin …``: the operator's commands, working on the same store as the server."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from openses.config import (
    ConfigError,
    add_service_dkim_arguments,
    add_store_arguments,
    service_dkim_settings,
    store_settings,
)
from openses.domain.smtp_password import derive_smtp_password
from openses.services.errors import ServiceError

if TYPE_CHECKING:
    from openses.runtime import OperatorServices


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = commands.add_parser("admin", help="operator commands on the store")
    areas = admin.add_subparsers(dest="area", required=True, metavar="AREA")

    account = areas.add_parser("account", help="create and update accounts")
    account_verbs = account.add_subparsers(dest="verb", required=True, metavar="VERB")
    create = account_verbs.add_parser("create", help="create an account and its root key")
    add_store_arguments(create)
    create.add_argument("--account-id", help="12 digits (default: random)")
    create.add_argument("--production", action="store_true", help="out of the sandbox")
    create.set_defaults(run=_run(_account_create))
    update = account_verbs.add_parser("update", help="change an account's limits and state")
    add_store_arguments(update)
    update.add_argument("account_id")
    mode = update.add_mutually_exclusive_group()
    mode.add_argument("--production", dest="production", action="store_true", default=None)
    mode.add_argument("--sandbox", dest="production", action="store_false")
    update.add_argument("--max-24-hour-send", type=float)
    update.add_argument("--max-send-rate", type=float)
    update.add_argument("--sending-enabled", choices=["true", "false"])
    update.set_defaults(run=_run(_account_update))

    identity = areas.add_parser("identity", help="identities")
    identity_verbs = identity.add_subparsers(dest="verb", required=True, metavar="VERB")
    verify = identity_verbs.add_parser(
        "verify", help="mark an identity verified (an explicit override, recorded as such)"
    )
    add_store_arguments(verify)
    verify.add_argument("--account-id", required=True)
    verify.add_argument("--region", required=True)
    verify.add_argument("identity", help="an email address or a domain")
    verify.set_defaults(run=_run(_identity_verify))

    service_key = areas.add_parser(
        "service-key", help="credentials that act as an AWS service principal for an account"
    )
    service_verbs = service_key.add_subparsers(dest="verb", required=True, metavar="VERB")
    service_create = service_verbs.add_parser("create", help="issue service credentials")
    add_store_arguments(service_create)
    service_create.add_argument("--account-id", required=True)
    service_create.add_argument("--service", required=True, help="e.g. ses.amazonaws.com")
    service_create.add_argument("--source-arn", help="the aws:SourceArn its requests carry")
    service_create.set_defaults(run=_run(_service_key_create))

    smtp = areas.add_parser(
        "smtp-password", help="the SES SMTP password of a secret access key in a region"
    )
    smtp.add_argument("--secret-access-key", required=True)
    smtp.add_argument("--region", required=True)
    smtp.set_defaults(run=_smtp_password)

    service_dkim = areas.add_parser(
        "service-dkim",
        help="the DNS record that publishes the service signature's key (made if need be)",
    )
    service_dkim.add_argument("--data-dir", help="data directory of the server (its key)")
    add_service_dkim_arguments(service_dkim)
    service_dkim.set_defaults(run=_service_dkim)


Action = Callable[["OperatorServices", argparse.Namespace], Awaitable[dict[str, Any]]]


def _run(action: Action) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        # The runtime (database drivers, web server) loads only for commands that need it.
        from openses.runtime import operator_services  # noqa: PLC0415
        from openses.storage.urls import DatabaseUrlError  # noqa: PLC0415

        async def main() -> dict[str, Any]:
            async with operator_services(store_settings(args, os.environ)) as services:
                return await action(services, args)

        try:
            result = asyncio.run(main())
        except ServiceError as error:
            print(f"openses: {error.message}", file=sys.stderr)
            return 1
        except DatabaseUrlError as error:
            print(f"openses: --database-url: {error}", file=sys.stderr)
            return 2
        print(json.dumps(result, indent=2))
        return 0

    return run


def _now() -> datetime:
    return datetime.now(UTC)


async def _account_create(services: OperatorServices, args: argparse.Namespace) -> dict[str, Any]:
    account, key = await services.accounts.create_account(
        _now(), account_id=args.account_id, production=args.production
    )
    return {
        "account_id": account.account_id,
        "access_key_id": key.access_key_id,
        "secret_access_key": key.secret_access_key,
    }


async def _account_update(services: OperatorServices, args: argparse.Namespace) -> dict[str, Any]:
    account = await services.accounts.update_account(
        args.account_id,
        production=args.production,
        max_24_hour_send=args.max_24_hour_send,
        max_send_rate=args.max_send_rate,
        sending_enabled=None if args.sending_enabled is None else args.sending_enabled == "true",
    )
    return {
        "account_id": account.account_id,
        "production": account.production,
        "sending_enabled": account.sending_enabled,
        "max_24_hour_send": account.max_24_hour_send,
        "max_send_rate": account.max_send_rate,
    }


async def _identity_verify(services: OperatorServices, args: argparse.Namespace) -> dict[str, Any]:
    identity = await services.identities.operator_verify(
        _now(), account_id=args.account_id, region=args.region, name=args.identity
    )
    return {
        "account_id": identity.account_id,
        "region": identity.region,
        "identity": identity.name,
        "verification_status": identity.status.value,
        "verified_by": identity.verified_by.value if identity.verified_by else None,
    }


async def _service_key_create(
    services: OperatorServices, args: argparse.Namespace
) -> dict[str, Any]:
    key = await services.accounts.create_service_key(
        _now(), account_id=args.account_id, service=args.service, source_arn=args.source_arn
    )
    return {
        "account_id": key.account_id,
        "service": key.service,
        "source_arn": key.source_arn,
        "access_key_id": key.access_key_id,
        "secret_access_key": key.secret_access_key,
    }


def _smtp_password(args: argparse.Namespace) -> int:
    print(derive_smtp_password(args.secret_access_key, args.region))
    return 0


def _service_dkim(args: argparse.Namespace) -> int:
    """Prints the TXT record to publish for ``--service-dkim-domain`` (the same flags and
    variables as ``openses serve``; without ``--service-dkim-key``, the key the server makes in
    its data directory, made here first if the server has not started yet)."""
    from openses.outbound.service_dkim_key import (  # noqa: PLC0415
        ServiceKeyError,
        load_service_signature,
    )

    try:
        settings = service_dkim_settings(args, os.environ)
        if settings is None:
            raise ConfigError("--service-dkim-domain (or OPENSES_SERVICE_DKIM_DOMAIN) is needed")
        data_dir = store_settings(args, os.environ).data_dir
        signature = load_service_signature(
            settings.domain, settings.selector, settings.key_file, data_dir
        )
    except (ConfigError, ServiceKeyError) as error:
        print(f"openses: {error}", file=sys.stderr)
        return 2
    record = {"name": signature.record_name, "type": "TXT", "value": signature.record_value}
    print(json.dumps(record, indent=2))
    return 0
