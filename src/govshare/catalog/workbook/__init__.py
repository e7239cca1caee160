"""The catalog workbook (信息资源目录编制表): the Excel template, its import and the export.

Sheet 信息资源 holds one resource per row in the order of the 编制指南's core metadata
(standards.md §1.2); sheet 信息项 one data item per row, keyed by the resource's name; 填表说明
says what each column takes; a hidden 代码表 sheet holds the dropdown lists. Enumerations are
written and read as the guide's Chinese labels (``exports.GUIDE_LABELS``), booleans as 是/否.
Template, export and import share the column tables (``core.xlsx`` forms), so an export
re-imports cleanly.

Issue 4 §7: the import checks every row of both sheets and applies all or nothing. What only the
file can tell (an unknown label, classification code or data element, an item of a resource
not on sheet 1) is found while reading; the catalog rules are the services' own: every resource
goes through ``resource_create`` / ``version_update`` inside one transaction, their field errors
(``share_condition``, ``items.2.share_type``) are mapped back to cells, and the transaction is
rolled back if anything is wrong. A failed import comes back as an error workbook: the uploaded
sheets with an 错误 column and the bad cells highlighted.
"""

from govshare.catalog.workbook.columns import (
    ITEM_SHEET,
    MAX_UPLOAD_BYTES,
    RESOURCE_SHEET,
    CatalogImportResult,
    item_columns,
    resource_columns,
)
from govshare.catalog.workbook.importer import catalog_import
from govshare.catalog.workbook.writer import (
    catalog_export,
    catalog_form,
    catalog_template,
    item_values,
    resource_values,
    write_catalog,
)

__all__ = [
    "ITEM_SHEET",
    "MAX_UPLOAD_BYTES",
    "RESOURCE_SHEET",
    "CatalogImportResult",
    "catalog_export",
    "catalog_form",
    "catalog_import",
    "catalog_template",
    "item_columns",
    "item_values",
    "resource_columns",
    "resource_values",
    "write_catalog",
]
