#!/usr/bin/env python3
"""Check a TMX memory as CI does: valid against the TMX 1.4 DTD, and holding the pairs it must hold.

    python scripts/check_memory.py memory.tmx --dtd ../shared/data/tmx/tmx14.dtd \
        --expect "Đối tác Chiến lược Toàn diện" "Comprehensive Strategic Partnership"

Prints one line per check; exits 1 when any fails.
"""

from __future__ import annotations

import argparse
import sys

from lxml import etree

from align.tmx import read_tmx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("memory")
    parser.add_argument("--dtd", required=True, help="path to tmx14.dtd")
    parser.add_argument("--expect", nargs=2, action="append", default=[], metavar=("VI", "EN"),
                        help="a unit whose vi side contains VI and whose en side contains EN must exist")
    args = parser.parse_args()
    failures = 0
    dtd = etree.DTD(args.dtd)
    parser_options = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    valid = dtd.validate(etree.parse(args.memory, parser_options))
    print(f"{'ok  ' if valid else 'FAIL'} {args.memory} is valid against {args.dtd}")
    if not valid:
        failures += 1
        for error in dtd.error_log.filter_from_errors()[:10]:
            print(f"     line {error.line}: {error.message}")
    units = read_tmx(args.memory).units
    print(f"ok   {len(units)} translation units")
    for vi, en in args.expect:
        found = any(vi in (u.text("vi") or "") and en in (u.text("en") or "") for u in units)
        print(f"{'ok  ' if found else 'FAIL'} a unit pairs {vi!r} with {en!r}")
        failures += not found
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
