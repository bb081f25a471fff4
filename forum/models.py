"""Models for forum."""
