"""Inference into a graph of its own: the ontology's hierarchy and property axioms, then SPARQL join rules.

Four schema rules each derive one triple from one triple, given the ontology (the "TBox"):
subclass (x a C, C subClassOf+ D => x a D), subproperty (s p o, p subPropertyOf+ q => s q o),
symmetric (s p o, p a owl:SymmetricProperty => o p s) and inverse (s p o, p inverseOf q => o q s).
The first pass runs inside the store as SPARQL updates, one per pair of class (or property) and what
it entails, read off the ontology with every chain of rules followed to its end, so one pass over the
data derives everything the four rules can (a million triples: 1.6 s, against 3.9 s in Python). Later
rounds, over what the join rules add, run set-wise in Python, semi-naively (each round only looks at
what the round before derived). An ontology that makes rdf:type a subproperty or an inverse of
something has chains through types as well, and runs every round in Python.
The join rules (several triples per derivation) stay SPARQL CONSTRUCTs; each runs once, and again only
when a round derived a triple with a property its body reads. They exclude what is known with MINUS,
not FILTER NOT EXISTS, which Oxigraph evaluates once per solution (much slower at a million triples).

Every rule adds what it derives unless some graph of the store already holds that triple.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import spill
from kg.terms import Term
from kg.vocab import CART, GRAPH_INFERRED, OWL, RDF, RDF_TYPE, RDFS

TYPE = ox.NamedNode(RDF_TYPE)
SCHEMA_RULES = ("subclass", "subproperty", "symmetric", "inverse")


@dataclass(frozen=True)
class JoinRule:
    """A SPARQL CONSTRUCT and the properties its WHERE clause reads (re-run only when one of them grows)."""

    construct: str
    reads: frozenset[str]


def _reads(*curies: str) -> frozenset[str]:
    ns = {"cart": CART, "rdf": RDF, "rdfs": RDFS, "owl": OWL}
    return frozenset(ns[c.split(":")[0]] + c.split(":")[1] for c in curies)


JOIN_RULES: dict[str, JoinRule] = {
    "investigated-for": JoinRule("""
        CONSTRUCT { ?therapy cart:investigatedFor ?disease } WHERE {
          ?trial cart:evaluates ?therapy ; cart:studiesCondition ?disease .
          MINUS { ?therapy cart:investigatedFor ?disease }
        }""", _reads("cart:evaluates", "cart:studiesCondition")),
}

RULES = (*SCHEMA_RULES, *JOIN_RULES)
MAX_ROUNDS = 10

Pair = tuple  # (subject, object)
Subject = ox.NamedNode | ox.BlankNode | ox.Triple  # what a triple's subject can be


@dataclass
class Schema:
    """The hierarchy and property axioms the schema rules apply, read from every graph of the store."""

    superclasses: dict[Term, set[ox.NamedNode]]
    superproperties: dict[ox.NamedNode, set[ox.NamedNode]]
    symmetric: set[ox.NamedNode]
    inverses: dict[ox.NamedNode, set[ox.NamedNode]]

    @classmethod
    def read(cls, store: ox.Store) -> Schema:
        from kg.store import select

        def closure(prop: str, subjects: str) -> dict:
            # A blank-node superclass is an OWL restriction, not a class anything can be typed with.
            # Keys are what `subjects` lets through: classes (IRIs or blank nodes) or properties (IRIs).
            found: dict[Term, set[ox.NamedNode]] = {}
            for row in select(store, f"SELECT DISTINCT ?a ?b WHERE {{ ?a {prop}+ ?b "
                                     f"FILTER(isIRI(?b) && ?a != ?b && {subjects}) }}"):
                found.setdefault(row["a"], set()).add(row["b"])
            return found

        symmetric_query = "SELECT DISTINCT ?p WHERE { ?p a owl:SymmetricProperty FILTER(isIRI(?p)) }"
        symmetric: set[ox.NamedNode] = {row["p"] for row in select(store, symmetric_query)}
        inverses: dict[ox.NamedNode, set[ox.NamedNode]] = {}
        for row in select(store, "SELECT DISTINCT ?p ?q WHERE { ?p owl:inverseOf ?q FILTER(isIRI(?p) && isIRI(?q)) }"):
            inverses.setdefault(row["p"], set()).add(row["q"])
            inverses.setdefault(row["q"], set()).add(row["p"])
        # A blank-node subclass (a union, say) can type things; a blank-node property (an inverse
        # expression) is never a triple's predicate, and in a query's text it would not even parse.
        return cls(closure("rdfs:subClassOf", "!isLiteral(?a)"), closure("rdfs:subPropertyOf", "isIRI(?a)"),
                   symmetric, inverses)

    def used_properties(self) -> set[ox.NamedNode]:
        """The properties whose triples the schema rules read (rdf:type aside)."""
        return {*self.superproperties, *self.symmetric, *self.inverses}


class _Known:
    """What the store holds, one property at a time, read once and then kept up to date with what is derived.

    rdf:type is kept per class (its triples are most of a graph, and a rule only ever asks about one class).
    """

    def __init__(self, store: ox.Store):
        self.store = store
        self.pairs: dict[ox.NamedNode, set[Pair]] = {}
        self.members: dict[Term, set[Subject]] = {}

    def of_property(self, prop: ox.NamedNode) -> set[Pair]:
        if prop not in self.pairs:
            # A SELECT hands over two terms a row, cheaper than quads_for_pattern's four (a third faster).
            rows = self.store.query(f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s {prop} ?o }} }}")
            self.pairs[prop] = {(row[0], row[1]) for row in rows}
        return self.pairs[prop]

    def of_class(self, cls: Term) -> set[Subject]:
        if cls not in self.members:
            if isinstance(cls, ox.BlankNode):
                # in a query's text a blank node is a variable: it would match every class
                self.members[cls] = {q.subject for q in self.store.quads_for_pattern(None, TYPE, cls, None)
                                     if not isinstance(q.graph_name, ox.DefaultGraph)}
            else:
                rows = self.store.query(f"SELECT ?x WHERE {{ GRAPH ?g {{ ?x {TYPE} {cls} }} }}")
                self.members[cls] = {row[0] for row in rows}
        return self.members[cls]


class _Round:
    """Triples a round derived (or starts from): pairs per property, with rdf:type kept as members per class."""

    def __init__(self) -> None:
        self.pairs: dict[ox.NamedNode, set[Pair]] = {}
        self.members: dict[Term, set[Subject]] = {}

    def __bool__(self) -> bool:
        return bool(self.pairs or self.members)

    def properties(self) -> set[str]:
        return {p.value for p in self.pairs} | ({RDF_TYPE} if self.members else set())

    def quads(self, graph: ox.NamedNode) -> list[ox.Quad]:
        return ([ox.Quad(s, p, o, graph) for p, pairs in self.pairs.items() for s, o in pairs]
                + [ox.Quad(x, TYPE, c, graph) for c, xs in self.members.items() for x in xs])


def _add(known: _Known, out: _Round, prop: ox.NamedNode, pairs: set[Pair]) -> int:
    """Keep the pairs of `prop` the store does not hold yet; return how many were new."""
    if prop == TYPE:
        by_class: dict[Term, set[Subject]] = {}
        for s, o in pairs:
            by_class.setdefault(o, set()).add(s)
        return sum(_add_members(known, out, c, xs) for c, xs in by_class.items())
    have = known.of_property(prop)
    new = pairs - have
    if new:
        have |= new
        out.pairs.setdefault(prop, set()).update(new)
    return len(new)


def _add_members(known: _Known, out: _Round, cls: Term, xs: set[Subject]) -> int:
    have = known.of_class(cls)
    new = xs - have
    if new:
        have |= new
        out.members.setdefault(cls, set()).update(new)
    return len(new)


def _schema_round(schema: Schema, known: _Known, delta: _Round, counts: dict[str, int]) -> _Round:
    """Apply the four schema rules to the triples of `delta`; return what is new."""
    out = _Round()
    for cls, xs in delta.members.items():
        for sup in schema.superclasses.get(cls, ()):
            counts["subclass"] += _add_members(known, out, sup, xs)
    todo = list(delta.pairs.items())
    if TYPE in schema.used_properties() and delta.members:
        # rdf:type given a superproperty or an inverse: unusual, but an extension may do it
        todo.append((TYPE, {(x, c) for c, xs in delta.members.items() for x in xs}))
    for prop, pairs in todo:
        for sup in schema.superproperties.get(prop, ()):
            counts["subproperty"] += _add(known, out, sup, pairs)
        # A literal cannot be a subject: the symmetric and inverse rules skip triples that end in one.
        turned: set[Pair] = set()  # read only by the two rules that fill it
        if prop in schema.symmetric or prop in schema.inverses:
            turned = {(o, s) for s, o in pairs if not isinstance(o, ox.Literal)}
        if prop in schema.symmetric:
            counts["symmetric"] += _add(known, out, prop, turned)
        for inverse in schema.inverses.get(prop, ()):
            counts["inverse"] += _add(known, out, inverse, turned)
    return out


def _everything(schema: Schema, known: _Known) -> _Round:
    """The store's own triples the schema rules read, as the first round's input."""
    start = _Round()
    classes = set(schema.superclasses)
    if TYPE in schema.used_properties():
        classes |= {q.object for q in known.store.quads_for_pattern(None, TYPE, None, None)}
    for cls in classes:
        xs = known.of_class(cls)
        if xs:
            start.members[cls] = set(xs)
    for prop in schema.used_properties() - {TYPE}:
        pairs = known.of_property(prop)
        if pairs:
            start.pairs[prop] = set(pairs)
    return start


Chains = dict  # property -> {(entailed property, turned round, literal objects too): rule of the last step}


def _chains(schema: Schema) -> Chains | None:
    """For each property, the properties its triples entail through any chain of the three property rules.

    (q, True, ...) means s p o entails o q s. A chain that turns a triple round once can never carry a
    literal object (it would become a subject), even if a later turn puts it back. None when rdf:type
    takes part in a chain: then derived types feed the subclass rule and one pass is not enough.
    """
    steps: dict[ox.NamedNode, list[tuple[ox.NamedNode, bool, str]]] = {}
    for prop, sups in schema.superproperties.items():
        steps.setdefault(prop, []).extend((sup, False, "subproperty") for sup in sups)
    for prop in schema.symmetric:
        steps.setdefault(prop, []).append((prop, True, "symmetric"))
    for prop, inverses in schema.inverses.items():
        steps.setdefault(prop, []).extend((inverse, True, "inverse") for inverse in inverses)
    if TYPE in steps or any(q == TYPE for targets in steps.values() for q, _, _ in targets):
        return None
    chains: Chains = {}
    for start in steps:
        found: dict[tuple[ox.NamedNode, bool, bool], str] = {}
        todo = [(start, False, True)]
        while todo:
            prop, turned, literals = todo.pop()
            for target, turns, rule in steps.get(prop, ()):
                state = (target, turned != turns, literals and not turns)
                if state not in found and state[:2] != (start, False):
                    found[state] = rule
                    todo.append(state)
        # where literal objects reach a target both ways, the chain that keeps them covers the other
        chains[start] = {(q, turned, literals): rule for (q, turned, literals), rule in found.items()
                         if literals or (q, turned, True) not in found}
    return chains


def _first_pass_in_store(store: ox.Store, schema: Schema, known: _Known, chains: Chains,
                         graph: ox.NamedNode, counts: dict[str, int], scratch: Path | None = None) -> None:
    """Derive what the schema rules entail from the store's triples, in the store, one step per entailment.

    Each step leaves out what any graph holds by then, earlier steps' triples included. With `scratch`
    (an on-disk store), a step writes what it derives to a file there and bulk-loads it: an update's
    transaction holds everything it writes in memory (410k derived triples: 0.8 GB at its peak, against
    0.2 GB this way).
    """
    def count(pattern: str) -> int:
        solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ {pattern} }} }}")
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT's answer
        return int(next(iter(solutions))[0].value)

    def insert(rule: str, derived: str, body: str) -> None:
        before = count(derived)
        where = f"WHERE {{ {body} MINUS {{ GRAPH ?h {{ {derived} }} }} }}"
        if scratch is None:
            store.update(f"INSERT {{ GRAPH {graph} {{ {derived} }} }} {where}")
        else:
            with tempfile.TemporaryDirectory(prefix="infer-", dir=scratch) as folder:
                spilled = Path(folder) / "derived.nt"
                found = store.query(f"CONSTRUCT {{ {derived} }} {where}")
                assert isinstance(found, ox.QueryTriples)  # a CONSTRUCT's answer
                found.serialize(str(spilled), format=ox.RdfFormat.N_TRIPLES)
                store.extend(spill.load_triples(store, spilled, graph))
        counts[rule] += count(derived) - before

    for prop, targets in chains.items():
        for (target, turned, literals), rule in targets.items():
            keep = "" if literals else " FILTER(!isLiteral(?o))"
            derived = f"?o {target} ?s" if turned else f"?s {target} ?o"
            insert(rule, derived, f"GRAPH ?g {{ ?s {prop} ?o }}{keep}")
    for cls, sups in schema.superclasses.items():
        for sup in sups:
            if not isinstance(cls, ox.BlankNode):
                insert("subclass", f"?x {TYPE} {sup}", f"GRAPH ?g {{ ?x {TYPE} {cls} }}")
    # In an update's text a blank node is a variable: the (rare) blank-node classes go in Python, last,
    # so that what `known` reads includes what the updates added.
    blank = _Round()
    for cls, sups in schema.superclasses.items():
        if isinstance(cls, ox.BlankNode):
            for sup in sups:
                counts["subclass"] += _add_members(known, blank, sup, known.of_class(cls))
    store.bulk_extend(blank.quads(graph))


def infer(store: ox.Store, scratch: Path | None = None) -> dict[str, int]:
    """Apply every rule until nothing new is derived; return how many triples each rule added.

    `scratch`: a folder for what the first pass derives on its way into an on-disk store (see
    _first_pass_in_store); None for an in-memory store.
    """
    from kg.store import select

    graph = ox.NamedNode(GRAPH_INFERRED)
    counts = dict.fromkeys(RULES, 0)
    schema = Schema.read(store)
    known = _Known(store)
    chains = _chains(schema)
    if chains is None:
        delta = _everything(schema, known)
    else:
        _first_pass_in_store(store, schema, known, chains, graph, counts, scratch)
        delta = _Round()
    changed: set[str] | None = None  # None: the first round, when every join rule runs
    for _ in range(MAX_ROUNDS):
        derived = _Round()
        while delta:
            delta = _schema_round(schema, known, delta, counts)
            for prop, pairs in delta.pairs.items():
                derived.pairs.setdefault(prop, set()).update(pairs)
            for cls, xs in delta.members.items():
                derived.members.setdefault(cls, set()).update(xs)
        if derived:
            # Not transactional, and need not be: the store is a new one no reader sees before the build ends.
            store.bulk_extend(derived.quads(graph))
            changed = None if changed is None else changed | derived.properties()
        joined: list[ox.Quad] = []
        for name, rule in JOIN_RULES.items():
            if changed is not None and not rule.reads & changed:
                continue
            new = {ox.Quad(t.subject, t.predicate, t.object, graph) for t in select(store, rule.construct)}
            counts[name] += len(new)
            joined.extend(new)
        if not joined:
            break
        store.extend(joined)
        # What the join rules derived is the next round's input to the schema rules, and to themselves.
        delta = _Round()
        _add_all(known, delta, joined)
        changed = delta.properties()
    return counts


def _add_all(known: _Known, out: _Round, quads: list[ox.Quad]) -> None:
    """Record what the join rules derived as the next round's input, and as known where known is kept."""
    by_property: dict[ox.NamedNode, set[Pair]] = {}
    for q in quads:
        by_property.setdefault(q.predicate, set()).add((q.subject, q.object))
    for prop, pairs in by_property.items():
        # These are in the store already (the join rules checked); known only learns about them.
        if prop == TYPE:
            for s, o in pairs:
                if o in known.members:
                    known.members[o].add(s)
                out.members.setdefault(o, set()).add(s)
        else:
            if prop in known.pairs:
                known.pairs[prop] |= pairs
            out.pairs.setdefault(prop, set()).update(pairs)
