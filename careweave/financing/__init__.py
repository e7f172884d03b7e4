"""Provisions and financing (C9): provisions against a person and a provider, care-unit budgets, tariffs with
validity periods, reports and the financing simulator.
"""
