"""crm-core's names, read once from the extension: the package spells none.

``VOCABULARY[kind]`` is the tuple of names of one concept, in report order
(``"tier"``, ``"behaviour"``, ``"strategy"``, ``"service_model"``,
``"contact_cadence"``, ``"move"``, ``"membership"``, ``"monetary"``, ``"unit"``,
``"component"``, ``"rfm_segment"``, ...).
"""

from __future__ import annotations

from . import _crm_engine

VOCABULARY: dict[str, tuple[str, ...]] = {
    kind: tuple(names) for kind, names in _crm_engine.vocabulary()
}
