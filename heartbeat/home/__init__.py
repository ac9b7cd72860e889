"""The web shell: the start pages, the centre hub and the navigation that gathers every feature."""
