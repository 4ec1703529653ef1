"""Agency returns (biểu báo cáo): the project's template and free-form appendices, parsed to rows."""
