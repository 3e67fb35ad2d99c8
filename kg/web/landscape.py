"""The landscape page's data: programs by development stage, per target and per disease, and approvals by regulator.

Read inside a query worker (kg.web.model runs it as the `landscape` task) and cached per store.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg.engine import LocalEngine
from kg.names import labels
from kg.vocab import DECISION_GROUPS
from kg.web.state import State, term

_THERAPIES = """SELECT ?t ?stage ?target ?disease ?approved ?phase WHERE {
  ?t a cart:Therapy .
  OPTIONAL { ?t cart:developmentStage ?stage }
  OPTIONAL { ?t cart:targets ?target }
  OPTIONAL { { ?t cart:approvedFor ?disease BIND(true AS ?approved) } UNION { ?t cart:investigatedFor ?disease }
              UNION { ?t cart:developedFor ?disease } }
  OPTIONAL { ?trial cart:evaluates ?t ; cart:phase ?phase }
}"""
_APPROVALS = """SELECT ?d ?t ?regulator ?type ?date ?indication WHERE {
  ?d a cart:RegulatoryDecision ; cart:decisionFor ?t ; cart:decidedBy ?regulator .
  OPTIONAL { ?d cart:decisionType ?type }
  OPTIONAL { ?d cart:decisionDate ?date }
  OPTIONAL { ?d cart:indication ?indication }
}"""
STAGES = ("Preclinical", "Phase 1", "Phase 1/2", "Phase 2", "Phase 2/3", "Phase 3", "Registration", "Approved",
          "Discontinued")
_PHASE_STAGE = {"Early Phase 1": "Phase 1", "Phase 1": "Phase 1", "Phase 1/2": "Phase 1/2", "Phase 2": "Phase 2",
                "Phase 2/3": "Phase 2/3", "Phase 3": "Phase 3"}


def landscape(state: State) -> dict:
    """The pipeline matrix (programs by stage, per target and per disease) and approvals by regulator.

    Cached per store.
    """
    engine = state.fresh()
    if "landscape" not in state.cache:
        state.cache["landscape"] = _landscape(state, engine)
    return state.cache["landscape"]


def _landscape(state: State, engine: LocalEngine) -> dict:
    programs = _programs(engine)
    decisions = engine.select(_APPROVALS).rows
    iris = set(programs) | {x for p in programs.values() for x in p["targets"] | p["diseases"]}
    iris |= {x.value for row in decisions for x in row if isinstance(x, ox.NamedNode)}
    shown = labels(engine, iris)
    approval_types = {t.value for t, g in engine.select(DECISION_GROUPS).rows if g.value == "approval"}
    approved_by = {row[1].value for row in decisions if row[3] is not None and row[3].value in approval_types}
    for iri, p in programs.items():
        _place(p, iri in approved_by)
    regulators = sorted({row[2].value for row in decisions}, key=lambda r: (shown.get(r) or r).casefold())
    return {"stages": list(STAGES), "by_target": _matrix(state, programs, "targets", shown),
            "by_disease": _matrix(state, programs, "diseases", shown),
            "regulators": [term(state, ox.NamedNode(r), shown) for r in regulators],
            "approvals": _approvals(state, decisions, approval_types, regulators, shown), "programs": len(programs)}


def _programs(engine: LocalEngine) -> dict[str, dict]:
    """Each therapy's recorded stages, targets, diseases, trial phases and whether an approval names it."""
    programs: dict[str, dict] = {}
    for t, stage, target, disease, approved, phase in engine.select(_THERAPIES).rows:
        p = programs.setdefault(t.value, {"stages": set(), "targets": set(), "diseases": set(), "phases": set(),
                                          "approved": False})
        if stage is not None:
            p["stages"].add(stage.value)
        if target is not None:
            p["targets"].add(target.value)
        if disease is not None:
            p["diseases"].add(disease.value)
        if approved is not None:
            p["approved"] = True
        if phase is not None and phase.value in _PHASE_STAGE:
            p["phases"].add(_PHASE_STAGE[phase.value])
    return programs


def _place(p: dict, approved_by_decision: bool) -> None:
    """Set the program's stage and what it was taken from."""
    if p["stages"]:
        # Where sources disagree, the furthest stage recorded is shown and the page says so.
        p["stage"] = max(p["stages"], key=lambda s: STAGES.index(s) if s in STAGES else -1)
        p["from"] = "recorded" + (" (sources differ)" if len(p["stages"]) > 1 else "")
    elif p["approved"] or approved_by_decision:
        p["stage"], p["from"] = "Approved", "an approval"
    elif p["phases"]:
        p["stage"], p["from"] = max(p["phases"], key=STAGES.index), "its furthest trial"
    else:
        p["stage"], p["from"] = "", "nothing recorded"


def _matrix(state: State, programs: dict[str, dict], by: str, shown: dict[str, str]) -> list[dict]:
    """One row per target (or disease), its programs in the column of their stage."""
    groups: dict[str, dict] = {}
    for iri, p in programs.items():
        for g in sorted(p[by]) or [""]:
            row = groups.setdefault(g, {"group": term(state, ox.NamedNode(g), shown) if g else None,
                                        "cells": defaultdict(list)})
            row["cells"][p["stage"]].append({"curie": state.curie(iri), "label": shown.get(iri) or state.curie(iri),
                                             "from": p["from"]})
    out = []
    for row in groups.values():
        cells = [sorted(row["cells"].get(s, []), key=lambda x: x["label"].casefold()) for s in STAGES]
        unknown = sorted(row["cells"].get("", []), key=lambda x: x["label"].casefold())
        out.append({"group": row["group"], "cells": cells, "unknown": unknown})
    out.sort(key=lambda r: (r["group"] is None, (r["group"] or {}).get("label", "").casefold()))
    return out


def _approvals(state: State, decisions: list, approval_types: set[str], regulators: list[str],
               shown: dict[str, str]) -> list[dict]:
    """One row per approved therapy, its approvals in the column of their regulator."""
    approvals: dict[str, dict] = {}
    for d, t, regulator, dtype, date, indication in decisions:
        if dtype is None or dtype.value not in approval_types:
            continue
        row = approvals.setdefault(t.value, {"therapy": term(state, t, shown), "cells": defaultdict(list)})
        row["cells"][regulator.value].append({"decision": term(state, d, shown), "date": date.value if date else "",
                                             "type": state.curie(dtype.value).partition(":")[2],
                                             "indication": shown.get(indication.value, "") if indication else ""})
    approval_rows = []
    for row in sorted(approvals.values(), key=lambda r: r["therapy"]["label"].casefold()):
        approval_rows.append({"therapy": row["therapy"],
                              "cells": [sorted(row["cells"].get(r, []), key=lambda x: x["date"]) for r in regulators]})
    return approval_rows
