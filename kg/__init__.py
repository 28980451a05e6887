"""kg: a knowledge graph of military cooperation between states, built from news articles."""
from __future__ import annotations

__version__ = "0.1.0"
