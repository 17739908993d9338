"""Case-insensitive regex search tried only where a match can start.

A pattern such as ``\\bwrite[\\s_-]+for[\\s_-]+us\\b`` compiled with ``re.IGNORECASE``
starts with a word-boundary assertion, so Python's engine gets no literal prefix to jump
to and tries the whole pattern at every position of the text: about 40 microseconds per
kilobyte, for each pattern of each page. An :class:`AnchoredPattern` also knows the words
one of which every match starts with. It finds those words in the text folded the way
the engine compares letters (:func:`fold_like_ignorecase`), with ``str.find``, and tries
the pattern only there, in order: the first success is the match ``search`` would have
returned, since a search returns the match that starts first.

Folding keeps every character in place (the one letter whose lower case is longer,
U+0130, is replaced first), so positions in the folded text are positions in the text.
The start words are declared next to each pattern; the tests check them against it.

>>> pattern = AnchoredPattern(r"\\bguest[\\s_-]+posts?\\b", starts=["guest"])
>>> pattern.search("We accept GUEST POSTS").span(), pattern.search("Nothing here")
((10, 21), None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["AnchoredPattern", "fold_like_ignorecase", "IGNORECASE_ASCII_LOOKALIKES"]

#: The characters outside ASCII that ``re.IGNORECASE`` matches to ASCII letters (Python's
#: extra case equivalences); any other character matches an ASCII letter never, and
#: ASCII letters match each other exactly as ``str.lower`` says. A test checks this list
#: against the running Python.
IGNORECASE_ASCII_LOOKALIKES = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def fold_like_ignorecase(text: str) -> str:
    """``text`` lower-cased, with the lookalikes of ASCII letters replaced by those letters.

    Wherever ``re.IGNORECASE`` would match a lower-case word, the folded text holds that
    word at the same position.

    >>> fold_like_ignorecase("WRİTE for ſure")
    'write for sure'
    """
    if not text.isascii():
        for lookalike, letter in IGNORECASE_ASCII_LOOKALIKES.items():
            if lookalike in text:
                text = text.replace(lookalike, letter)
    return text.lower()


class AnchoredPattern:
    """A regex (compiled with ``flags | re.IGNORECASE``) and the words its matches start with.

    ``starts``: lower-case words, one of which every match of the pattern starts with (a
    word may hold non-ASCII letters whose case variants all lower-case to them, such as é).
    """

    def __init__(self, pattern: str, *, starts: Iterable[str], flags: int = 0) -> None:
        self.regex = re.compile(pattern, flags | re.IGNORECASE)
        self.starts = tuple(dict.fromkeys(starts))
        if not self.starts or not all(w and w == w.lower() for w in self.starts):
            raise ValueError(f"starts must be non-empty lower-case words: {self.starts!r}")

    @property
    def pattern(self) -> str:
        """The regular expression's source."""
        return self.regex.pattern

    def search(self, text: str, folded: str | None = None) -> re.Match[str] | None:
        """Exactly ``regex.search(text)``, trying the pattern only where a start word begins.

        Pass ``folded`` (:func:`fold_like_ignorecase` of ``text``) when several patterns
        scan the same text, to fold it once.
        """
        folded = fold_like_ignorecase(text) if folded is None else folded
        if len(folded) != len(text):  # cannot happen (see the module doc); stay correct anyway
            return self.regex.search(text)
        positions: list[int] = []
        for word in self.starts:
            at = folded.find(word)
            while at != -1:
                positions.append(at)
                at = folded.find(word, at + 1)
        for at in sorted(set(positions)):
            match = self.regex.match(text, at)  # \b still sees the character before
            if match is not None:
                return match
        return None
