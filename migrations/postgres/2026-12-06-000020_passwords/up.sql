-- Signing in to the web pages (src/service/sign_in.rs): a user's password, as an Argon2id PHC
-- string (algorithm, parameters, salt and hash in one). Empty until the user or an
-- administrator sets one; API tokens work either way.
ALTER TABLE users ADD COLUMN password_hash TEXT;
