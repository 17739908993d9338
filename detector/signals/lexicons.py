"""Vocabularies behind the export signals: spam themes, anchor classes, page patterns, TLDs.

Everything here is data plus a tiny pattern builder, so the word lists read as
documentation and can be extended without touching the aggregation code.

Each spam theme is a list of **terms** in several languages and scripts. A term is
matched case-insensitively; a space inside a term matches any run of separators (or
none), so ``"slot gacor"`` also finds ``slot-gacor``, ``slot_gacor`` and ``slotgacor``
in URLs. Terms come in two kinds:

* ``ANYWHERE``: distinctive strings matched inside words (``viagra`` in
  ``buyviagra.example``, ``togel`` in ``togel4d``, Thai terms, which have no spaces);
* ``WORD``: short or ambiguous words matched only when not glued to other *letters*
  (``judi`` but not ``judicial``; ``sex`` but not ``sussex``). Digits may touch them
  (``slot88``, ``bet365``).

Patterns are compiled twice from the same terms: once for RE2 (pyarrow's vectorised
``match_substring_regex``, used on every distinct anchor / URL / title) and once for
Python's ``re`` (used only on the few texts that matched, to quote the terms found).
Both treat every non-ASCII character as a letter (see the note at the builder).

>>> theme_terms_in("Daftar SLOT-GACOR maxwin hari ini", "gambling")
['slot gacor', 'maxwin']
>>> theme_terms_in("The University of Sussex", "adult")
[]
>>> theme_terms_in("https://clinic.example/wp/%E0%B8%AA%E0%B8%A5%E0%B9%87%E0%B8%AD%E0%B8%95", "gambling")
['สล็อต']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import unquote

__all__ = [
    "Theme",
    "THEMES",
    "THEME_NAMES",
    "GENERIC_ANCHORS",
    "MONEY_TERMS",
    "PAGE_PATTERNS",
    "TLD_RISK",
    "RESTRICTED_SUFFIX_LABELS",
    "tld_risk",
    "re2_pattern",
    "python_pattern",
    "theme_terms_in",
    "normalise_text",
]


@dataclass(frozen=True)
class Theme:
    """One spam theme and its multi-language vocabulary."""

    name: str  #: short id, used in feature names (``theme_<name>_share``)
    label: str  #: plain-language name used in reasons ("gambling")
    anywhere: tuple[str, ...]  #: distinctive terms matched even inside words
    word: tuple[str, ...] = ()  #: ambiguous terms matched only between non-letters


# --- spam themes -------------------------------------------------------------------------
# Sources of the vocabulary: the link-spam literature summarised in DOMAIN.md (hacked
# clinics, councils and universities with injected Indonesian / Thai gambling pages,
# pharma hacks), plus the everyday spam vocabulary of each niche. Kept deliberately
# specific: a term that real, clean sites use often ("bet", "loan", "essay") is a WORD
# term or left out.
THEMES: Final[tuple[Theme, ...]] = (
    Theme(
        "gambling",
        "gambling",
        anywhere=(
            # Indonesian / Malay slot and lottery vocabulary
            "slot gacor", "slot online", "situs slot", "slot88", "slot 88", "slot777",
            "slot demo", "demo slot", "pg slot", "slot pg", "pgsoft", "pragmatic play",
            "gacor", "maxwin", "togel", "toto macau", "toto 4d", "bandar togel",
            "bandar bola", "judi online", "judi bola", "agen judi", "agen slot", "sbobet",
            "sbo bet", "scatter hitam", "rtp live", "rtp slot", "zeus slot",
            "mahjong ways", "olympus slot", "deposit pulsa", "situs toto", "bocoran slot",
            "slot thailand", "slot kamboja", "slot deposit",
            # Thai: slots, direct websites, baccarat, online casino, football betting, lottery
            "สล็อต", "เว็บตรง", "บาคาร่า", "คาสิโน", "แทงบอล", "หวยออนไลน์", "เว็บพนัน",
            "ufabet", "ufa bet", "pgslot", "joker gaming", "superslot",
            # Vietnamese / Chinese / Korean / Japanese
            "nhà cái", "nha cai", "cá cược", "ca cuoc", "tài xỉu", "nổ hũ", "no hu",
            "博彩", "赌场", "百家乐", "娱乐城", "老虎机", "카지노", "토토사이트", "바카라",
            "오카지노", "オンラインカジノ", "カジノ",
            # English and European languages
            "casino", "kasino", "kazino", "казино", "baccarat", "roulette", "blackjack",
            "sportsbook", "betting", "scommesse", "apuestas", "sportwetten", "paris sportifs",
            "free spins", "no deposit bonus", "jackpot", "poker online", "online poker",
            "1xbet", "mostbet", "pin up casino", "pinup casino", "vavada", "ставки",
            "букмекер", "игровые автоматы", "aviator game",
        ),
        word=("slot", "slots", "judi", "bandar", "poker", "lottery", "lotto", "gambling",
              "bookmaker", "bonus new member", "taruhan", "kasyno"),
    ),
    Theme(
        "pharma",
        "pharma",
        anywhere=(
            "viagra", "cialis", "levitra", "kamagra", "tadalafil", "sildenafil", "vardenafil",
            "tramadol", "xanax", "alprazolam", "valium", "diazepam", "ambien", "zolpidem",
            "oxycodone", "oxycontin", "hydrocodone", "percocet", "adderall", "modafinil",
            "provigil", "phentermine", "clonazepam", "klonopin", "lorazepam", "ativan",
            "soma carisoprodol", "carisoprodol", "propecia", "finasteride", "accutane",
            "isotretinoin", "clomid", "semaglutide without", "ozempic without",
            "without prescription", "without a prescription", "no prescription",
            "no rx", "online pharmacy", "canadian pharmacy", "pharmacy online",
            "generic viagra", "erectile dysfunction", "ohne rezept", "sans ordonnance",
            "senza ricetta", "sin receta", "sem receita", "bez recepty", "без рецепта",
            "виагра", "сиалис", "ивермектин", "ivermectin buy", "obat kuat", "obat aborsi",
            "jual obat", "cytotec", "misoprostol", "ยาเพิ่มขนาด",
        ),
        word=("meds", "cheap pills", "diet pills"),
    ),
    Theme(
        "adult",
        "adult",
        anywhere=(
            "porn", "xxx", "xvideos", "xnxx", "xhamster", "pornhub", "redtube", "hentai",
            "camgirl", "cam girls", "sexcam", "sex cam", "webcam sex", "live sex", "escort service",
            "escort girls", "call girl", "callgirl", "onlyfans leak", "milf",
            "bokep", "ngentot", "memek", "jav hd", "av女優", "色情", "成人视频", "порно",
            "секс знакомства", "проститутки", "индивидуалки", "เย็ดหี", "คลิปโป๊", "หนังโป๊",
            "sexshop", "dating for sex", "erotik", "erotic massage",
        ),
        word=("sex", "sexy", "adult dating", "fuck", "pussy", "dildo", "bdsm", "fetish",
              "porno", "nsfw", "escorts", "hookup", "nudes"),
    ),
    Theme(
        "loans",
        "payday loans",
        anywhere=(
            "payday loan", "payday loans", "payday advance", "cash advance", "title loan",
            "title loans", "no credit check", "bad credit loan", "bad credit loans",
            "instant loan", "loans online", "online loans", "fast cash", "quick cash",
            "same day loan", "installment loans", "guaranteed approval", "pinjaman online",
            "pinjol", "kredit tanpa", "займ", "займы", "микрозайм", "кредит без",
            "schnellkredit", "kredit ohne schufa", "pret rapide", "préstamos rápidos",
            "prestamos rapidos", "chwilówki", "chwilowki", "เงินกู้ด่วน",
        ),
        word=("payday",),
    ),
    Theme(
        "crypto",
        "crypto scam",
        anywhere=(
            "crypto signals", "bitcoin doubler", "double your bitcoin", "bitcoin generator",
            "crypto giveaway", "bitcoin giveaway", "airdrop claim", "claim airdrop",
            "wallet validation", "wallet recovery",
            "seed phrase", "crypto recovery", "bitcoin recovery", "recover stolen crypto",
            "binary options", "forex signals", "trading bot profit", "bitcoin era",
            "bitcoin code", "bitcoin profit", "immediate edge", "quantum ai trading",
            "crypto investment platform", "usdt mining", "cloud mining", "mining pool payout",
            "ethereum generator", "free bitcoin", "free btc", "биткоин бесплатно",
            "заработок на криптовалюте", "investasi crypto", "robot trading",
        ),
        word=("hyip",),
    ),
    Theme(
        "replica",
        "replica / counterfeit",
        anywhere=(
            "replica watches", "replica watch", "replica handbags", "replica bags",
            "fake rolex", "rolex replica", "replica rolex", "louis vuitton replica",
            "replica louis vuitton", "fake designer", "designer replica", "knockoff bags",
            "cheap jerseys", "wholesale jerseys", "cheap nfl jerseys",
            "cheap nike", "cheap ugg", "ugg outlet", "michael kors outlet", "coach outlet",
            "ray ban outlet", "cheap oakley", "pandora outlet", "moncler outlet",
            "canada goose outlet", "louboutin outlet", "cheap jordans", "fake id",
            "fake passport", "buy counterfeit", "копии часов", "高仿", "复刻", "super clone",
            "replica shoes", "replica sneakers", "reps sneakers", "aaa replica",
        ),
        word=("replicas",),
    ),
    Theme(
        "essay",
        "essay mill",
        anywhere=(
            "write my essay", "write my paper", "essay writing service", "essay writer",
            "essay writers", "buy essay", "buy essays", "buy an essay", "buy research paper",
            "essay help", "do my homework", "do my assignment", "assignment help",
            "homework help online", "dissertation writing service", "thesis writing service",
            "paper writing service", "term paper writing", "custom essay", "custom essays",
            "cheap essay", "essay for sale", "pay for essay", "pay someone to write",
            "take my online class", "take my exam", "ghostwriter hausarbeit",
            "hausarbeit schreiben lassen", "bachelorarbeit schreiben lassen",
            "написать курсовую", "курсовая на заказ", "дипломная на заказ", "joki tugas",
            "joki skripsi", "代写", "论文代写",
        ),
        word=("essaypro", "edubirdie", "papersowl"),
    ),
)

THEME_NAMES: Final[tuple[str, ...]] = tuple(t.name for t in THEMES)
THEME_LABELS: Final[dict[str, str]] = {t.name: t.label for t in THEMES}


# --- anchor classes ----------------------------------------------------------------------
#: Generic anchors, matched against the whole anchor after lower-casing and collapsing
#: punctuation and spaces. English plus the basics of the languages most often seen.
GENERIC_ANCHORS: Final[frozenset[str]] = frozenset(
    phrase.strip()
    for phrase in (
        # English
        "here|click here|click|click this link|this link|link|links|this|this website|website|"
        "web site|site|this site|the site|homepage|home page|home|visit|visit site|"
        "visit website|visit us|go to website|go to site|go|read more|more|more info|"
        "more information|learn more|find out more|see more|details|view more|source|"
        "official site|official website|continue|continue reading|article|full article|post|"
        "this post|this article|blog|url|www|http|https|check it out|check out this|"
        "view website|"
        # German, French, Spanish, Italian, Portuguese, Dutch, Polish
        "hier|klicken sie hier|hier klicken|webseite|mehr|weiterlesen|mehr erfahren|quelle|"
        "zur webseite|ici|cliquez ici|en savoir plus|site web|lire la suite|voir plus|lien|"
        "aquí|aqui|haga clic aquí|haz clic aquí|pulse aquí|sitio web|página web|leer más|"
        "ver más|fuente|enlace|qui|clicca qui|sito|sito web|leggi di più|continua a leggere|"
        "fonte|collegamento|clique aqui|saiba mais|leia mais|página|site oficial|"
        "hier klikken|klik hier|lees meer|meer info|bron|tutaj|kliknij tutaj|strona|"
        "strona internetowa|więcej|czytaj więcej|źródło|"
        # Russian, Indonesian, Turkish
        "здесь|тут|сюда|ссылка|сайт|подробнее|читать далее|источник|перейти на сайт|"
        "официальный сайт|di sini|disini|klik di sini|klik disini|situs|selengkapnya|"
        "baca selengkapnya|sumber|tautan|kaynak|burada|buraya tıklayın|tıklayın|web sitesi|"
        "devamını oku|"
        # Japanese, Chinese, Korean, Thai
        "ここ|こちら|詳細|公式サイト|サイト|这里|点击这里|网站|官网|更多|详情|来源|여기|"
        "홈페이지|사이트|자세히|ที่นี่|คลิกที่นี่|เว็บไซต์|อ่านเพิ่มเติม"
    ).split("|")
)

#: Commercial ("money") words: an anchor containing one is a money anchor unless it is
#: branded, a URL or generic. The target's own keywords are added per export.
MONEY_TERMS: Final[tuple[str, ...]] = (
    # English
    "buy", "best", "cheap", "cheapest", "price", "prices", "pricing", "review", "reviews",
    "discount", "discounts", "coupon", "coupons", "promo code", "deal", "deals", "sale",
    "for sale", "near me", "top 10", "top ten", "affordable", "order online",
    "shop", "shopping", "store", "free shipping", "wholesale", "hire", "rent",
    "rental", "services", "service", "agency", "quote", "quotes", "cost",
    "costs", "low cost", "insurance", "lawyer", "attorney", "loan", "loans", "mortgage",
    "repair", "installation", "supplier", "manufacturer", "bulk",
    "vs", "versus", "top rated", "compare", "comparison", "recommended",
    # German / French / Spanish / Italian / Portuguese / Dutch / Polish
    "kaufen", "günstig", "billig", "preis", "preise", "bester", "beste", "angebot",
    "rabatt", "acheter", "pas cher", "prix", "meilleur", "meilleure", "avis", "promo",
    "comprar", "barato", "barata", "precio", "precios", "mejor", "mejores", "oferta",
    "comprare", "economico", "prezzo", "migliore", "offerta", "preço", "melhor", "kopen",
    "goedkoop", "prijs", "beste prijs", "kupić", "tanio", "cena", "najlepszy",
    # Russian / Indonesian / Turkish / Thai / Vietnamese / Chinese / Japanese
    "купить", "дешево", "недорого", "цена", "цены", "лучший", "заказать", "beli", "jual",
    "murah", "harga", "terbaik", "diskon", "satın al", "ucuz", "fiyat", "en iyi",
    "ราคา", "ถูก", "ซื้อ", "mua", "giá", "giá rẻ", "tốt nhất", "购买", "价格", "便宜",
    "最好", "購入", "価格", "激安", "おすすめ",
)


# --- linking-page patterns (URL path and title) ------------------------------------------
#: Regexes (RE2 and Python compatible) over the lower-cased, percent-decoded linking URL
#: and, where said, the page title. Each is one feature: the share of the domain's links
#: on pages of that kind.
PAGE_PATTERNS: Final[dict[str, tuple[str, str]]] = {
    # name: (url pattern, title pattern ("" = none))
    "directory": (
        r"(?:^|[/._-])(?:dir|directory|directories|webdir|linkdir|verzeichnis|annuaire|"
        r"katalog|catalog)(?:[/._-]|$)|submit[-_]?(?:url|site|link)|add[-_]?(?:url|site|link)",
        r"web directory|link directory|submit (?:your )?(?:site|url|link)|add (?:your )?(?:url|site)|"
        r"webverzeichnis|annuaire",
    ),
    "guestbook": (
        r"guest[-_]?book|gaestebuch|gastebuch|gästebuch|livre[-_]?d[-_]?or|libro[-_]?de[-_]?visitas",
        r"guest ?book|gästebuch|livre d.or",
    ),
    "profile": (
        r"/(?:user|users|member|members|profile|profiles|author|u|people|account|"
        r"community/profile|forums?/members?)/[^/]+|[?&](?:action=profile|u=\d|uid=\d|"
        r"user(?:id)?=)|memberlist|viewprofile|/@[^/]+",
        r"user profile|member profile|'s profile|profil (?:von|de)|профиль",
    ),
    "comment": (
        r"#comment|/comment-page-|replytocom=|[?&]comment|/comments?/|#respond|#reply",
        r"",
    ),
    "archive": (
        r"/(?:tag|tags|category|categories|feed|rss|archive|archives|label|page/\d+)(?:/|$)|"
        r"[?&](?:tag|cat|paged)=|/search/",
        r"",
    ),
    "guest_post": (
        r"write[-_]?for[-_]?us|guest[-_]?post|sponsored[-_]?post|submit[-_]?(?:a[-_]?)?"
        r"(?:guest|article|post)|advertorial|contribute|become[-_]?a[-_]?contributor|"
        r"paid[-_]?post",
        r"write for us|guest post|sponsored post|submit (?:a )?guest|advertorial|"
        r"contribute to|gastbeitrag|artikel einreichen",
    ),
    "link_page": (
        r"(?:^|/)(?:links?|partners?|our[-_]?partners|resources|useful[-_]?links|"
        r"link[-_]?exchange|linkexchange|blogroll|friends|sites?[-_]?amis|partnerseiten|"
        r"enlaces|liens|linkpartner|link[-_]?partners?|webring)(?:\.\w+)?(?:/|$|\?)",
        r"link exchange|link partners|our partners|useful links|resources|blogroll|"
        r"partnerseiten|liens utiles|enlaces",
    ),
    "forum": (
        r"/(?:forum|forums|board|boards|community|discussion|discussions|thread|threads|"
        r"topic|topics|showthread|viewtopic)(?:\.php)?(?:[/?]|$)|showthread\.php|viewtopic\.php|"
        r"[?&](?:t|topic|threadid)=\d",
        r"forum|thread|topic|board index|форум",
    ),
}


# --- TLDs ----------------------------------------------------------------------------------
#: Risk prior per TLD, 0-1: a small hand-kept list of TLDs that public abuse reports
#: (Spamhaus' "most abused TLDs" lists, Interisle's phishing-landscape studies, and the
#: former free Freenom TLDs) repeatedly name for spam and phishing. A prior, not a
#: verdict: plenty of honest sites live on these TLDs. Unlisted TLDs get DEFAULT_TLD_RISK;
#: registration-restricted suffixes (edu, gov, mil, ac.xx, gov.xx, ...) get 0.
TLD_RISK: Final[dict[str, float]] = {
    # former free Freenom TLDs, overrun by throwaway spam sites
    "tk": 0.9, "ml": 0.9, "ga": 0.9, "cf": 0.9, "gq": 0.9,
    # cheap new gTLDs that top abuse rankings year after year
    "xyz": 0.7, "top": 0.7, "icu": 0.7, "buzz": 0.7, "cyou": 0.7, "cfd": 0.7, "sbs": 0.7,
    "bond": 0.7, "rest": 0.7, "monster": 0.7, "quest": 0.6, "click": 0.7, "link": 0.6,
    "gdn": 0.7, "loan": 0.8, "win": 0.7, "bid": 0.7, "date": 0.7, "racing": 0.7,
    "review": 0.6, "stream": 0.6, "download": 0.7, "trade": 0.6, "men": 0.7, "party": 0.7,
    "work": 0.6, "fit": 0.6, "kim": 0.6, "cam": 0.6, "lol": 0.6, "mom": 0.6, "pw": 0.7,
    "su": 0.6, "ws": 0.5, "cc": 0.5, "cn": 0.5, "ru": 0.4, "online": 0.5, "site": 0.5,
    "website": 0.5, "space": 0.5, "fun": 0.5, "live": 0.4, "club": 0.5, "shop": 0.4,
    "store": 0.4, "vip": 0.6, "bet": 0.6, "casino": 0.6, "poker": 0.6, "porn": 0.6,
    "sex": 0.6, "xxx": 0.6, "adult": 0.6, "biz": 0.4, "info": 0.4, "today": 0.4,
    "life": 0.4, "world": 0.4, "support": 0.4, "uno": 0.5, "best": 0.5, "tokyo": 0.5,
}
DEFAULT_TLD_RISK: Final = 0.2
#: Labels that, inside the public suffix, mark a registration-restricted zone.
RESTRICTED_SUFFIX_LABELS: Final[frozenset[str]] = frozenset(
    {"edu", "gov", "mil", "int", "ac", "gob", "gouv", "govt", "gv", "sch", "k12", "mod"}
)


def tld_risk(suffix: str) -> float:
    """Risk prior (0-1) of a public suffix such as ``com``, ``co.uk``, ``ac.uk`` or ``tk``.

    >>> tld_risk("tk"), tld_risk("com"), tld_risk("ac.uk"), tld_risk("edu")
    (0.9, 0.2, 0.0, 0.0)
    """
    labels = suffix.lower().strip(".").split(".")
    if not labels or not labels[-1]:
        return float("nan")
    if RESTRICTED_SUFFIX_LABELS.intersection(labels):
        return 0.0
    return TLD_RISK.get(labels[-1], DEFAULT_TLD_RISK)


# --- pattern building --------------------------------------------------------------------
# Texts are lower-cased (and URLs percent-decoded) first. Inside patterns, every character
# outside ASCII counts as a "letter": Unicode classes such as \pL make RE2's automaton
# explode (40 s instead of 0.03 s on 200,000 URLs), and for the scripts in the lists the
# approximation is harmless (their terms are ANYWHERE terms).
# "Letters" beyond ASCII: everything except Latin-1 punctuation (U+0080-U+00BF), general
# punctuation, arrows, symbols and dingbats (U+2000-U+2BFF) and CJK punctuation
# (U+3000-U+303F), so "Read more »" and "続きを読む。" still split into words.
_LETTERS_RE2: Final = r"a-z\x{c0}-\x{1fff}\x{2c00}-\x{2fff}\x{3040}-\x{10ffff}"
_LETTERS_PY: Final = "a-z\u00c0-\u1fff\u2c00-\u2fff\u3040-\U0010ffff"
#: RE2: a run of separators (anything but letters and digits), or none.
SEP_RE2: Final = f"[^0-9{_LETTERS_RE2}]*"
#: RE2: one character that is not a letter (digits count as non-letters).
NOT_LETTER_RE2: Final = f"[^{_LETTERS_RE2}]"
_SEP_RE2: Final = SEP_RE2
_NOT_LETTER_RE2: Final = NOT_LETTER_RE2
_SEP_PY: Final = f"[^0-9{_LETTERS_PY}]*"
_LETTER_PY: Final = f"[{_LETTERS_PY}]"


def normalise_text(text: str) -> str:
    """Lower-case and percent-decode ``text`` (URLs carry Thai and Cyrillic as %XX)."""
    text = text.lower()
    if "%" in text:
        text = unquote(text)
    return text


def _term_body(term: str, separator: str) -> str:
    return separator.join(re.escape(part) for part in term.lower().split())


def re2_pattern(anywhere: tuple[str, ...] | list[str], word: tuple[str, ...] | list[str] = ()) -> str:
    r"""One RE2 pattern (for pyarrow, over lower-cased text) matching any of the terms.

    >>> import pyarrow as pa, pyarrow.compute as pc
    >>> texts = pa.array(["slot-gacor", "judi bola", "judicial", "bet365", "alphabet"])
    >>> pc.match_substring_regex(texts, re2_pattern(["slot gacor"], ["judi", "bet"])).to_pylist()
    [True, True, False, True, False]
    """
    parts = []
    if anywhere:
        parts.append("(?:" + "|".join(_term_body(t, _SEP_RE2) for t in _longest_first(anywhere)) + ")")
    if word:
        parts.append(f"(?:^|{_NOT_LETTER_RE2})(?:"
                     + "|".join(_term_body(t, _SEP_RE2) for t in _longest_first(word))
                     + f")(?:{_NOT_LETTER_RE2}|$)")
    return "|".join(parts) if parts else "^\\b\\B$"  # never matches


def python_pattern(anywhere: tuple[str, ...] | list[str], word: tuple[str, ...] | list[str] = ()) -> re.Pattern[str]:
    """The same terms as :func:`re2_pattern` for Python ``re``; the one group set is the term.

    >>> python_pattern(["slot gacor"], ["judi"]).search("daftar slot_gacor").group(0)
    'slot_gacor'
    """
    parts = []
    if anywhere:
        parts.append("(" + "|".join(_term_body(t, _SEP_PY) for t in _longest_first(anywhere)) + ")")
    if word:
        parts.append(f"(?<!{_LETTER_PY})("
                     + "|".join(_term_body(t, _SEP_PY) for t in _longest_first(word))
                     + f")(?!{_LETTER_PY})")
    return re.compile("|".join(parts) if parts else r"(?!)")


def _longest_first(terms: tuple[str, ...] | list[str]) -> list[str]:
    return sorted({t.lower() for t in terms if t.strip()}, key=lambda t: (-len(t), t))


@lru_cache(maxsize=None)
def theme_re2(name: str) -> str:
    """RE2 pattern of theme ``name``."""
    theme = _THEME_BY_NAME[name]
    return re2_pattern(theme.anywhere, theme.word)


@lru_cache(maxsize=None)
def theme_term_patterns(name: str) -> tuple[tuple[str, str], ...]:
    """(term, RE2 pattern) for each term of theme ``name``: to say *which* terms matched."""
    theme = _THEME_BY_NAME[name]
    pairs = [(t.lower(), re2_pattern((t,), ())) for t in theme.anywhere]
    pairs += [(t.lower(), re2_pattern((), (t,))) for t in theme.word]
    return tuple(pairs)


@lru_cache(maxsize=None)
def theme_python(name: str) -> re.Pattern[str]:
    """Python pattern of theme ``name`` (to quote the terms found)."""
    theme = _THEME_BY_NAME[name]
    return python_pattern(theme.anywhere, theme.word)


def theme_terms_in(text: str, name: str) -> list[str]:
    """The distinct terms of theme ``name`` found in ``text``, as listed, in order."""
    canonical = _canonical_terms(name)
    found: list[str] = []
    for match in theme_python(name).finditer(normalise_text(text)):
        raw = match.group(0)
        term = canonical.get(_compact(raw), raw)
        if term not in found:
            found.append(term)
    return found


def _compact(text: str) -> str:
    return re.sub(_SEP_PY.replace("]*", "]+"), "", text.lower())


@lru_cache(maxsize=None)
def _canonical_terms(name: str) -> dict[str, str]:
    theme = _THEME_BY_NAME[name]
    mapping: dict[str, str] = {}
    for term in (*theme.anywhere, *theme.word):
        mapping.setdefault(_compact(term), term.lower())
    return mapping


_THEME_BY_NAME: Final[dict[str, Theme]] = {t.name: t for t in THEMES}
