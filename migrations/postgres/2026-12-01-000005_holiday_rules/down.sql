DROP TABLE holiday_rules;
