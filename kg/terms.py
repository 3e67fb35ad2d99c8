"""The type of an RDF term as pyoxigraph gives it (its stubs name no such union; annotations use this one)."""

from __future__ import annotations

from typing import TypeAlias

import pyoxigraph as ox

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
