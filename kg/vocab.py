"""IRIs of the vocabularies the code refers to by name."""

from __future__ import annotations

CART = "https://w3id.org/cartkg/ontology#"
ID = "https://w3id.org/cartkg/id/"
SRC = ID + "source/"
CLAIM = ID + "claim/"
GRAPH = "https://w3id.org/cartkg/graph/"
GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_INFERRED = GRAPH + "inferred"
# The accepted facts: what a statement that is not deprecated says, each triple once.
GRAPH_ACCEPTED = GRAPH + "accepted"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
DCTERMS = "http://purl.org/dc/terms/"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
RDFS_COMMENT = RDFS + "comment"

# The groups the reports (the timeline, `kg diff`, the web landscape) sort decision types into, as the ontology
# declares them: a type that is a cart:ApprovalType (or a cart:DesignationType), an extension's too, is an approval
# (a designation); any other type is an "other decision". Rows: the type, then its group's name.
DECISION_GROUPS = """SELECT DISTINCT ?type ?group WHERE {
  VALUES (?class ?group) { (cart:ApprovalType "approval") (cart:DesignationType "designation") }
  ?type a ?class }"""

# A SHACL result's sh:severity as the level a Problem carries (anything else counts as an error).
LEVEL_OF_SEVERITY = {SH + "Violation": "error", SH + "Warning": "warn", SH + "Info": "info"}

# Prefixes every SPARQL text the project runs may use without declaring them.
SPARQL_PREFIXES = {
    "cart": CART,
    "id": ID,
    "src": SRC,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "sh": SH,
    "dcterms": DCTERMS,
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
}


def prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX lines for a SPARQL text (for engines that take no prefix map)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or SPARQL_PREFIXES).items())
