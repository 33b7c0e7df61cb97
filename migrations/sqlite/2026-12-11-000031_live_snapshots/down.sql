DROP TABLE live_snapshots;
