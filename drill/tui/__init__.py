"""The Textual interface: a thin shell that drives the engine's clock and sends it actions."""
