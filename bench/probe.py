"""Child process of the harness: one memory measurement, printed as JSON.

``python -m bench.probe peak|resident LAYER raw|lib N GC_MODE``
"""

from __future__ import annotations

import json
import sys

from bench.harness import probe


def main(argv: list[str]) -> int:
    kind, layer, side, n, gc_mode = argv
    print(json.dumps(probe(kind, layer, side, int(n), gc_mode)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
