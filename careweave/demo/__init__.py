"""The synthetic demo zone: ~200 people in ELZ Zora across the eight situations of the
stakeholder forum, with their teams, plans, coordination and named demo accounts."""

from careweave.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_loaded, load_demo

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "demo_loaded", "load_demo"]
