"""Exchanging workflows as files: the secret scan, the credentials list, and imports.

- ``secret_scan``: finds secret-looking values in node params (never repeating them);
- ``secret_moves``: takes such values out of a document once credentials hold them;
- ``credentials``: the document's ``credentials`` list, computed from its references;
- ``detect``, ``langflow``, ``flowise``: recognising and converting other tools' exports;
- ``import_secrets``: replacing or refusing keys found in an imported file;
- ``importer``: the whole import pipeline behind the preview and the import.
"""
