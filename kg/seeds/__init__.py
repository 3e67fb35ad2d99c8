"""The seed folder (being split by job; everything is in tables.py for now)."""

from kg.seeds.tables import *  # noqa: F401,F403
