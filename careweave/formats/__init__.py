"""Locale formats Careweave sets itself (``FORMAT_MODULE_PATH``): English read in Belgium.

Django's ``en`` formats are American (``Dec. 2, 2026``, ``12/02/2026``). Careweave's English
readers are in Belgium: day before month, 24-hour clock, the week starting on Monday (issue 11.4).
"""
