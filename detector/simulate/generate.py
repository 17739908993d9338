"""Generate a labelled link world from a :class:`~detector.simulate.config.WorldConfig`.

The world is three compact tables (see :class:`~detector.simulate.world.World`):
``domains`` (one row per served domain: targets, referring domains, money sites, with
hosting, registration, content markers, labels and injected failures), ``links`` (one
row per true link to a target) and ``networks`` (one row per PBN with the footprints its
operator uses). Pages, DNS records, RDAP and WHOIS answers are rendered from these rows
on request, so a 100,000-domain world stays small.

All scalar draws use one ``random.Random(seed)``; the draw order is fixed, so a config
gives the same world on every run.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd

from detector.simulate import vocab
from detector.simulate.config import TOXIC_BY_SCHEME, WorldConfig

__all__ = ["generate_world", "block_address", "FOOTPRINTS"]

#: PBN footprints a member may expose (label columns ``fp_<name>``).
FOOTPRINTS = ("ip_block", "ns", "registrar", "reg_week", "analytics", "template")

_DAY = timedelta(days=1)


def _secs(n: float) -> timedelta:
    return timedelta(seconds=int(n))


def _floor_day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def _ceil_day(t: datetime) -> datetime:
    f = _floor_day(t)
    return f if f == t else f + _DAY


def _add_years(t: datetime, years: int) -> datetime:
    try:
        return t.replace(year=t.year + years)
    except ValueError:  # 29 February
        return t.replace(year=t.year + years, day=28)
_PARKING_PROVIDER = ("parkcrew", "parking", 2, 5000)
_FIRST_PROVIDER_BLOCK = 256  # 127.1.0.0/24; 127.0.0.0/24 is left to the servers
_FIRST_NETWORK_BLOCK = 64 * 256  # 127.64.0.0/24 onwards: blocks rented by PBN operators


def block_address(block: int, host: int) -> str:
    """The address ``host`` (1-254) in /24 block number ``block`` of 127.0.0.0/8.

    >>> block_address(256, 7)
    '127.1.0.7'
    """
    return f"127.{block >> 8}.{block & 255}.{host}"


@dataclass
class _Provider:
    name: str
    kind: str
    blocks: list[int]
    per_ip: int


def _providers() -> dict[str, _Provider]:
    out: dict[str, _Provider] = {}
    nxt = _FIRST_PROVIDER_BLOCK
    for name, kind, n_blocks, per_ip in (*vocab.PROVIDERS, _PARKING_PROVIDER):
        out[name] = _Provider(name, kind, list(range(nxt, nxt + n_blocks)), per_ip)
        nxt += n_blocks
    return out


def _largest_remainder(total: int, shares: dict[str, float]) -> dict[str, int]:
    raw = {k: total * v for k, v in shares.items()}
    out = {k: int(math.floor(v)) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[:rest]:
        out[k] += 1
    return out


def _pbn_sizes(rng: random.Random, n: int, cfg: WorldConfig) -> list[int]:
    """Split ``n`` PBN domains into networks with truncated power-law sizes."""
    if n <= 0:
        return []
    lo, hi = cfg.pbn_size_min, max(cfg.pbn_size_min, cfg.pbn_size_max)
    if n < lo:
        return [n]  # too few PBN domains for a full network: one small one
    sizes_range = list(range(lo, hi + 1))
    weights = [s ** -cfg.pbn_size_alpha for s in sizes_range]
    out: list[int] = []
    left = n
    while left > 0:
        s = rng.choices(sizes_range, weights)[0]
        if left - s < lo:  # the remainder could not form a network: absorb it
            s = left if left <= hi else left - lo
        out.append(s)
        left -= s
    return out


class _Names:
    """Unique, plausible domain names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, stem: str, tld: str) -> str:
        stem = "".join(c for c in stem.lower() if c.isalnum() or c == "-").strip("-")[:40] or "site"
        name = f"{stem}.{tld}"
        while name in self.used:
            name = f"{stem}{self.rng.randint(2, 999)}.{tld}"
        self.used.add(name)
        return name


def _stem(rng: random.Random, kind: str, topic: str, lang: str) -> str:
    w = rng.choice(vocab.WORDS_EN)
    local = vocab.WORDS_LOCAL.get(lang)
    if local and rng.random() < 0.6:
        w = rng.choice(local)
    r = rng.random()
    patterns = {
        "news": [f"{w}{rng.choice(['times', 'post', 'herald', 'daily', 'news', 'gazette'])}"],
        "foreign_press": [f"{w}{rng.choice(['zeitung', 'journal', 'kurier', 'dagblad', 'gazeta', 'diario'])}"],
        "university": [f"{w}-university", f"univ-{w}", f"{w}college", f"{w}-institute"],
        "forum": [f"{topic}forum", f"{w}{topic}board", f"{topic}-talk"],
        "directory": [f"chamber-of-{w}", f"{w}businessdirectory", f"{w}-trade-register"],
        "aggregator": [f"{topic}hub", f"{w}links", f"{topic}-digest"],
        "bibliography": [f"{w}bibliography", f"{topic}-refs", f"{w}-library"],
        "shop": [f"{w}{topic}shop", f"{w}-{topic}-store"],
        "hacked": [f"{w}clinic", f"{w}council", f"{w}dental", f"{w}-school", f"{w}library"],
        "link_farm": [f"free{topic}directory", f"{topic}-links-{w}", f"submit{w}links"],
        "spam_theme": [f"{rng.choice(['slotgacor', 'togel', 'judibola', 'pharmacy', 'rxmeds', 'casinoking'])}{rng.randint(1, 999)}",
                       f"{w}-casino", f"best-{w}-pills"],
        "parked": [f"{w}{topic}", f"{w}{rng.choice(vocab.WORDS_EN)}"],
        "money": [f"buy{topic}{w}", f"{w}-{topic}-deals", f"best{topic}online"],
    }
    choices = patterns.get(kind)
    if choices:
        return rng.choice(choices)
    w2 = rng.choice(vocab.WORDS_EN + vocab.WORDS_TOPIC)
    if r < 0.5:
        return f"{w}{w2}"
    if r < 0.8:
        return f"{w}-{w2}"
    return f"{w}{topic}{rng.choice(['', 'blog', 'life', 'guide'])}"


def _id(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _analytics(rng: random.Random) -> dict[str, str | None]:
    upper = string.ascii_uppercase + string.digits
    return {
        "ga_ua": f"UA-{rng.randint(10**6, 10**9 - 1)}-{rng.randint(1, 9)}" if rng.random() < 0.25 else None,
        "ga4": f"G-{_id(rng, upper, 10)}",
        "gtm": f"GTM-{_id(rng, upper, 7)}" if rng.random() < 0.4 else None,
        "adsense": None,
    }


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def generate_world(config: WorldConfig | None = None) -> "World":  # noqa: F821
    """Generate the world a config describes (deterministic in ``config.seed``)."""
    from detector.simulate.world import World

    cfg = config or WorldConfig()
    rng = random.Random(cfg.seed)
    as_of = datetime.fromisoformat(cfg.as_of).replace(tzinfo=timezone.utc)
    providers = _providers()
    names = _Names(rng)
    rows: list[dict] = []

    # ---------------------------------------------------------------- targets
    target_names = []
    target_topics = []
    for t in range(max(1, cfg.n_targets)):
        topic = vocab.WORDS_TOPIC[(cfg.seed + t * 7) % len(vocab.WORDS_TOPIC)]
        stem = f"{rng.choice(vocab.WORDS_EN)}{topic}"
        target_names.append(names.make(stem, "com"))
        target_topics.append(topic)

    # ---------------------------------------------------------------- schemes
    counts = _largest_remainder(cfg.n_domains, cfg.scheme_shares())
    natural_counts = _largest_remainder(counts.pop("natural"), {
        k: v / sum(cfg.natural_kinds.values()) for k, v in cfg.natural_kinds.items()})
    plan: list[tuple[str, str]] = []  # (scheme, kind)
    for kind in sorted(natural_counts):
        plan += [("natural", kind)] * natural_counts[kind]
    for scheme in sorted(counts):
        if scheme == "pbn":
            continue
        for _ in range(counts[scheme]):
            kind = scheme
            if scheme == "paid_unqualified":
                kind = "sitewide_footer" if rng.random() < cfg.paid_sitewide else "guest_post"
            elif scheme == "comment_spam":
                kind = rng.choice(["blog_comment", "forum_signature", "profile"])
            elif scheme == "spam_theme":
                kind = rng.choice(["gambling", "pharma", "adult"])
            plan.append((scheme, kind))

    # ---------------------------------------------------------------- PBN networks
    networks: list[dict] = []
    sizes = _pbn_sizes(rng, counts.get("pbn", 0), cfg)
    upper = string.ascii_uppercase + string.digits
    money_rows: list[dict] = []
    for net_id, size in enumerate(sizes, start=1):
        cheap = rng.choice([p for p in providers.values() if p.kind == "cheap"])
        week = _floor_day(as_of - timedelta(days=rng.randint(60, 1100)))
        week = week - timedelta(days=week.weekday())  # a Monday
        target_idx = rng.randrange(len(target_names))
        n_money = rng.randint(*cfg.pbn_money_sites)
        money = []
        for _ in range(n_money):
            topic = rng.choice(vocab.WORDS_TOPIC)
            m = names.make(_stem(rng, "money", topic, "en"), rng.choice(["com", "net", "co.uk"]))
            money.append(m)
            money_rows.append(dict(domain=m, role="money", topic=topic))
        networks.append(dict(
            network_id=net_id, size=size, hiding=cfg.pbn_hiding,
            provider=cheap.name, block=_FIRST_NETWORK_BLOCK + net_id,
            ns_provider=f"{rng.choice(vocab.WORDS_EN)}{rng.randint(10, 99)}-dns",
            registrar=rng.choice(vocab.PBN_REGISTRARS),
            reg_week=week,
            ga_ua=f"UA-{rng.randint(10**6, 10**9 - 1)}", ga4=f"G-{_id(rng, upper, 10)}",
            gtm=f"GTM-{_id(rng, upper, 7)}", adsense=f"ca-pub-{rng.randint(10**15, 10**16 - 1)}",
            theme=rng.choice(vocab.PBN_THEMES), template=f"tpl-{net_id:04d}-{_id(rng, 'abcdef0123456789', 6)}",
            target=target_names[target_idx], money_sites=";".join(money),
        ))
        plan += [("pbn", f"pbn:{net_id}")] * size

    # ---------------------------------------------------------------- referring domains
    tld_keys = sorted(cfg.tld_weights)
    tld_w = [cfg.tld_weights[k] for k in tld_keys]
    lang_keys = sorted(cfg.languages)
    lang_w = [cfg.languages[k] for k in lang_keys]
    hide = {fp: min(1.0, cfg.pbn_hiding * cfg.pbn_hiding_by_footprint.get(fp, 1.0)) for fp in FOOTPRINTS}
    publisher_groups: list[dict] = []  # natural sites sharing an owner's analytics IDs

    for scheme, kind in plan:
        net = networks[int(kind.split(":")[1]) - 1] if scheme == "pbn" else None
        tld = rng.choices(tld_keys, tld_w)[0]
        if kind == "university" and rng.random() < 0.5:
            tld = rng.choice(["org", "de", "co.uk", "nl"])
        lang = vocab.TLD_LANGUAGE.get(tld) if rng.random() < 0.85 else None
        lang = lang or rng.choices(lang_keys, lang_w)[0]
        if kind == "foreign_press":
            lang = rng.choice(["de", "fr", "es", "nl", "pl"])
            tld = rng.choice(["com", "net", "de", "nl", "pl"])
        if scheme == "pbn":
            lang = "en"
        topic = rng.choice(vocab.WORDS_TOPIC)
        stem_kind = {"hacked": "hacked", "link_farm": "link_farm", "spam_theme": "spam_theme",
                     "parked": "parked"}.get(scheme, kind)
        domain = names.make(_stem(rng, stem_kind, topic, lang), tld)
        target = net["target"] if net else target_names[rng.randrange(len(target_names))]
        row: dict = dict(domain=domain, role="referring", scheme=scheme, kind=kind.split(":")[0],
                         network_id=net["network_id"] if net else None, target=target,
                         tld=tld, language=lang, topic=topic)
        exposed = {fp: (net is not None and rng.random() >= hide[fp]) for fp in FOOTPRINTS}
        for fp in FOOTPRINTS:
            row[f"fp_{fp}"] = exposed[fp]

        # hosting
        if net is not None and exposed["ip_block"]:
            row["provider"], row["_block"] = net["provider"], net["block"]
        elif net is not None:
            row["provider"] = rng.choice(["bighost", "hostgiant", "cloudvps", "seohost", "multiclass", "budgetweb"])
        elif scheme == "parked":
            row["provider"] = "parkcrew"
        elif scheme in ("link_farm", "spam_theme"):
            row["provider"] = rng.choice(["budgetweb", "seohost", "bighost", "dropletcloud"])
        elif kind == "cdn_site":
            row["provider"] = rng.choice(["edgecdn", "fastedge"])
        elif kind in ("university", "news", "foreign_press") and rng.random() < 0.7:
            row["provider"] = "campusnet" if kind == "university" else "pressnet"
        else:
            r = rng.random()
            if r < cfg.cdn_share:
                row["provider"] = rng.choice(["edgecdn", "edgecdn", "fastedge"])
            elif r < cfg.cdn_share + cfg.shared_host_share:
                row["provider"] = rng.choice(["bighost", "hostgiant", "webspace24"])
            else:
                row["provider"] = rng.choice(["cloudvps", "dropletcloud"])

        # name servers and mail
        prov_kind = providers[row["provider"]].kind
        if net is not None and exposed["ns"]:
            ns = net["ns_provider"]
            row["ns"] = f"ns1.{ns}.example ns2.{ns}.example"
        elif scheme == "parked":
            ns = rng.choice(vocab.PARKING_NS)
            row["ns"] = f"ns1.{ns}.example ns2.{ns}.example"
        elif prov_kind == "own":
            row["ns"] = f"ns1.{domain} ns2.{domain}"
        else:
            ns = row["provider"] if rng.random() < 0.6 else rng.choice(vocab.NS_PROVIDERS)
            row["ns"] = f"ns1.{ns}.example ns2.{ns}.example"
        has_mx = rng.random() < (0.2 if scheme in ("pbn", "link_farm", "spam_theme", "parked") else 0.75)
        row["mx"] = (f"mail.{domain}" if prov_kind == "own" else
                     rng.choice(["mx1.mailhost-like.example", "aspmx.gmail-like.example",
                                 f"mx.{row['provider']}.example"])) if has_mx else None
        row["ipv6"] = "::1" if rng.random() < (cfg.aaaa_share * (3 if prov_kind == "cdn" else 1)) else None

        # registration
        if net is not None:
            reg = vocab.REGISTRARS[net["registrar"]] if exposed["registrar"] else \
                vocab.REGISTRARS[rng.choices(range(len(vocab.REGISTRARS)), vocab.REGISTRAR_WEIGHTS)[0]]
            if exposed["reg_week"]:
                created = net["reg_week"] + _secs(rng.randint(0, 7 * 86400 - 1))
            else:
                created = as_of - _secs(rng.randint(40 * 86400, 1500 * 86400))
            reuse = rng.random() < cfg.pbn_expired_reuse
            history = created - timedelta(days=rng.randint(3 * 365, 15 * 365)) if reuse else created
        else:
            reg = vocab.REGISTRARS[rng.choices(range(len(vocab.REGISTRARS)), vocab.REGISTRAR_WEIGHTS)[0]]
            if kind == "new_site":
                age_days = rng.randint(20, 330)
            else:
                # lognormal age, median ~7 years (assumption; matches .com age profiles)
                age_days = int(min(30 * 365, max(60, rng.lognormvariate(math.log(7 * 365), 0.7))))
                if kind in ("university", "news", "hacked", "directory"):
                    age_days = max(age_days, rng.randint(8 * 365, 28 * 365))
            created = as_of - _secs(age_days * 86400 + rng.randint(0, 86399))
            reuse = scheme == "parked" and rng.random() < 0.5  # drop-caught parked names
            history = created - timedelta(days=rng.randint(2 * 365, 10 * 365)) if reuse else \
                created + timedelta(days=rng.randint(0, 60))
        row["registrar"], row["registrar_iana"] = reg[0], reg[1]
        row["created"] = created
        row["history_start"] = _floor_day(history) if reuse else _ceil_day(history)
        row["expired_reuse"] = bool(reuse)
        years = max(1, math.ceil((as_of - created).days / 365.25)) + rng.choice([0, 0, 0, 1, 2])
        row["expires"] = _add_years(created, years)
        row["updated"] = created + _secs((as_of - created).total_seconds() * rng.random())
        row["transferred"] = created + _secs((as_of - created).total_seconds() * rng.random()) \
            if (scheme == "natural" and rng.random() < 0.1) else None
        private_rate = cfg.privacy_natural if scheme == "natural" else cfg.privacy_scheme
        if kind in ("university", "news", "directory", "hacked"):
            private_rate *= 0.3
        row["privacy"] = rng.random() < private_rate
        row["registrant_org"] = None if row["privacy"] else \
            f"{domain.split('.')[0].replace('-', ' ').title()} {rng.choice(['Ltd', 'GmbH', 'Media', 'Foundation', 'LLC', 'Group'])}"
        row["whois_style"] = vocab.WHOIS_STYLE[tld]

        # content markers
        if net is not None:
            row["cms"] = "wordpress"
            row["theme"] = net["theme"] if exposed["template"] else rng.choice(vocab.THEMES)
            row["template"] = net["template"] if exposed["template"] else None
            if exposed["analytics"]:
                row.update(ga_ua=net["ga_ua"], ga4=net["ga4"], gtm=net["gtm"], adsense=net["adsense"])
            else:  # careful operators drop analytics altogether
                row.update(ga_ua=None, ga4=None, gtm=None, adsense=None)
        else:
            if kind == "forum" or (scheme == "comment_spam" and kind == "forum_signature"):
                cms = "phpbb"
            elif kind == "shop":
                cms = "shopify-like"
            elif scheme == "parked":
                cms = "parking"
            elif rng.random() < cfg.wordpress_share:
                cms = "wordpress"
            else:
                cms = rng.choice(["drupal", "joomla", "ghost", "static", "custom"])
            row["cms"] = cms
            row["theme"] = rng.choice(vocab.THEMES) if cms == "wordpress" else None
            row["template"] = None
            ids = _analytics(rng) if (scheme != "parked" and rng.random() < cfg.analytics_share) else \
                dict(ga_ua=None, ga4=None, gtm=None, adsense=None)
            if scheme == "natural" and rng.random() < cfg.adsense_share:
                ids["adsense"] = f"ca-pub-{rng.randint(10**15, 10**16 - 1)}"
            if scheme == "natural" and ids["ga4"] and rng.random() < 0.04:
                # hard negative: a publisher group shares its IDs over a few sites
                if publisher_groups and rng.random() < 0.6:
                    ids = dict(rng.choice(publisher_groups))
                else:
                    publisher_groups.append(dict(ids))
            row.update(ids)

        # authority and audience (true values; tools add their own noise)
        base = {"news": 55, "university": 65, "foreign_press": 50, "directory": 35, "aggregator": 40,
                "bibliography": 45, "new_site": 4, "forum": 30, "shop": 25, "cdn_site": 30,
                "hacked": 45}.get(kind, 18)
        if scheme == "pbn":
            base = 32 if reuse else 12
        elif scheme in ("link_farm", "spam_theme"):
            base = 10
        elif scheme == "parked":
            base = 8 if not reuse else 20
        authority = float(min(98, max(0, rng.gauss(base, 9))))
        row["authority"] = round(authority, 1)
        if scheme in ("pbn", "link_farm", "parked", "spam_theme"):
            traffic = float(int(rng.expovariate(1 / 30)))
        elif kind == "new_site":
            traffic = float(int(rng.expovariate(1 / 15)))
        else:
            traffic = float(int(10 ** (authority / 18) * rng.lognormvariate(0, 1)))
        row["traffic"] = traffic
        row["n_pages"] = rng.randint(3, 25) if scheme in ("pbn", "parked") else rng.randint(8, 400)
        thin = scheme in ("pbn", "link_farm", "parked", "spam_theme")
        row["has_about"] = rng.random() < (0.3 if thin else 0.88)
        row["has_contact"] = rng.random() < (0.2 if thin else 0.82)
        if scheme == "parked":
            row["has_about"] = row["has_contact"] = False
        row["www"] = rng.random() < 0.5
        row["toxic"] = TOXIC_BY_SCHEME[scheme]
        rows.append(row)

    # ---------------------------------------------------------------- targets and money sites
    for t, (name, topic) in enumerate(zip(target_names, target_topics)):
        rows.append(_plain_site(rng, name, "target", topic, as_of, cfg, target=name))
    for m in money_rows:
        rows.append(_plain_site(rng, m["domain"], "money", m["topic"], as_of, cfg, target=None))

    domains = pd.DataFrame(rows)
    _assign_addresses(domains, providers, rng)
    _inject_failures(domains, cfg, rng)
    domains["seed"] = [rng.getrandbits(62) for _ in range(len(domains))]

    links = _make_links(domains, cfg, rng, as_of, dict(zip(target_names, target_topics)))
    # comment spam with only qualified (ugc/nofollow) links is low value, not toxic
    qualified = links["rel"].str.contains("nofollow|ugc", regex=True).fillna(False).groupby(links["domain"]).all()
    is_cs = domains["scheme"].eq("comment_spam")
    domains.loc[is_cs, "toxic"] = ~domains.loc[is_cs, "domain"].map(qualified).fillna(False).astype(bool)

    nets = pd.DataFrame(networks, columns=[
        "network_id", "size", "hiding", "provider", "block", "ns_provider", "registrar", "reg_week",
        "ga_ua", "ga4", "gtm", "adsense", "theme", "template", "target", "money_sites"])
    if len(nets):
        nets["registrar"] = [vocab.REGISTRARS[i][0] for i in nets["registrar"]]
        nets["block"] = [f"{block_address(b, 0)}/24" for b in nets["block"]]
        nets["reg_week"] = pd.to_datetime(nets["reg_week"], utc=True).astype("datetime64[s, UTC]")
    return World(config=cfg, domains=_finish_domains(domains), links=links, networks=nets)


def _plain_site(rng: random.Random, name: str, role: str, topic: str, as_of: datetime,
                cfg: WorldConfig, target: str | None) -> dict:
    """A target or money site: an ordinary commercial site on a shared host."""
    created = as_of - timedelta(days=rng.randint(400, 4000))
    reg = vocab.REGISTRARS[rng.choices(range(len(vocab.REGISTRARS)), vocab.REGISTRAR_WEIGHTS)[0]]
    ids = _analytics(rng)
    tld = name.split(".", 1)[1]
    prov = rng.choice(["bighost", "cloudvps", "edgecdn"])
    return dict(domain=name, role=role, scheme="natural", kind="shop", network_id=None, target=target,
                tld=tld, language="en", topic=topic, provider=prov,
                ns=f"ns1.{prov}.example ns2.{prov}.example", mx="aspmx.gmail-like.example", ipv6=None,
                registrar=reg[0], registrar_iana=reg[1], created=created,
                history_start=_floor_day(created), expired_reuse=False,
                expires=_add_years(created, 12), updated=created,
                transferred=None, privacy=rng.random() < 0.5, registrant_org=None,
                whois_style=vocab.WHOIS_STYLE.get(tld, "icann"), cms="wordpress",
                theme=rng.choice(vocab.THEMES), template=None, authority=35.0, traffic=5000.0,
                n_pages=50, has_about=True, has_contact=True, www=True, toxic=False,
                **ids, **{f"fp_{fp}": False for fp in FOOTPRINTS})


def _assign_addresses(domains: pd.DataFrame, providers: dict[str, _Provider], rng: random.Random) -> None:
    """IPv4 per domain: providers pack ``per_ip`` domains per address over their /24s."""
    ips = np.empty(len(domains), dtype=object)
    blocks = domains["_block"] if "_block" in domains else pd.Series([np.nan] * len(domains))
    # PBN members exposing the network block: distinct hosts inside the network's /24
    fixed = blocks.notna().to_numpy()
    host_in_block: dict[int, int] = {}
    for i in np.flatnonzero(fixed):
        b = int(blocks.iloc[i])
        h = host_in_block.get(b, rng.randint(2, 40))
        host_in_block[b] = h + 1
        ips[i] = block_address(b, 2 + (h - 2) % 253)
    for name, prov in sorted(providers.items()):
        idx = np.flatnonzero((domains["provider"].to_numpy() == name) & ~fixed)
        if not len(idx):
            continue
        pool = max(1, math.ceil(len(idx) / prov.per_ip))
        offset = rng.randrange(len(prov.blocks) * 253)
        for i in idx:
            j = (offset + rng.randrange(pool)) % (len(prov.blocks) * 253)
            ips[i] = block_address(prov.blocks[j % len(prov.blocks)], 2 + j // len(prov.blocks))
    domains["ip"] = ips
    if "_block" in domains:
        del domains["_block"]


def _inject_failures(domains: pd.DataFrame, cfg: WorldConfig, rng: random.Random) -> None:
    n = len(domains)
    served = (domains["role"] != "target").to_numpy()

    def pick(rate: float, modes: list[str]) -> list[str]:
        return [rng.choice(modes) if (served[i] and rng.random() < rate) else "" for i in range(n)]

    domains["dns_failure"] = pick(cfg.dns_failure, ["servfail", "nodata", "slow"])
    domains["http_failure"] = pick(cfg.http_failure, ["404", "500", "redirect_loop", "slow",
                                                      "oversized", "gzip_bomb", "non_html"])
    domains["rdap_failure"] = pick(cfg.rdap_failure, ["malformed", "429", "not_found"])
    domains["whois_failure"] = pick(cfg.whois_failure, ["limit_exceeded"])


def _finish_domains(domains: pd.DataFrame) -> pd.DataFrame:
    str_cols = ["domain", "role", "scheme", "kind", "target", "tld", "language", "topic", "provider",
                "ns", "mx", "ipv6", "registrar", "registrant_org", "whois_style", "cms", "theme",
                "template", "ga_ua", "ga4", "gtm", "adsense", "ip", "dns_failure", "http_failure",
                "rdap_failure", "whois_failure"]
    for c in str_cols:
        domains[c] = domains[c].astype("string")
    for c in ["created", "history_start", "expires", "updated", "transferred"]:
        domains[c] = pd.to_datetime(domains[c], utc=True).astype("datetime64[s, UTC]")
    domains["network_id"] = domains["network_id"].astype("Int64")
    domains["registrar_iana"] = domains["registrar_iana"].astype("int64")
    domains["n_pages"] = domains["n_pages"].astype("int64")
    domains["seed"] = domains["seed"].astype("int64")
    for c in ["privacy", "expired_reuse", "has_about", "has_contact", "www", "toxic",
              *[f"fp_{fp}" for fp in FOOTPRINTS]]:
        domains[c] = domains[c].astype(bool)
    return domains.reset_index(drop=True)


# ---------------------------------------------------------------------- links

_ANCHOR_MIX = {  # anchor kind weights per scheme (natural: practitioner anchor-text studies)
    "natural": dict(branded=0.40, url=0.25, generic=0.20, partial=0.10, exact=0.05),
    "pbn": dict(exact=0.45, partial=0.30, branded=0.15, url=0.05, generic=0.05),
    "link_farm": dict(exact=0.30, branded=0.30, url=0.40),
    "comment_spam": dict(exact=0.50, partial=0.20, branded=0.20, url=0.10),
    "hacked": dict(spam=0.70, exact=0.30),
    "paid_unqualified": dict(exact=0.50, partial=0.35, branded=0.15),
    "reciprocal": dict(branded=0.60, url=0.20, partial=0.20),
    "parked": dict(exact=0.60, url=0.40),
    "spam_theme": dict(exact=0.40, spam=0.30, url=0.30),
}


def _anchor(rng: random.Random, kind: str, target: str, topic: str, spam_kind: str) -> str:
    brand = target.split(".")[0]
    if kind == "branded":
        return brand.replace("-", " ").title()
    if kind == "url":
        return rng.choice([target, f"www.{target}", f"https://{target}/"])
    if kind == "generic":
        return rng.choice(vocab.GENERIC_ANCHORS)
    if kind == "partial":
        return rng.choice([f"{brand} {topic}", f"this {topic} shop", f"{topic} guide by {brand}"])
    if kind == "spam":
        terms = vocab.PHARMA_TERMS if spam_kind == "pharma" else vocab.GAMBLING_TERMS
        return rng.choice(terms)
    return rng.choice([f"best {topic}", f"cheap {topic}", f"buy {topic} online",
                       f"{topic} for sale", f"{topic} reviews", f"best {topic} 2026"])


def _slug(rng: random.Random, topic: str) -> str:
    return "-".join([rng.choice(vocab.WORDS_EN), topic, rng.choice(vocab.WORDS_EN)])


def _link_plan(rng: random.Random, scheme: str, kind: str, n_pages: int, topic: str) -> tuple[list[str], str, str, bool]:
    """Source paths, placement, rel policy and sitewide flag for one referring domain."""
    y, m = rng.randint(2016, 2026), rng.randint(1, 12)
    post = f"/{y}/{m:02d}/{_slug(rng, topic)}/"
    if scheme == "natural":
        if kind == "blogroll":
            n = min(n_pages, rng.randint(5, 40))
            return ["/"] + [f"/{rng.randint(2015, 2026)}/{rng.randint(1, 12):02d}/{_slug(rng, topic)}-{i}/" for i in range(n - 1)], "sidebar", "plain", True
        path = {"news": f"/news/{_slug(rng, topic)}-{rng.randint(10000, 99999)}",
                "foreign_press": f"/artikel/{_slug(rng, topic)}-{rng.randint(10000, 99999)}",
                "forum": f"/threads/{_slug(rng, topic)}.{rng.randint(1000, 99999)}/",
                "university": rng.choice(["/library/resources/", "/research/links/", "/students/useful-links/"]),
                "directory": f"/members/{topic}/",
                "aggregator": f"/links/{topic}/",
                "bibliography": f"/bibliography/{topic}/"}.get(kind, post)
        placement = "comment" if kind == "forum" else "content"
        return [path], placement, ("ugc" if kind == "forum" else "natural"), False
    if scheme == "pbn":
        return [f"/{_slug(rng, topic)}/" for _ in range(rng.randint(1, 3))], "content", "plain", False
    if scheme == "link_farm":
        return [f"/directory/{topic}/page-{rng.randint(1, 40)}/" for _ in range(rng.randint(1, 2))], "directory", "farm", False
    if scheme == "comment_spam":
        if kind == "profile":
            return [f"/members/{rng.choice(vocab.WORDS_EN)}{rng.randint(1, 9999)}/"], "profile", "spam", False
        if kind == "forum_signature":
            return [f"/forum/topic/{_slug(rng, topic)}-{rng.randint(1, 99999)}/" for _ in range(rng.randint(1, 5))], "signature", "spam", False
        return [f"/{rng.randint(2016, 2026)}/{rng.randint(1, 12):02d}/{_slug(rng, topic)}/" for _ in range(rng.randint(1, 4))], "comment", "spam", False
    if scheme == "hacked":
        return [f"/wp-content/uploads/{rng.choice(['slot', 'togel', 'rx', 'cache'])}-{_id(rng, 'abcdef0123456789', 8)}.html"
                for _ in range(rng.randint(1, 6))], "hidden", "plain", False
    if scheme == "paid_unqualified":
        if kind == "sitewide_footer":
            n = min(n_pages, rng.randint(8, 60))
            return ["/"] + [f"/{rng.randint(2018, 2026)}/{rng.randint(1, 12):02d}/{_slug(rng, topic)}-{i}/" for i in range(n - 1)], "footer", "plain", True
        return [f"/{_slug(rng, topic)}-guest-post/"], "content", "plain", False
    if scheme == "reciprocal":
        return [rng.choice(["/partners/", "/links.html", "/friends/"])], "partners", "plain", False
    if scheme == "parked":
        return ["/"], "parked", "parked", False
    return [f"/{_slug(rng, topic)}/" for _ in range(rng.randint(1, 3))], "content", "plain", False


def _rel(rng: random.Random, policy: str, kind: str, cfg: WorldConfig, qualified: bool) -> str:
    if policy == "natural":
        r = rng.random()
        nofollow = 0.4 if kind in ("news", "foreign_press") else 0.15
        return "nofollow" if r < nofollow else ("sponsored" if r < nofollow + 0.02 else "")
    if policy == "ugc":
        return "ugc nofollow" if rng.random() < 0.8 else "ugc"
    if policy == "spam":
        return rng.choice(["ugc nofollow", "nofollow", "ugc"]) if qualified else ""
    if policy == "farm":
        return "nofollow" if rng.random() < 0.2 else ""
    if policy == "parked":
        return "nofollow" if rng.random() < 0.5 else ""
    return ""


def _make_links(domains: pd.DataFrame, cfg: WorldConfig, rng: random.Random, as_of: datetime,
                target_topics: dict[str, str]) -> pd.DataFrame:
    out: dict[str, list] = {k: [] for k in (
        "domain", "source_url", "source_host", "target_url", "anchor", "rel",
        "link_type", "sitewide", "placement", "first_seen", "last_seen", "lost_at", "page_title")}
    ref = domains[domains["role"] == "referring"]
    for row in ref.itertuples(index=False):
        target, ttopic = row.target, target_topics[row.target]
        paths, placement, policy, sitewide = _link_plan(rng, row.scheme, row.kind, row.n_pages, row.topic)
        qualified = rng.random() >= cfg.comment_spam_unqualified
        mix = _ANCHOR_MIX[row.scheme]
        spam_kind = "pharma" if (row.scheme == "spam_theme" and row.kind == "pharma") or \
            (row.scheme == "hacked" and rng.random() < 0.35) else "gambling"
        host = f"www.{row.domain}" if row.www else row.domain
        start = max(row.created.to_pydatetime(), as_of - timedelta(days=6 * 365))
        target_paths = ["/", "/", f"/{ttopic}/", f"/blog/{ttopic}-guide/", "/about/"]
        fixed_anchor = _anchor(rng, _weighted(rng, mix), target, ttopic, spam_kind) if sitewide else None
        fixed_rel = _rel(rng, policy, row.kind, cfg, qualified)
        fixed_target = f"https://{target}{rng.choice(target_paths)}"
        span = max(1, int((as_of - start).total_seconds()))
        for path in paths:
            out["domain"].append(row.domain)
            out["source_host"].append(host)
            out["source_url"].append(f"http://{host}{path}")
            out["target_url"].append(fixed_target if sitewide else f"https://{target}{rng.choice(target_paths)}")
            out["anchor"].append(fixed_anchor or _anchor(rng, _weighted(rng, mix), target, ttopic, spam_kind))
            out["rel"].append(fixed_rel if (sitewide or policy in ("spam",)) else _rel(rng, policy, row.kind, cfg, qualified))
            out["link_type"].append("image" if rng.random() < 0.06 else "text")
            out["sitewide"].append(sitewide)
            out["placement"].append(placement)
            first = start + _secs(span * rng.random() ** 0.7)
            last = first + _secs((as_of - first).total_seconds() * (0.7 + 0.3 * rng.random()))
            lost = min(as_of, last + timedelta(days=rng.randint(1, 20))) if rng.random() < 0.05 else None
            out["first_seen"].append(first)
            out["last_seen"].append(last)
            out["lost_at"].append(lost)
            title_words = path.strip("/").split("/")[-1].replace(".html", "").replace("-", " ") or row.domain
            out["page_title"].append(f"{title_words.title()} | {row.domain.split('.')[0].replace('-', ' ').title()}")
    links = pd.DataFrame(out)
    for c in ("first_seen", "last_seen", "lost_at"):
        links[c] = pd.to_datetime(links[c], utc=True).astype("datetime64[s, UTC]")
    for c in ("domain", "source_url", "source_host", "target_url", "anchor", "rel",
              "link_type", "placement", "page_title"):
        links[c] = links[c].astype("string")
    links["sitewide"] = links["sitewide"].astype(bool)
    return links
