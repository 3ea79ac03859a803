"""Generated evidence: seeded stories turned into captures, images and files per trainee.

A *story* (YAML) declares variables drawn per seed, hosts, and named *outputs*; each
output is produced by one generator from :mod:`runner.generate.registry` (``capture``,
``usb-image``, ``mailbox``, ...). The same story and seed always give byte-identical
files and the same story values, which answer keys reference as ``{story: NAME.FIELD}``.
"""
