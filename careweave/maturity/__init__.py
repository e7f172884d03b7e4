"""The zone's maturity self-assessment (C13): twelve dimensions scored 0-5 with an argument, aggregated for a
consensus workshop.
"""
