DROP TABLE codebooks;
