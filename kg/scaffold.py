"""Scaffolds new ontology terms in Turtle (`kg new class`, `kg new property`): label, comment, shape, example rows."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import ontology as ontology_mod
from kg import shapes as shapes_mod
from kg.errors import KgError
from kg.files import read_text, write_atomic
from kg.names import curie
from kg.ontology import Ontology
from kg.paths import Paths
from kg.vocab import CART, OWL, RDFS, RDFS_LABEL, SH, SPARQL_PREFIXES, XSD

SHAPE = "https://w3id.org/cartkg/shapes#"
# A local name Turtle reads without escapes (a stricter rule than names.curie needs for display).
_TURTLE_LOCAL = re.compile(r"[A-Za-z_][\w.-]*")
BASE_PREFIXES = {"cart": CART, "shape": SHAPE, "owl": OWL, "rdfs": RDFS, "xsd": XSD, "sh": SH}
# The datatypes the seed loader checks a value against (see seeds.literal), with an example value each.
DATATYPES = {
    "string": "some text", "date": "2026-01-12", "dateTime": "2026-01-12T09:00:00", "integer": "12",
    "nonNegativeInteger": "12", "positiveInteger": "12", "decimal": "12.5", "double": "12.5",
    "boolean": "true", "anyURI": "https://example.org/page",
}
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_PROPERTY_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass
class Scaffold:
    """What `kg new` adds: the Turtle block, the file it goes into, and example seed rows for it."""

    term: str
    kind: str
    path: Path
    shown: str
    block: str
    text: str
    created: bool
    shape: str
    example_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def words(name: str) -> list[str]:
    """The words of a name in any case style: 'manufactured_by' and 'manufacturedBy' give manufactured, by."""
    return _WORDS.findall(name)


def upper_camel(name: str) -> str:
    """A name in the class convention: 'manufacturer' -> 'Manufacturer'."""
    return "".join(w if w.isupper() else w[:1].upper() + w[1:].lower() for w in words(name))


def lower_camel(name: str) -> str:
    """A name in the property convention: 'Manufactured by' -> 'manufacturedBy'."""
    found = words(name)
    if not found:
        return ""
    return found[0].lower() + "".join(w if w.isupper() else w[:1].upper() + w[1:].lower() for w in found[1:])


def label_of(name: str, is_class: bool) -> str:
    """A readable label from a camel-case name: 'RegulatoryDecision' -> 'Regulatory decision'."""
    parts = [w if w.isupper() and len(w) > 1 else w.lower() for w in words(name)]
    if is_class and parts:
        parts[0] = parts[0][:1].upper() + parts[0][1:]
    return " ".join(parts)


def kebab(name: str) -> str:
    """A file-name form of a term name: 'manufacturedBy' -> 'manufactured-by'."""
    return "-".join(w.lower() for w in words(name))


def turtle_string(text: str) -> str:
    """A Turtle string literal of text."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class _Names:
    """Resolves the names a user types (cart:Therapy, Therapy, xsd:date, <IRI>) against the ontology."""

    def __init__(self, onto: Ontology):
        self.onto = onto
        self.prefixes = {**SPARQL_PREFIXES, **onto.prefixes, **BASE_PREFIXES}

    def curie(self, iri: str) -> str:
        """The IRI as Turtle writes it: a CURIE when its local name needs no escaping there, else <IRI>."""
        short = curie(iri, self.prefixes)
        return short if short.startswith("<") or _TURTLE_LOCAL.fullmatch(short.partition(":")[2]) else f"<{iri}>"

    def local(self, iri: str) -> str:
        return re.split(r"[#/:]", iri)[-1]

    def iri(self, text: str, what: str) -> str:
        text = text.strip()
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        prefix, colon, local = text.partition(":")
        if not colon:
            return CART + text
        if prefix not in self.prefixes:
            raise KgError(f"{what} {text}: prefix {prefix!r} is not declared "
                          f"(known: {', '.join(sorted(self.prefixes))})")
        return self.prefixes[prefix] + local

    def cls(self, text: str, what: str) -> str:
        """A class: declared in the ontology when it is a cart: name; any CURIE of another vocabulary."""
        iri = self.iri(text, what)
        if iri.startswith(CART) and iri not in self.onto.classes:
            names = sorted(self.curie(c) for c in self.onto.classes)
            close = difflib.get_close_matches(self.curie(iri), names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else " (the classes: `kg ontology`)"
            raise KgError(f"{what} {self.curie(iri)} is not a class of the ontology{hint}")
        if iri.startswith(XSD):
            raise KgError(f"{what} {self.curie(iri)} is a datatype, not a class")
        return iri

    def range(self, text: str) -> str:
        iri = self.iri(text, "range")
        if iri.startswith(XSD):
            if iri[len(XSD):] not in DATATYPES:
                raise KgError(f"range {self.curie(iri)}: use one of the datatypes the seed loader checks: "
                              + ", ".join("xsd:" + d for d in DATATYPES))
            return iri
        if iri == RDFS + "Literal":
            return XSD + "string"
        return self.cls(text, "range")


def _check_name(name: str, is_class: bool) -> str:
    """The local name of a new term, or a KgError that suggests the naming convention."""
    local = name.strip()
    if ":" in local:
        prefix, _, local = local.partition(":")
        if prefix != "cart":
            raise KgError(f"new terms are cart: terms; name it cart:{local} or just {local}")
    convention, pattern, fix = (("UpperCamelCase", _CLASS_NAME, upper_camel) if is_class
                                else ("lowerCamelCase", _PROPERTY_NAME, lower_camel))
    if not pattern.match(local):
        kind = "class" if is_class else "property"
        example = "cart:RegulatoryDecision" if is_class else "cart:developedBy"
        if not local.isascii():
            raise KgError(f"{kind} names are {convention} ASCII letters and digits (like {example}), "
                          "so that every SPARQL and Turtle tool reads them unescaped")
        better = fix(local)
        suggestion = f": use {better}" if better and pattern.match(better) else ""
        raise KgError(f"{kind} names are {convention} (like {example}){suggestion}")
    return local


def _refuse_existing(onto: Ontology, names: _Names, *iris: str) -> None:
    used = {q.subject.value for q in onto.quads} | set(onto.classes) | set(onto.properties)
    for iri in iris:
        if iri in used:
            file, line = onto.locations.get(iri, ("", 0))
            where = f" ({file}:{line})" if file else ""
            term = onto.classes.get(iri) or onto.properties.get(iri)
            status = ""
            if term is not None and term.deprecated:
                better = f" in favour of {names.curie(term.replaced_by)}" if term.replaced_by else ""
                status = " and is deprecated" + better
            raise KgError(f"{names.curie(iri)} already exists{where}{status}; "
                          "names are never reused or renamed: pick a new name")


def _target(paths: Paths, file: str | Path | None, name: str) -> Path:
    path = Path(file) if file else paths.extensions / f"{kebab(name)}.ttl"
    if not path.is_absolute():
        path = paths.root / path
    path = Path(str(path.resolve()))
    ontology_dir = paths.ontology.resolve()
    if ontology_dir not in path.parents or path.suffix != ".ttl":
        raise KgError(f"{file}: the file must be a .ttl file inside {paths.relative(paths.ontology)}/ "
                      "(every .ttl there is loaded by `kg build`)")
    return path


def _compose(paths: Paths, path: Path, block: str, used_prefixes: dict[str, str], title: str) -> tuple[str, bool]:
    """The file's text with the block added, declaring the prefixes the block uses that the file lacks."""
    shown = paths.relative(path)
    if path.exists():
        old = read_text(path, shown)
        _, declared = ontology_mod.parse_turtle(old, shown)
        clash = [p for p, ns in used_prefixes.items() if p in declared and declared[p] != ns]
        if clash:
            raise KgError(f"{shown} declares prefix {clash[0]}: as <{declared[clash[0]]}>, "
                          f"not <{used_prefixes[clash[0]]}>; choose another file with --file")
        missing = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in used_prefixes.items() if p not in declared)
        text = old.rstrip("\n") + "\n\n" + (missing + "\n" if missing else "") + block
        created = False
    else:
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in used_prefixes.items())
        text = (f"# {title}\n# Every .ttl file under ontology/ is loaded by `kg build`; see ontology/README.md.\n\n"
                + head + "\n" + block)
        created = True
    ontology_mod.parse_turtle(text, shown)
    return text, created


def _prefixes_for(names: _Names, *iris: str) -> dict[str, str]:
    used = dict(BASE_PREFIXES)
    for iri in iris:
        short = names.curie(iri)
        if not short.startswith("<"):
            prefix = short.split(":", 1)[0]
            used.setdefault(prefix, names.prefixes[prefix])
    return used


def new_class(paths: Paths, name: str, parent: str | None = None, file: str | Path | None = None,
              label: str | None = None, comment: str | None = None, write: bool = True) -> Scaffold:
    """Add an owl:Class (label, comment, parent) and its node shape to an ontology file."""
    local = _check_name(name, is_class=True)
    onto = ontology_mod.load(paths)
    names = _Names(onto)
    iri, shape_iri = CART + local, SHAPE + local + "Shape"
    _refuse_existing(onto, names, iri, shape_iri)
    parent_iri = names.cls(parent, "parent") if parent else None
    path = _target(paths, file, local)
    label = label or label_of(local, is_class=True)
    parent_name = names.local(parent_iri) if parent_iri else ""
    comment = comment or (f"A kind of {parent_name}." if parent_iri
                          else f"{_article(label).capitalize()} {label.lower()}.")

    lines = [f"cart:{local} a owl:Class ;",
             f"    rdfs:label {turtle_string(label)} ;",
             f"    rdfs:comment {turtle_string(comment)}" + (" ;" if parent_iri else " ."),
             ]
    if parent_iri:
        lines.append(f"    rdfs:subClassOf {names.curie(parent_iri)} .")
    shapes = shapes_mod.read_shapes(onto)
    inherited = shapes_mod.requires(shapes, onto, parent_iri, RDFS_LABEL) if parent_iri else None
    lines += ["", f"# What a valid {local} looks like. Add a constraint for each property an instance must have:",
              "#   sh:property [ sh:path cart:someProperty ; sh:minCount 1 ; sh:message \"...\" ] ;",
              "# with sh:severity sh:Warning where real data may legitimately not know the value."]
    if inherited:
        lines += [f"# rdfs:label is already required by {names.curie(inherited.iri)} "
                  f"({_article(local)} {local} is {_article(parent_name)} {parent_name}).",
                  f"shape:{local}Shape a sh:NodeShape ;",
                  f"    sh:targetClass cart:{local} ."]
    else:
        needs_name = f"{_article(local)} {local} needs a name: add an rdfs:label row"
        lines += [f"shape:{local}Shape a sh:NodeShape ;",
                  f"    sh:targetClass cart:{local} ;",
                  "    sh:property [",
                  "        sh:path rdfs:label ; sh:minCount 1 ;",
                  f"        sh:message {turtle_string(needs_name)} ;",
                  "    ] ."]
    header = f"# ---------------------------------------------------------------- cart:{local} (kg new class)\n\n"
    block = header + "\n".join(lines) + "\n"
    used = _prefixes_for(names, *(i for i in [parent_iri] if i))
    text, created = _compose(paths, path, block, used, f"cartkg ontology extension: cart:{local}")
    example = f"id:example-{kebab(local)}"
    rows = [f"{example}\ta\tcart:{local}\tsrc:your-source\t\tverified",
            f"{example}\trdfs:label\tExample {label.lower()}\tsrc:your-source\t\tverified"]
    scaffold = Scaffold(term=f"cart:{local}", kind="class", path=path, shown=paths.relative(path), block=block,
                        text=text, created=created, shape=f"shape:{local}Shape", example_rows=rows)
    if parent_iri:
        scaffold.notes.append(f"subclass of {names.curie(parent_iri)}")
    if write:
        write_atomic(path, text)
    return scaffold


def _property_shape(onto: Ontology, names: _Names, local: str, label: str, domain_iri: str, range_iri: str,
                    required: bool) -> list[str]:
    """The Turtle of the shape that checks every use of property `local` (and, with `required`, that every
    instance of the domain has one)."""
    is_datatype = range_iri.startswith(XSD)
    d_name, r_name = names.local(domain_iri), names.local(range_iri)
    lines = [f"shape:{local}Shape a sh:NodeShape ;",
             f"    sh:targetSubjectsOf cart:{local} ;"]
    if required:
        lines.append(f"    sh:targetClass {names.curie(domain_iri)} ;")
    # Only classes the ontology declares can be checked: the build infers superclass types from them alone.
    if domain_iri in onto.classes:
        only_domain = f"only {_article(d_name)} {d_name} has cart:{local} (its rdfs:domain)"
        lines += [f"    sh:class {names.curie(domain_iri)} ;",
                  f"    sh:message {turtle_string(only_domain)} ;"]
    if is_datatype:
        value = [f"        sh:datatype {names.curie(range_iri)} ;",
                 f"        sh:message {turtle_string(f'cart:{local} is an xsd:{r_name}')} ;"]
    elif range_iri in onto.classes:
        must_be = f"the value of cart:{local} must be {_article(r_name)} {r_name}"
        value = [f"        sh:class {names.curie(range_iri)} ;",
                 f"        sh:message {turtle_string(must_be)} ;"]
    else:
        value = ["        sh:nodeKind sh:IRI ;",
                 f"        sh:message {turtle_string(f'the value of cart:{local} is an entity, not text')} ;"]
    lines += ["    sh:property [", f"        sh:path cart:{local} ;", *value, "    ] , [" if required else "    ] ."]
    if required:
        needs = f"{_article(d_name)} {d_name} needs its {label}: add a cart:{local} row"
        lines += [f"        sh:path cart:{local} ; sh:minCount 1 ;",
                  f"        sh:message {turtle_string(needs)} ;", "    ] ."]
    return lines


def new_property(paths: Paths, name: str, domain: str, range_: str, file: str | Path | None = None,
                 label: str | None = None, comment: str | None = None, required: bool = False,
                 write: bool = True) -> Scaffold:
    """Add an object or datatype property (label, comment, domain, range) and the shape that checks its uses.

    With `required`, the shape also makes every instance of the domain class have a value (a violation).
    """
    local = _check_name(name, is_class=False)
    onto = ontology_mod.load(paths)
    names = _Names(onto)
    iri, shape_iri = CART + local, SHAPE + local + "Shape"
    _refuse_existing(onto, names, iri, shape_iri)
    domain_iri = names.cls(domain, "domain")
    range_iri = names.range(range_)
    is_datatype = range_iri.startswith(XSD)
    if required and domain_iri not in onto.classes:
        raise KgError(f"--required needs a domain the ontology declares, not {names.curie(domain_iri)}")
    path = _target(paths, file, local)
    label = label or label_of(local, is_class=False)
    d_name, r_name = names.local(domain_iri), names.local(range_iri)
    comment = comment or (f"The {label} of {_article(d_name)} {d_name} (xsd:{r_name})." if is_datatype
                          else f"Relates {_article(d_name)} {d_name} to {_article(r_name)} {r_name}.")
    kind = "owl:DatatypeProperty" if is_datatype else "owl:ObjectProperty"
    lines = [f"cart:{local} a {kind} ;",
             f"    rdfs:label {turtle_string(label)} ;",
             f"    rdfs:comment {turtle_string(comment)} ;",
             f"    rdfs:domain {names.curie(domain_iri)} ;",
             f"    rdfs:range {names.curie(range_iri)} .",
             "",
             f"# Every use of cart:{local}: the subject is {_article(d_name)} {d_name}, the value "
             + (f"an xsd:{r_name}." if is_datatype else f"{_article(r_name)} {r_name}."),
             (f"# Required: every {d_name} has one (sh:minCount 1; make it sh:severity sh:Warning to only warn)."
              if required else "# To make it required on every instance, run `kg new property` with --required or add"
              f"\n# a property shape with sh:minCount 1 on this shape, with sh:targetClass {names.curie(domain_iri)}.")]
    lines += _property_shape(onto, names, local, label, domain_iri, range_iri, required)
    header = f"# ---------------------------------------------------------------- cart:{local} (kg new property)\n\n"
    block = header + "\n".join(lines) + "\n"
    used = _prefixes_for(names, domain_iri, range_iri)
    text, created = _compose(paths, path, block, used, f"cartkg ontology extension: cart:{local}")
    subject = f"id:example-{kebab(d_name)}"
    obj = DATATYPES[r_name] if is_datatype else f"id:example-{kebab(r_name)}"
    rows = [f"{subject}\tcart:{local}\t{obj}\tsrc:your-source\t\tverified"]
    scaffold = Scaffold(term=f"cart:{local}", kind="datatype property" if is_datatype else "object property",
                        path=path, shown=paths.relative(path), block=block, text=text, created=created,
                        shape=f"shape:{local}Shape", example_rows=rows)
    scaffold.notes.append(f"{names.curie(domain_iri)} -> {names.curie(range_iri)}" + (", required" if required else ""))
    if write:
        write_atomic(path, text)
    return scaffold
