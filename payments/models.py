"""Models for payments."""
