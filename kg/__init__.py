"""cartkg: a knowledge graph of CAR T-cell therapy programs, with provenance for every fact."""

__version__ = "0.1.0"
