"""Reads the seed folder: prefix table, statement tables (.tsv) and Turtle / N-Triples data files.

The package is split by job: tables reads the tables' rows, terms turns cells into RDF terms, quotes
checks quotes against the sources' archived texts, claims makes and ranks the claims, nquads writes
them as N-Quads, rdffiles reads the Turtle and N-Triples files, folder runs them all (load), and
apart runs load in a child process for a build on disk (its memory goes back to the system).
"""

from kg.seeds.claims import claim_iri
from kg.seeds.folder import SeedData, load
from kg.seeds.rdffiles import load_ntriples
from kg.seeds.tables import HEADER, Row, load_prefixes, read_prefixes, read_table, tables
from kg.seeds.terms import literal

__all__ = ["HEADER", "Row", "SeedData", "claim_iri", "literal", "load", "load_ntriples",
           "load_prefixes", "read_prefixes", "read_table", "tables"]
