"""Models of the maturity app."""
