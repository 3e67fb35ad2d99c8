"""The update and graph store URLs of a store, guessed from its query URL (no server needed)."""

from __future__ import annotations

import pytest

from kg.errors import KgError
from kg.storeurls import derive


def test_update_and_graph_store_urls_derived_for_known_servers():
    assert derive("http://h:7878/query?union-default-graph").graph_store == "http://h:7878/store"
    assert derive("http://h:7878/query").update == "http://h:7878/update"
    assert derive("http://h:8890/sparql").graph_store == "http://h:8890/sparql-graph-crud"
    assert derive("http://h:3030/ds/sparql").update == "http://h:3030/ds/update"
    assert derive("http://h:3030/ds/query").graph_store == "http://h:3030/ds/data"
    assert derive("http://h:7200/repositories/kg").update == "http://h:7200/repositories/kg/statements"
    assert derive("http://h/x", "http://h/u", "http://h/g").graph_store == "http://h/g"
    with pytest.raises(KgError, match="--update"):
        derive("http://h/x")
