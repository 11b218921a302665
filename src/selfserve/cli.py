"""``selfserve``: serve, migrate, seed, manage API keys, and run renewals and billing.

Every subcommand reads its configuration from ``SELFSERVE_*`` (see ``config.py``); flags
override it for one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from selfserve.config import get_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from selfserve.db import DatabaseUnavailable
    from selfserve.errors import SelfserveError

    try:
        return int(args.handler(args) or 0)
    except (CliError, DatabaseUnavailable) as exc:
        print(f"selfserve: {exc}", file=sys.stderr)
        return 1
    except SelfserveError as exc:
        print(f"selfserve: {exc.message}", file=sys.stderr)
        return 1


class CliError(Exception):
    """A clear, expected failure of a command."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="selfserve", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers()
    serve = sub.add_parser("serve", help="serve the API with granian")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--demo", action="store_true", help="migrate, seed if empty, print a key")
    serve.set_defaults(handler=_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(handler=_migrate)
    seed = sub.add_parser("seed", help="load deterministic demo or benchmark data")
    seed.add_argument("--tenant", default="demo")
    seed.add_argument("--customers", type=int, default=50)
    seed.add_argument("--orders", type=int, default=600)
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--as-of", type=date.fromisoformat, default=None)
    seed.add_argument("--big-customers", type=int, default=0)
    seed.add_argument("--big-customer-orders", type=int, default=500)
    seed.add_argument("--json", action="store_true")
    seed.set_defaults(handler=_seed)
    _key_commands(sub.add_parser("keys", help="create, list and revoke API keys"))
    docs = sub.add_parser(
        "documents", help="stored JSON of orders, assets and invoices"
    ).add_subparsers()
    docs.add_parser(
        "build", help="build every missing document (after a bulk load; servers do it too)"
    ).set_defaults(handler=_documents_build)
    _run_commands(sub)
    catalog = sub.add_parser("catalog", help="import the product catalog").add_subparsers()
    importing = catalog.add_parser("import", help="upsert products, prices and tax rates")
    importing.add_argument("file", help="a catalog JSON file (see docs/catalog.md)")
    importing.add_argument("--tenant", default="demo")
    importing.add_argument("--json", action="store_true")
    importing.set_defaults(handler=_catalog_import)
    return parser


def _run_commands(sub: Any) -> None:
    """``renew`` and ``bill``: the scheduled runs, safe to repeat and to run beside the API."""
    runs = (
        ("renew", "renew, end and expire subscriptions whose terms ended before --as-of", _renew),
        ("bill", "issue every invoice due by --as-of that was not issued yet", _bill),
    )
    for name, help_text, handler in runs:
        command = sub.add_parser(name, help=help_text)
        command.add_argument(
            "--as-of", type=date.fromisoformat, required=True, help="YYYY-MM-DD (customer dates)"
        )
        command.add_argument("--tenant", default=None, help="one tenant's slug (default: all)")
        command.add_argument("--json", action="store_true")
        command.set_defaults(handler=handler)


def _key_commands(keys: argparse.ArgumentParser) -> None:
    sub = keys.add_subparsers()
    create = sub.add_parser("create", help="create a key (and its tenant); prints it once")
    create.add_argument("--tenant", required=True)
    create.add_argument("--role", required=True, help="admin | integration | read-only")
    create.add_argument("--name", default="")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=_keys_create)
    listing = sub.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--tenant")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_keys_list)
    rotate = sub.add_parser("rotate", help="replace a key; the old one works for an overlap")
    rotate.add_argument("key_id")
    rotate.add_argument("--overlap-seconds", type=int, default=None)
    rotate.add_argument("--json", action="store_true")
    rotate.set_defaults(handler=_keys_rotate)
    revoke = sub.add_parser("revoke", help="revoke a key by its key id")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_keys_revoke)


def _migrate(args: argparse.Namespace) -> int:
    from selfserve.migrate import migrate

    migrate(get_settings().database_url)
    print("database is at the latest schema")
    return 0


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _keys_create(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import create_key

    created = _run(create_key(args.tenant, args.role, args.name))
    if args.json:
        print(json.dumps(created))
    else:
        print(f"API key for tenant {created['tenant']} (role {created['role']}), shown only once:")
        print(created["key"])
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import list_keys

    rows = _run(list_keys(args.tenant))
    if args.json:
        print(json.dumps(rows))
        return 0
    for row in rows:
        state = "revoked" if row["revokedAt"] else "active"
        print(f"{row['keyId']}  {row['tenant']:<16} {row['role']:<12} {state:<8} {row['name']}")
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import rotate_key

    overlap = args.overlap_seconds
    if overlap is None:
        overlap = get_settings().key_rotation_overlap_seconds
    if overlap < 0:
        raise CliError("--overlap-seconds must be 0 or more")
    rotated = _run(rotate_key(args.key_id, overlap))
    if rotated is None:
        raise CliError(f"no active key with id {args.key_id}")
    if args.json:
        print(json.dumps(rotated))
    else:
        until = rotated["oldExpiresAt"]
        print(f"new key (shown only once); {args.key_id} keeps working until {until}:")
        print(rotated["key"])
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import revoke_key

    if not _run(revoke_key(args.key_id)):
        raise CliError(f"no active key with id {args.key_id}")
    print(f"revoked {args.key_id}")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import seed

    report = _run(
        seed(
            tenant=args.tenant,
            customers=args.customers,
            orders=args.orders,
            seed=args.seed,
            as_of=args.as_of,
            big_customers=args.big_customers,
            big_customer_orders=args.big_customer_orders,
        )
    )
    print(json.dumps(report) if args.json else f"seeded tenant {args.tenant}: {report['counts']}")
    return 0


def _documents_build(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import build_documents

    print(f"built {_run(build_documents())} documents")
    return 0


def _renew(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import renew

    return _report(_run(renew(args.as_of, args.tenant)), args.json)


def _bill(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import bill

    return _report(_run(bill(args.as_of, args.tenant)), args.json)


def _report(result: dict[str, Any], as_json: bool) -> int:
    print(json.dumps(result["json"]) if as_json else result["summary"])
    return 0


def _catalog_import(args: argparse.Namespace) -> int:
    from selfserve.cli_tasks import import_catalog

    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    result = _run(import_catalog(raw, args.tenant))
    print(json.dumps(result["json"]) if args.json else result["summary"])
    return 0


def _serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    host = args.host or settings.host
    port = args.port or int(os.environ.get("PORT", settings.port))
    workers = args.workers or settings.workers
    if args.demo:
        from selfserve.cli_tasks import prepare_demo

        if not settings.token_signing_keys.get_secret_value():
            # The demo mints portal tokens; workers inherit this process's environment.
            os.environ["SELFSERVE_TOKEN_SIGNING_KEYS"] = "demo:" + secrets.token_urlsafe(32)
        text, customer = _run(prepare_demo(f"http://{host}:{port}"))
        # A reusable demo link to the portal (a portal link itself works once, for 60 s).
        token = secrets.token_urlsafe(24)
        os.environ["SELFSERVE_PORTAL_DEMO_CUSTOMER"] = customer
        os.environ["SELFSERVE_PORTAL_DEMO_TOKEN"] = token
        get_settings.cache_clear()  # workers may be forked from this process: read them again
        print(
            text + f"\nCustomer portal (demo customer): http://{host}:{port}/portal/demo/{token}\n"
        )
    from granian import Granian
    from granian.constants import Interfaces, Loops

    Granian(
        "selfserve.asgi:app",
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop,
        log_access=False,
    ).serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
