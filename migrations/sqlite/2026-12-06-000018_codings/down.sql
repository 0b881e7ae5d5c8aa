DROP INDEX requests_response_dates;
DROP TABLE final_codes;
DROP TABLE adjudications;
DROP TABLE codings;
DROP TABLE coding_coders;
DROP TABLE coding_plans;
