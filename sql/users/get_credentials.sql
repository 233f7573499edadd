-- Login accepts a username or an e-mail address.
SELECT id, password_hash, is_active
FROM users
WHERE username = $1 OR lower(email) = lower($1);
