"""Typer's command classes with Indonesian for the strings Typer's bundled Click writes without
gettext: the `Usage:` prefix, the `--help` option's help, and usage errors (translated by the
patterns of `assistant/locale/id.json`, so the user sees the same message in Indonesian)."""
from __future__ import annotations

import re
from functools import lru_cache

import typer.core

from .locale import table


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), r) for p, r in table()["cli_messages"]]


@lru_cache(maxsize=1)
def _fragments() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), r) for p, r in table()["cli_fragments"]]


def translate_message(message: str) -> str:
    """A whole message by the first pattern it matches, then the phrases inside it (the reason
    Click or pydantic gives for a bad value)."""
    for pattern, replacement in _patterns():
        if pattern.match(message):
            message = pattern.sub(replacement, message)
            break
    for pattern, replacement in _fragments():
        message = pattern.sub(replacement, message)
    return message


class _Indonesian:
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = table()["cli_help_option"]
        return option

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix=table()["cli_usage_prefix"])

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except typer.core._click.exceptions.ClickException as exc:
            english = exc.format_message
            exc.format_message = lambda: translate_message(english())  # what Typer prints
            raise


class IndonesianCommand(_Indonesian, typer.core.TyperCommand):
    pass


class IndonesianGroup(_Indonesian, typer.core.TyperGroup):
    command_class = IndonesianCommand
