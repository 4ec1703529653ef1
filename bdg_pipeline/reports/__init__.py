"""What officers and leaders get back: the report appendix workbook, charts, and the submission tracker."""
