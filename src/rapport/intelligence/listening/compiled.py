"""A stored listening query made ready to match: its default expression and its variants."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapport.errors import InvalidInput
from rapport.intelligence.listening.matcher import (
    IndexNeed,
    Matcher,
    Words,
    any_of_needs,
    index_need,
)

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """``expression`` for every message, except those read as a language of ``variants``,
    which are matched by that language's expression instead."""

    name: str
    default: Matcher
    variants: Mapping[str, Matcher] = field(default_factory=dict)

    @classmethod
    def of(
        cls, name: str, expression: str, variants: Mapping[str, str] | None = None
    ) -> CompiledQuery:
        """Parse everything; raises ``InvalidQuery`` naming the expression and position."""
        compiled: dict[str, Matcher] = {}
        for language, text in sorted((variants or {}).items()):
            if not _LANGUAGE.match(language):
                raise InvalidInput(
                    f"variants: {language!r} is not a language code (ISO 639-1, like fa or is)"
                )
            compiled[language] = Matcher.of(text, field=f"variants.{language}")
        return cls(name, Matcher.of(expression), compiled)

    def matcher_for(self, language: str | None) -> Matcher:
        if language is not None and self.variants:
            return self.variants.get(language, self.default)
        return self.default

    def matches(self, text: str, language: str | None = None) -> bool:
        return self.matcher_for(language).matches(text)

    @property
    def markers(self) -> bool:
        """Whether any of its expressions has a hashtag or a handle."""
        return self.default.markers or any(m.markers for m in self.variants.values())

    def matches_words(self, words: Words, language: str | None) -> bool:
        return self.matcher_for(language).matches_words(words)

    def index_need(self) -> IndexNeed | None:
        """What a message must contain for any of the expressions to match, as index words."""
        matchers = [self.default, *self.variants.values()]
        return any_of_needs([index_need(m.tree) for m in matchers])
