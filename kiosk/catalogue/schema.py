"""``python -m kiosk.catalogue.schema > docs/catalogue-schema.json``: publish the format's schema.

The schema is generated from the models in :mod:`kiosk.catalogue.model`; a test
fails when the published file is stale.
"""

from kiosk.catalogue.model import schema_text

if __name__ == "__main__":
    print(schema_text(), end="")
