"""The pure core of drill: scenario models, simulation, scoring and postmortem.

Nothing in this package imports Textual or Rich, touches files or the network, reads a clock or
draws an unseeded random number: a run is determined by its scenario, seed and timed actions.
"""
