"""Administration screens: the operator's centres, a centre's settings and its staff."""
