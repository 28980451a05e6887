"""Reading the inputs: YAML files safely (``yamlread``, ``files``), one checker per value kind
(``values``), the tables of fact types and fields (``schema``), fact files into typed records
(``facts``) and an article's numbered paragraphs (``text``)."""
