"""Programmes and care pathways (C7): enrolment instantiates a programme's plan template in the person's one
plan; the pathway registry.
"""
