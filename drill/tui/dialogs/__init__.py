"""Modal dialogs: each returns a typed answer (a step model, run options, yes/no) or None."""
