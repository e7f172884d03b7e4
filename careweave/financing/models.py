"""Models of the financing app."""
