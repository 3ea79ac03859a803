"""``dflab images``: build the lab images (offline from the host's Debian mirror) and list them."""

from __future__ import annotations

import argparse
import time
from typing import Any

from runner.backends import images
from runner.cli.context import Ctx, add_json_flag
from runner.ui.build import RichBuildReporter, image_table


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("images", help="build and list the lab images")
    isub = p.add_subparsers(dest="images_command", metavar="ACTION", required=True)
    b = isub.add_parser("build", help="build lab images (all profiles by default; 'runner' too)")
    b.add_argument("targets", nargs="*", metavar="PROFILE",
                   help="lab profiles from labs/, or 'runner' for the dflab image itself")
    b.add_argument("--force", action="store_true", help="rebuild even when up to date")
    b.add_argument("--base", help=f"base image (default: {images.DEFAULT_BASE}, bootstrapped "
                   "from the host's apt mirror; e.g. debian:bookworm-slim where pulls work)")
    b.add_argument("--network", help="network of the build containers (e.g. host)")
    add_json_flag(b)
    b.set_defaults(func=run_build)
    ls = isub.add_parser("list", help="show each lab image: present, up to date, size")
    add_json_flag(ls)
    ls.set_defaults(func=run_list)


def run_build(args: argparse.Namespace, ctx: Ctx) -> int:
    started = time.monotonic()
    with RichBuildReporter(ctx.err_console) as reporter:
        built = images.build_images(args.targets, force=args.force, base=args.base,
                                    reporter=reporter, network=args.network)
    if args.json:
        ctx.print_json([{"target": b.name, "image": b.tag, "id": b.image_id, "built": b.built}
                        for b in built])
    else:
        ctx.info(f"{len(built)} image(s) ready in {time.monotonic() - started:.0f} s")
    return 0


def run_list(args: argparse.Namespace, ctx: Ctx) -> int:
    rows = images.list_images()
    if args.json:
        ctx.print_json(rows)
        return 0
    table = image_table(rows)
    ctx.console.print(table)
    return 0
