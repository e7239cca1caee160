"""Excel workbooks, one way (DESIGN.md, Stack, "Excel"; issue 12 item 7): ``writer`` streams
every workbook the project writes (``charts`` backs the same calls with XlsxWriter where a
report needs native charts); ``columns`` describes a form's columns as data; ``forms`` writes a
form's template sheets; ``reader`` reads an upload with openpyxl; ``importer`` applies it all
or nothing and marks the bad cells in an error workbook."""
