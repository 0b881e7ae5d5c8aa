DROP TABLE secrets;
DROP TABLE outbox;
