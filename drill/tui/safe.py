"""Turning untrusted text into something the terminal shows literally.

Textual parses markup in plain strings, and escaping is not enough in Textual 8.2.8
(``[$accent @click=app.quit]`` survives ``escape()``; ECOSYSTEM.md §5).  Nor does ``markup=False``
help against terminal escape sequences: Textual writes a string's characters to the terminal as
they are, so an OSC 52 in a title would set the player's clipboard.  So text from a scenario, a
play script or a save reaches the screen only through here: widgets get :class:`Content` built by
:func:`plain` or :func:`styled`, titles get :func:`one_line`, toasts go through
:func:`notify_plain`.  The sanitiser itself is :func:`drill.engine.text.clean`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from ..engine.text import clean, one_line

if TYPE_CHECKING:
    from typing import Any

    from textual.app import App
    from textual.notifications import SeverityLevel
    from textual.widget import Widget

__all__ = ["clean", "one_line", "plain", "styled", "notify_plain"]


def plain(text: str, style: str = "") -> Content:
    """Untrusted text as inert Content: no markup parsed, no escape sequence kept."""
    content = Content(clean(text))
    return content.stylize(style) if style else content


def styled(template: str, **values: str) -> Content:
    """Our own markup ``template`` with untrusted ``values`` substituted literally.

    Textual's markup variables (``$name``) insert the value as plain text.
    """
    return Content.from_markup(template, **{k: clean(v) for k, v in values.items()})


def notify_plain(target: App[Any] | Widget, message: str, *, title: str = "",
                 severity: SeverityLevel = "information", timeout: float | None = None) -> None:
    """A toast whose text may come from a file: cleaned, and with markup off."""
    target.notify(clean(message), title=one_line(title), severity=severity, timeout=timeout,
                  markup=False)
