"""Content library (素材库) and radar links (雷达): tracked, signed links per recipient."""
