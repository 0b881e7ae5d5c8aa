DROP TABLE events;
DROP TABLE requests;
DROP TABLE campaigns;
DROP TABLE authorities;
DROP TABLE api_tokens;
DROP TABLE users;
