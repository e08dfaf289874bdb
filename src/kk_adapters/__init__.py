"""kk_adapters: storage and data-source adapters plugged into kk_core through pluggy.

Each adapter module registers itself through the ``kk`` entry-point group, exactly as a
third-party adapter would.
"""

__all__: list[str] = []
