"""Moved to :mod:`careweave.records.clinical` (the integrated record, decision 0020); kept for old imports."""

from careweave.records.clinical import OtherSystems, for_plan, store_resources, stored_rows

__all__ = ["OtherSystems", "for_plan", "store_resources", "stored_rows"]
