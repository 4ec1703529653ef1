"""The ministry's instance: provinces publish snapshots of their warehouses (``bdg export``); the ministry
receives them the way a province receives returns (archive, ledger, one writer) and builds national views."""
