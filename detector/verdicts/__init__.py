"""Verdicts per referring domain: the interim rule set (``rules-1``) until the model lands.

>>> from detector.verdicts import rule_verdicts, RULES, rules_markdown
"""

from detector.verdicts.rules import MODEL_VERSION, RULES, Rule, rule_verdicts, rules_markdown

__all__ = ["MODEL_VERSION", "RULES", "Rule", "rule_verdicts", "rules_markdown"]
