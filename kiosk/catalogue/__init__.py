"""The procedure catalogue: typed model, SQLite store, search as you type, central sync.

The UI and the CLI use :func:`open_catalogue` and the :class:`Catalogue` it returns;
sync lives in :mod:`kiosk.catalogue.sync`. Nothing here imports Kivy or an HTTP
framework.
"""

from kiosk.catalogue.catalogue import (
    Catalogue,
    FieldCount,
    SearchHit,
    Summary,
    open_catalogue,
    store_path,
    store_path_problem,
)
from kiosk.catalogue.model import (
    CatalogueError,
    CatalogueInfo,
    Channel,
    DocumentGroup,
    DocumentItem,
    Field,
    Form,
    LocalText,
    Procedure,
    Shown,
)
from kiosk.catalogue.store import StoreStatus, store_status

__all__ = [
    "Catalogue",
    "CatalogueError",
    "CatalogueInfo",
    "Channel",
    "DocumentGroup",
    "DocumentItem",
    "Field",
    "FieldCount",
    "Form",
    "LocalText",
    "Procedure",
    "SearchHit",
    "Shown",
    "StoreStatus",
    "Summary",
    "open_catalogue",
    "store_path",
    "store_path_problem",
    "store_status",
]
