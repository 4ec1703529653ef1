"""The reader of a plan document (kế hoạch as .docx, text-layer .pdf or .txt): objectives, chỉ tiêu, their
parts, values, units, directions and years, baselines, agencies and deadlines, by the rules the hand
catalogue follows; anything the text does not settle is said in “Cần xem lại”. Plain Python."""
