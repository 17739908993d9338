"""A labelled synthetic link ecosystem that can be served on loopback.

Generate a world of referring domains (natural ones in realistic variety and link
schemes: PBNs, link farms, comment spam, hacked pages, paid links, exchanges, parked
domains) with ground-truth labels, write it as the backlink exports real tools produce,
and serve its DNS, HTTP pages, RDAP and WHOIS on 127.0.0.0/8 so every network feature is
tested end to end. See ``docs/simulation.md``.

>>> from detector.simulate import WorldConfig, generate_world
>>> world = generate_world(WorldConfig.preset("easy", n_domains=80, seed=1))
>>> sorted(set(world.labels()["scheme"]))[:3]
['comment_spam', 'hacked', 'link_farm']
"""

from detector.simulate.config import PRESETS, TOXIC_BY_SCHEME, WorldConfig
from detector.simulate.exports import EXPORT_FILES, write_exports
from detector.simulate.generate import FOOTPRINTS, generate_world
from detector.simulate.ranges import hosting_ranges
from detector.simulate.samples import write_samples
from detector.simulate.serve import Ports, ServedWorld, serve_world
from detector.simulate.world import World, load_world

__all__ = ["WorldConfig", "PRESETS", "TOXIC_BY_SCHEME", "FOOTPRINTS", "World", "generate_world", "load_world",
           "write_exports", "EXPORT_FILES", "write_samples", "serve_world", "ServedWorld", "Ports",
           "hosting_ranges"]
