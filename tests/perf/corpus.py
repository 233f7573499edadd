"""A deterministic retrieval corpus: users owning channels, videos, transcripts and
chunks of ~165 words drawn from a Zipf vocabulary, with marker words at known rates.

Used by tests/perf/bench_retrieval.py; the words are synthetic (consonant-vowel
syllables), so the English stemmer keeps them apart and no stop word is among them."""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

WORDS_PER_CHUNK = 165
VOCABULARY = 30_000
ZIPF_EXPONENT = 1.07

# Marker words and the share of a user's chunks that carry each.
COMMON_WORD = "vorumcommon"  # 30% of chunks
MEDIUM_WORD = "dexamedium"  # 1% of chunks
RARE_WORD = "zyquarare"  # 1 chunk in 10,000
MARKER_RATES = {COMMON_WORD: 0.30, MEDIUM_WORD: 0.01, RARE_WORD: 0.0001}
SPEAKERS = 10  # chunk metadata {"speaker": "s0".."s9"}


def _vocabulary(size: int) -> list[str]:
    consonants = "bdfgklmnprstvz"
    vowels = "aeiou"
    syllables = [c + v for c in consonants for v in vowels]
    rng = random.Random(7)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass(frozen=True)
class Shape:
    videos: int
    chunks_per_video: int
    channels: int


class Corpus:
    def __init__(self, seed: int = 42) -> None:
        self.words = _vocabulary(VOCABULARY)
        weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, VOCABULARY + 1)]
        self.cum_weights = list(itertools.accumulate(weights))
        self.seed = seed

    def chunk_texts(self, count: int, salt: int) -> Iterator[tuple[str, str]]:
        """(text, speaker) for `count` chunks; markers land at their rates."""
        rng = random.Random(self.seed * 1_000_003 + salt)
        rare_every = round(1 / MARKER_RATES[RARE_WORD])
        for index in range(count):
            words = rng.choices(self.words, cum_weights=self.cum_weights, k=WORDS_PER_CHUNK)
            if rng.random() < MARKER_RATES[COMMON_WORD]:
                words[rng.randrange(WORDS_PER_CHUNK)] = COMMON_WORD
            if rng.random() < MARKER_RATES[MEDIUM_WORD]:
                words[rng.randrange(WORDS_PER_CHUNK)] = MEDIUM_WORD
            if (index + salt) % rare_every == rare_every // 2:
                words[rng.randrange(WORDS_PER_CHUNK)] = RARE_WORD
            yield " ".join(words), f"s{rng.randrange(SPEAKERS)}"
