"""The few words that say what a message is about, in any language, with no model.

Hashtags count first; then the words that are neither handles, links, numbers nor function
words of the languages customers write in most, ranked by how often they occur in the text
and then by length (a longer word tends to say more). Words are case-folded, so "Refund"
and "refund" are one keyword.
"""

from __future__ import annotations

import re
from collections import Counter

MAX_KEYWORDS = 5
MIN_LETTERS = 3

_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|\S+@\S+\.\w+")
# A zero-width non-joiner (U+200C) is inside Persian words ("می‌شود"), not between them.
_TOKEN = re.compile(r"#\w+|[^\W\d_][\w'\u2019\u200c-]*", re.UNICODE)

# Function words, pronouns and customer-care filler in the languages Rapport meets most
# (English, German, French, Spanish, Italian, Portuguese, Icelandic, Hungarian, Persian,
# Arabic). A word here is never a keyword.
_FUNCTION_WORDS = """
    the and for you your are was were but not this that with have has had from they them
    their what when where which who will would can could should just get got out all any
    our ours about been being into there here than then its it's i'm im don't dont can't
    cant didn't didnt doesn't doesnt won't wont please thanks thank hello dear also still
    very much more some one two now how why yes any again after before over only even
    der die das und ist nicht ein eine einen mit sich auf für den dem des von zu ich sie
    wir ihr bei noch nach wie aber oder wenn auch schon mein meine bitte danke hallo
    les des une est pas pour que qui dans sur avec vous nous mais par plus mon mes ses
    aux ont été fait cette tout très merci bonjour
    los las una por con para que del como pero más mis sus este esta esto muy hola
    gracias favor
    il lo gli della delle degli che non per con una sono come anche più mio mia questo
    questa ciao grazie
    os as um uma com não para que mais meu minha isso este esta muito obrigado obrigada
    olá
    og að ekki það er sem til með fyrir var hef hefur þetta ég þú við þeir hún hann
    mig mér þig okkur eða hvað eru vera takk kærlega halló
    és a az egy hogy nem meg van volt már csak még mint ami aki ez azt ezt vagy de
    kérem köszönöm szia sziasztok
    و در به از که این را با است برای آن یک تا هم ما من شما او بر یا اما نه هست
    بود شد می‌شود کنید کنم لطفا لطفاً سلام ممنون مرسی
    في من على إلى عن مع هذا هذه أن لا ما هو هي كان التي الذي شكرا مرحبا
"""
_STOPWORDS = frozenset(_FUNCTION_WORDS.split())


def content_words(text: str) -> list[str]:
    """The words of ``text`` that can say what it is about, case-folded, in order: hashtags
    and words of at least :data:`MIN_LETTERS` letters that are no handle, link, number or
    function word."""
    tokens = _TOKEN.findall(_NOISE.sub(" ", text))
    if not tokens:
        return []
    # Case-folded all at once (folding reads one character at a time, and no token holds a
    # NUL), and a typographic apostrophe read as a plain one: "don\u2019t" is "don't".
    folded = "\0".join(tokens).casefold().replace("\u2019", "'").split("\0")
    return [
        word
        for word in [token.strip("'-") for token in folded]
        if len(word) - (word[:1] == "#") >= MIN_LETTERS and word not in _STOPWORDS
    ]


def extract_keywords(text: str, limit: int = MAX_KEYWORDS) -> tuple[str, ...]:
    """At most ``limit`` keywords of ``text``, most telling first: hashtags, then by how
    often, then the longer, then the first seen."""
    counts = Counter(content_words(text))
    if not counts:
        return ()
    # a Counter keeps its words in the order first seen, and the sort is stable
    return tuple(
        sorted(counts, key=lambda word: (word[0] != "#", -counts[word], -len(word)))[:limit]
    )
