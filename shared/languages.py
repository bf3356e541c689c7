"""The languages Uptake speaks, and texts given in several of them.

Dutch, English and French: the languages of Belgian offices. A rule set's titles
and descriptions are :class:`Text`: either a plain string, written in the rule
set's own language, or a mapping per language (``{nl: ..., en: ..., fr: ...}``).
Where a language is missing, the text in the rule set's language stands in.

A :class:`Text` is a ``str`` holding the text in the rule set's language, so
code that keeps a single title (the scoring ledger's ``title`` column) keeps
working unchanged; :meth:`Text.in_language` gives any other language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, TypeVar, get_args

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

Language = Literal["nl", "en", "fr"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "nl"
NAMES: dict[Language, str] = {"nl": "Dutch", "en": "English", "fr": "French"}

# Day and month names, for dates written out in words ("maandag 7 december").
WEEKDAYS: dict[Language, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
MONTHS: dict[Language, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}

# The language a plain string is written in, while a document declaring one is read.
_reading: ContextVar[Language] = ContextVar("reading_language", default=DEFAULT_LANGUAGE)


def as_language(value: object, default: Language = DEFAULT_LANGUAGE) -> Language:
    """``value`` if it names a language Uptake speaks, else ``default``."""
    return value if isinstance(value, str) and value in LANGUAGES else default


@contextmanager
def reading_in(language: object) -> Iterator[None]:
    """Read texts as written in ``language`` (the default one when it is not a language)."""
    token = _reading.set(as_language(language))
    try:
        yield
    finally:
        _reading.reset(token)


M = TypeVar("M")


def in_its_language(document: object, validate: Callable[[object], M]) -> M:
    """Validate ``document`` with its plain-string texts read in its own ``language`` field."""
    with reading_in(document.get("language") if isinstance(document, dict) else None):
        return validate(document)


class Text(str):
    """A text in its document's language (the ``str`` value) that knows its translations."""

    texts: Mapping[Language, str]  # as written: a plain string is one entry
    language: Language  # the document's language, which stands in for a missing one

    def __new__(cls, texts: Mapping[Language, str], language: Language = DEFAULT_LANGUAGE) -> Text:
        shown = texts.get(language) or next((texts[k] for k in LANGUAGES if texts.get(k)), "")
        text = super().__new__(cls, shown)
        text.texts = dict(texts)
        text.language = language
        return text

    @classmethod
    def plain(cls, value: str, language: Language = DEFAULT_LANGUAGE) -> Text:
        return cls({language: value} if value else {}, language)

    @classmethod
    def of(cls, **texts: str) -> Text:
        """A text written in code (``Text.of(nl=..., en=...)``), in the language being read."""
        return cls({as_language(k): v for k, v in texts.items()}, _reading.get())

    def in_language(self, language: str) -> str:
        """The text in ``language``, or in the document's language where it has none."""
        return self.texts.get(language) or str(self)  # type: ignore[call-overload]

    def every(self) -> dict[Language, str]:
        """The text in every language Uptake speaks, gaps filled as :meth:`in_language` does."""
        return {language: self.in_language(language) for language in LANGUAGES}

    def missing(self) -> list[Language]:
        return [language for language in LANGUAGES if not self.texts.get(language)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return str.__eq__(self, other) and self.texts == other.texts
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"Text({self.texts!r}, {self.language!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Text, (dict(self.texts), self.language))

    def __copy__(self) -> Text:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Text:
        return self

    def dump(self) -> str | dict[Language, str]:
        """As written: a plain string when only the document's language is given."""
        if not self.texts or list(self.texts) == [self.language]:
            return str(self)
        return {language: self.texts[language] for language in LANGUAGES if language in self.texts}

    @classmethod
    def read(cls, value: object) -> Text:
        """A plain string or a mapping per language, read in the current document's language."""
        language = _reading.get()
        if isinstance(value, Text):
            return value if value.language == language else cls(value.texts, language)
        if isinstance(value, str):
            return cls.plain(value, language)
        if not isinstance(value, Mapping):
            raise ValueError("a text is a string, or a mapping per language (nl, en, fr)")
        if not value:
            raise ValueError("give the text in at least one language (nl, en, fr)")
        texts: dict[Language, str] = {}
        for key, text in value.items():
            if key not in LANGUAGES:
                raise ValueError(f"unknown language {key!r}: use nl, en or fr")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the {NAMES[key]} text ({key}) must be a non-empty string")
            texts[key] = text
        return cls(texts, language)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.read,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda text: text.dump() if isinstance(text, Text) else text
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        per_language = {language: {"type": "string"} for language in LANGUAGES}
        return {
            "anyOf": [
                {"type": "string"},
                {"type": "object", "properties": per_language, "additionalProperties": False},
            ]
        }


def longest(limit: int) -> Callable[[Text], Text]:
    """A validator: no language's text longer than ``limit`` characters."""

    def check(text: Text) -> Text:
        for language, value in text.texts.items():
            if len(value) > limit:
                raise ValueError(f"the {NAMES[language]} text is longer than {limit} characters")
        return text

    return check
