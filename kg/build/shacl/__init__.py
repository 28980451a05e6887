"""SHACL validation: ``facade.Validator`` picks the engine (``fast``, falling back on pySHACL
for what it does not support, or pySHACL for every shape); both return a ``report.Report``."""
