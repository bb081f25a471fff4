"""Models for programmes."""
