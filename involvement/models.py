"""Models for involvement."""
