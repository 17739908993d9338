"""linkdetector: find toxic links and link schemes in a site's backlink exports.

The public API is re-exported here; everything else is implementation.
"""

from detector.keys import domain_key, host_of

__version__ = "0.1.0"

__all__ = ["__version__", "domain_key", "host_of"]
