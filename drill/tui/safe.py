"""Turning untrusted scenario text into something widgets show literally.

Textual parses markup in plain strings, and escaping is not enough in Textual 8.2.8
(``[$accent @click=app.quit]`` survives ``escape()``; ECOSYSTEM.md §5).  So scenario text reaches
widgets only as :class:`~textual.content.Content` built here, with control characters and terminal
escape sequences removed.
"""

from __future__ import annotations

from textual.content import Content

from ..engine.text import clean

__all__ = ["clean", "plain", "styled"]


def plain(text: str, style: str = "") -> Content:
    """Untrusted text as inert Content: no markup parsed, no escape sequence kept."""
    content = Content(clean(text))
    return content.stylize(style) if style else content


def styled(template: str, **values: str) -> Content:
    """Our own markup ``template`` with untrusted ``values`` substituted literally.

    Textual's markup variables (``$name``) insert the value as plain text.
    """
    return Content.from_markup(template, **{k: clean(v) for k, v in values.items()})
