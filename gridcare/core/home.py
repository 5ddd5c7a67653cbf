"""Home-page widgets contributed by apps: fn(request) -> dict(title, template, context) or None."""

from collections.abc import Callable

HOME_WIDGETS: list[Callable] = []


def register_home_widget(fn: Callable) -> Callable:
    HOME_WIDGETS.append(fn)
    return fn


def widgets_for(request) -> list[dict]:
    out = []
    for fn in HOME_WIDGETS:
        w = fn(request)
        if w:
            out.append(w)
    return out
