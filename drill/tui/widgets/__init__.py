"""Widgets of the incident board."""
