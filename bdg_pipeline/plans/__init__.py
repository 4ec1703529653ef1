"""Plans (kế hoạch) entering the catalogue through a review workbook an officer edits in Excel: a catalogued
plan exported to it, a plan document drafted into it, and the reviewed workbook loaded back as
``plans/<CODE>.yaml``. Plain Python: no Dagster here."""
