"""What a build writes: the manifest of its triple counts (``manifest``)."""
