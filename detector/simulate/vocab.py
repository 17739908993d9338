"""Fixed vocabularies of the synthetic world: words, registrars, hosts, anchors, spam terms.

Everything here is constant data, so a world depends only on its config and seed.
Registrar names and IANA IDs are those of real, large registrars (public ICANN list);
hosting and DNS providers are *provider-like* names under ``.example`` so no real
infrastructure is ever named as hosting a scheme.
"""

from __future__ import annotations

WORDS_EN = (
    "acorn alpine amber anchor apple arrow aspen atlas autumn badger bay beacon bear birch "
    "bright brook cabin canyon cedar chalk cherry cider clay clover coast cobalt comet copper "
    "coral cotton crane creek crown daisy delta desert dove dune eagle east echo elm ember "
    "falcon fern field finch flint forest fox garden glacier golden granite green grove harbor "
    "hazel heron hill hollow honey horizon iris island ivory jade juniper kettle lake lantern "
    "lark laurel lemon lily linen lotus maple marble meadow mint moon moss north oak ocean "
    "olive orchard otter owl palm pearl pebble pine plum pond poppy prairie quail quartz rain "
    "raven reed ridge river robin rose sage salt sand silver sky slate snow sparrow spring "
    "spruce stone summit sun swan thistle thunder tide timber valley velvet violet walnut "
    "west willow wind winter wolf wren").split()

WORDS_TOPIC = (
    "bikes travel recipes garden health fitness tech photo music books crafts pets finance "
    "homes design cars coffee wine outdoor running yoga science history family fashion games "
    "movies energy solar tools parenting wedding skincare hiking fishing camping baking").split()

WORDS_LOCAL = {
    "de": "haus garten reise kueche wetter auto fahrrad buch stadt markt natur kinder".split(),
    "fr": "maison jardin voyage cuisine velo livre ville marche nature enfants sante".split(),
    "es": "casa jardin viaje cocina bici libro ciudad mercado naturaleza salud".split(),
    "nl": "huis tuin reis keuken fiets boek stad markt natuur kinderen".split(),
    "pl": "dom ogrod podroze kuchnia rower ksiazka miasto rynek natura zdrowie".split(),
}

#: TLD -> language of most sites under it (others fall back to the config's languages).
TLD_LANGUAGE = {"de": "de", "nl": "nl", "pl": "pl"}

#: TLD -> WHOIS text style served for it.
WHOIS_STYLE = {"com": "verisign", "net": "verisign", "org": "icann", "info": "icann",
               "de": "denic", "co.uk": "nominet", "nl": "sidn", "pl": "nask"}

#: (name, IANA id, RDAP/WHOIS url host) of real registrars (ICANN accredited list).
REGISTRARS = (
    ("GoDaddy.com, LLC", 146, "godaddy.com"),
    ("NameCheap, Inc.", 1068, "namecheap.com"),
    ("Tucows Domains Inc.", 69, "tucows.com"),
    ("Network Solutions, LLC", 2, "networksolutions.com"),
    ("Squarespace Domains II LLC", 895, "squarespace.com"),
    ("PDR Ltd. d/b/a PublicDomainRegistry.com", 303, "publicdomainregistry.com"),
    ("Dynadot Inc", 472, "dynadot.com"),
    ("Porkbun LLC", 1861, "porkbun.com"),
    ("NameSilo, LLC", 1479, "namesilo.com"),
    ("Gandi SAS", 81, "gandi.net"),
    ("OVH sas", 433, "ovh.com"),
    ("IONOS SE", 83, "ionos.com"),
    ("Key-Systems GmbH", 269, "key-systems.net"),
    ("Hostinger Operations, UAB", 1636, "hostinger.com"),
    ("Cloudflare, Inc.", 1910, "cloudflare.com"),
    ("eNom, LLC", 48, "enom.com"),
)
#: relative market weights of REGISTRARS (order of ICANN monthly registry reports; assumption)
REGISTRAR_WEIGHTS = (0.24, 0.12, 0.07, 0.04, 0.06, 0.05, 0.03, 0.04, 0.04, 0.03, 0.04,
                     0.06, 0.03, 0.05, 0.05, 0.05)
#: registrars PBN operators favour (cheap, bulk, privacy included): practitioner reports.
PBN_REGISTRARS = (1, 6, 7, 8, 13)

PRIVACY_SERVICES = ("REDACTED FOR PRIVACY", "Domains By Proxy, LLC",
                    "Withheld for Privacy ehf", "Privacy service provided by Withheld for Privacy ehf",
                    "Contact Privacy Inc. Customer")

#: hosting providers: name, kind, /24 blocks reserved, mean domains per IP.
#: kinds: cdn (a few anycast IPs), shared (many sites per IP), vps, cheap (PBN-friendly
#: "SEO hosting" with many C-classes), own (universities, news: own blocks).
PROVIDERS = (
    ("edgecdn", "cdn", 4, 2000),
    ("fastedge", "cdn", 2, 2000),
    ("bighost", "shared", 60, 25),
    ("hostgiant", "shared", 40, 25),
    ("webspace24", "shared", 30, 25),
    ("cloudvps", "vps", 120, 10),
    ("dropletcloud", "vps", 80, 10),
    ("seohost", "cheap", 200, 3),
    ("multiclass", "cheap", 200, 3),
    ("budgetweb", "cheap", 120, 5),
    ("campusnet", "own", 40, 4),
    ("pressnet", "own", 40, 4),
)
#: (per-IP packing keeps a 100,000-domain world under ~15,000 addresses, so the page
#: server can bind every address within a 20,000 file-descriptor limit)

#: DNS providers for NS records (``ns1.<name>.example``): provider-like names.
NS_PROVIDERS = ("edgecdn", "bighost", "hostgiant", "webspace24", "cloudvps", "dropletcloud",
                "dnsmadeeasy-like", "route-dns", "registrar-dns", "seohost", "multiclass",
                "budgetweb", "campusnet", "pressnet")
PARKING_NS = ("parkingcrew-like", "sedoparking-like", "bodis-like")

CMS = ("wordpress", "drupal", "joomla", "ghost", "static", "shopify-like", "phpbb", "custom")
THEMES = ("astra", "generatepress", "oceanwp", "kadence", "neve", "hello-elementor",
          "twentytwentyfour", "newspaper", "soledad", "divi", "avada", "jannah")
#: cheap themes PBN templates are built on (practitioner: the same theme across a network)
PBN_THEMES = ("pbn-magazine", "blogpress-lite", "newsmag-clone", "simpleblog-x")

GAMBLING_TERMS = ("slot gacor", "togel online", "judi bola", "situs slot", "bandar togel",
                  "slot88", "judi online terpercaya", "casino online")
PHARMA_TERMS = ("buy viagra online", "cheap cialis", "tramadol no prescription",
                "generic levitra", "buy xanax online", "phentermine online")
ADULT_TERMS = ("adult cams", "hot singles", "xxx videos")

GENERIC_ANCHORS = ("click here", "this site", "here", "website", "read more", "source",
                   "this article", "learn more", "visit")

FILLER = {
    "en": ("We tested this over several weeks and wrote down what worked. "
           "Readers asked about the details, so here they are in full. "
           "The results surprised us, and the comments below add more context. "
           "This guide is updated when new information becomes available."),
    "de": ("Wir haben das mehrere Wochen lang getestet und aufgeschrieben, was funktioniert. "
           "Leser haben nach Details gefragt, hier sind sie vollständig."),
    "fr": ("Nous avons testé cela pendant plusieurs semaines et noté ce qui fonctionnait. "
           "Les lecteurs ont demandé des détails, les voici."),
    "es": ("Lo probamos durante varias semanas y anotamos lo que funcionó. "
           "Los lectores pidieron detalles, aquí están."),
    "nl": ("We hebben dit enkele weken getest en opgeschreven wat werkte. "
           "Lezers vroegen om details, hier zijn ze."),
    "pl": ("Testowaliśmy to przez kilka tygodni i zapisaliśmy, co działało. "
           "Czytelnicy pytali o szczegóły, oto one."),
    "id": ("Situs terpercaya dengan peluang menang terbesar hari ini. "
           "Daftar sekarang dan dapatkan bonus member baru."),
}

#: spintax-like fragments for thin PBN posts (one of each slot is picked per sentence)
SPIN = (
    ("Best", "Top", "Great", "Amazing", "Essential"),
    ("tips", "ideas", "ways", "tricks", "secrets"),
    ("for", "to improve", "about", "regarding"),
    ("your life", "everyday success", "home owners", "beginners", "everyone"),
)
