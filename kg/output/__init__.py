"""What a build writes: canonical Turtle (``turtle``), every export format (``export``), the one
generation swap that publishes a set of files whole (``publish``) and the build manifest
(``manifest``)."""
