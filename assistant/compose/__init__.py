"""Answer composers: a family behind one small interface, chosen by configuration."""
from .base import Composer, Composition, Evidence
from .extractive import ExtractiveComposer, declared_unknown

__all__ = ["Composer", "Composition", "Evidence", "ExtractiveComposer", "declared_unknown", "make_composer"]


def make_composer(settings) -> Composer:
    """The extractive composer, or the OpenAI-compatible one when an endpoint is configured."""
    extractive = ExtractiveComposer()
    if settings.llm_base_url and settings.llm_model:
        from .openai_compat import OpenAICompatComposer

        return OpenAICompatComposer(settings, fallback=extractive)
    return extractive
