"""Screens and dialogs of the drill TUI."""
