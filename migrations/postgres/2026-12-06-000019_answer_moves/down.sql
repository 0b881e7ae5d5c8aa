DROP TABLE answer_moves;
