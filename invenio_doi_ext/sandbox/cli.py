"""`invenio-doi-sandbox`: run the DataCite sandbox from a shell, for demos and development."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from .dois import Account
from .server import SandboxServer


def account_option(value: str) -> Account:
    """``NAME:PASSWORD:PREFIX[,PREFIX...]``: a further repository account."""
    parts = value.split(":")
    if len(parts) != 3 or not all(parts):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not NAME:PASSWORD:PREFIX[,PREFIX...], e.g. INST.B:secret:10.5678"
        )
    name, password, prefixes = parts
    return Account(username=name, password=password,
                   prefixes=tuple(p for p in prefixes.split(",") if p))


def parser() -> argparse.ArgumentParser:
    """The command-line options."""
    p = argparse.ArgumentParser(
        prog="invenio-doi-sandbox",
        description="A local stand-in of the DataCite REST API, with a control API "
        "under /__sandbox__/.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    p.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    p.add_argument("--prefix", action="append", dest="prefixes",
                   help="DOI prefix owned by the account (repeatable; default 10.1234)")
    p.add_argument("--username", default="sandbox", help="account user name")
    p.add_argument("--password", default="sandbox", help="account password")
    p.add_argument("--account", action="append", dest="accounts", type=account_option, default=[],
                   help="a further repository account NAME:PASSWORD:PREFIX[,PREFIX...] (repeatable)")
    p.add_argument("--allowed-domain", action="append", dest="allowed_domains", default=[],
                   help="host allowed in DOI URLs (repeatable; none or '*' = any)")
    p.add_argument("--db", default=None, help="SQLite file, so that DOIs survive a restart")
    p.add_argument("--verbose", action="store_true", help="log every request")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; prints the URL first so that scripts can read it."""
    args = parser().parse_args(argv)
    server = SandboxServer(
        prefixes=args.prefixes or ("10.1234",),
        username=args.username,
        password=args.password,
        allowed_domains=args.allowed_domains,
        host=args.host,
        port=args.port,
        db_path=args.db,
        quiet=not args.verbose,
        accounts=args.accounts,
    ).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"DataCite sandbox listening on {server.url}", flush=True)
    print(f"  account {args.username}, prefixes {', '.join(server.options['prefixes'])}",
          flush=True)
    for each in args.accounts:
        print(f"  account {each.username}, prefixes {', '.join(each.prefixes)}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
