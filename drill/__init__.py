"""drill: a terminal tabletop game for practising outages."""

__version__ = "0.1.0"
